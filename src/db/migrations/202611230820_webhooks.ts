import { type Kysely, sql } from 'kysely';

/**
 * Webhooks with a durable outbox (see src/server/modules/webhooks/CONTEXT.md), and the
 * per-project keys exports and webhooks use to turn worker ids into pseudonyms.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table webhooks (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references projects(id) on delete cascade,
    url text not null,
    events text[] not null,
    secret text not null,
    description text not null default '',
    created_by uuid not null references users(id),
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index webhooks_project_idx on webhooks (project_id)`.execute(db);

  // The outbox: one row per (webhook, event), written in the transaction of the event. `body` is
  // the exact JSON sent and signed (the same bytes on every retry). A claimed row's
  // next_attempt_at is pushed one lease ahead, so a sender that dies mid-send is retried later.
  await sql`create table webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    webhook_id uuid not null references webhooks(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    event_id uuid not null,
    event text not null,
    body text not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_attempt_at timestamptz,
    last_status integer,
    last_error text,
    delivered_at timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`create index webhook_deliveries_hook_idx on webhook_deliveries (webhook_id, created_at desc, id)`.execute(db);

  await sql`create table webhook_attempts (
    delivery_id uuid not null references webhook_deliveries(id) on delete cascade,
    attempt integer not null,
    at timestamptz not null default now(),
    status_code integer,
    error text,
    duration_ms integer not null,
    primary key (delivery_id, attempt)
  )`.execute(db);

  // A random key per project: pseudonym = HMAC(key, worker id). Stable for a project across
  // exports, processes and restarts; unlinkable between projects.
  await sql`create table project_pseudonym_keys (
    project_id uuid primary key references projects(id) on delete cascade,
    key text not null,
    created_at timestamptz not null default now()
  )`.execute(db);
}
