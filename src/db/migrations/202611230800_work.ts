import { type Kysely, sql } from 'kysely';

/**
 * Work distribution: rework waiting for its author, one live lease per worker and project,
 * per-project worker standing (blocks, qualification), and the indexes the claim and the
 * sweeper walk. See src/server/modules/work/CONTEXT.md.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // 'pending': a rework assignment created by review, waiting for its author to take it.
  await sql`alter table assignments drop constraint assignments_status_check`.execute(db);
  await sql`alter table assignments add constraint assignments_status_check
    check (status in ('pending', 'leased', 'submitted', 'skipped', 'expired', 'cancelled'))`.execute(db);
  // When the current lease began: a rework is created long before its author takes it, and the
  // server-measured duration of an answer runs from here.
  await sql`alter table assignments add column leased_at timestamptz`.execute(db);

  // At most one live assignment per worker and project, held by the database itself: a second
  // concurrent `next` of the same worker fails on this index and returns the first one.
  await sql`drop index if exists assignments_worker_live`.execute(db);
  await sql`create unique index assignments_one_live on assignments (worker_id, project_id) where status = 'leased'`.execute(db);
  await sql`create index assignments_rework_pending on assignments (worker_id, project_id, id) where status = 'pending'`.execute(db);
  // The inline sweep of one project when a claim finds nothing.
  await sql`create index assignments_project_expiry on assignments (project_id, expires_at) where status = 'leased'`.execute(db);
  await sql`create index assignments_previous on assignments (previous_annotation_id) where previous_annotation_id is not null`.execute(db);

  // A worker's standing in one project. No row = active. The quality module sets 'removed'
  // (with the reason shown to the worker) and the qualification states.
  await sql`create table project_workers (
    project_id uuid not null references projects(id) on delete cascade,
    worker_id uuid not null references users(id),
    status text not null default 'active' check (status in ('active', 'qualifying', 'qualified', 'failed', 'removed')),
    reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (project_id, worker_id)
  )`.execute(db);
  await sql`create index project_workers_worker on project_workers (worker_id)`.execute(db);

  // Claims only change `reserved` (not indexed): leave room on each page so those updates stay
  // HOT (no new index entries, no index bloat at the head of the claim index).
  await sql`alter table items set (fillfactor = 80)`.execute(db);
}
