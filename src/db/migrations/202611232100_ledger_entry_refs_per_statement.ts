import { type Kysely, sql } from 'kysely';

/**
 * An entry's transaction and account are checked once per INSERT statement, by the balance
 * trigger, instead of by two foreign keys per entry row.
 *
 * Why: a claim or a submit posts two entries, so the two foreign keys cost four referential
 * checks per movement, each a query of its own with a row lock on the referenced row. Batches of
 * claims and submits (work/CONTEXT.md "Batches across workers") post 64 movements per statement:
 * auto_explain showed the claim batch's statement executing in 2.8 ms and its 256 per-row checks
 * taking ~13 ms more. The statement-level trigger already reads the inserted rows (transition
 * table) to check the balance; it now also checks, in one query each, that every transaction and
 * account they name exists.
 *
 * What the foreign keys guarded on the other side — deleting a transaction or an account that
 * entries name — is refused outright: the ledger never deletes (entries were already append-only).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table ledger_entries drop constraint ledger_entries_tx_id_fkey`.execute(db);
  await sql`alter table ledger_entries drop constraint ledger_entries_account_id_fkey`.execute(db);
  await sql`create or replace function ledger_check_balanced() returns trigger language plpgsql as $$
    declare bad record; missing bigint;
    begin
      select a.tx_id into missing from added a
      where not exists (select 1 from ledger_transactions t where t.id = a.tx_id) limit 1;
      if found then
        raise exception 'a ledger entry names transaction %, which does not exist', missing using errcode = '23503';
      end if;
      select a.account_id into missing from added a
      where not exists (select 1 from ledger_accounts c where c.id = a.account_id) limit 1;
      if found then
        raise exception 'a ledger entry names account %, which does not exist', missing using errcode = '23503';
      end if;
      select t.tx_id, count(*) as n, coalesce(sum(e.amount), 0) as s into bad
      from (select distinct tx_id from added) t
      join ledger_entries e on e.tx_id = t.tx_id
      group by t.tx_id
      having coalesce(sum(e.amount), 0) <> 0 or count(*) < 2
      limit 1;
      if found then
        raise exception 'ledger transaction % does not balance (% entries, sum %)', bad.tx_id, bad.n, bad.s;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create function ledger_never_deletes() returns trigger language plpgsql as $$
    begin raise exception 'the ledger never deletes (% rows stay)', tg_table_name; end $$`.execute(db);
  await sql`create trigger ledger_transactions_kept before delete on ledger_transactions
    for each row execute function ledger_never_deletes()`.execute(db);
  await sql`create trigger ledger_accounts_kept before delete on ledger_accounts
    for each row execute function ledger_never_deletes()`.execute(db);
}
