import { type Kysely, sql } from 'kysely';

/**
 * The double-entry check runs once per INSERT statement instead of once per entry at COMMIT.
 *
 * Before: a deferred constraint trigger per entry row summed its transaction's entries at
 * COMMIT — two PL/pgSQL calls and two aggregate queries per two-legged movement, four per work
 * cycle (a claim's reservation, a submit's payment). Measured on one database, alternating the
 * two triggers (pgbench, the captured work cycle, 3 clients, CPU per protocol message): COMMIT
 * 230 → 120–160 µs, the two money statements +30–70 µs each; ~0.1 ms of PostgreSQL CPU less per
 * cycle, within the noise of throughput. Kept for the simpler rule and the earlier error.
 *
 * After: a statement-level trigger reads the statement's new rows (transition table) and checks
 * every transaction they touch, in one query. The rule it enforces is a little stricter: each
 * INSERT must leave the transactions it touches balanced (every writer inserts all legs of a
 * movement in one statement: `post()`, and the claim/submit statements' CTEs).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger ledger_entries_balanced on ledger_entries`.execute(db);
  await sql`drop function ledger_check_balanced()`.execute(db);
  await sql`create function ledger_check_balanced() returns trigger language plpgsql as $$
    declare bad record;
    begin
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
  await sql`create trigger ledger_entries_balanced after insert on ledger_entries
    referencing new table as added for each statement execute function ledger_check_balanced()`.execute(db);
}
