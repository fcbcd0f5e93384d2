import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table organisations (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    created_at timestamptz not null default now()
  )`.execute(db);

  await sql`create table users (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    password_hash text not null,
    display_name text not null,
    role text not null check (role in ('worker', 'requester', 'reviewer', 'admin')),
    level integer not null default 1,
    org_id uuid references organisations(id),
    locale text not null default 'ko',
    status text not null default 'active' check (status in ('active', 'paused', 'banned')),
    status_reason text,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);

  await sql`create table sessions (
    id text primary key,
    user_id uuid not null references users(id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz,
    ip text,
    user_agent text
  )`.execute(db);
  await sql`create index sessions_user_idx on sessions (user_id)`.execute(db);

  await sql`create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users(id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    prefix text not null,
    scopes text[] not null default '{read,write}',
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`.execute(db);
  await sql`create index api_tokens_user_idx on api_tokens (user_id)`.execute(db);
}
