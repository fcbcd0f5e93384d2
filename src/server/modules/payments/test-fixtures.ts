import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../../config.ts';
import type { Queryable } from '../../../db/schema.ts';
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

/** An item, an assignment and (optionally) an annotation for one worker, as the work module would leave them. */
export async function makeWork(db: Queryable, projectId: string, workerId: string, opts: { annotate?: boolean; durationMs?: number } = {}) {
  const done = opts.annotate !== false;
  const item = await db
    .insertInto('items')
    .values({ project_id: projectId, data: JSON.stringify({ text: 'x' }), gold: null, target: 1, reserved: 1, answers: done ? 1 : 0, state: done ? 'complete' : 'open' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const asg = await db
    .insertInto('assignments')
    .values({ project_id: projectId, item_id: item.id, worker_id: workerId, status: opts.annotate === false ? 'leased' : 'submitted', expires_at: new Date(Date.now() + 600_000), finished_at: null, previous_annotation_id: null, rework_comment: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  let annotationId: number | null = null;
  if (opts.annotate !== false) {
    const a = await db
      .insertInto('annotations')
      .values({
        project_id: projectId,
        item_id: item.id,
        worker_id: workerId,
        assignment_id: asg.id,
        result: JSON.stringify({ label: 'a' }),
        gold_correct: null,
        duration_ms: opts.durationMs ?? 10_000,
        idempotency_key: null,
        decided_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    annotationId = a.id;
  }
  return { itemId: item.id, assignmentId: asg.id, annotationId };
}

export function moneyConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ DURE_LOG_LEVEL: 'silent' }, overrides);
}

/** A bare open item (for a claim that is released without an answer). */
export async function makeItem(db: Queryable, projectId: string) {
  const r = await db.insertInto('items').values({ project_id: projectId, data: JSON.stringify({ text: 'x' }), gold: null, target: 1 }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}
