import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems } from '../../../../test/helpers/factories.ts';
import { insertAnswers } from '../exports/test-fixtures.ts';
import { activeProject, closeQuietly, quickWorkers } from '../work/work-test-helpers.ts';
import { InferenceService } from './index.ts';
import { DEFAULT_METHOD } from '../../../core/aggregation/index.ts';

let t: TestApp;
let requester: Client;
let inference: InferenceService;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
  inference = t.app.inferenceService;
  // the tests drive the job with runOnce(); the last one lets the timer do it
  await inference.stop();
});
afterAll(async () => t && closeQuietly(t));

const db = () => t.db.db;
const run = () => inference.runOnce({ debounceMs: 0 });
const itemsOf = (projectId: string) => db().selectFrom('items').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
const dirty = async (projectId: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from inference_dirty where project_id = ${projectId}::uuid`.execute(db())).rows[0]!.n > 0;

/** The worker claims until 204 and answers each item with `answer(itemId)`; returns the items answered. */
async function drain(w: Client, projectId: string, answer: (itemId: number) => string) {
  const got: number[] = [];
  for (let i = 0; i < 200; i++) {
    const r = await w.post(`/api/work/projects/${projectId}/next`);
    if (r.statusCode === 204) return got;
    expect(r.statusCode).toBe(200);
    const a = r.json().assignment;
    got.push(a.item.id);
    const s = await w.post(`/api/work/assignments/${a.id}/submit`, { result: { label: answer(a.item.id) } });
    expect(s.statusCode).toBe(200);
  }
  throw new Error('never ran out');
}

describe('inference of a project', () => {
  it('answers submitted over HTTP mark the project dirty; the job stores label and confidence per item; stats and export read them', async () => {
    const { project, items } = await activeProject(t, requester, { n: 2, settings: { overlap: 3 } });
    const [a, b] = items as [number, number];
    const workers = await quickWorkers(t, 3);
    // item a: pos, pos, neg; item b: neg ×3
    for (const [k, w] of workers.entries()) await drain(w, project.id, (id) => (id === a ? (k === 2 ? 'neg' : 'pos') : 'neg'));
    expect(await dirty(project.id)).toBe(true);
    expect((await itemsOf(project.id)).every((i) => i.label === null)).toBe(true);

    expect(await run()).toEqual([project.id]);
    expect(await dirty(project.id)).toBe(false);
    const [ia, ib] = await itemsOf(project.id);
    expect(ia!.label).toMatchObject({ label: { value: 'pos', confidence: expect.any(Number) } });
    expect(ib!.label).toMatchObject({ label: { value: 'neg', confidence: expect.any(Number) } });
    const ca = (ia!.label as any).label.confidence as number;
    expect(ca).toBeGreaterThan(0.5);
    expect(ca).toBeLessThan((ib!.label as any).label.confidence);
    expect(ia!.confidence).toBeCloseTo(ca, 12);
    // a second pass with nothing new does nothing
    expect(await run()).toEqual([]);

    // per-worker quality estimates for other features
    const q = await sql<{ worker_id: string; control: string; quality: number; answers: number }>`
      select worker_id::text, control, quality, answers from worker_inferred_quality where project_id = ${project.id}::uuid order by quality desc`.execute(db());
    expect(q.rows).toHaveLength(3);
    expect(q.rows.every((r) => r.control === 'label' && r.answers === 2 && r.quality > 0 && r.quality <= 1)).toBe(true);
    expect(q.rows[2]!.worker_id).toBe(workers[2]!.user.id); // the dissenter is trusted least

    const stats = (await requester.get(`/api/projects/${project.id}/stats`)).json();
    expect(stats.inferredItems).toBe(2);
    expect(stats.meanConfidence).toBeCloseTo((ia!.confidence! + ib!.confidence!) / 2, 9);

    // the export's labels are the stored inference (IBCC's posterior, not the 2/3 vote share)
    const res = await requester.get(`/api/projects/${project.id}/export?format=jsonl`);
    expect(res.statusCode).toBe(200);
    const rows = res.body.trim().split('\n').map((l) => JSON.parse(l));
    const ra = rows.find((r) => r.id === a);
    expect(ra.labels.label).toEqual({ value: 'pos', confidence: ca });
    expect(ca).not.toBeCloseTo(2 / 3, 3);
  });

  it('a worker removed from the project marks it dirty: their excluded answers stop counting at the next run', async () => {
    const { project, items } = await activeProject(t, requester, { n: 1, settings: { overlap: 3 } });
    const [item] = items as [number];
    const workers = await quickWorkers(t, 3);
    // two say neg, one says pos
    for (const [k, w] of workers.entries()) await drain(w, project.id, () => (k === 0 ? 'pos' : 'neg'));
    await run();
    expect(((await itemsOf(project.id))[0]!.label as any).label.value).toBe('neg');
    expect(await dirty(project.id)).toBe(false);
    // Both neg answerers are removed (as the gold gate would): only the pos answer still counts.
    for (const w of workers.slice(1)) {
      await db().transaction().execute((trx) => t.app.qualityService.removeFromProject(trx, project.id, w.user.id, 'failed gold'));
    }
    expect(await dirty(project.id)).toBe(true);
    await run();
    const after = (await itemsOf(project.id)).find((i) => i.id === item)!;
    expect((after.label as any).label.value).toBe('pos');
  });

  it('a run rewrites only the items whose label or confidence moved; confidences are stored to 4 decimals', async () => {
    const p = await createProject(requester, { settings: { overlap: 3 } });
    const items = await insertItems(t, p.id, Array.from({ length: 6 }, (_, i) => ({ text: `s${i}` })));
    const ws = await quickWorkers(t, 3);
    for (const [k, id] of items.entries()) {
      // items 0-4: unanimous; item 5: split 2-1
      await insertAnswers(t, p.id, id, ws.map((w, j) => ({ worker: w.user.id, result: { label: k === 5 && j === 2 ? 'neg' : 'pos' } })));
    }
    const xmins = async () => (await sql<{ id: number; x: string }>`select id::int, xmin::text as x from items where project_id = ${p.id}::uuid order by id`.execute(db())).rows;
    const first = await inference.recompute(db(), p.id);
    expect(first).toMatchObject({ items: 6, written: 6 });
    for (const i of await itemsOf(p.id)) {
      expect(i.confidence).toBe(Math.round(i.confidence! * 10_000) / 10_000);
      expect((i.label as any).label.confidence).toBe(i.confidence);
    }
    const before = await xmins();
    // nothing new: nothing is written (no row version changes)
    expect(await inference.recompute(db(), p.id)).toMatchObject({ items: 6, written: 0 });
    expect(await xmins()).toEqual(before);
    // a fourth worker contradicts item 5: its label moves; the run writes fewer rows than it infers
    const [late] = await quickWorkers(t, 1);
    await insertAnswers(t, p.id, items[5]!, [{ worker: late!.user.id, result: { label: 'neg' } }]);
    const third = await inference.recompute(db(), p.id);
    expect(third.written).toBeGreaterThanOrEqual(1);
    const after = await xmins();
    expect(after.find((r) => r.id === items[5])!.x).not.toBe(before.find((r) => r.id === items[5])!.x);
    expect(after.filter((r, k) => r.x !== before[k]!.x)).toHaveLength(third.written);
  });

  it('gold clamps: what workers did on gold items decides a tie on an ordinary item', async () => {
    const p = await createProject(requester, { settings: { overlap: 2 } });
    const [good, bad] = await quickWorkers(t, 2);
    const gold = await insertItems(t, p.id, [{ text: 'g1' }, { text: 'g2' }, { text: 'g3' }, { text: 'g4' }], {
      gold: [{ label: 'neg' }, { label: 'pos' }, { label: 'neg' }, { label: 'pos' }],
    });
    const [tie] = await insertItems(t, p.id, [{ text: 'tie' }]);
    // the good worker matches every gold answer, the bad one contradicts every one
    for (const [i, g] of gold.entries()) {
      const truth = i % 2 === 0 ? 'neg' : 'pos';
      await insertAnswers(t, p.id, g, [
        { worker: good!.user.id, result: { label: truth } },
        { worker: bad!.user.id, result: { label: truth === 'pos' ? 'neg' : 'pos' } },
      ]);
    }
    await insertAnswers(t, p.id, tie!, [
      { worker: good!.user.id, result: { label: 'neg' } },
      { worker: bad!.user.id, result: { label: 'pos' } },
    ]);
    // answers inserted behind the API's back: ask for a recompute
    const forced = await requester.post(`/api/projects/${p.id}/inference`);
    expect(forced.statusCode).toBe(202);
    expect(forced.json()).toMatchObject({ pending: true, inferredItems: 0 });
    await run();
    const items = await itemsOf(p.id);
    const tied = items.find((i) => i.id === tie)!;
    expect(tied.label).toMatchObject({ label: { value: 'neg' } });
    expect(tied.confidence!).toBeGreaterThan(0.8);
    // gold items keep no inferred label (their answer is known; exports use it)
    expect(items.filter((i) => i.is_gold).every((i) => i.label === null)).toBe(true);
    const q = await sql<{ worker_id: string; quality: number }>`
      select worker_id::text, quality from worker_inferred_quality where project_id = ${p.id}::uuid`.execute(db());
    const byWorker = new Map(q.rows.map((r) => [r.worker_id, r.quality]));
    expect(byWorker.get(good!.user.id)!).toBeGreaterThan(0.7);
    expect(byWorker.get(good!.user.id)! - byWorker.get(bad!.user.id)!).toBeGreaterThan(0.2);

    const status = (await requester.get(`/api/projects/${p.id}/inference`)).json();
    expect(status).toMatchObject({ pending: false, inferredItems: 1, method: DEFAULT_METHOD, computedAt: expect.any(String) });
    // another organisation's requester cannot touch it
    const other = await signup(t.app, 'requester');
    expect((await other.post(`/api/projects/${p.id}/inference`)).statusCode).toBe(404);
    expect((await good!.post(`/api/projects/${p.id}/inference`)).statusCode).toBe(403);
  });

  it('dynamic overlap completes confident items early and keeps unsure ones open up to overlap', async () => {
    const { project, items } = await activeProject(t, requester, {
      n: 8,
      settings: { overlap: 6, dynamicOverlap: { enabled: true, targetConfidence: 0.9, minAnswers: 4 } },
    });
    const [h0, h1, ...easy] = items as number[];
    const hard = new Set([h0!, h1!]);
    const workers = await quickWorkers(t, 5);
    // four workers: easy items unanimous (half 'pos', half 'neg'); hard items split 2:2
    const answer = (k: number) => (id: number) => {
      if (id === h0) return k < 2 ? 'pos' : 'neg';
      if (id === h1) return k % 2 === 0 ? 'pos' : 'neg';
      return easy.indexOf(id) % 2 === 0 ? 'pos' : 'neg';
    };
    for (const [k, w] of workers.slice(0, 4).entries()) await drain(w, project.id, answer(k));
    const before = await itemsOf(project.id);
    expect(before.every((i) => i.state === 'open' && i.answers === 4)).toBe(true);
    await run();
    const after = await itemsOf(project.id);
    for (const i of after) {
      expect(i.answers).toBe(4);
      if (hard.has(i.id)) {
        expect(i.confidence!).toBeLessThan(0.9);
        expect(i).toMatchObject({ state: 'open', target: 6, completed_at: null });
      } else {
        expect(i.confidence!).toBeGreaterThanOrEqual(0.9);
        expect(i).toMatchObject({ state: 'complete', target: 4 });
        expect(i.completed_at).not.toBeNull();
      }
    }
    const stats = (await requester.get(`/api/projects/${project.id}/stats`)).json();
    expect(stats.completedItems).toBe(6);
    // a fifth worker is only offered the unsure items
    const got = await drain(workers[4]!, project.id, () => 'pos');
    expect(new Set(got)).toEqual(hard);
  });

  it('without dynamic overlap a confident item stays open until overlap', async () => {
    const { project } = await activeProject(t, requester, { n: 2, settings: { overlap: 5 } });
    const workers = await quickWorkers(t, 3);
    for (const w of workers) await drain(w, project.id, () => 'pos');
    await run();
    for (const i of await itemsOf(project.id)) {
      expect(i.confidence!).toBeGreaterThan(0.9);
      expect(i).toMatchObject({ state: 'open', target: 5, answers: 3 });
    }
  });

  it('the background job started with the app picks up new answers by itself (debounced)', async () => {
    const { project, items } = await activeProject(t, requester, { n: 1, settings: { overlap: 2 } });
    const workers = await quickWorkers(t, 2);
    for (const w of workers) await drain(w, project.id, () => 'neg');
    inference.start();
    try {
      for (let i = 0; i < 200 && (await itemsOf(project.id))[0]!.label === null; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await inference.stop();
    }
    const [item] = await itemsOf(project.id);
    expect(item!.id).toBe(items[0]);
    expect(item!.label).toMatchObject({ label: { value: 'neg' } });
  });

  it("the timer's recomputes of a project rest for 9× its last run's duration; a requester's recompute-now does not wait", async () => {
    const { project } = await activeProject(t, requester, { n: 2, settings: { overlap: 1 } });
    const [w] = await quickWorkers(t, 1);
    await drain(w!, project.id, () => 'pos');
    expect(await run()).toEqual([project.id]);
    // Its last run took 60 s and ended just now; new answers arrived well past the debounce.
    await sql`update inference_runs set duration_ms = 60000, computed_at = now() where project_id = ${project.id}::uuid`.execute(db());
    await sql`insert into inference_dirty (project_id, since) values (${project.id}::uuid, now() - interval '5 seconds')`.execute(db());
    expect(await inference.runOnce({ debounceMs: 1000, paced: true })).not.toContain(project.id);
    // Nine minutes after that run ended, it is due again.
    await sql`update inference_runs set computed_at = now() - interval '9 minutes 1 second' where project_id = ${project.id}::uuid`.execute(db());
    expect(await inference.runOnce({ debounceMs: 1000, paced: true })).toContain(project.id);
    // A requester asking for a recompute now is never spaced.
    await sql`update inference_runs set duration_ms = 60000, computed_at = now() where project_id = ${project.id}::uuid`.execute(db());
    expect((await requester.post(`/api/projects/${project.id}/inference`)).statusCode).toBeLessThan(300);
    expect(await inference.runOnce({ debounceMs: 1000, paced: true })).toContain(project.id);
  });

  it('two server processes: a dirty project is computed by exactly one of them; answers arriving later mark it again', async () => {
    const { project, items } = await activeProject(t, requester, { n: 3, settings: { overlap: 3 } });
    const workers = await quickWorkers(t, 3);
    for (const w of workers.slice(0, 2)) await drain(w, project.id, () => 'pos');
    const other = new InferenceService({ db: t.db.db, log: t.app.log }, { intervalMs: 0 });
    const [a, b] = await Promise.all([inference.runOnce({ debounceMs: 0 }), other.runOnce({ debounceMs: 0 })]);
    expect([...a, ...b].filter((x) => x === project.id)).toHaveLength(1);
    expect((await itemsOf(project.id)).every((i) => (i.label as any)?.label?.value === 'pos')).toBe(true);
    // a third answer per item: dirty again, and the next pass of either process folds it in
    await drain(workers[2]!, project.id, () => 'neg');
    expect(await dirty(project.id)).toBe(true);
    const before = (await itemsOf(project.id)).map((i) => i.confidence!);
    expect(await other.runOnce({ debounceMs: 0 })).toEqual([project.id]);
    const after = await itemsOf(project.id);
    expect(after.map((i) => i.id)).toEqual(items);
    after.forEach((i, k) => expect(i.confidence!).toBeLessThan(before[k]!));
  });
});
