import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signup, type TestApp } from '../../../../test/helpers/app.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { activeProject, closeQuietly, quickWorkers } from './work-test-helpers.ts';
import { workRepo } from './work.repo.ts';
import { WorkService } from './work.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t && closeQuietly(t));

const asUser = (c: { user: { id: string } }): AuthUser =>
  ({ id: c.user.id, role: 'worker', level: 1, status: 'active', statusReason: null }) as unknown as AuthUser;

describe('the claim statement', () => {
  it('tells "nothing left for you" (no candidates) from "window busy"', async () => {
    const r = await signup(t.app, 'requester');
    const { project, items } = await activeProject(t, r, { n: 2, settings: { overlap: 1 } });
    const [w] = await quickWorkers(t, 1);
    const first = (await workRepo.claimNew(t.db.db, { projectId: project.id, workerId: w!.user.id, leaseSeconds: 60, window: 8 })) as { candidates: number; id: number; item_id: number };
    expect(first.candidates).toBe(2);
    expect(items).toContain(first.item_id);
    await sql`update assignments set status = 'submitted' where id = ${first.id}`.execute(t.db.db);
    await sql`update items set answers = 1, state = 'complete' where id = ${first.item_id}`.execute(t.db.db);
    const second = await workRepo.claimNew(t.db.db, { projectId: project.id, workerId: w!.user.id, leaseSeconds: 60, window: 8 });
    expect(second).toMatchObject({ candidates: 1, item_id: items.find((i) => i !== first.item_id) });
    await sql`update assignments set status = 'submitted' where id = ${second.id}`.execute(t.db.db);
    const none = await workRepo.claimNew(t.db.db, { projectId: project.id, workerId: w!.user.id, leaseSeconds: 60, window: 8 });
    expect(none).toMatchObject({ candidates: 0, id: null });
  });

  // Needs a second connection holding row locks: PostgreSQL only (PGlite has one connection).
  it.runIf(process.env.DATABASE_URL)('widens its window instead of answering 204 when every candidate is locked by others', async () => {
    const r = await signup(t.app, 'requester');
    const { project, items } = await activeProject(t, r, { n: 40 });
    const [w] = await quickWorkers(t, 1);
    const work = new WorkService({ db: t.db.db, log: t.app.log, dbKind: t.db.kind }, { claimWindow: 4, sweepIntervalMs: 0 });
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    let locked!: () => void;
    const lockedNow = new Promise<void>((res) => (locked = res));
    const holder = t.db.db.transaction().execute(async (trx) => {
      await sql`select id from items where id in (${sql.join(items.slice(0, 10))}) for no key update`.execute(trx);
      locked();
      await held;
    });
    await lockedNow;
    try {
      const bare = await workRepo.claimNew(t.db.db, { projectId: project.id, workerId: w!.user.id, leaseSeconds: 60, window: 4 });
      expect(bare).toMatchObject({ candidates: 4, id: null });
      const a = await work.next(asUser(w!), project.id);
      expect(a).not.toBeNull();
      expect(items.slice(0, 10)).not.toContain(a!.item.id);
    } finally {
      release();
      await holder;
    }
  });
});
