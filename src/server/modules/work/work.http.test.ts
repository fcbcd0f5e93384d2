import { sql } from 'kysely';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../core/app-error.ts';
import { buildTestApp, type Client, signup, type TestApp, userWithRole } from '../../../../test/helpers/app.ts';
import { createProject, insertItems } from '../../../../test/helpers/factories.ts';
import { createRework, NoWork, type WorkService } from './index.ts';
import { activeProject, closeQuietly, quickWorkers } from './work-test-helpers.ts';

let t: TestApp;
let requester: Client;
let work: WorkService;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
  work = t.app.workService;
});
afterAll(async () => t && closeQuietly(t));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const db = () => t.db.db;
const next = (w: Client, projectId: string) => w.post(`/api/work/projects/${projectId}/next`);
const submit = (w: Client, id: number, result: unknown = { label: 'pos' }, headers?: Record<string, string>) =>
  w.post(`/api/work/assignments/${id}/submit`, { result }, headers);
const item = (id: number) => db().selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const assignment = (id: number) => db().selectFrom('assignments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const annotationsOf = (projectId: string) => db().selectFrom('annotations').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

/** Claims until 204; submits each (unless `skip`); returns the item ids received. */
async function drain(w: Client, projectId: string, opts: { skip?: boolean } = {}) {
  const got: number[] = [];
  for (let i = 0; i < 500; i++) {
    const r = await next(w, projectId);
    if (r.statusCode === 204) return got;
    expect(r.statusCode).toBe(200);
    const a = r.json().assignment;
    got.push(a.item.id);
    const s = opts.skip ? await w.post(`/api/work/assignments/${a.id}/skip`) : await submit(w, a.id);
    expect(s.statusCode).toBe(opts.skip ? 204 : 200);
  }
  throw new Error('never ran out');
}

describe('claiming', () => {
  it('leases an item for leaseSeconds and returns the same live assignment on a second next', async () => {
    const { project } = await activeProject(t, requester, { n: 3, settings: { leaseSeconds: 120 } });
    const [w] = await quickWorkers(t, 1);
    const r1 = await next(w!, project.id);
    expect(r1.statusCode).toBe(200);
    const a = r1.json().assignment;
    expect(a).toMatchObject({ kind: 'new', projectId: project.id, item: { data: { text: expect.any(String) } } });
    const ttl = new Date(a.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(121_000);
    const r2 = await next(w!, project.id);
    expect(r2.json().assignment.id).toBe(a.id);
    const live = await db().selectFrom('assignments').select('id').where('worker_id', '=', w!.user.id).where('status', '=', 'leased').execute();
    expect(live).toHaveLength(1);
    expect((await item(a.item.id)).reserved).toBe(1);
  });

  it('two concurrent nexts of one worker still give one live assignment', async () => {
    const { project } = await activeProject(t, requester, { n: 5 });
    const [w] = await quickWorkers(t, 1);
    const rs = await Promise.all(Array.from({ length: 6 }, () => next(w!, project.id)));
    const ids = new Set(rs.map((r) => r.json().assignment.id));
    expect(ids.size).toBe(1);
  });

  it('never puts more than target answers + live leases on an item', async () => {
    const { project, items } = await activeProject(t, requester, { n: 1, settings: { overlap: 2 } });
    const [w1, w2, w3] = await quickWorkers(t, 3);
    expect((await next(w1!, project.id)).statusCode).toBe(200);
    expect((await next(w2!, project.id)).statusCode).toBe(200);
    expect((await next(w3!, project.id)).statusCode).toBe(204);
    expect((await item(items[0]!)).reserved).toBe(2);
  });

  it('never gives a worker the same item twice, also not after a skip', async () => {
    const { project, items } = await activeProject(t, requester, { n: 2, settings: { overlap: 3 } });
    const [w1, w2] = await quickWorkers(t, 2);
    const done = await drain(w1!, project.id);
    expect(done.sort()).toEqual([...items].sort());
    expect((await next(w1!, project.id)).statusCode).toBe(204);
    const skipped = await drain(w2!, project.id, { skip: true });
    expect(skipped.sort()).toEqual([...items].sort());
    expect((await next(w2!, project.id)).statusCode).toBe(204);
    // the skips freed their slots: only w1's answers hold the items
    for (const id of items) expect(await item(id)).toMatchObject({ reserved: 1, answers: 1 });
  });

  it('frees the slot of an expired lease (inline sweep) and refuses the late submit with 409 lease_expired', async () => {
    const { project, items } = await activeProject(t, requester, { n: 1, settings: { overlap: 1, leaseSeconds: 1 } });
    const [w1, w2] = await quickWorkers(t, 2);
    const a1 = (await next(w1!, project.id)).json().assignment;
    expect((await next(w2!, project.id)).statusCode).toBe(204);
    await sleep(1100);
    const r2 = await next(w2!, project.id);
    expect(r2.statusCode).toBe(200);
    expect(r2.json().assignment.item.id).toBe(items[0]);
    expect((await assignment(a1.id)).status).toBe('expired');
    const late = await submit(w1!, a1.id);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('lease_expired');
    // the expired worker never gets the item again, even once it frees up
    expect((await next(w1!, project.id)).statusCode).toBe(204);
  });

  it('a worker whose own lease expired gets a new task at once', async () => {
    const { project } = await activeProject(t, requester, { n: 3, settings: { overlap: 1, leaseSeconds: 1 } });
    const [w] = await quickWorkers(t, 1);
    const a1 = (await next(w!, project.id)).json().assignment;
    await sleep(1100);
    const a2 = (await next(w!, project.id)).json().assignment;
    expect(a2.id).not.toBe(a1.id);
    expect(a2.item.id).not.toBe(a1.item.id);
  });

  it('the background sweeper expires leases nobody asks about', async () => {
    const { project, items } = await activeProject(t, requester, { n: 1, settings: { overlap: 1, leaseSeconds: 1 } });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    const deadline = Date.now() + 8000;
    while ((await assignment(a.id)).status === 'leased' && Date.now() < deadline) await sleep(250);
    expect((await assignment(a.id)).status).toBe('expired');
    expect((await item(items[0]!)).reserved).toBe(0);
  });

  it('finishes started items before opening new ones', async () => {
    const { project } = await activeProject(t, requester, { n: 6, settings: { overlap: 3 } });
    const [w1, w2, w3] = await quickWorkers(t, 3);
    const a1 = (await next(w1!, project.id)).json().assignment;
    await submit(w1!, a1.id);
    const a2 = (await next(w2!, project.id)).json().assignment;
    expect(a2.item.id).toBe(a1.item.id);
    await submit(w2!, a2.id);
    const a3 = (await next(w3!, project.id)).json().assignment;
    expect(a3.item.id).toBe(a1.item.id);
    await submit(w3!, a3.id);
    const it1 = await item(a1.item.id);
    expect(it1).toMatchObject({ answers: 3, reserved: 3, state: 'complete' });
    expect(it1.completed_at).not.toBeNull();
  });

  it('hands out work only in active projects, to active, admitted workers, saying why not', async () => {
    const draft = await createProject(requester);
    await insertItems(t, draft.id, [{ text: 'x' }]);
    const { project } = await activeProject(t, requester, { n: 2, settings: { minLevel: 3 } });
    const [low] = await quickWorkers(t, 1, { level: 1 });
    const [ok, paused, removed] = await quickWorkers(t, 3, { level: 3 });

    expect((await next(ok!, draft.id)).statusCode).toBe(404);
    const lvl = await next(low!, project.id);
    expect(lvl.statusCode).toBe(403);
    expect(lvl.json().error.message).toMatch(/needs level 3; you are level 1/);

    await db().updateTable('users').set({ status: 'paused', status_reason: 'answers far faster than others' }).where('id', '=', paused!.user.id).execute();
    const p = await next(paused!, project.id);
    expect(p.statusCode).toBe(403);
    expect(p.json().error.message).toMatch(/paused: answers far faster than others/);
    expect((await paused!.get('/api/work/projects')).statusCode).toBe(403);

    await work.setProjectWorker(project.id, removed!.user.id, 'removed', 'gold accuracy 40% is below 70%');
    const rm = await next(removed!, project.id);
    expect(rm.statusCode).toBe(403);
    expect(rm.json().error.message).toMatch(/removed from this project: gold accuracy 40%/);
    expect((await removed!.get('/api/work/projects')).json().projects.map((x: { id: string }) => x.id)).not.toContain(project.id);
    const detail = (await removed!.get(`/api/work/projects/${project.id}`)).json().project;
    expect(detail).toMatchObject({ canWork: false, blockedReason: expect.stringMatching(/removed/) });

    expect((await next(ok!, project.id)).statusCode).toBe(200);
    await requester.patch(`/api/projects/${project.id}`, { status: 'paused' });
    const pp = await next(ok!, project.id);
    expect(pp.statusCode).toBe(409);
    expect(pp.json().error.message).toMatch(/paused/);
  });

  it('refuses requesters (workers and reviewers only)', async () => {
    const { project } = await activeProject(t, requester, { n: 1 });
    expect((await next(requester, project.id)).statusCode).toBe(403);
  });
});

describe('gold', () => {
  it('mixes gold in at the gold rate, each gold item once per worker, indistinguishable, never completing', async () => {
    const gold = Array.from({ length: 4 }, () => ({ label: 'neg' }));
    const { project, items, gold: goldIds } = await activeProject(t, requester, { n: 6, gold, settings: { overlap: 1, goldRate: 0.5 } });
    // a gold item whose data still carries _gold (as some imports leave it): never shown
    await db().updateTable('items').set({ data: JSON.stringify({ text: 'g', _gold: { label: 'neg' } }) }).where('id', '=', goldIds[0]!).execute();
    const savedRandom = work.random;
    const draws = [0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 0.1, 0.1, 0.1, 0.1];
    let k = 0;
    work.random = () => draws[k++ % draws.length]!;
    try {
      const workers = await quickWorkers(t, 2);
      const seen: { itemId: number; body: string; keys: string[] }[] = [];
      for (const w of workers) {
        for (;;) {
          const r = await next(w, project.id);
          if (r.statusCode === 204) break;
          const a = r.json().assignment;
          seen.push({ itemId: a.item.id, body: r.body, keys: Object.keys(a).sort() });
          expect(Object.keys(a.item).sort()).toEqual(['data', 'id']);
          expect(Object.keys(a.item.data)).toEqual(['text']);
          // answer gold correctly on even items, wrongly on odd ones
          await submit(w, a.id, { label: a.item.id % 2 === 0 ? 'neg' : 'pos' });
        }
        k = 0;
      }
      for (const s of seen) {
        expect(s.body).not.toMatch(/_gold|"gold"|isGold|is_gold/);
        expect(s.keys).toEqual(['expiresAt', 'id', 'item', 'kind', 'projectId']);
      }
      const goldSeen = seen.filter((s) => goldIds.includes(s.itemId));
      // first worker: 6 ordinary + gold whenever the draw < 0.5 while gold is left
      expect(goldSeen.length).toBeGreaterThanOrEqual(4);
      // no worker sees one gold item twice
      for (const w of workers) {
        const mine = await db().selectFrom('assignments').select('item_id').where('worker_id', '=', w.user.id).where('item_id', 'in', goldIds).execute();
        expect(new Set(mine.map((m) => m.item_id)).size).toBe(mine.length);
      }
      // gold items have no overlap limit (two workers answered overlap-1 gold) and never complete
      const anns = await annotationsOf(project.id);
      const goldAnns = anns.filter((a) => goldIds.includes(a.item_id));
      expect(goldAnns.every((a) => a.is_gold)).toBe(true);
      for (const a of goldAnns) expect(a.gold_correct).toBe(a.item_id % 2 === 0);
      expect(anns.filter((a) => !goldIds.includes(a.item_id)).every((a) => !a.is_gold && a.gold_correct === null)).toBe(true);
      for (const id of goldIds) expect((await item(id)).state).toBe('open');
      expect(Math.max(...(await Promise.all(goldIds.map(item))).map((g) => g.answers))).toBe(2);
      // the ordinary items completed by the first worker (overlap 1)
      for (const id of items) expect((await item(id)).state).toBe('complete');
    } finally {
      work.random = savedRandom;
    }
  });

  it('serves no gold at gold rate 0', async () => {
    const { project, gold } = await activeProject(t, requester, { n: 5, gold: [{ label: 'pos' }, { label: 'neg' }], settings: { goldRate: 0 } });
    const [w] = await quickWorkers(t, 1);
    const got = await drain(w!, project.id);
    expect(got.filter((id) => gold.includes(id))).toEqual([]);
    expect(got).toHaveLength(5);
  });
});

describe('submitting', () => {
  it('validates the result against the form, naming the path under /result', async () => {
    const { project } = await activeProject(t, requester, { n: 1 });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    const bad = await submit(w!, a.id, { label: 'maybe', extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    const paths = bad.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/result/label', '/result/extra']));
    const missing = await w!.post(`/api/work/assignments/${a.id}/submit`, {});
    expect(missing.statusCode).toBe(400);
    expect((await assignment(a.id)).status).toBe('leased');
  });

  it("accepts a submit only from the assignment's holder (403 for anyone else, 404 for no such id)", async () => {
    const { project } = await activeProject(t, requester, { n: 1 });
    const [w1, w2] = await quickWorkers(t, 2);
    const a = (await next(w1!, project.id)).json().assignment;
    const other = await submit(w2!, a.id);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toMatch(/another worker/);
    expect((await w2!.get(`/api/work/assignments/${a.id}`)).statusCode).toBe(403);
    expect((await w2!.post(`/api/work/assignments/${a.id}/skip`)).statusCode).toBe(403);
    expect((await submit(w2!, 987654321)).statusCode).toBe(404);
    expect((await w1!.get(`/api/work/assignments/${a.id}`)).json().assignment).toMatchObject({ id: a.id, status: 'leased', live: true });
  });

  it('stores the server-measured duration and returns the annotation', async () => {
    const { project } = await activeProject(t, requester, { n: 1 });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    await sleep(300);
    const r = await submit(w!, a.id, { label: 'neg' });
    expect(r.statusCode).toBe(200);
    const ann = r.json().annotation;
    expect(ann).toMatchObject({ itemId: a.item.id, assignmentId: a.id, result: { label: 'neg' } });
    // 'submitted', or whatever the review module's submit hook decided (it samples for review)
    expect(ann.status).toBe((await db().selectFrom('annotations').select('status').where('id', '=', ann.id).executeTakeFirstOrThrow()).status);
    expect(['submitted', 'pending_review']).toContain(ann.status);
    expect(ann.durationMs).toBeGreaterThanOrEqual(280);
    expect(ann.durationMs).toBeLessThan(10_000);
    expect((await assignment(a.id)).status).toBe('submitted');
  });

  it('is idempotent under Idempotency-Key and for a resubmitted assignment', async () => {
    const { project } = await activeProject(t, requester, { n: 3, settings: { overlap: 1 } });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    const key = { 'idempotency-key': 'k-123' };
    const r1 = await submit(w!, a.id, { label: 'pos' }, key);
    const r2 = await submit(w!, a.id, { label: 'pos' }, key);
    expect(r2.statusCode).toBe(200);
    expect(r2.headers['idempotent-replayed']).toBe('true');
    expect(r2.json().annotation).toEqual(r1.json().annotation);
    const r3 = await submit(w!, a.id, { label: 'neg' });
    expect(r3.json().annotation.id).toBe(r1.json().annotation.id);
    expect(r3.json().annotation.result).toEqual({ label: 'pos' });
    // the same key on another assignment is a mistake the client must hear about
    const b = (await next(w!, project.id)).json().assignment;
    const clash = await submit(w!, b.id, { label: 'pos' }, key);
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('conflict');
    expect((await assignment(b.id)).status).toBe('leased');
    // concurrent duplicates: one annotation
    const rs = await Promise.all(Array.from({ length: 5 }, () => submit(w!, b.id, { label: 'neg' }, { 'idempotency-key': 'k-456' })));
    expect(rs.every((r) => r.statusCode === 200)).toBe(true);
    expect(new Set(rs.map((r) => r.json().annotation.id)).size).toBe(1);
    const anns = await annotationsOf(project.id);
    expect(anns).toHaveLength(2);
    expect((await item(a.item.id)).answers).toBe(1);
    expect((await item(b.item.id)).answers).toBe(1);
  });

  it('refuses skipped assignments and lets skip be repeated', async () => {
    const { project } = await activeProject(t, requester, { n: 2 });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    expect((await w!.post(`/api/work/assignments/${a.id}/skip`)).statusCode).toBe(204);
    expect((await w!.post(`/api/work/assignments/${a.id}/skip`)).statusCode).toBe(204);
    const s = await submit(w!, a.id);
    expect(s.statusCode).toBe(409);
    expect(s.json().error.message).toMatch(/skipped/);
    const b = (await next(w!, project.id)).json().assignment;
    await submit(w!, b.id);
    expect((await w!.post(`/api/work/assignments/${b.id}/skip`)).statusCode).toBe(409);
  });
});

describe('rework', () => {
  it('hands rework out before new work, with the comment and previous answer, and replaces the annotation', async () => {
    const { project } = await activeProject(t, requester, { n: 4, settings: { overlap: 1 }, name: 'rework project' });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    const first = (await submit(w!, a.id, { label: 'pos' })).json().annotation;

    const made = await db().transaction().execute((trx) => createRework(trx, { annotationId: first.id, comment: '부정적인 문장입니다' }));
    expect(made).toMatchObject({ workerId: w!.user.id, itemId: a.item.id, projectId: project.id });
    await expect(db().transaction().execute((trx) => createRework(trx, { annotationId: first.id, comment: 'again' }))).rejects.toThrow(AppError);

    const feed = (await w!.get('/api/work/projects')).json().projects;
    expect(feed[0]).toMatchObject({ id: project.id, reworkWaiting: 1 });
    expect(feed[0].reason).toMatch(/sent back to you for rework/);

    const r = (await next(w!, project.id)).json().assignment;
    expect(r).toMatchObject({ kind: 'rework', item: { id: a.item.id }, previousResult: { label: 'pos' }, reworkComment: '부정적인 문장입니다' });
    const fixed = await submit(w!, r.id, { label: 'neg' });
    expect(fixed.statusCode).toBe(200);
    const anns = await annotationsOf(project.id);
    expect(anns.map((x) => [x.status, x.rework_count, x.result])).toEqual([
      ['superseded', 0, { label: 'pos' }],
      [fixed.json().annotation.status, 1, { label: 'neg' }],
    ]);
    expect(['submitted', 'pending_review']).toContain(fixed.json().annotation.status);
    expect((await item(a.item.id))).toMatchObject({ answers: 1, reserved: 1, state: 'complete' });
    const history = (await w!.get(`/api/work/history?projectId=${project.id}`)).json().annotations;
    expect(history[1]).toMatchObject({ status: 'superseded', rework: { comment: '부정적인 문장입니다', status: 'submitted' } });
    // next is new work again
    expect((await next(w!, project.id)).json().assignment.kind).toBe('new');
  });

  it('a rework lease that expires waits for its author again; a skipped rework is rejected and frees the slot', async () => {
    const { project } = await activeProject(t, requester, { n: 1, settings: { overlap: 1, leaseSeconds: 1 } });
    const [w, other] = await quickWorkers(t, 2);
    const a = (await next(w!, project.id)).json().assignment;
    const ann = (await submit(w!, a.id)).json().annotation;
    await db().transaction().execute((trx) => createRework(trx, { annotationId: ann.id, comment: 'fix' }));
    const r1 = (await next(w!, project.id)).json().assignment;
    await sleep(1100);
    await work.expire();
    expect((await assignment(r1.id)).status).toBe('pending');
    const r2 = (await next(w!, project.id)).json().assignment;
    expect(r2.id).toBe(r1.id);
    expect((await other!.post(`/api/work/projects/${project.id}/next`)).statusCode).toBe(204);
    expect((await w!.post(`/api/work/assignments/${r2.id}/skip`)).statusCode).toBe(204);
    expect((await db().selectFrom('annotations').select('status').where('id', '=', ann.id).executeTakeFirstOrThrow()).status).toBe('rejected');
    expect(await item(a.item.id)).toMatchObject({ answers: 0, reserved: 0, state: 'open' });
    expect((await next(other!, project.id)).json().assignment.item.id).toBe(a.item.id);
  });
});

describe('hooks', () => {
  it('claim guards run in the claim transaction: they can refuse, answer 204, and are rolled back when nothing is leased', async () => {
    const { project } = await activeProject(t, requester, { n: 1, settings: { overlap: 1 }, name: 'guarded' });
    const [w1, w2, w3] = await quickWorkers(t, 3);
    const calls: string[] = [];
    let mode: 'ok' | 'refuse' | 'nowork' = 'refuse';
    work.registerClaimGuard(async (trx, p, workerId) => {
      if (p.id !== project.id) return;
      calls.push(workerId);
      await sql`update projects set status_reason = ${`guard ran for ${workerId}`} where id = ${p.id}`.execute(trx);
      if (mode === 'refuse') throw new AppError('insufficient_funds', 'the budget cannot pay another task');
      if (mode === 'nowork') throw new NoWork('budget');
    });
    const refused = await next(w1!, project.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('insufficient_funds');
    mode = 'nowork';
    expect((await next(w1!, project.id)).statusCode).toBe(204);
    mode = 'ok';
    expect((await next(w2!, project.id)).statusCode).toBe(200);
    const reason = async () => (await db().selectFrom('projects').select('status_reason').where('id', '=', project.id).executeTakeFirstOrThrow()).status_reason;
    expect(await reason()).toBe(`guard ran for ${w2!.user.id}`);
    expect((await next(w3!, project.id)).statusCode).toBe(204);
    expect(await reason()).toBe(`guard ran for ${w2!.user.id}`); // w3's write rolled back: no item for it
    expect(calls).toContain(w3!.user.id);
  });

  it('submit hooks run inside the submit transaction, in order; a throw rolls the submit back', async () => {
    const { project } = await activeProject(t, requester, { n: 2, settings: { overlap: 1 }, name: 'hooked' });
    const [w] = await quickWorkers(t, 1);
    const seen: string[] = [];
    let fail = true;
    work.registerSubmitHook(async (_trx, ctx) => {
      if (ctx.project.id !== project.id) return;
      seen.push(`a:${ctx.annotation.id}:${ctx.item.state}:${ctx.assignment.kind}`);
      if (fail) throw new AppError('insufficient_funds', 'no budget');
    });
    work.registerSubmitHook(async (trx, ctx) => {
      if (ctx.project.id !== project.id) return;
      seen.push('b');
      // A hook that changes the status says so in the context: the response takes it from there.
      await sql`update annotations set status = 'approved' where id = ${ctx.annotation.id}`.execute(trx);
      ctx.annotation.status = 'approved';
    });
    const a = (await next(w!, project.id)).json().assignment;
    const r1 = await submit(w!, a.id);
    expect(r1.statusCode).toBe(409);
    expect(await annotationsOf(project.id)).toHaveLength(0);
    expect((await assignment(a.id)).status).toBe('leased');
    expect((await item(a.item.id)).answers).toBe(0);
    fail = false;
    const r2 = await submit(w!, a.id);
    expect(r2.statusCode).toBe(200);
    expect(r2.json().annotation.status).toBe('approved');
    expect((await annotationsOf(project.id))[0]!.status).toBe('approved');
    expect(seen.slice(-2)).toEqual([`a:${r2.json().annotation.id}:complete:new`, 'b']);
  });

  it('release hooks run for skips and expiries', async () => {
    const { project } = await activeProject(t, requester, { n: 3, settings: { overlap: 1, leaseSeconds: 1 }, name: 'released' });
    const [w] = await quickWorkers(t, 1);
    const got: string[] = [];
    work.registerReleaseHook((_trx, ctx) => {
      if (ctx.projectId === project.id) got.push(`${ctx.reason}:${ctx.assignmentId}:${ctx.kind}`);
    });
    const a = (await next(w!, project.id)).json().assignment;
    await w!.post(`/api/work/assignments/${a.id}/skip`);
    const b = (await next(w!, project.id)).json().assignment;
    await sleep(1100);
    await work.expire({ projectId: project.id });
    expect(got).toEqual([`skip:${a.id}:new`, `expire:${b.id}:new`]);
  });
});

describe('batches across workers', () => {
  /** How many requests went in batches of more than one since `before`. */
  const batched = (lane: { batches: number; requests: number }, before: { batches: number; requests: number }) =>
    lane.requests - before.requests - (lane.batches - before.batches);

  /**
   * Holds one request in flight (an "opener" stalled inside its own claim or submit) so that the
   * requests sent meanwhile queue behind it in the project's lane and go together in the next
   * batch, whatever the timing of the database.
   */
  function opener(kind: 'claim' | 'submit', projectId: string, workerId: string) {
    let entered!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    const hold = async (p: string, w: string) => {
      if (p !== projectId || w !== workerId) return;
      entered();
      await gate;
    };
    if (kind === 'claim') work.registerClaimGuard((_trx, p, w) => hold(p.id, w));
    else work.registerSubmitHook((_trx, c) => hold(c.project.id, c.workerId));
    return { inside, release: async () => (await sleep(300), release()) };
  }

  it('concurrent claims share one batch: each worker gets an item they never had, lowest ids first, none above overlap', async () => {
    const { project, items } = await activeProject(t, requester, { n: 4, settings: { overlap: 2 }, name: 'batched claims' });
    const ws = await quickWorkers(t, 10);
    // w0 had the first item already (skipped it): a batch must not give it to them again.
    const first = (await next(ws[0]!, project.id)).json().assignment;
    expect(first.item.id).toBe(items[0]);
    expect((await ws[0]!.post(`/api/work/assignments/${first.id}/skip`)).statusCode).toBe(204);
    const before = { ...work.batchStats.claims };
    const o = opener('claim', project.id, ws[9]!.user.id);
    const last = next(ws[9]!, project.id);
    await o.inside;
    const queued = ws.slice(0, 9).map((w) => next(w, project.id));
    await o.release();
    const rs = [...(await Promise.all(queued)), await last];
    expect(batched(work.batchStats.claims, before)).toBeGreaterThan(0);
    const got = rs.map((r, i) => ({ i, code: r.statusCode, a: r.statusCode === 200 ? r.json().assignment : null }));
    // 8 slots, one given up by w0 and open again: 8 leases, 2 workers without work.
    expect(got.filter((g) => g.code === 200)).toHaveLength(8);
    expect(got.filter((g) => g.code === 204)).toHaveLength(2);
    expect(got[0]!.a?.item.id).not.toBe(items[0]);
    const perItem = new Map<number, number>();
    for (const g of got) if (g.a) perItem.set(g.a.item.id, (perItem.get(g.a.item.id) ?? 0) + 1);
    expect([...perItem.values()].every((n) => n <= 2)).toBe(true);
    for (const id of items) {
      expect(perItem.get(id)).toBe(2);
      expect((await item(id)).reserved).toBe(2);
    }
    const leases = await db().selectFrom('assignments').select(['item_id', 'worker_id']).where('project_id', '=', project.id).where('status', '=', 'leased').execute();
    expect(leases).toHaveLength(8);
    expect(new Set(leases.map((l) => l.worker_id)).size).toBe(8);
  });

  it('a batch a guard refuses rolls back; each claim then runs alone and gets its own answer', async () => {
    const { project } = await activeProject(t, requester, { n: 6, settings: { overlap: 1 }, name: 'batch refused' });
    const [first, ...ws] = await quickWorkers(t, 5);
    const refused = ws[2]!.user.id;
    let batchCalls = 0;
    work.registerClaimGuard(
      async (_trx, p, workerId) => {
        if (p.id === project.id && workerId === refused) throw new AppError('insufficient_funds', 'not for you');
      },
      async (trx, p, workerIds) => {
        if (p.id !== project.id) return;
        batchCalls++;
        await sql`update projects set status_reason = 'batch guard wrote this' where id = ${p.id}`.execute(trx);
        if (workerIds.includes(refused)) throw new NoWork('one of you cannot be paid');
      },
    );
    const fallbacks = work.batchStats.fallbacks.claim;
    const o = opener('claim', project.id, first!.user.id);
    const firstClaim = next(first!, project.id);
    await o.inside;
    const queued = ws.map((w) => next(w, project.id));
    await o.release();
    const rs = await Promise.all(queued);
    expect((await firstClaim).statusCode).toBe(200);
    expect(batchCalls).toBeGreaterThan(0);
    expect(work.batchStats.fallbacks.claim).toBeGreaterThan(fallbacks);
    expect(rs.map((r) => r.statusCode)).toEqual([200, 200, 409, 200]);
    expect(rs[2]!.json().error.code).toBe('insufficient_funds');
    const p = await db().selectFrom('projects').select('status_reason').where('id', '=', project.id).executeTakeFirstOrThrow();
    expect(p.status_reason).toBeNull(); // the batch guard's write rolled back with the batch
    const leased = await db().selectFrom('assignments').select('worker_id').where('project_id', '=', project.id).where('status', '=', 'leased').execute();
    expect(leased.map((l) => l.worker_id).sort()).toEqual([first!, ws[0]!, ws[1]!, ws[3]!].map((w) => w.user.id).sort());
  });

  it('concurrent submits share one batch: hooks run in their batch form, statuses come from the contexts, an ended lease is refused alone', async () => {
    const { project } = await activeProject(t, requester, { n: 7, settings: { overlap: 1 }, name: 'batched submits' });
    const [first, ...ws] = await quickWorkers(t, 7);
    const firstA = (await next(first!, project.id)).json().assignment;
    const as = await Promise.all(ws.map(async (w) => (await next(w, project.id)).json().assignment));
    // w5's lease ends before it submits.
    await sql`update assignments set expires_at = now() - interval '1 second' where id = ${as[5]!.id}`.execute(db());
    const sizes: number[] = [];
    work.registerSubmitHook(
      async (trx, ctx) => {
        if (ctx.project.id !== project.id) return;
        sizes.push(1);
        await sql`update annotations set status = 'approved' where id = ${ctx.annotation.id}`.execute(trx);
        ctx.annotation.status = 'approved';
      },
      async (trx, ctxs) => {
        const mine = ctxs.filter((c) => c.project.id === project.id);
        if (!mine.length) return;
        sizes.push(mine.length);
        await sql`update annotations set status = 'approved' where id = any(${mine.map((c) => c.annotation.id)}::bigint[])`.execute(trx);
        for (const c of mine) c.annotation.status = 'approved';
      },
    );
    const before = { ...work.batchStats.submits };
    const o = opener('submit', project.id, first!.user.id);
    const firstSubmit = submit(first!, firstA.id);
    await o.inside;
    const queued = ws.map((w, i) => submit(w, as[i]!.id, { label: 'pos' }));
    await o.release();
    const rs = await Promise.all(queued);
    expect((await firstSubmit).statusCode).toBe(200);
    expect(batched(work.batchStats.submits, before)).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(rs.slice(0, 5).map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(rs[5]!.statusCode).toBe(409);
    expect(rs[5]!.json().error.code).toBe('lease_expired');
    for (const r of rs.slice(0, 5)) expect(r.json().annotation.status).toBe('approved');
    const anns = (await annotationsOf(project.id)).filter((a) => a.assignment_id !== firstA.id);
    expect(anns).toHaveLength(5);
    expect(anns.every((a) => a.status === 'approved')).toBe(true);
    expect(new Set(anns.map((a) => a.assignment_id))).toEqual(new Set(as.slice(0, 5).map((a) => a.id)));
    for (const a of as.slice(0, 5)) expect((await item(a.item.id)).state).toBe('complete');
  });

  it("a lone claim or submit holds its project's lane: what arrives meanwhile waits for it, not for its row locks", async () => {
    // Before, a batch of one ran beside the lane: a second lone submit of the project started its
    // own transaction at once and waited, inside it, for the first one's item lock.
    const { project } = await activeProject(t, requester, { n: 4, settings: { overlap: 2 }, name: 'lone holds the lane' });
    const [w1, w2] = await quickWorkers(t, 2);
    const inside: string[] = [];
    work.registerClaimGuard((_trx, p, w) => {
      if (p.id === project.id) inside.push(`claim ${w}`);
    });
    work.registerSubmitHook((_trx, c) => {
      if (c.project.id === project.id) inside.push(`submit ${c.workerId}`);
    });
    const c = opener('claim', project.id, w1!.user.id);
    const claim1 = next(w1!, project.id);
    await c.inside;
    const claim2 = next(w2!, project.id);
    await sleep(200);
    expect(inside).toEqual([`claim ${w1!.user.id}`]); // w2's claim waits in the lane
    await c.release();
    const [a1, a2] = [(await claim1).json().assignment, (await claim2).json().assignment];
    expect(a2.item.id).toBe(a1.item.id); // the same item, one claim after the other

    inside.length = 0;
    const s = opener('submit', project.id, w1!.user.id);
    const submit1 = submit(w1!, a1.id);
    await s.inside;
    const submit2 = submit(w2!, a2.id);
    await sleep(200);
    expect(inside).toEqual([`submit ${w1!.user.id}`]);
    await s.release();
    expect([(await submit1).statusCode, (await submit2).statusCode]).toEqual([200, 200]);
    expect(inside).toEqual([`submit ${w1!.user.id}`, `submit ${w2!.user.id}`]);
  });

  it('a submit batch a hook rolls back is stored one by one with the per-submit hooks', async () => {
    const { project } = await activeProject(t, requester, { n: 5, settings: { overlap: 1 }, name: 'batch rolled back' });
    const [first, ...ws] = await quickWorkers(t, 5);
    const firstA = (await next(first!, project.id)).json().assignment;
    const as = await Promise.all(ws.map(async (w) => (await next(w, project.id)).json().assignment));
    const alone: number[] = [];
    work.registerSubmitHook(
      async (_trx, ctx) => {
        if (ctx.project.id === project.id) alone.push(ctx.assignment.id);
      },
      async (_trx, ctxs) => {
        if (ctxs.some((c) => c.project.id === project.id)) throw new Error('this batch form is broken');
      },
    );
    const fallbacks = work.batchStats.fallbacks.submit;
    const o = opener('submit', project.id, first!.user.id);
    const firstSubmit = submit(first!, firstA.id);
    await o.inside;
    const queued = ws.map((w, i) => submit(w, as[i]!.id));
    await o.release();
    const rs = await Promise.all(queued);
    expect((await firstSubmit).statusCode).toBe(200);
    expect(rs.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(work.batchStats.fallbacks.submit).toBeGreaterThan(fallbacks);
    expect(alone.sort()).toEqual([firstA, ...as].map((a) => a.id).sort());
    expect(await annotationsOf(project.id)).toHaveLength(5);
  });

  it('operators see the batch figures; workers may not', async () => {
    const admin = await userWithRole(t, 'admin');
    const [w] = await quickWorkers(t, 1);
    // A `next` and a submit that find nothing still go through the read lanes.
    expect((await w!.post(`/api/work/projects/${crypto.randomUUID()}/next`)).statusCode).toBe(404);
    expect((await w!.post('/api/work/assignments/999999999/submit', { result: {} })).statusCode).toBe(404);
    const r = await admin.get('/api/work/batches');
    expect(r.statusCode).toBe(200);
    expect(r.json().submits.requests).toBeGreaterThanOrEqual(r.json().submits.batches);
    expect(r.json().fallbacks).toMatchObject({ claim: expect.any(Number), submit: expect.any(Number) });
    // The read lanes too (this admin's own request went through the session lane), with time run and waited.
    expect(r.json().reads.sessions.requests).toBeGreaterThan(0);
    expect(r.json().reads.states.requests).toBeGreaterThan(0);
    expect(r.json().reads.loads.busyMs).toBeGreaterThan(0);
    expect(r.json().reads.states.busyMs).toBeGreaterThan(0);
    expect(r.json().reads.sessions.busyMs).toBeGreaterThan(0);
    expect((await w!.get('/api/work/batches')).statusCode).toBe(403);
  });
});

describe('read-ahead (the work read beside the session lookup)', () => {
  const sessionHash = (w: Client) => crypto.createHash('sha256').update(w.cookie.split('=')[1]!).digest('hex');
  const reads = () => ({ states: work.batchStats.reads.states.requests, loads: work.batchStats.reads.loads.requests });

  it("once a session is known, next and submit read ahead and use that read: one read per request", async () => {
    const { project } = await activeProject(t, requester, { n: 5 });
    const [w] = await quickWorkers(t, 1);
    const nextAhead = vi.spyOn(work, 'readAheadNext');
    const submitAhead = vi.spyOn(work, 'readAheadSubmit');
    try {
      // The first request of a session not seen yet: no hint, the read runs after the lookup.
      let r0 = reads();
      const first = await next(w!, project.id);
      expect(first.statusCode).toBe(200);
      expect(nextAhead).not.toHaveBeenCalled();
      expect(reads().states - r0.states).toBe(1);
      // From then on the read starts beside the lookup, and it is the only read.
      r0 = reads();
      const s = await submit(w!, first.json().assignment.id);
      expect(s.statusCode).toBe(200);
      expect(submitAhead).toHaveBeenCalledTimes(1);
      expect(reads().loads - r0.loads).toBe(1);
      r0 = reads();
      const second = await next(w!, project.id);
      expect(second.statusCode).toBe(200);
      expect(nextAhead).toHaveBeenCalledTimes(1);
      expect(reads().states - r0.states).toBe(1);
      expect(second.json().assignment.item.id).not.toBe(first.json().assignment.item.id);
    } finally {
      nextAhead.mockRestore();
      submitAhead.mockRestore();
    }
  });

  it("a read-ahead for another user than the session's is never used", async () => {
    const { project } = await activeProject(t, requester, { n: 5 });
    const [w1, w2] = await quickWorkers(t, 2);
    expect((await next(w1!, project.id)).statusCode).toBe(200); // w1's session is now known
    const seen = (t.app.authService as unknown as { seen: Map<string, string> }).seen;
    seen.set(sessionHash(w1!), w2!.user.id); // a wrong hint: w1's cookie said to be w2's
    const r0 = reads();
    const r = await next(w1!, project.id);
    expect(r.statusCode).toBe(200);
    expect(reads().states - r0.states).toBe(2); // the read-ahead for w2, then w1's own read
    const held = await assignment(r.json().assignment.id);
    expect(held.worker_id).toBe(w1!.user.id);
    const w2Leases = await db().selectFrom('assignments').select('id').where('worker_id', '=', w2!.user.id).execute();
    expect(w2Leases).toEqual([]);
    expect(seen.get(sessionHash(w1!))).toBe(w1!.user.id); // the lookup put the hint right
  });

  it('a session ended elsewhere gets 401 though its hint is known, and nothing is claimed or stored', async () => {
    const { project } = await activeProject(t, requester, { n: 5 });
    const [w] = await quickWorkers(t, 1);
    const a = (await next(w!, project.id)).json().assignment;
    // Revoked by another process (or expired): this process still holds the hint.
    await db().updateTable('sessions').set({ revoked_at: new Date() }).where('user_id', '=', w!.user.id).execute();
    const nextAhead = vi.spyOn(work, 'readAheadNext');
    try {
      expect((await submit(w!, a.id)).statusCode).toBe(401);
      expect((await next(w!, project.id)).statusCode).toBe(401);
      expect(nextAhead).not.toHaveBeenCalled(); // the failed lookup of the submit dropped the hint
    } finally {
      nextAhead.mockRestore();
    }
    expect(await annotationsOf(project.id)).toEqual([]);
    const leases = await db().selectFrom('assignments').select('id').where('worker_id', '=', w!.user.id).execute();
    expect(leases.map((x) => x.id)).toEqual([a.id]);
  });

  it("another worker's submit is still refused (the read is ahead, the ownership check is not)", async () => {
    const { project } = await activeProject(t, requester, { n: 5 });
    const [w1, w2] = await quickWorkers(t, 2);
    const a = (await next(w1!, project.id)).json().assignment;
    expect((await next(w2!, project.id)).statusCode).toBe(200); // w2's session is known too
    const r = await submit(w2!, a.id);
    expect(r.statusCode).toBe(403);
    expect(await annotationsOf(project.id)).toEqual([]);
  });

  it('logging out forgets the hint at once', async () => {
    const [w] = await quickWorkers(t, 1);
    expect((await w!.get('/api/me')).statusCode).toBe(200);
    const hint = () => t.app.authService.sessionHint(w!.cookie.split('=')[1]!);
    expect(hint()).toBe(w!.user.id);
    expect((await w!.post('/api/auth/logout')).statusCode).toBeLessThan(300);
    expect(hint()).toBeUndefined();
  });
});

describe('feed and project screen', () => {
  it('lists active projects with tasks left for this worker, pay, summary; drops those with nothing left', async () => {
    const { project } = await activeProject(t, requester, { n: 2, settings: { overlap: 1, payPerAnnotation: 70 }, instructions: '# 안내\n\n문장의 감정을 고르세요.' });
    const [w, v] = await quickWorkers(t, 2);
    const entry = (await w!.get('/api/work/projects')).json().projects.find((p: { id: string }) => p.id === project.id);
    expect(entry).toMatchObject({ name: 'test project', payPerTask: 70, tasksLeft: 2, instructionsSummary: '문장의 감정을 고르세요.', hourlyPay: null });
    expect(entry.reason).toMatch(/pays 70 won per task/);
    const a = (await next(w!, project.id)).json().assignment;
    await submit(w!, a.id);
    const seenByV = (await v!.get('/api/work/projects')).json().projects.find((p: { id: string }) => p.id === project.id);
    expect(seenByV.tasksLeft).toBe(1);
    await drain(w!, project.id);
    expect((await w!.get('/api/work/projects')).json().projects.map((p: { id: string }) => p.id)).not.toContain(project.id);
  });

  it('shows effective hourly pay from the median task time once 10 tasks are done', async () => {
    const { project } = await activeProject(t, requester, { n: 30, settings: { overlap: 1, payPerAnnotation: 50 } });
    const workers = await quickWorkers(t, 2);
    for (let i = 0; i < 10; i++) {
      const a = (await next(workers[0]!, project.id)).json().assignment;
      await submit(workers[0]!, a.id);
    }
    // median 12 s → 50 × 3600 / 12 = 15,000 won/hour
    await db().updateTable('annotations').set({ duration_ms: 12_000 }).where('project_id', '=', project.id).execute();
    const entry = (await workers[1]!.get('/api/work/projects')).json().projects.find((p: { id: string }) => p.id === project.id);
    expect(entry).toMatchObject({ hourlyPay: 15_000, medianSeconds: 12 });
    expect(entry.reason).toMatch(/about 15,000 won\/hour/);
  });

  it('orders by match with the worker history and explains it', async () => {
    const r2 = await signup(t.app, 'requester');
    const a = await activeProject(t, r2, { n: 3, tags: ['sentiment'], name: 'A', settings: { payPerAnnotation: 40 } });
    const b = await activeProject(t, r2, { n: 3, tags: ['boxes'], name: 'B', settings: { payPerAnnotation: 60 } });
    const c = await activeProject(t, r2, { n: 3, tags: ['sentiment', 'news'], name: 'C', settings: { payPerAnnotation: 40 } });
    const [w] = await quickWorkers(t, 1);
    for (let i = 0; i < 3; i++) {
      const x = (await next(w!, a.project.id)).json().assignment;
      await submit(w!, x.id);
    }
    const feed = (await w!.get('/api/work/projects')).json().projects.filter((p: { id: string }) => [b.project.id, c.project.id].includes(p.id));
    expect(feed.map((p: { name: string }) => p.name)).toEqual(['C', 'B']);
    expect(feed[0].reason).toMatch(/matches your experience: sentiment \(3 tasks\)/);
    expect(feed[1].reason).toMatch(/new kind of work/);
  });

  it("gives the labeling screen the form, visible settings, and today's count and earnings, never gold", async () => {
    const { project } = await activeProject(t, requester, { n: 3, gold: [{ label: 'neg' }], settings: { payPerAnnotation: 30, goldRate: 0.2 } });
    const [w] = await quickWorkers(t, 1);
    for (let i = 0; i < 2; i++) {
      const a = (await next(w!, project.id)).json().assignment;
      await submit(w!, a.id);
    }
    const r = await w!.get(`/api/work/projects/${project.id}`);
    expect(r.statusCode).toBe(200);
    const p = r.json().project;
    expect(p).toMatchObject({ id: project.id, canWork: true, blockedReason: null, today: { count: 2, earnings: 60 }, template: { controls: [{ name: 'label' }] } });
    expect(Object.keys(p.settings).sort()).toEqual(['leaseSeconds', 'maxReworks', 'minGoldAccuracy', 'minGoldAnswers', 'minLevel', 'payPerAnnotation']);
    expect(r.body).not.toMatch(/goldRate|_gold|isGold/);
  });
});
