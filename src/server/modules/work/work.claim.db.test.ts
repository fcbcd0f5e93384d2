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
  it('tells "nothing left for you" from "every item left is locked by a concurrent claim"', async () => {
    const r = await signup(t.app, 'requester');
    const { project, items } = await activeProject(t, r, { n: 2, settings: { overlap: 1 } });
    const [w] = await quickWorkers(t, 1);
    const who = { projectId: project.id, workerId: w!.user.id };
    const first = (await workRepo.claimNew(t.db.db, { ...who, leaseSeconds: 60 }))!;
    expect(first.item_id).toBe(Math.min(...items)); // lowest claimable id first
    await sql`update assignments set status = 'submitted' where id = ${first.id}`.execute(t.db.db);
    await sql`update items set answers = 1, state = 'complete' where id = ${first.item_id}`.execute(t.db.db);
    const second = (await workRepo.claimNew(t.db.db, { ...who, leaseSeconds: 60 }))!;
    expect(second).toMatchObject({ item_id: items.find((i) => i !== first.item_id) });
    await sql`update assignments set status = 'submitted' where id = ${second.id}`.execute(t.db.db);
    expect(await workRepo.claimNew(t.db.db, { ...who, leaseSeconds: 60 })).toBeNull();
    expect(await workRepo.claimableLeft(t.db.db, who)).toBe(false);
  });

  // Needs a second connection holding row locks: PostgreSQL only (PGlite has one connection).
  it.runIf(process.env.DATABASE_URL)('skips items locked by concurrent claims, and answers busy (not 204) when all are', async () => {
    const r = await signup(t.app, 'requester');
    const { project, items } = await activeProject(t, r, { n: 40 });
    const [w] = await quickWorkers(t, 1);
    const work = new WorkService({ db: t.db.db, log: t.app.log, dbKind: t.db.kind }, { sweepIntervalMs: 0 });
    const holdLocks = async (ids: number[], during: () => Promise<void>) => {
      let release!: () => void;
      const held = new Promise<void>((res) => (release = res));
      let locked!: () => void;
      const lockedNow = new Promise<void>((res) => (locked = res));
      const holder = t.db.db.transaction().execute(async (trx) => {
        await sql`select id from items where id in (${sql.join(ids)}) for no key update`.execute(trx);
        locked();
        await held;
      });
      await lockedNow;
      try {
        await during();
      } finally {
        release();
        await holder;
      }
    };
    await holdLocks(items.slice(0, 10), async () => {
      const a = await work.next(asUser(w!), project.id);
      expect(a).not.toBeNull();
      expect(items.slice(0, 10)).not.toContain(a!.item.id);
    });
    const [w2] = await quickWorkers(t, 1);
    await holdLocks(items, async () => {
      expect(await workRepo.claimNew(t.db.db, { projectId: project.id, workerId: w2!.user.id, leaseSeconds: 60 })).toBeNull();
      expect(await workRepo.claimableLeft(t.db.db, { projectId: project.id, workerId: w2!.user.id })).toBe(true);
    });
  });
});
