import { type Kysely, sql } from 'kysely';

/**
 * The money ledger (see src/server/modules/payments/CONTEXT.md). Double entry: every movement is
 * a ledger_transactions row with ≥ 2 ledger_entries summing to zero, checked by the database at
 * commit. Entries are append-only. Amounts are integer won in bigint.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // owner_id: the organisation, project or user the account belongs to; null for platform accounts.
  // balance: a cached balance kept only where an atomic "is there enough?" check needs it; null
  // means the balance is derived from the entries alone (and no row lock is taken to post to it).
  await sql`create table ledger_accounts (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('world', 'org_funds', 'project_budget', 'project_committed', 'platform_fees',
      'worker_pending', 'worker_available', 'payouts_in_flight', 'withholding_payable')),
    owner_id uuid,
    balance bigint check (balance >= 0),
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create unique index ledger_accounts_owner_key on ledger_accounts (kind, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid))`.execute(db);

  // The money terms of a project, fixed when its accounts are opened.
  await sql`create table ledger_projects (
    project_id uuid primary key references projects(id) on delete restrict,
    org_id uuid not null references organisations(id),
    fee_bp integer not null check (fee_bp between 0 and 10000),
    budget_account bigint not null references ledger_accounts(id),
    committed_account bigint not null references ledger_accounts(id),
    fees_account bigint not null references ledger_accounts(id),
    pause_reason text,
    created_at timestamptz not null default now()
  )`.execute(db);

  // kind + ref name the cause (e.g. 'submit', 'i42:w<uuid>'): the same cause never moves money
  // twice. settles names a reservation or pending amount this movement consumes: each is consumed
  // once (a claim is either released or paid; pending pay is either approved or rejected).
  await sql`create table ledger_transactions (
    id bigint generated always as identity primary key,
    kind text not null,
    ref text not null,
    settles text,
    project_id uuid,
    user_id uuid,
    amount bigint not null default 0,
    memo text,
    meta jsonb,
    created_by uuid,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create unique index ledger_transactions_cause on ledger_transactions (kind, ref)`.execute(db);
  await sql`create unique index ledger_transactions_settles on ledger_transactions (settles) where settles is not null`.execute(db);
  await sql`create index ledger_transactions_project on ledger_transactions (project_id, id) where project_id is not null`.execute(db);
  // The claim made in the same database transaction as an assignment (same now(): see ledger.repo.ts).
  await sql`create index ledger_transactions_claims on ledger_transactions (project_id, user_id, created_at) where kind = 'claim'`.execute(db);
  await sql`create index ledger_transactions_user on ledger_transactions (user_id, id) where user_id is not null`.execute(db);

  await sql`create table ledger_entries (
    id bigint generated always as identity primary key,
    tx_id bigint not null references ledger_transactions(id),
    account_id bigint not null references ledger_accounts(id),
    amount bigint not null check (amount <> 0)
  )`.execute(db);
  await sql`create index ledger_entries_tx on ledger_entries (tx_id)`.execute(db);
  await sql`create index ledger_entries_account on ledger_entries (account_id, id) include (amount)`.execute(db);

  await sql`create function ledger_check_balanced() returns trigger language plpgsql as $$
    declare s bigint; n integer;
    begin
      select coalesce(sum(amount), 0), count(*) into s, n from ledger_entries where tx_id = new.tx_id;
      if s <> 0 or n < 2 then
        raise exception 'ledger transaction % does not balance (% entries, sum %)', new.tx_id, n, s;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create constraint trigger ledger_entries_balanced after insert on ledger_entries
    deferrable initially deferred for each row execute function ledger_check_balanced()`.execute(db);
  await sql`create function ledger_append_only() returns trigger language plpgsql as $$
    begin raise exception 'ledger entries are append-only'; end $$`.execute(db);
  await sql`create trigger ledger_entries_append_only before update or delete on ledger_entries
    for each row execute function ledger_append_only()`.execute(db);

  // Deposits through a payment provider (built in: manual bank transfer confirmed by an operator).
  await sql`create table deposits (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organisations(id),
    project_id uuid references projects(id),
    amount bigint not null check (amount > 0),
    provider text not null,
    status text not null default 'pending' check (status in ('pending', 'confirmed', 'cancelled')),
    reference text not null,
    idempotency_key text,
    created_by uuid references users(id),
    decided_by uuid references users(id),
    decided_at timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index deposits_org on deposits (org_id, created_at desc)`.execute(db);
  await sql`create index deposits_pending on deposits (created_at) where status = 'pending'`.execute(db);
  await sql`create unique index deposits_idem on deposits (org_id, idempotency_key) where idempotency_key is not null`.execute(db);

  await sql`create table bank_accounts (
    user_id uuid primary key references users(id),
    bank text not null,
    account_number text not null,
    holder text not null,
    updated_at timestamptz not null default now()
  )`.execute(db);

  await sql`create table payout_batches (
    id uuid primary key default gen_random_uuid(),
    status text not null default 'approved' check (status in ('approved', 'paid')),
    created_by uuid references users(id),
    created_at timestamptz not null default now(),
    paid_by uuid references users(id),
    paid_at timestamptz
  )`.execute(db);

  await sql`create table payouts (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users(id),
    gross bigint not null check (gross > 0),
    withholding bigint not null check (withholding >= 0),
    net bigint not null check (net >= 0 and net + withholding = gross),
    status text not null default 'requested' check (status in ('requested', 'approved', 'paid', 'cancelled')),
    batch_id uuid references payout_batches(id),
    bank text not null,
    account_number text not null,
    holder text not null,
    idempotency_key text,
    reason text,
    created_at timestamptz not null default now(),
    decided_at timestamptz
  )`.execute(db);
  await sql`create index payouts_user on payouts (user_id, created_at desc)`.execute(db);
  await sql`create index payouts_status on payouts (status, created_at)`.execute(db);
  await sql`create index payouts_batch on payouts (batch_id)`.execute(db);
  await sql`create unique index payouts_idem on payouts (user_id, idempotency_key) where idempotency_key is not null`.execute(db);
}
