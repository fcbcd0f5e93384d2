import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signup, type TestApp } from '../../../../test/helpers/app.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { activeProject, closeQuietly, quickWorkers } from './work-test-helpers.ts';
import type { Queryable } from '../../../db/schema.ts';
import { inferenceRepo } from '../inference/inference.repo.ts';
import { qualityRepo } from '../quality/quality.repo.ts';
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

  it("claims are issued before their guards (they travel together): a guard's savepoint rolled back never undoes them", async () => {
    const r = await signup(t.app, 'requester');
    const { project, items } = await activeProject(t, r, { n: 10, settings: { overlap: 1 } });
    const ws = await quickWorkers(t, 6);
    // Only this guard: its savepoint is the first thing the guards issue. What money's reservation
    // does when it has to wait for a stripe and finds it emptied.
    const work = new WorkService({ db: t.db.db, log: t.app.log, dbKind: t.db.kind }, { sweepIntervalMs: 0 });
    const tryAndUndo = async (trx: Queryable, projectId: string) => {
      await sql`savepoint guard_try`.execute(trx);
      await sql`update projects set status_reason = 'tried' where id = ${projectId}`.execute(trx);
      await sql`rollback to savepoint guard_try`.execute(trx);
    };
    let batchGuards = 0;
    work.registerClaimGuard(
      (trx, p) => tryAndUndo(trx, p.id),
      async (trx, p) => {
        batchGuards++;
        await tryAndUndo(trx, p.id);
      },
    );
    // A lone claim, then five at once: the first of them runs alone, the four behind it as a batch.
    const lone = await work.next(asUser(ws[0]!), project.id);
    const more = await Promise.all(ws.slice(1).map((w) => work.next(asUser(w), project.id)));
    expect(batchGuards).toBeGreaterThan(0);
    const handed = [lone, ...more];
    expect(handed.every((a) => a !== null)).toBe(true);
    const rows = await t.db.db.selectFrom('assignments').select(['id', 'status', 'item_id']).where('project_id', '=', project.id).execute();
    expect(new Set(rows.map((x) => x.id))).toEqual(new Set(handed.map((a) => a!.id)));
    expect(rows.every((x) => x.status === 'leased')).toBe(true);
    const reserved = await t.db.db.selectFrom('items').select(['id', 'reserved']).where('project_id', '=', project.id).where('reserved', '>', 0).execute();
    expect(reserved.map((x) => x.id).sort((a, b) => a - b)).toEqual(items.slice(0, 6));
    const p = await t.db.db.selectFrom('projects').select('status_reason').where('id', '=', project.id).executeTakeFirstOrThrow();
    expect(p.status_reason).not.toBe('tried');
  });

  it("walks the project's claimable items, not the items of the projects before it, also under a prepared statement's generic plan", async () => {
    // A large project imported first, a small one after it: in id order every item of the first
    // comes before the second's. A generic plan that walked the primary key and filtered would
    // pass all of them on every claim of the second project (workRepo's `inProject`).
    const r = await signup(t.app, 'requester');
    const big = await activeProject(t, r, { n: 1 });
    await sql`insert into items (project_id, data, target) select ${big.project.id}::uuid, jsonb_build_object('text', 'g' || g), 3 from generate_series(1, 3000) g`.execute(t.db.db);
    const small = await activeProject(t, r, { n: 20 });
    const [w] = await quickWorkers(t, 1);
    await sql`analyze items`.execute(t.db.db);
    const read = await t.db.db.transaction().execute(async (trx) => {
      await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
      const locked = await workRepo.lockClaimable(trx, { projectId: small.project.id, limit: 10 });
      const one = await workRepo.claimNew(trx, { projectId: small.project.id, workerId: w!.user.id, leaseSeconds: 60 });
      // Index entries this transaction read, per index of items (counted before they are reported).
      const { rows } = await sql<{ name: string; n: string }>`
        select c.relname as name, pg_stat_get_xact_tuples_returned(c.oid)::text as n
        from pg_index x join pg_class c on c.oid = x.indexrelid where x.indrelid = 'items'::regclass`.execute(trx);
      return { locked, one, byIndex: Object.fromEntries(rows.map((x) => [x.name, Number(x.n)])) };
    });
    expect(read.locked.map((x) => x.id)).toEqual(small.items.slice(0, 10));
    expect(read.one!.item_id).toBe(small.items[0]);
    expect(read.byIndex.items_pkey ?? 0).toBeLessThan(100);
    expect(read.byIndex.items_claimable).toBeGreaterThan(0);
    expect(read.byIndex.items_claimable).toBeLessThan(100);
  });
});

describe("a project's answers", () => {
  it("are read from the project's own rows, not past the answers of the projects written after it: feed task times, quality's crowd sample, inference pages", async () => {
    const r = await signup(t.app, 'requester');
    const [w] = await quickWorkers(t, 1);
    /** `n` answered items of a project, written by SQL in one go (items, submitted leases, answers). */
    const answered = async (projectId: string, n: number) => {
      await sql`insert into items (project_id, data, target) select ${projectId}::uuid, jsonb_build_object('text', 'a' || g), 3 from generate_series(1, ${n}::int) g`.execute(t.db.db);
      await sql`insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, finished_at)
        select i.project_id, i.id, ${w!.user.id}::uuid, 'new', 'submitted', now(), now() from items i
        where i.project_id = ${projectId}::uuid and not exists (select 1 from assignments a where a.item_id = i.id)`.execute(t.db.db);
      await sql`insert into annotations (project_id, item_id, worker_id, assignment_id, result, duration_ms)
        select a.project_id, a.item_id, a.worker_id, a.id, '{"label": "pos"}'::jsonb, 4000 from assignments a
        where a.project_id = ${projectId}::uuid and not exists (select 1 from annotations x where x.assignment_id = a.id)`.execute(t.db.db);
    };
    const small = await activeProject(t, r, { n: 1 });
    await answered(small.project.id, 5);
    const big = await activeProject(t, r, { n: 1 });
    await answered(big.project.id, 3000); // every one of these has a higher id than the small project's
    await sql`analyze annotations`.execute(t.db.db);
    /** `fn` in a transaction on generic plans, and how many entries of annotations' primary key it read. */
    const pkeyReadBy = <T>(fn: (trx: Queryable) => Promise<T>) =>
      t.db.db.transaction().execute(async (trx) => {
        await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
        const value = await fn(trx);
        const { rows } = await sql<{ n: string }>`select pg_stat_get_xact_tuples_returned('annotations_pkey'::regclass)::text as n`.execute(trx);
        return { value, pkey: Number(rows[0]!.n) };
      });
    const feed = await pkeyReadBy((trx) => workRepo.feed(trx, { workerId: w!.user.id, level: 1, cap: 100, projectId: small.project.id }));
    expect(feed.value[0]).toMatchObject({ recent_done: 6, median_ms: 4000 }); // the 5 and the project's own first item
    expect(feed.pkey).toBeLessThan(100);
    const [other] = await quickWorkers(t, 1);
    const crowd = await pkeyReadBy((trx) => qualityRepo.crowdAnswers(trx, small.project.id, other!.user.id, 100));
    expect(crowd.value).toHaveLength(6);
    expect(crowd.pkey).toBeLessThan(100);
    const page = await pkeyReadBy((trx) => inferenceRepo.answersPage(trx, small.project.id, 0, 5000));
    expect(page.value).toHaveLength(6);
    expect(page.pkey).toBeLessThan(100);
  });
});
