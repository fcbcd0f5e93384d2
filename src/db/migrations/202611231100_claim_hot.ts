import { type Kysely, sql } from 'kysely';

/**
 * The claim walks only items with a free slot, and the hot updates of a work cycle stay HOT.
 * See src/server/modules/work/CONTEXT.md ("The claim, and why it is built so").
 *
 * - `items.claimable` (stored, generated): open, ordinary, reserved < target. The claim index is
 *   partial on it, so items whose slots are all leased (up to one per live lease) and completed
 *   items are not in it: a claim no longer walks past them, however many workers hold leases.
 * - The claim index is (project_id, id): `answers` is no longer indexed, so a submit's
 *   `answers + 1` and a claim's `reserved + 1` are HOT updates (no new index entries) except when
 *   `claimable` itself flips (an item's last slot leased or freed, completion).
 * - `items_open` keeps "any open item left in the project?" an index probe (it was served by the
 *   old claim index).
 * - `assignments_expiry` goes: `assignments_project_expiry` (same predicate) serves the sweeper
 *   as well, and the planner picked the global one for the worker's live-lease lookup, walking
 *   every live lease. One index entry less per claim.
 * - `annotations_worker_idx` (worker_id, project_id) goes: `annotations_worker_recent`
 *   (worker_id, project_id, id) answers everything it did. One index entry less per answer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table items add column claimable boolean
    generated always as (state = 'open' and not is_gold and reserved < target) stored`.execute(db);
  await sql`create index items_claimable on items (project_id, id) where claimable`.execute(db);
  await sql`drop index items_claim_idx`.execute(db);
  // "Is any ordinary item of the project still open?" (project completion) stays an index probe.
  // `state` changes only when an item completes or reopens: the other updates stay HOT.
  await sql`create index items_open on items (project_id) where state = 'open' and not is_gold`.execute(db);
  await sql`drop index assignments_expiry`.execute(db);
  await sql`drop index annotations_worker_idx`.execute(db);
}
