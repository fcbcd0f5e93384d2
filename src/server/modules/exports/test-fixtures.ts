/** Test data for exports, webhooks and the CLI: answers written straight into the database. */
import crypto from 'node:crypto';
import { Client, type TestApp, uniqueEmail } from '../../../../test/helpers/app.ts';

export interface Answer {
  worker: string;
  result: Record<string, unknown>;
  status?: 'submitted' | 'pending_review' | 'approved' | 'rejected' | 'rework' | 'excluded' | 'superseded';
}

/** Inserts one submitted assignment + annotation per answer (as the work module would leave them). */
export async function insertAnswers(t: TestApp, projectId: string, itemId: number, answers: Answer[]): Promise<number[]> {
  const ids: number[] = [];
  for (const a of answers) {
    const asg = await t.db.db
      .insertInto('assignments')
      .values({ project_id: projectId, item_id: itemId, worker_id: a.worker, status: 'submitted', expires_at: new Date(Date.now() + 60_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ann = await t.db.db
      .insertInto('annotations')
      .values({
        project_id: projectId,
        item_id: itemId,
        worker_id: a.worker,
        assignment_id: asg.id,
        result: JSON.stringify(a.result),
        status: a.status ?? 'submitted',
        duration_ms: 1000,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(ann.id);
  }
  return ids;
}

export async function setLabel(t: TestApp, itemId: number, label: Record<string, { value: unknown; confidence: number }>, confidence: number) {
  await t.db.db.updateTable('items').set({ label: JSON.stringify(label), confidence }).where('id', '=', itemId).execute();
}

export async function completeItem(t: TestApp, itemId: number) {
  await t.db.db.updateTable('items').set({ state: 'complete', completed_at: new Date() }).where('id', '=', itemId).execute();
}

export async function itemIds(t: TestApp, projectId: string): Promise<number[]> {
  const rows = await t.db.db.selectFrom('items').select('id').where('project_id', '=', projectId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Workers created straight in the database with a session each (no password hashing). */
export async function quickWorkers(t: TestApp, n: number): Promise<Client[]> {
  const users = await t.db.db
    .insertInto('users')
    .values(
      Array.from({ length: n }, (_, i) => ({
        email: uniqueEmail(`xw${i}-`),
        password_hash: 'not-a-hash',
        display_name: `작업자 ${i}`,
        role: 'worker' as const,
        org_id: null,
        status_reason: null,
      })),
    )
    .returningAll()
    .execute();
  const tokens = users.map(() => crypto.randomBytes(24).toString('base64url'));
  await t.db.db
    .insertInto('sessions')
    .values(
      users.map((u, i) => ({
        id: crypto.createHash('sha256').update(tokens[i]!).digest('hex'),
        user_id: u.id,
        expires_at: new Date(Date.now() + 3600_000),
        ip: null,
        user_agent: null,
      })),
    )
    .execute();
  return users.map((u, i) => {
    const c = new Client(t.app);
    c.cookie = `dure_session=${tokens[i]}`;
    c.user = { id: u.id, email: u.email, displayName: u.display_name, role: u.role };
    return c;
  });
}
