/** Test helpers of the work module (not used by the server). */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { Client, type TestApp, uniqueEmail } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';

/**
 * Workers created straight in the database with a session each: signing up hundreds through the
 * API would spend most of a test hashing passwords.
 */
export async function quickWorkers(t: TestApp, n: number, opts: { level?: number } = {}): Promise<Client[]> {
  const users = await t.db.db
    .insertInto('users')
    .values(
      Array.from({ length: n }, (_, i) => ({
        email: uniqueEmail(`qw${i}-`),
        password_hash: 'not-a-hash',
        display_name: `작업자 ${i}`,
        role: 'worker' as const,
        level: opts.level ?? 1,
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
        expires_at: new Date(Date.now() + 24 * 3600_000),
        ip: null,
        user_agent: null,
      })),
    )
    .execute();
  return users.map((u, i) => {
    const c = new Client(t.app);
    c.cookie = `dure_session=${tokens[i]}`;
    c.user = { id: u.id, role: u.role, level: u.level };
    return c;
  });
}

/** An active project with `n` text items (plus optional gold items), ready for work. */
export async function activeProject(
  t: TestApp,
  requester: Client,
  opts: { n: number; settings?: Record<string, unknown>; gold?: Record<string, unknown>[]; tags?: string[]; name?: string; template?: unknown; instructions?: string },
) {
  const settings: Record<string, unknown> = { goldRate: 0, ...opts.settings };
  if (settings.overlap === 1 && !settings.dynamicOverlap) settings.dynamicOverlap = { minAnswers: 1 };
  const p = await createProject(requester, { settings, name: opts.name, template: opts.template, instructions: opts.instructions });
  if (opts.tags) await requester.patch(`/api/projects/${p.id}`, { tags: opts.tags });
  const items = await insertItems(
    t,
    p.id,
    Array.from({ length: opts.n }, (_, i) => ({ text: `문장 ${i}` })),
  );
  let gold: number[] = [];
  if (opts.gold?.length) {
    gold = await insertItems(
      t,
      p.id,
      opts.gold.map((_, i) => ({ text: `문장 g${i}` })),
      { gold: opts.gold },
    );
  }
  await publish(requester, p.id);
  return { project: p, items, gold };
}

/**
 * `t.close()` for tests that used many pooled connections on PostgreSQL. pg's Pool.end() resolves
 * before its sockets are closed, and the test helper then force-drops the database: a socket still
 * open receives 57P01 and vitest reports it as an unhandled error. End the pool first and wait
 * until the server has seen every connection go.
 */
export async function closeQuietly(t: TestApp): Promise<void> {
  if (t.db.kind === 'postgres' && process.env.DATABASE_URL) {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db.db);
    await t.app.close();
    await t.db.db.destroy();
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const r = await c.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [rows[0]!.name]);
        if (r.rows[0]!.n === 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      await c.end();
    }
  }
  await t.close();
}
