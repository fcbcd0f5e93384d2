import { type Kysely, sql } from 'kysely';

/**
 * Quality control: workers' running figures (overall, per project, per skill), the review queue
 * with cross-reviews, qualification attempts, abuse flags and the addresses workers used per
 * project. See src/server/modules/quality/CONTEXT.md and src/server/modules/review/CONTEXT.md.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Overall figures behind levels. `since_*` count judged answers since the level last changed
  // (demotion looks only there); `reviewer_auto` marks a reviewer role granted by the rules.
  await sql`create table worker_quality (
    worker_id uuid primary key references users(id) on delete cascade,
    approved integer not null default 0,
    gold_answered integer not null default 0,
    gold_correct integer not null default 0,
    reviews_approved integer not null default 0,
    reviews_rejected integer not null default 0,
    since_judged integer not null default 0,
    since_correct integer not null default 0,
    level_changed_at timestamptz,
    level_reason text,
    reviewer_auto boolean not null default false,
    reviews_done integer not null default 0,
    cross_reviewed integer not null default 0,
    cross_agreed integer not null default 0,
    updated_at timestamptz not null default now()
  )`.execute(db);

  // Per project: ordinary answers given (the first-K review rule), gold and review outcomes.
  await sql`create table worker_project_quality (
    project_id uuid not null references projects(id) on delete cascade,
    worker_id uuid not null references users(id) on delete cascade,
    answers integer not null default 0,
    gold_answered integer not null default 0,
    gold_correct integer not null default 0,
    reviews_approved integer not null default 0,
    reviews_rejected integer not null default 0,
    updated_at timestamptz not null default now(),
    primary key (project_id, worker_id)
  )`.execute(db);

  // Per skill (a project tag): the same gold and review outcomes, across projects.
  await sql`create table worker_skill_quality (
    worker_id uuid not null references users(id) on delete cascade,
    skill text not null,
    gold_answered integer not null default 0,
    gold_correct integer not null default 0,
    reviews_approved integer not null default 0,
    reviews_rejected integer not null default 0,
    updated_at timestamptz not null default now(),
    primary key (worker_id, skill)
  )`.execute(db);

  // The review queue. kind 'review': the verdict that decides the annotation; kind 'cross': a
  // second, blind verdict on an already decided annotation that only measures the first reviewer.
  await sql`create table review_tasks (
    id bigint generated always as identity primary key,
    project_id uuid not null references projects(id) on delete cascade,
    annotation_id bigint not null references annotations(id) on delete cascade,
    author_id uuid not null references users(id),
    kind text not null default 'review' check (kind in ('review', 'cross')),
    reason text not null,
    status text not null default 'open' check (status in ('open', 'leased', 'done', 'cancelled')),
    reviewer_id uuid references users(id),
    leased_until timestamptz,
    verdict text check (verdict in ('approve', 'reject')),
    comment text,
    first_task_id bigint references review_tasks(id),
    agreed boolean,
    created_at timestamptz not null default now(),
    decided_at timestamptz
  )`.execute(db);
  await sql`create index review_tasks_queue on review_tasks (project_id, id) where status in ('open', 'leased')`.execute(db);
  await sql`create index review_tasks_reviewer on review_tasks (reviewer_id, status)`.execute(db);
  await sql`create index review_tasks_annotation on review_tasks (annotation_id)`.execute(db);
  await sql`create unique index review_tasks_one_open on review_tasks (annotation_id, kind) where status in ('open', 'leased')`.execute(db);

  await sql`create table qualification_attempts (
    id bigint generated always as identity primary key,
    project_id uuid not null references projects(id) on delete cascade,
    worker_id uuid not null references users(id) on delete cascade,
    status text not null default 'in_progress' check (status in ('in_progress', 'passed', 'failed')),
    gold_count integer not null,
    pass_mark double precision not null,
    answered integer not null default 0,
    correct integer not null default 0,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    retry_at timestamptz
  )`.execute(db);
  await sql`create unique index qualification_one_open on qualification_attempts (project_id, worker_id) where status = 'in_progress'`.execute(db);
  await sql`create index qualification_worker on qualification_attempts (worker_id, project_id, id desc)`.execute(db);

  // The test items handed out in an attempt (assignments of gold items made by the quality module).
  await sql`create table qualification_items (
    assignment_id bigint primary key references assignments(id) on delete cascade,
    attempt_id bigint not null references qualification_attempts(id) on delete cascade,
    item_id bigint not null,
    correct boolean
  )`.execute(db);
  await sql`create index qualification_items_attempt on qualification_items (attempt_id)`.execute(db);

  await sql`create table abuse_flags (
    id bigint generated always as identity primary key,
    worker_id uuid not null references users(id) on delete cascade,
    project_id uuid references projects(id) on delete cascade,
    kind text not null,
    severity text not null check (severity in ('low', 'medium', 'high')),
    message text not null,
    evidence jsonb not null,
    status text not null default 'open' check (status in ('open', 'dismissed', 'actioned')),
    auto_paused boolean not null default false,
    decision text,
    decided_by uuid references users(id),
    decided_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db);
  // one open flag per worker, project and kind: new evidence updates it
  await sql`create unique index abuse_flags_one_open on abuse_flags (worker_id, coalesce(project_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) where status = 'open'`.execute(db);
  await sql`create index abuse_flags_status on abuse_flags (status, id desc)`.execute(db);

  await sql`create table worker_addresses (
    project_id uuid not null references projects(id) on delete cascade,
    worker_id uuid not null references users(id) on delete cascade,
    address text not null,
    first_seen timestamptz not null default now(),
    last_seen timestamptz not null default now(),
    primary key (project_id, worker_id, address)
  )`.execute(db);
  await sql`create index worker_addresses_address on worker_addresses (project_id, address)`.execute(db);

  // the annotations waiting for the review window or agreement, oldest first
  await sql`create index annotations_awaiting on annotations (created_at, id) where status = 'submitted'`.execute(db);
  // a worker's recent answers in a project, newest first (abuse signals, first-K review rule)
  await sql`create index annotations_worker_recent on annotations (worker_id, project_id, id)`.execute(db);
}
