import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../../config.ts';
import type { Kysely } from 'kysely';
import type { Database, Queryable } from '../../../db/schema.ts';
import { payOnSubmit, releaseClaim, reserveForClaim } from './work-money.ts';
import { DEFAULT_SETTINGS } from '../../../core/projects/settings.ts';
import type { AuthUser } from '../auth/auth.service.ts';

/** Rows for money tests, inserted directly (the tests are about money, not sign-up or import). */
export async function makeUser(db: Queryable, role: 'worker' | 'requester' | 'admin' | 'reviewer', orgId: string | null = null): Promise<AuthUser> {
  const u = await db
    .insertInto('users')
    .values({ email: `${role}-${randomUUID()}@example.kr`, password_hash: 'x', display_name: role, role, org_id: orgId, status_reason: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    level: u.level,
    orgId: u.org_id,
    locale: u.locale,
    status: u.status,
    statusReason: u.status_reason,
    createdAt: new Date(u.created_at).toISOString(),
  };
}

export async function makeRequester(db: Queryable) {
  const org = await db.insertInto('organisations').values({ name: `org ${randomUUID().slice(0, 6)}` }).returning('id').executeTakeFirstOrThrow();
  return makeUser(db, 'requester', org.id);
}

export async function makeProject(db: Queryable, requester: AuthUser, settings: Partial<typeof DEFAULT_SETTINGS> = {}, status: 'draft' | 'active' = 'active') {
  const p = await db
    .insertInto('projects')
    .values({
      org_id: requester.orgId!,
      created_by: requester.id,
      name: 'money test',
      template: JSON.stringify({ display: [], controls: [{ type: 'single_choice', name: 'label', options: ['a', 'b'] }] }),
      settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }),
      tags: [],
      status,
      status_reason: null,
      published_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return p;
}

export interface Task {
  itemId: number;
  assignmentId: number;
}

/**
 * A claim as the work module makes it: the reservation and the new item's lease in ONE database
 * transaction (that is what pairs them). `null` when the budget refused it.
 */
export async function claimTask(db: Kysely<Database>, projectId: string, workerId: string): Promise<(Task & { pay: number; fee: number }) | null> {
  return db.transaction().execute(async (trx) => {
    const r = await reserveForClaim(trx, { projectId, workerId });
    if (!r.ok) return null;
    const item = await trx
      .insertInto('items')
      .values({ project_id: projectId, data: JSON.stringify({ text: 'x' }), gold: null, target: 1, reserved: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const asg = await trx
      .insertInto('assignments')
      .values({ project_id: projectId, item_id: item.id, worker_id: workerId, status: 'leased', expires_at: new Date(Date.now() + 600_000), finished_at: null, previous_annotation_id: null, rework_comment: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { itemId: item.id, assignmentId: asg.id, pay: r.pay, fee: r.fee };
  });
}

/** A submit as the work module makes it: the annotation, the assignment's state and the money in one transaction. */
export async function submitTask(db: Kysely<Database>, projectId: string, workerId: string, task: Task, opts: { durationMs?: number } = {}): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('assignments').set({ status: 'submitted', finished_at: new Date() }).where('id', '=', task.assignmentId).execute();
    await trx.updateTable('items').set({ answers: 1, state: 'complete' }).where('id', '=', task.itemId).execute();
    const a = await trx
      .insertInto('annotations')
      .values({
        project_id: projectId,
        item_id: task.itemId,
        worker_id: workerId,
        assignment_id: task.assignmentId,
        result: JSON.stringify({ label: 'a' }),
        gold_correct: null,
        duration_ms: opts.durationMs ?? 10_000,
        idempotency_key: null,
        decided_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await payOnSubmit(trx, { projectId, workerId, itemId: task.itemId, assignmentId: task.assignmentId, annotationId: a.id });
    return a.id;
  });
}

/** A skip or expiry as the work module makes it. */
export async function releaseTask(db: Kysely<Database>, projectId: string, workerId: string, task: Task): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('assignments').set({ status: 'skipped', finished_at: new Date() }).where('id', '=', task.assignmentId).execute();
    await trx.updateTable('items').set({ reserved: 0 }).where('id', '=', task.itemId).execute();
    await releaseClaim(trx, { projectId, workerId, itemId: task.itemId, assignmentId: task.assignmentId });
  });
}

/** Claim and submit one task; returns the annotation id. */
export async function doTask(db: Kysely<Database>, projectId: string, workerId: string, opts: { durationMs?: number } = {}) {
  const t = await claimTask(db, projectId, workerId);
  if (!t) throw new Error('the budget refused the claim');
  return { ...t, annotationId: await submitTask(db, projectId, workerId, t, opts) };
}

export function moneyConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ DURE_LOG_LEVEL: 'silent' }, overrides);
}
