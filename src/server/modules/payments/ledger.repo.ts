import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';
import type { AccountKind } from '../../../db/tables/ledger.ts';

/** All SQL of the ledger itself: accounts, transactions, entries, project money terms. */
/** The owner column as `ledger_accounts_owner_key` indexes it (platform accounts have no owner). */
const NO_OWNER = '00000000-0000-0000-0000-000000000000';
const ownerKey = sql<string>`coalesce(owner_id, ${sql.lit(NO_OWNER)}::uuid)`;

export const ledgerRepo = {
  /** Looked up by the owner-key index's own expression (`owner_id = …` would read every account of the kind). */
  findAccount(db: Queryable, kind: AccountKind, ownerId: string | null) {
    return ledgerRepo.accountQuery(db, kind, ownerId).executeTakeFirst();
  },

  accountQuery(db: Queryable, kind: AccountKind, ownerId: string | null) {
    return db
      .selectFrom('ledger_accounts')
      .select(['id', 'kind', 'owner_id', 'balance'])
      .where('kind', '=', kind)
      .where(ownerKey, '=', sql<string>`${ownerId ?? NO_OWNER}::uuid`)
      .where('stripe', '=', 0);
  },

  /** Opens an account if it does not exist (concurrent openers are fine), and returns it. */
  async openAccount(db: Queryable, kind: AccountKind, ownerId: string | null, cached: boolean) {
    const found = await ledgerRepo.findAccount(db, kind, ownerId);
    if (found) return found;
    await sql`insert into ledger_accounts (kind, owner_id, balance) values (${kind}, ${ownerId}, ${cached ? 0 : null}) on conflict do nothing`.execute(db);
    const row = await ledgerRepo.findAccount(db, kind, ownerId);
    if (!row) throw new Error(`could not open ${kind} account`);
    return row;
  },

  /**
   * Opens, in one statement, the accounts of this kind that do not exist yet for these owners
   * (openAccount for each; concurrent openers are fine). In owner order, so two batches opening
   * overlapping sets wait for each other in the same order.
   */
  async openAccounts(db: Queryable, kind: AccountKind, ownerIds: string[], cached: boolean) {
    await sql`insert into ledger_accounts (kind, owner_id, balance)
      select distinct ${kind}, o, ${cached ? 0 : null}::int8 from unnest(${ownerIds}::uuid[]) as o order by o
      on conflict do nothing`.execute(db);
  },

  /** Opens budget stripe `stripe` (> 0) of a project. */
  async openStripe(db: Queryable, projectId: string, stripe: number) {
    await sql`insert into ledger_accounts (kind, owner_id, balance, stripe) values ('project_budget', ${projectId}::uuid, 0, ${stripe}) on conflict do nothing`.execute(db);
  },

  budgetStripes(db: Queryable, projectId: string) {
    return db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('kind', '=', 'project_budget')
      .where(ownerKey, '=', sql<string>`${projectId}::uuid`)
      .orderBy('stripe')
      .execute()
      .then((r) => r.map((x) => x.id));
  },

  stripeBalances(db: Queryable, ids: number[]) {
    return db.selectFrom('ledger_accounts').select(['id', 'balance']).where('id', 'in', ids).execute();
  },

  /** Locks one of `ids` that no one holds (`preferred` first, else at random); null when all are held. */
  lockFreeStripe(db: Queryable, ids: number[], preferred: number | null) {
    return sql<{ id: number }>`
      select id from ledger_accounts where id in (${sql.join(ids.map((i) => sql`${i}::int8`))})
      order by (id = ${preferred ?? -1}::int8) desc, random() limit 1
      for update skip locked`
      .execute(db)
      .then((r) => r.rows[0]?.id ?? null);
  },

  lockStripes(db: Queryable, ids: number[]) {
    return db.selectFrom('ledger_accounts').select(['id', 'balance']).where('id', 'in', ids).orderBy('id').forUpdate().execute();
  },

  sumBalances(db: Queryable, ids: number[]) {
    return db
      .selectFrom('ledger_accounts')
      .select(sql<number>`coalesce(sum(balance), 0)::int8`.as('s'))
      .where('id', 'in', ids.length ? ids : [-1])
      .executeTakeFirstOrThrow()
      .then((r) => r.s);
  },

  accountsByIds(db: Queryable, ids: number[]) {
    return db.selectFrom('ledger_accounts').select(['id', 'kind', 'owner_id', 'balance']).where('id', 'in', ids).execute();
  },

  projectTerms(db: Queryable, projectId: string) {
    return db.selectFrom('ledger_projects').selectAll().where('project_id', '=', projectId).executeTakeFirst();
  },

  async insertProjectTerms(db: Queryable, row: { project_id: string; org_id: string; fee_bp: number; budget_account: number; committed_account: number; fees_account: number }) {
    await db.insertInto('ledger_projects').values(row).onConflict((oc) => oc.column('project_id').doNothing()).execute();
  },

  /** Projects paused now whose pause the money module noted (candidates for a resume). */
  pausedForFunds(db: Queryable, limit: number) {
    return sql<{ project_id: string }>`
      select l.project_id from ledger_projects l join projects p on p.id = l.project_id
      where l.pause_reason is not null and p.status = 'paused' and p.status_reason = l.pause_reason
      limit ${limit}`
      .execute(db)
      .then((r) => r.rows.map((x) => x.project_id));
  },

  setPauseReason(db: Queryable, projectId: string, reason: string | null) {
    return db.updateTable('ledger_projects').set({ pause_reason: reason }).where('project_id', '=', projectId).execute();
  },

  /** Inserts a transaction unless its cause (kind, ref) — or the amount it settles — is already taken. */
  insertTransaction(
    db: Queryable,
    t: { kind: string; ref: string; settles: string | null; project_id: string | null; user_id: string | null; amount: number; memo: string | null; meta: Record<string, unknown> | null; created_by: string | null },
  ) {
    return sql<{ id: number }>`insert into ledger_transactions (kind, ref, settles, project_id, user_id, amount, memo, meta, created_by)
      values (${t.kind}, ${t.ref}, ${t.settles}, ${t.project_id}, ${t.user_id}, ${t.amount}, ${t.memo}, ${t.meta === null ? null : JSON.stringify(t.meta)}::jsonb, ${t.created_by})
      on conflict do nothing returning id`
      .execute(db)
      .then((r) => r.rows[0]?.id ?? null);
  },

  findTransaction(db: Queryable, kind: string, ref: string) {
    return db.selectFrom('ledger_transactions').selectAll().where('kind', '=', kind).where('ref', '=', ref).executeTakeFirst();
  },

  /**
   * The claim reserved in the same database transaction that created this assignment: both rows
   * carry that transaction's start time (now()), the assignment as created_at, the claim too.
   */
  claimOfAssignment(db: Queryable, projectId: string, workerId: string, assignmentId: number) {
    return db
      .selectFrom('ledger_transactions as c')
      .selectAll('c')
      .where('c.kind', '=', 'claim')
      .where('c.project_id', '=', projectId)
      .where('c.user_id', '=', workerId)
      .where('c.created_at', '=', (eb) => eb.selectFrom('assignments').select('created_at').where('id', '=', assignmentId))
      .orderBy('c.id', 'desc')
      .limit(1)
      .executeTakeFirst();
  },

  transactionById(db: Queryable, id: number) {
    return db.selectFrom('ledger_transactions').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findSettlement(db: Queryable, settles: string) {
    return db.selectFrom('ledger_transactions').selectAll().where('settles', '=', settles).executeTakeFirst();
  },

  /** Locks an account row and returns its cached balance (for a check-then-post in one transaction). */
  lockBalance(db: Queryable, accountId: number) {
    return db.selectFrom('ledger_accounts').select('balance').where('id', '=', accountId).forUpdate().executeTakeFirst().then((r) => r?.balance ?? null);
  },

  /**
   * Moves a cached balance by `delta`, refusing (null) to take it below zero: the atomic
   * "is there enough?" check. Rows are updated one at a time in ascending id order by the caller,
   * so concurrent postings never deadlock on each other.
   */
  applyToCached(db: Queryable, accountId: number, delta: number) {
    return sql<{ balance: number }>`update ledger_accounts set balance = balance + ${delta}
      where id = ${accountId} and balance is not null and balance + ${delta} >= 0 returning balance`
      .execute(db)
      .then((r) => (r.rows[0] ? r.rows[0].balance : null));
  },

  /**
   * A reservation from the budget in ONE statement: pick a stripe that covers `total` — any
   * unlocked one (`skipLocked`), or the given one, waiting for its lock — debit it (the check,
   * the debit and the row lock at once) and, only if that succeeded, write the transaction and
   * its two entries. Returns the stripe, its balance after and the budget total before (as this
   * statement saw it), or null when nothing was written. One round trip keeps the stripe's lock
   * held for as little as possible.
   */
  reserveFromBudget(
    db: Queryable,
    c: { stripes: number[]; skipLocked: boolean; committedAccount: number; total: number; kind: string; ref: string; projectId: string; userId: string; meta: Record<string, unknown> },
  ) {
    const ids = sql.join(c.stripes.map((i) => sql`${i}::int8`));
    return sql<{ stripe: number; balance: number; before: number }>`
      with pick as (
        select id from ledger_accounts
        where id in (${ids}) and balance >= ${c.total}
        order by random() limit 1
        for update ${c.skipLocked ? sql`skip locked` : sql``}
      ), b as (
        update ledger_accounts a set balance = a.balance - ${c.total}
        from pick where a.id = pick.id and a.balance >= ${c.total}
        returning a.id, a.balance
      ), t as (
        insert into ledger_transactions (kind, ref, project_id, user_id, amount, meta)
        select ${c.kind}, ${c.ref}, ${c.projectId}::uuid, ${c.userId}::uuid, ${c.total}, ${JSON.stringify(c.meta)}::jsonb || jsonb_build_object('stripe', b.id) from b
        returning id
      ), e as (
        insert into ledger_entries (tx_id, account_id, amount)
        select t.id, v.account_id, v.amount from t, b
        cross join lateral (values (b.id, ${-c.total}::int8), (${c.committedAccount}::int8, ${c.total}::int8)) as v(account_id, amount)
      )
      select b.id as stripe, b.balance, (select coalesce(sum(balance), 0)::int8 from ledger_accounts where id in (${ids})) as before from b`
      .execute(db)
      .then((r) => r.rows[0] ?? null);
  },

  /**
   * The batch form of `reserveFromBudget` for claims (one per worker, all of one project and one
   * cost `total`), in ONE statement. It locks budget stripes in id order — those no one holds
   * (`skipLocked`), or all given, waiting for their locks — that cover at least one claim,
   * and gives each locked stripe, in id order, as many whole claims as it covers until every
   * claim has one; only when the locked stripes cover every claim does it debit them (once each)
   * and write one claim transaction per worker (ref, meta + the stripe it came from, amount
   * `total`) with its 2 entries (that stripe −total, escrow +total). Each claim comes from
   * exactly one stripe; the claims of a batch may come from several.
   * `fit`: lock only as many stripes as this statement's snapshot says the claims need (the
   * first ones in id order that together cover them; none when the whole budget cannot) — a
   * stripe found held is skipped and the next one taken instead. Without it, every stripe that
   * qualifies is locked (unused ones stay locked until the transaction ends).
   * Returns how many stripes it locked (`locked`, and `wanted`: the `fit` limit, null without),
   * the claims written (0 or all), and the budget total before as this statement saw it.
   * The transactions take this database transaction's now() as created_at, as the assignments
   * written after them do (see `claimOfAssignment`).
   */
  reserveClaimsFromBudget(
    db: Queryable,
    c: { stripes: number[]; skipLocked: boolean; fit: boolean; committedAccount: number; total: number; projectId: string; claims: { userId: string; ref: string }[]; meta: Record<string, unknown> },
  ) {
    const ids = sql.join(c.stripes.map((i) => sql`${i}::int8`));
    const n = c.claims.length;
    const cost = sql`${c.total}::int8`;
    return sql<{ locked: number; wanted: number | null; written: number; before: number }>`
      with k as (
        select count(*)::int as wanted from (
          select coalesce(sum(cap) over (order by id rows between unbounded preceding and 1 preceding), 0) as before, sum(cap) over () as whole
          from (select id, balance / ${cost} as cap from ledger_accounts where id in (${ids}) and balance >= ${cost}) s
        ) x where x.whole >= ${n} and x.before < ${n}
      ), lk as (
        select id, balance from ledger_accounts
        where id in (${ids}) and balance >= ${cost}
        order by id
        ${c.fit ? sql`limit (select wanted from k)` : sql``}
        for update ${c.skipLocked ? sql`skip locked` : sql``}
      ), cum as (
        select id, balance / ${cost} as cap,
               coalesce(sum(balance / ${cost}) over (order by id rows between unbounded preceding and 1 preceding), 0) as before
        from lk
      ), alloc as (
        select id, least(before, ${n}) as first, greatest(least(cap, ${n} - before), 0) as take
        from cum where (select sum(cap) from cum) >= ${n}
      ), b as (
        update ledger_accounts a set balance = a.balance - alloc.take * ${cost}
        from alloc where a.id = alloc.id and alloc.take > 0 and a.balance >= alloc.take * ${cost}
        returning a.id, alloc.first, alloc.take
      ), t as (
        insert into ledger_transactions (kind, ref, project_id, user_id, amount, meta)
        select 'claim', w.ref, ${c.projectId}::uuid, w.user_id, ${cost}, ${JSON.stringify(c.meta)}::jsonb || jsonb_build_object('stripe', b.id)
        from unnest(${c.claims.map((x) => x.userId)}::uuid[], ${c.claims.map((x) => x.ref)}::text[]) with ordinality as w(user_id, ref, n)
        join b on w.n > b.first and w.n <= b.first + b.take
        order by w.n
        returning id, (meta->>'stripe')::int8 as stripe
      ), e as (
        insert into ledger_entries (tx_id, account_id, amount)
        select t.id, v.account_id, v.amount from t
        cross join lateral (values (t.stripe, -${cost}), (${c.committedAccount}::int8, ${cost})) as v(account_id, amount)
        order by t.id, v.account_id
      )
      select (select count(*)::int from lk) as locked, ${c.fit ? sql`(select wanted from k)` : sql`null::int`} as wanted,
             (select count(*)::int from t) as written,
             (select coalesce(sum(balance), 0)::int8 from ledger_accounts where id in (${ids})) as before`
      .execute(db)
      .then((r) => r.rows[0]!);
  },

  /**
   * The usual submits of paid work — of one or several (assignment, worker) pairs of ONE project —
   * in ONE statement. For each pair it finds the claim of the assignment and the worker's pending
   * account and — unless this unit of work was already submitted — posts exactly what
   * `payOnSubmit` posts through `post()` (one `submit` transaction settling the claim, escrow −pay,
   * pending +pay, entries in account order). Writes nothing for a pair whenever anything is
   * unusual (no claim, no pending account yet, a submit or a settlement already there, a
   * concurrent one): the caller then takes the general path.
   * The pending accounts are locked in id order (concurrent batches never deadlock on each other)
   * and each is credited once with its sum. `committedAccount` null (a project never funded):
   * nothing is posted, only the facts are read. One row per pair, in input order:
   *   claim_pay  the claim's pay (null: no claim of this assignment)
   *   tx_id      the submit posted now (null: nothing posted)
   *   credited   whether that submit's pending account was credited
   *   submitted  a submit of this unit of work was already there
   *   project_pay the project's pay per annotation now (for a task claimed without a reservation)
   *   has_pending whether the worker's pending account exists (a first-ever paid submit has none)
   */
  paySubmittedBatch(
    db: Queryable,
    k: { projectId: string; committedAccount: number | null; rows: { workerId: string; assignmentId: number; annotationId: number; ref: string }[] },
  ) {
    const col = <T>(f: (r: (typeof k.rows)[number]) => T) => k.rows.map(f);
    return sql<{ n: number; claim_pay: number | null; tx_id: number | null; credited: boolean; submitted: boolean; project_pay: number; has_pending: boolean }>`
      with q as (
        select * from unnest(${col((r) => r.workerId)}::uuid[], ${col((r) => r.assignmentId)}::int8[], ${col((r) => r.annotationId)}::int8[], ${col((r) => r.ref)}::text[])
          with ordinality as q(worker_id, assignment_id, annotation_id, ref, n)
      ), v as (
        select q.n, q.worker_id, q.assignment_id, q.annotation_id, q.ref, c.ref as claim_ref,
               coalesce((c.meta->>'pay')::int8, 0) as pay, coalesce((c.meta->>'fee')::int8, 0) as fee,
               (select id from ledger_accounts where kind = 'worker_pending' and ${ownerKey} = q.worker_id and stripe = 0) as pending
        from q cross join lateral (
          select c.ref, c.meta from ledger_transactions c
          where c.kind = 'claim' and c.project_id = ${k.projectId}::uuid and c.user_id = q.worker_id
            and c.created_at = (select created_at from assignments where id = q.assignment_id)
          order by c.id desc limit 1
        ) c
      ), s as (
        select q.n from q where exists (select 1 from ledger_transactions s where s.kind = 'submit' and s.ref = q.ref)
      ), t as (
        insert into ledger_transactions (kind, ref, settles, project_id, user_id, amount, meta)
        select 'submit', v.ref, 'claim:' || v.claim_ref, ${k.projectId}::uuid, v.worker_id, v.pay,
               jsonb_build_object('pay', v.pay, 'fee', v.fee, 'annotationId', v.annotation_id, 'claim', v.claim_ref, 'assignmentId', v.assignment_id)
        from v
        where ${k.committedAccount}::int8 is not null and v.pay > 0 and v.pending is not null and v.n not in (select n from s)
        order by v.n
        on conflict do nothing
        returning id, ref, amount
      ), tv as (
        select t.id, t.amount, v.n, v.pending from t join v on v.ref = t.ref
      ), lk as (
        select a.id from ledger_accounts a where a.id in (select pending from tv) order by a.id for update
      ), b as (
        update ledger_accounts a set balance = a.balance + x.amount
        from (select tv.pending, sum(tv.amount)::int8 as amount from tv join lk on lk.id = tv.pending group by tv.pending) x
        where a.id = x.pending and a.balance is not null
        returning a.id
      ), e as (
        insert into ledger_entries (tx_id, account_id, amount)
        select tv.id, x.account_id, x.amount
        from tv cross join lateral (values (${k.committedAccount}::int8, -tv.amount), (tv.pending, tv.amount)) as x(account_id, amount)
        order by tv.id, x.account_id
      )
      select q.n::int as n, v.pay as claim_pay, tv.id as tx_id, coalesce(tv.pending in (select id from b), false) as credited,
             q.n in (select n from s) as submitted, v.pending is not null as has_pending,
             (select coalesce((settings->>'payPerAnnotation')::numeric, 0) from projects where id = ${k.projectId}::uuid)::float8 as project_pay
      from q left join v on v.n = q.n left join tv on tv.n = q.n
      order by q.n`
      .execute(db)
      .then((r) => r.rows);
  },

  insertEntries(db: Queryable, rows: { tx_id: number; account_id: number; amount: number }[]) {
    return db.insertInto('ledger_entries').values(rows).execute();
  },

  /** An account's balance: the cached one when kept, else Σ of its entries. */
  async balance(db: Queryable, accountId: number): Promise<number> {
    const a = await db.selectFrom('ledger_accounts').select('balance').where('id', '=', accountId).executeTakeFirst();
    if (a && a.balance !== null) return a.balance;
    return ledgerRepo.derivedBalance(db, accountId);
  },

  derivedBalance(db: Queryable, accountId: number) {
    return db
      .selectFrom('ledger_entries')
      .select(sql<number>`coalesce(sum(amount), 0)::int8`.as('s'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow()
      .then((r) => r.s);
  },

  /** Σ of entries per account kind over the transactions of one project. */
  projectFlows(db: Queryable, projectId: string) {
    return db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_entries as e', 'e.tx_id', 't.id')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .select(['a.kind', sql<number>`sum(e.amount)::int8`.as('sum')])
      .where('t.project_id', '=', projectId)
      .groupBy('a.kind')
      .execute();
  },

  /** Entries on some accounts, newest first, with their transaction's facts. */
  entriesFor(db: Queryable, accountIds: number[], opts: { before?: number; limit: number }) {
    let q = db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.tx_id')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .leftJoin('projects as p', 'p.id', 't.project_id')
      .select(['e.id', 'e.tx_id', 'e.amount', 'a.kind as account', 't.kind', 't.ref', 't.memo', 't.project_id', 'p.name as project_name', 't.meta', 't.created_at'])
      .where('e.account_id', 'in', accountIds.length ? accountIds : [-1])
      .orderBy('e.id', 'desc')
      .limit(opts.limit);
    if (opts.before) q = q.where('e.id', '<', opts.before);
    return q.execute();
  },

  /** A worker's pay earned in a project since a time: submitted work (pending or approved) and bonuses. */
  earnedSince(db: Queryable, workerId: string, projectId: string, since: Date) {
    return db
      .selectFrom('ledger_transactions')
      .select(sql<number>`coalesce(sum((meta->>'pay')::int8) filter (where kind in ('submit', 'bonus')), 0)::int8`.as('s'))
      .where('user_id', '=', workerId)
      .where('project_id', '=', projectId)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow()
      .then((r) => r.s);
  },

  // ---- whole-ledger facts (reconciliation, invariant checks) ----

  allAccountFacts(db: Queryable) {
    return db
      .selectFrom('ledger_accounts as a')
      .leftJoin(
        (eb) => eb.selectFrom('ledger_entries').select(['account_id', sql<number>`sum(amount)::int8`.as('s')]).groupBy('account_id').as('x'),
        (j) => j.onRef('x.account_id', '=', 'a.id'),
      )
      .select(['a.id', 'a.kind', 'a.owner_id', 'a.balance', sql<number>`coalesce(x.s, 0)::int8`.as('derived')])
      .orderBy('a.id')
      .execute();
  },

  unbalancedTransactions(db: Queryable) {
    return sql<{ tx_id: number; sum: number; entries: number }>`
      select t.id as tx_id, coalesce(sum(e.amount), 0)::int8 as sum, count(e.id)::int4 as entries
      from ledger_transactions t left join ledger_entries e on e.tx_id = t.id
      group by t.id having coalesce(sum(e.amount), 0) <> 0 or count(e.id) < 2`
      .execute(db)
      .then((r) => r.rows);
  },

  /**
   * Reservations still open whose task is no longer live: money stuck in escrow. A claim stays
   * open exactly while the assignment made with it (same transaction, same now()) is leased.
   */
  staleReservations(db: Queryable) {
    return sql<{ n: number; amount: number }>`
      select count(*)::int4 as n, coalesce(sum(c.amount), 0)::int8 as amount
      from ledger_transactions c
      where c.kind = 'claim'
        and not exists (select 1 from ledger_transactions s where s.settles = 'claim:' || c.ref)
        and not exists (select 1 from assignments a where a.project_id = c.project_id and a.worker_id = c.user_id
                        and a.created_at = c.created_at and a.status = 'leased')`
      .execute(db)
      .then((r) => r.rows[0]!);
  },

  /**
   * Open reservations whose task ended without its release being posted (a lease cancelled by
   * another module, or ended while no money hooks were registered): the claims to release.
   */
  endedReservations(db: Queryable, f: { projectId?: string; workerId?: string; limit: number }) {
    return sql<{ project_id: string; user_id: string; item_id: number; assignment_id: number }>`
      select c.project_id, c.user_id, a.item_id, a.id as assignment_id
      from ledger_transactions c
      join assignments a on a.project_id = c.project_id and a.worker_id = c.user_id and a.created_at = c.created_at
      where c.kind = 'claim'
        ${f.projectId ? sql`and c.project_id = ${f.projectId}::uuid` : sql``}
        ${f.workerId ? sql`and c.user_id = ${f.workerId}::uuid` : sql``}
        and a.kind = 'new' and a.status in ('cancelled', 'expired', 'skipped')
        and not exists (select 1 from ledger_transactions s where s.settles = 'claim:' || c.ref)
      limit ${f.limit}`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Σ of entries on accounts of one kind, restricted to transactions of some kinds. */
  sumByTxKind(db: Queryable, accountKind: AccountKind, txKinds: string[]) {
    return db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.tx_id')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .select(sql<number>`coalesce(sum(e.amount), 0)::int8`.as('s'))
      .where('a.kind', '=', accountKind)
      .where('t.kind', 'in', txKinds)
      .executeTakeFirstOrThrow()
      .then((r) => r.s);
  },

  // ---- the project row, for pausing on and resuming after a lack of funds ----

  projectForMoney(db: Queryable, projectId: string) {
    return db.selectFrom('projects').select(['id', 'org_id', 'status', 'status_reason', 'settings']).where('id', '=', projectId).executeTakeFirst();
  },

  pauseProject(db: Queryable, projectId: string, reason: string) {
    return db
      .updateTable('projects')
      .set({ status: 'paused', status_reason: reason, updated_at: new Date() })
      .where('id', '=', projectId)
      .where('status', '=', 'active')
      .executeTakeFirst()
      .then((r) => Number(r.numUpdatedRows) > 0);
  },

  resumeProject(db: Queryable, projectId: string, reason: string) {
    return db
      .updateTable('projects')
      .set({ status: 'active', status_reason: null, updated_at: new Date() })
      .where('id', '=', projectId)
      .where('status', '=', 'paused')
      .where('status_reason', '=', reason)
      .executeTakeFirst()
      .then((r) => Number(r.numUpdatedRows) > 0);
  },

  annotationKey(db: Queryable, annotationId: number) {
    return db.selectFrom('annotations').select(['id', 'project_id', 'item_id', 'worker_id']).where('id', '=', annotationId).executeTakeFirst();
  },
};
