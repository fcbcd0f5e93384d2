import { type Kysely, sql } from 'kysely';

/**
 * Truth inference wiring: which projects have answers not yet folded into their stored labels,
 * the last inference run per project, and per-worker quality estimates per control.
 * See src/server/modules/inference/CONTEXT.md.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // A project with answers newer than its stored inference. `since` = the first unprocessed mark
  // (the job waits a little after it to fold several answers into one run).
  await sql`create table inference_dirty (
    project_id uuid primary key references projects(id) on delete cascade,
    since timestamptz not null default now()
  )`.execute(db);

  // The last run per project (status for the requester).
  await sql`create table inference_runs (
    project_id uuid primary key references projects(id) on delete cascade,
    computed_at timestamptz not null default now(),
    duration_ms integer not null,
    answers integer not null,
    items integer not null,
    completed integer not null default 0,
    method text not null
  )`.execute(db);

  // What inference estimated about each worker per control: P(correct) (or the agreement share
  // for numbers/text) and the answers it rests on. Replaced per project at every run.
  await sql`create table worker_inferred_quality (
    project_id uuid not null references projects(id) on delete cascade,
    worker_id uuid not null references users(id) on delete cascade,
    control text not null,
    quality double precision,
    answers integer not null,
    updated_at timestamptz not null default now(),
    primary key (project_id, worker_id, control)
  )`.execute(db);
  await sql`create index worker_inferred_quality_worker_idx on worker_inferred_quality (worker_id)`.execute(db);
}

