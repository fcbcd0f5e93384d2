import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';
import type { DepositStatus, PayoutStatus } from '../../../db/tables/ledger.ts';

/** SQL of deposits, payouts, bank accounts and the work facts money figures are computed from. */
export const paymentsRepo = {
  insertDeposit(
    db: Queryable,
    d: { org_id: string; project_id: string | null; amount: number; provider: string; reference: string; idempotency_key: string | null; created_by: string | null },
  ) {
    return db
      .insertInto('deposits')
      .values(d)
      .onConflict((oc) => oc.columns(['org_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  depositByKey(db: Queryable, orgId: string, key: string) {
    return db.selectFrom('deposits').selectAll().where('org_id', '=', orgId).where('idempotency_key', '=', key).executeTakeFirst();
  },

  lockDeposit(db: Queryable, id: string) {
    return db.selectFrom('deposits').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  decideDeposit(db: Queryable, id: string, status: DepositStatus, by: string | null) {
    return db.updateTable('deposits').set({ status, decided_by: by, decided_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  listDeposits(db: Queryable, f: { status?: DepositStatus; orgId?: string; projectId?: string; limit: number }) {
    let q = db
      .selectFrom('deposits as d')
      .innerJoin('organisations as o', 'o.id', 'd.org_id')
      .leftJoin('projects as p', 'p.id', 'd.project_id')
      .selectAll('d')
      .select(['o.name as org_name', 'p.name as project_name'])
      .orderBy('d.created_at', 'desc')
      .limit(f.limit);
    if (f.status) q = q.where('d.status', '=', f.status);
    if (f.orgId) q = q.where('d.org_id', '=', f.orgId);
    if (f.projectId) q = q.where('d.project_id', '=', f.projectId);
    return q.execute();
  },

  pendingDeposits(db: Queryable, f: { orgId?: string; projectId?: string }) {
    let q = db.selectFrom('deposits').select(sql<number>`coalesce(sum(amount), 0)::int8`.as('s')).where('status', '=', 'pending');
    if (f.orgId) q = q.where('org_id', '=', f.orgId);
    if (f.projectId) q = q.where('project_id', '=', f.projectId);
    return q.executeTakeFirstOrThrow().then((r) => r.s);
  },

  sumDeposits(db: Queryable) {
    return db
      .selectFrom('deposits')
      .select(sql<number>`coalesce(sum(amount), 0)::int8`.as('s'))
      .where('status', '=', 'confirmed')
      .executeTakeFirstOrThrow()
      .then((r) => r.s);
  },

  // ---- bank accounts and payouts ----

  bankAccount(db: Queryable, userId: string) {
    return db.selectFrom('bank_accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  },

  upsertBankAccount(db: Queryable, b: { user_id: string; bank: string; account_number: string; holder: string }) {
    return db
      .insertInto('bank_accounts')
      .values(b)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ bank: b.bank, account_number: b.account_number, holder: b.holder, updated_at: new Date() }))
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  insertPayout(
    db: Queryable,
    p: { user_id: string; gross: number; withholding: number; net: number; bank: string; account_number: string; holder: string; idempotency_key: string | null },
  ) {
    return db
      .insertInto('payouts')
      .values(p)
      .onConflict((oc) => oc.columns(['user_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  payoutByKey(db: Queryable, userId: string, key: string) {
    return db.selectFrom('payouts').selectAll().where('user_id', '=', userId).where('idempotency_key', '=', key).executeTakeFirst();
  },

  lockPayout(db: Queryable, id: string) {
    return db.selectFrom('payouts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  listPayouts(db: Queryable, f: { status?: PayoutStatus; userId?: string; batchId?: string; limit: number }) {
    let q = db
      .selectFrom('payouts as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .selectAll('p')
      .select(['u.display_name', 'u.email'])
      .orderBy('p.created_at', 'asc')
      .limit(f.limit);
    if (f.status) q = q.where('p.status', '=', f.status);
    if (f.userId) q = q.where('p.user_id', '=', f.userId);
    if (f.batchId) q = q.where('p.batch_id', '=', f.batchId);
    return q.execute();
  },

  /** Locks the requested payouts to put in a batch (all of them, or the listed ones). */
  lockRequested(db: Queryable, ids: string[] | null) {
    let q = db.selectFrom('payouts').selectAll().where('status', '=', 'requested').orderBy('created_at').forUpdate();
    if (ids) q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    return q.execute();
  },

  insertBatch(db: Queryable, createdBy: string) {
    return db.insertInto('payout_batches').values({ created_by: createdBy }).returningAll().executeTakeFirstOrThrow();
  },

  assignToBatch(db: Queryable, ids: string[], batchId: string) {
    return db.updateTable('payouts').set({ status: 'approved', batch_id: batchId, decided_at: new Date() }).where('id', 'in', ids).execute();
  },

  lockBatch(db: Queryable, id: string) {
    return db.selectFrom('payout_batches').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  findBatch(db: Queryable, id: string) {
    return db.selectFrom('payout_batches').selectAll().where('id', '=', id).executeTakeFirst();
  },

  markBatchPaid(db: Queryable, id: string, by: string) {
    return db.updateTable('payout_batches').set({ status: 'paid', paid_by: by, paid_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  setPayoutStatus(db: Queryable, ids: string[], status: PayoutStatus, reason: string | null = null) {
    if (!ids.length) return Promise.resolve([]);
    return db
      .updateTable('payouts')
      .set({ status, decided_at: new Date(), ...(reason !== null ? { reason } : {}), ...(status === 'cancelled' ? { batch_id: null } : {}) })
      .where('id', 'in', ids)
      .execute();
  },

  listBatches(db: Queryable, limit: number) {
    return db
      .selectFrom('payout_batches as b')
      .leftJoin('payouts as p', 'p.batch_id', 'b.id')
      .selectAll('b')
      .select([
        sql<number>`count(p.id)::int4`.as('payouts'),
        sql<number>`coalesce(sum(p.gross), 0)::int8`.as('gross'),
        sql<number>`coalesce(sum(p.withholding), 0)::int8`.as('withholding'),
        sql<number>`coalesce(sum(p.net), 0)::int8`.as('net'),
      ])
      .groupBy('b.id')
      .orderBy('b.created_at', 'desc')
      .limit(limit)
      .execute();
  },

  payoutTotals(db: Queryable, userId: string) {
    return db
      .selectFrom('payouts')
      .select([
        sql<number>`coalesce(sum(gross) filter (where status in ('requested', 'approved')), 0)::int8`.as('in_flight'),
        sql<number>`coalesce(sum(net) filter (where status = 'paid'), 0)::int8`.as('paid_net'),
        sql<number>`coalesce(sum(withholding) filter (where status = 'paid'), 0)::int8`.as('withheld'),
      ])
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
  },

  // ---- work facts for the money figures of a project ----

  /** Ordinary answers still wanted and not leased, and whether the project has gold items. */
  workLeft(db: Queryable, projectId: string) {
    return db
      .selectFrom('items')
      .select([
        sql<number>`coalesce(sum(greatest(target - reserved, 0)) filter (where not is_gold and state = 'open'), 0)::int8`.as('answers_left'),
        sql<number>`count(*) filter (where is_gold)::int4`.as('gold_items'),
      ])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
  },

  /** Median server-measured task time of ordinary answers, and how many there are. */
  taskTimes(db: Queryable, projectId: string) {
    return db
      .selectFrom('annotations')
      .select([
        sql<number | null>`percentile_cont(0.5) within group (order by duration_ms)`.as('median_ms'),
        sql<number>`count(*)::int4`.as('n'),
      ])
      .where('project_id', '=', projectId)
      .where('is_gold', '=', false)
      .where('status', '<>', 'superseded')
      .executeTakeFirstOrThrow();
  },

  /** A worker's (or any user's) role and name, to check who a bonus may go to. */
  userById(db: Queryable, id: string) {
    return db.selectFrom('users').select(['id', 'role', 'display_name']).where('id', '=', id).executeTakeFirst();
  },

  annotationOfProject(db: Queryable, annotationId: number, projectId: string) {
    return db.selectFrom('annotations').select(['id', 'worker_id']).where('id', '=', annotationId).where('project_id', '=', projectId).executeTakeFirst();
  },

  workedOnProject(db: Queryable, workerId: string, projectId: string) {
    return db.selectFrom('annotations').select('id').where('worker_id', '=', workerId).where('project_id', '=', projectId).limit(1).executeTakeFirst().then((r) => r !== undefined);
  },
};
