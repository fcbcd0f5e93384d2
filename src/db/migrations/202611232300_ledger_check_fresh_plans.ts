import { type Kysely, sql } from 'kysely';

/**
 * The ledger's per-statement check (balance, and that every entry names an existing transaction
 * and account) plans its three queries afresh on every run (EXECUTE), instead of keeping the
 * plans PL/pgSQL caches per connection.
 *
 * Why: a cached plan keeps the row counts of the moment it was made. The server's connections
 * live for hours while the ledger grows by two entries per claim and two per submit; a plan made
 * when `ledger_entries` held a few dozen rows joined the statement's new entries to a sequential
 * scan of the whole table. auto_explain on the work bench, a fresh database a few seconds in:
 * the balance query of one batch payment ran 21 ms (148,224 rows removed by the join filter,
 * ~2,300 entries), the existence check 5 ms (a hash of all of `ledger_transactions`), where
 * index lookups of the 64 transactions take well under a millisecond. Planning three small
 * queries costs ~0.1 ms each, once per INSERT statement on the ledger (one per claim batch and
 * one per submit batch), and each plan then sees the table as it is.
 *
 * What is checked is unchanged (202611232100).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function ledger_check_balanced() returns trigger language plpgsql as $$
    declare bad record; missing bigint;
    begin
      execute 'select a.tx_id from added a
               where not exists (select 1 from ledger_transactions t where t.id = a.tx_id) limit 1' into missing;
      if missing is not null then
        raise exception 'a ledger entry names transaction %, which does not exist', missing using errcode = '23503';
      end if;
      execute 'select a.account_id from added a
               where not exists (select 1 from ledger_accounts c where c.id = a.account_id) limit 1' into missing;
      if missing is not null then
        raise exception 'a ledger entry names account %, which does not exist', missing using errcode = '23503';
      end if;
      execute 'select t.tx_id, count(*) as n, coalesce(sum(e.amount), 0) as s
               from (select distinct tx_id from added) t
               join ledger_entries e on e.tx_id = t.tx_id
               group by t.tx_id
               having coalesce(sum(e.amount), 0) <> 0 or count(*) < 2
               limit 1' into bad;
      if bad.tx_id is not null then
        raise exception 'ledger transaction % does not balance (% entries, sum %)', bad.tx_id, bad.n, bad.s;
      end if;
      return null;
    end $$`.execute(db);
}
