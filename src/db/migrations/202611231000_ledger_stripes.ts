import { type Kysely, sql } from 'kysely';

/**
 * A project's budget split over several accounts ("stripes", kind project_budget, stripe 0..N-1):
 * every claim locks the budget row it takes its reservation from until its transaction commits,
 * so one budget row would line all the project's claims up behind each other. Claims take from
 * any stripe that can cover them and is not locked (SKIP LOCKED); the budget is their sum.
 * Projects funded before keep their single stripe 0.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table ledger_accounts add column stripe smallint not null default 0`.execute(db);
  await sql`drop index ledger_accounts_owner_key`.execute(db);
  await sql`create unique index ledger_accounts_owner_key on ledger_accounts (kind, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid), stripe)`.execute(db);
}
