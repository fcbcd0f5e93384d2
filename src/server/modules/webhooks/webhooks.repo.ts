import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';
import type { DeliveryStatus } from '../../../db/tables/webhooks.ts';

const HOOK_COLUMNS = ['id', 'project_id', 'url', 'events', 'secret', 'description', 'created_at'] as const;
const DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'event_id',
  'event',
  'body',
  'status',
  'attempts',
  'next_attempt_at',
  'last_attempt_at',
  'last_status',
  'last_error',
  'delivered_at',
  'created_at',
] as const;

export interface ClaimedDelivery {
  id: string;
  webhook_id: string;
  event: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

export const webhooksRepo = {
  insert(db: Queryable, v: { projectId: string; url: string; events: string[]; secret: string; description: string; createdBy: string }) {
    return db
      .insertInto('webhooks')
      .values({ project_id: v.projectId, url: v.url, events: v.events, secret: v.secret, description: v.description, created_by: v.createdBy })
      .returning(HOOK_COLUMNS)
      .executeTakeFirstOrThrow();
  },

  countForProject(db: Queryable, projectId: string) {
    return db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  },

  list(db: Queryable, projectId: string) {
    return db.selectFrom('webhooks').select(HOOK_COLUMNS).where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
  },

  find(db: Queryable, projectId: string, id: string) {
    return db.selectFrom('webhooks').select(HOOK_COLUMNS).where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  },

  async remove(db: Queryable, projectId: string, id: string): Promise<boolean> {
    const r = await db.deleteFrom('webhooks').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  /** Delivery counts per status for each webhook of a project. */
  async stats(db: Queryable, projectId: string): Promise<Map<string, Record<DeliveryStatus, number>>> {
    const rows = await db
      .selectFrom('webhook_deliveries')
      .select(['webhook_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project_id', '=', projectId)
      .groupBy(['webhook_id', 'status'])
      .execute();
    const out = new Map<string, Record<DeliveryStatus, number>>();
    for (const r of rows) {
      const s = out.get(r.webhook_id) ?? { pending: 0, delivered: 0, failed: 0 };
      s[r.status] = Number(r.n);
      out.set(r.webhook_id, s);
    }
    return out;
  },

  /** The events any webhook of the project listens to (one indexed read on the submit path). */
  async projectEvents(db: Queryable, projectId: string): Promise<Set<string>> {
    const rows = await db.selectFrom('webhooks').select('events').where('project_id', '=', projectId).execute();
    return new Set(rows.flatMap((r) => r.events));
  },

  subscribers(db: Queryable, projectId: string, event: string) {
    return db
      .selectFrom('webhooks')
      .select('id')
      .where('project_id', '=', projectId)
      .where(sql<boolean>`${event} = any(events)`)
      .execute();
  },

  insertDeliveries(db: Queryable, rows: { webhook_id: string; project_id: string; event_id: string; event: string; body: string }[]) {
    return db.insertInto('webhook_deliveries').values(rows).returning(DELIVERY_COLUMNS).execute();
  },

  /**
   * Claims up to `n` due deliveries for this sender. SKIP LOCKED lets several server processes
   * share the outbox without waiting on each other; the claim pushes `next_attempt_at` one lease
   * ahead, so a sender that dies mid-send leaves the delivery due again after the lease.
   */
  async claimDue(db: Queryable, n: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const r = await sql<ClaimedDelivery>`
      with due as (
        select id from webhook_deliveries
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at
        limit ${n}
        for update skip locked
      )
      update webhook_deliveries d
      set attempts = d.attempts + 1,
          next_attempt_at = now() + ${leaseMs}::int * interval '1 millisecond',
          last_attempt_at = now()
      from due, webhooks w
      where d.id = due.id and w.id = d.webhook_id
      returning d.id, d.webhook_id, d.event, d.body, d.attempts, w.url, w.secret`.execute(db);
    return r.rows;
  },

  /** The outcome of one attempt: delivered, due again after `retryInMs`, or given up (failed). */
  async recordAttempt(
    db: Queryable,
    a: { id: string; attempt: number; statusCode: number | null; error: string | null; durationMs: number; retryInMs: number | null },
  ): Promise<void> {
    await db
      .insertInto('webhook_attempts')
      .values({ delivery_id: a.id, attempt: a.attempt, status_code: a.statusCode, error: a.error, duration_ms: a.durationMs })
      .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
      .execute();
    const ok = a.error === null;
    await db
      .updateTable('webhook_deliveries')
      .set({
        status: ok ? 'delivered' : a.retryInMs === null ? 'failed' : 'pending',
        delivered_at: ok ? sql<Date>`now()` : null,
        last_status: a.statusCode,
        last_error: a.error,
        next_attempt_at: ok || a.retryInMs === null ? sql<Date>`now()` : sql<Date>`now() + ${a.retryInMs}::int * interval '1 millisecond'`,
      })
      .where('id', '=', a.id)
      .where('attempts', '=', a.attempt)
      .execute();
  },

  /** Gives a claim back untried (the sender stopped before it could tell the outcome). */
  async release(db: Queryable, id: string, attempt: number): Promise<void> {
    await db
      .updateTable('webhook_deliveries')
      .set({ attempts: attempt - 1, next_attempt_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .where('status', '=', 'pending')
      .execute();
  },

  listDeliveries(db: Queryable, webhookId: string, o: { limit: number; before: string | null; status: DeliveryStatus | null }) {
    let q = db.selectFrom('webhook_deliveries').select(DELIVERY_COLUMNS).where('webhook_id', '=', webhookId);
    if (o.status) q = q.where('status', '=', o.status);
    if (o.before) {
      q = q.where(
        sql<boolean>`(created_at, id) < (select created_at, id from webhook_deliveries where id = ${o.before}::uuid and webhook_id = ${webhookId}::uuid)`,
      );
    }
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(o.limit).execute();
  },

  findDelivery(db: Queryable, webhookId: string, id: string) {
    return db.selectFrom('webhook_deliveries').select(DELIVERY_COLUMNS).where('webhook_id', '=', webhookId).where('id', '=', id).executeTakeFirst();
  },

  attemptsOf(db: Queryable, deliveryIds: string[]) {
    if (!deliveryIds.length) return Promise.resolve([]);
    return db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', 'in', deliveryIds)
      .orderBy('delivery_id')
      .orderBy('attempt')
      .execute();
  },

  /** Makes a delivered or failed delivery due now: one more attempt (a failed one is not retried again). */
  async redeliver(db: Queryable, webhookId: string, id: string) {
    return db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: sql<Date>`now()`, delivered_at: null })
      .where('webhook_id', '=', webhookId)
      .where('id', '=', id)
      .where('status', '!=', 'pending')
      .returning(DELIVERY_COLUMNS)
      .executeTakeFirst();
  },

  projectBasics(db: Queryable, projectId: string) {
    return db.selectFrom('projects').select(['name', 'template']).where('id', '=', projectId).executeTakeFirst();
  },

  /** Of these items, those that completed in the current transaction (the submit sets completed_at = now()), in the order given. */
  async completedNow(db: Queryable, itemIds: number[]): Promise<number[]> {
    if (!itemIds.length) return [];
    const r = await sql<{ id: number }>`
      select id from items where id = any(${itemIds}::bigint[]) and state = 'complete' and completed_at = now()`.execute(db);
    const just = new Set(r.rows.map((x) => Number(x.id)));
    return itemIds.filter((id) => just.has(id));
  },

  /**
   * Whether every ordinary item of the project is complete. Takes a transaction-scoped advisory
   * lock per project first, so two last items completing at once are decided one after the
   * other and the second sees the first (exactly one of them reports the project complete).
   */
  async projectDone(db: Queryable, projectId: string): Promise<{ done: boolean; items: number }> {
    await sql`select pg_advisory_xact_lock(hashtext(${`dure:project-complete:${projectId}`}))`.execute(db);
    const r = await sql<{ open: boolean; items: number }>`
      select exists (select 1 from items where project_id = ${projectId}::uuid and state = 'open' and not is_gold) as open,
             (select count(*) from items where project_id = ${projectId}::uuid and not is_gold)::int as items`.execute(db);
    return { done: r.rows[0]!.open === false, items: Number(r.rows[0]!.items) };
  },
};
