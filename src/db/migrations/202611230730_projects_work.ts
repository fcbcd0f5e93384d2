import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table projects (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organisations(id),
    created_by uuid not null references users(id),
    name text not null,
    instructions text not null default '',
    template jsonb not null,
    settings jsonb not null,
    tags text[] not null default '{}',
    status text not null default 'draft' check (status in ('draft', 'active', 'paused', 'completed', 'archived')),
    status_reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    published_at timestamptz
  )`.execute(db);
  await sql`create index projects_org_idx on projects (org_id, created_at desc)`.execute(db);
  await sql`create index projects_status_idx on projects (status) where status = 'active'`.execute(db);

  // Content-addressed files (images of zip imports, uploads of file controls).
  await sql`create table assets (
    sha256 text primary key,
    mime text not null,
    size bigint not null,
    width integer,
    height integer,
    created_at timestamptz not null default now()
  )`.execute(db);
  // Which project may serve which asset: access is checked through this table.
  await sql`create table project_assets (
    project_id uuid not null references projects(id) on delete cascade,
    sha256 text not null references assets(sha256),
    primary key (project_id, sha256)
  )`.execute(db);

  // reserved = answers given + live leases; an item takes claims while reserved < its target.
  await sql`create table items (
    id bigint generated always as identity primary key,
    project_id uuid not null references projects(id) on delete cascade,
    data jsonb not null,
    gold jsonb,
    is_gold boolean not null default false,
    reserved integer not null default 0,
    answers integer not null default 0,
    target integer not null,
    state text not null default 'open' check (state in ('open', 'complete')),
    label jsonb,
    confidence double precision,
    completed_at timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  // The claim walks this index: open ordinary items of a project, started ones first.
  await sql`create index items_claim_idx on items (project_id, answers desc, id) where state = 'open' and not is_gold`.execute(db);
  await sql`create index items_gold_idx on items (project_id, id) where is_gold`.execute(db);
  await sql`create index items_project_idx on items (project_id, id)`.execute(db);

  await sql`create table assignments (
    id bigint generated always as identity primary key,
    project_id uuid not null references projects(id) on delete cascade,
    item_id bigint not null references items(id) on delete cascade,
    worker_id uuid not null references users(id),
    kind text not null default 'new' check (kind in ('new', 'rework')),
    status text not null default 'leased' check (status in ('leased', 'submitted', 'skipped', 'expired', 'cancelled')),
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    finished_at timestamptz,
    previous_annotation_id bigint,
    rework_comment text
  )`.execute(db);
  // A worker never gets the same item twice as new work (skips and expiries included).
  await sql`create unique index assignments_item_worker_new on assignments (item_id, worker_id) where kind = 'new'`.execute(db);
  await sql`create index assignments_worker_live on assignments (worker_id, project_id) where status = 'leased'`.execute(db);
  await sql`create index assignments_expiry on assignments (expires_at) where status = 'leased'`.execute(db);

  await sql`create table annotations (
    id bigint generated always as identity primary key,
    project_id uuid not null references projects(id) on delete cascade,
    item_id bigint not null references items(id) on delete cascade,
    worker_id uuid not null references users(id),
    assignment_id bigint not null references assignments(id),
    result jsonb not null,
    status text not null default 'submitted' check (status in ('submitted', 'pending_review', 'approved', 'rejected', 'rework', 'excluded', 'superseded')),
    is_gold boolean not null default false,
    gold_correct boolean,
    duration_ms integer not null,
    idempotency_key text,
    rework_count integer not null default 0,
    created_at timestamptz not null default now(),
    decided_at timestamptz
  )`.execute(db);
  await sql`create unique index annotations_assignment_key on annotations (assignment_id)`.execute(db);
  await sql`create unique index annotations_idem_key on annotations (worker_id, idempotency_key) where idempotency_key is not null`.execute(db);
  await sql`create index annotations_item_idx on annotations (item_id)`.execute(db);
  await sql`create index annotations_project_idx on annotations (project_id, id)`.execute(db);
  await sql`create index annotations_worker_idx on annotations (worker_id, project_id)`.execute(db);
}
