import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleissKappa, krippendorffAlphaNominal } from '../../../core/agreement/index.ts';
import { buildTestApp, type Client, signup, type TestApp, userWithRole } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';

// Level rules small enough to reach in a test; everything else is the default.
process.env.DURE_QUALITY_RULES = JSON.stringify({
  levels: [
    { level: 2, minApproved: 2, minJudged: 2, minAccuracy: 0.5 },
    { level: 3, minApproved: 100, minJudged: 100, minAccuracy: 0.9 },
  ],
  reviewer: { minLevel: 2, minAccuracy: 0.5 },
  abuse: { checkEvery: 5, sameAnswer: { minAnswers: 10 } },
});

let t: TestApp;
let requester: Client;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
});
afterAll(async () => t?.close());

const db = () => t.db.db;
const next = (w: Client, projectId: string) => w.post(`/api/work/projects/${projectId}/next`);
const submit = (w: Client, id: number, result: unknown) => w.post(`/api/work/assignments/${id}/submit`, { result });
const item = (id: number) => db().selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const annotationsOf = (projectId: string, workerId: string) =>
  db().selectFrom('annotations').selectAll().where('project_id', '=', projectId).where('worker_id', '=', workerId).orderBy('id').execute();

async function project(settings: Record<string, unknown>, n: number, gold: Record<string, unknown>[] = [], template?: unknown) {
  const p = await createProject(requester, {
    template,
    settings: { payPerAnnotation: 0, payPerReview: 0, goldRate: 0, reviewFirstK: 0, reviewRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 }, ...settings },
  });
  const items = await insertItems(t, p.id, Array.from({ length: n }, (_, i) => ({ text: `문장 ${i}` })));
  const golds = gold.length ? await insertItems(t, p.id, gold.map((_, i) => ({ text: `정답 ${i}` })), { gold }) : [];
  await publish(requester, p.id);
  return { id: p.id, items, golds };
}

/** Claims the next task and answers it; gold items get `goldAnswer(correct)` when given. */
async function work(w: Client, projectId: string, label: string) {
  const a = await next(w, projectId);
  expect(a.statusCode).toBe(200);
  const s = await submit(w, a.json().assignment.id, { label });
  expect(s.statusCode).toBe(200);
  return { assignment: a.json().assignment, annotation: s.json().annotation };
}

function withGoldRate(app: FastifyInstance, rate: number) {
  app.workService.random = () => (rate >= 1 ? 0 : 0.999);
}

describe('gold gate', () => {
  it('removes a worker below the gold accuracy with a message, excludes their unapproved answers and offers the slots to others', async () => {
    const p = await project({ goldRate: 0.5, minGoldAccuracy: 0.7, minGoldAnswers: 5, reviewFirstK: 1 }, 4, Array.from({ length: 8 }, () => ({ label: 'pos' })));
    const [bad, good] = [await signup(t.app, 'worker'), await signup(t.app, 'worker')];
    let ordinary: Awaited<ReturnType<typeof work>>[] = [];
    try {
      withGoldRate(t.app, 0);
      ordinary = [await work(bad, p.id, 'pos'), await work(bad, p.id, 'neg')];
      expect(ordinary[0]!.annotation.status).toBe('pending_review'); // first K: queued for review
      expect((await item(ordinary[0]!.assignment.item.id)).state).toBe('complete');
      // gold answers, all wrong
      withGoldRate(t.app, 1);
      for (let i = 0; i < 5; i++) {
        const g = await work(bad, p.id, 'neg');
        expect(p.golds).toContain(g.assignment.item.id);
      }
    } finally {
      withGoldRate(t.app, 0);
    }
    const refused = await next(bad, p.id);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/removed from this project: Removed from this project: you answered 0 of 5 control questions correctly \(0%\); this project requires at least 70%/);

    const anns = await annotationsOf(p.id, bad.user.id);
    expect(anns.filter((a) => !a.is_gold).map((a) => a.status)).toEqual(['excluded', 'excluded']);
    for (const o of ordinary) expect(await item(o.assignment.item.id)).toMatchObject({ answers: 0, reserved: 0, state: 'open' });
    // the queued review of an excluded answer is withdrawn
    const reviewer = await userWithRole(t, 'reviewer');
    expect((await reviewer.post(`/api/review/projects/${p.id}/next`)).statusCode).toBe(204);
    // the freed items go to another worker
    const got = new Set<number>();
    for (let i = 0; i < 4; i++) got.add((await work(good, p.id, 'pos')).assignment.item.id);
    for (const o of ordinary) expect(got).toContain(o.assignment.item.id);

    // the removed worker sees why, with their figures
    const q = (await bad.get('/api/me/quality')).json().quality;
    expect(q.projects).toContainEqual(
      expect.objectContaining({ projectId: p.id, standing: 'removed', gold: { answered: 5, correct: 0, accuracy: 0 }, reason: expect.stringMatching(/0 of 5/) }),
    );
    const screen = (await bad.get(`/api/work/projects/${p.id}`)).json().project;
    expect(screen).toMatchObject({ canWork: false, blockedReason: expect.stringMatching(/removed/) });
  });

  it('returns the pay of the excluded answers to the budget (gold answers stay paid)', async () => {
    const p = await createProject(requester, {
      settings: { payPerAnnotation: 100, payPerReview: 0, goldRate: 0.5, minGoldAccuracy: 0.7, minGoldAnswers: 5, reviewFirstK: 0, reviewRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 } },
    });
    await insertItems(t, p.id, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    await insertItems(t, p.id, Array.from({ length: 6 }, (_, i) => ({ text: `g${i}` })), { gold: Array.from({ length: 6 }, () => ({ label: 'pos' })) });
    expect((await requester.post(`/api/projects/${p.id}/fund`, { amount: 10_000 })).statusCode).toBe(200);
    await publish(requester, p.id);
    const w = await signup(t.app, 'worker');
    try {
      withGoldRate(t.app, 0);
      await work(w, p.id, 'pos');
      await work(w, p.id, 'pos');
      expect((await w.get('/api/wallet')).json().pending).toBe(200);
      withGoldRate(t.app, 1);
      for (let i = 0; i < 5; i++) await work(w, p.id, 'neg');
    } finally {
      withGoldRate(t.app, 0);
    }
    expect((await next(w, p.id)).statusCode).toBe(403);
    // the two ordinary answers were excluded and their pay went back; the five gold answers wait for approval
    expect((await w.get('/api/wallet')).json()).toMatchObject({ pending: 500, balance: 0 });
    const budget = (await requester.get(`/api/projects/${p.id}/budget`)).json().budget;
    expect(budget.awaitingApproval).toBe(500);
  });

  it('keeps a worker at or above the threshold and records gold accuracy per skill', async () => {
    const p = await project({ goldRate: 0.5, minGoldAccuracy: 0.7, minGoldAnswers: 3 }, 2, Array.from({ length: 6 }, () => ({ label: 'pos' })));
    await requester.patch(`/api/projects/${p.id}`, { tags: ['sentiment', 'korean'] });
    const w = await signup(t.app, 'worker');
    withGoldRate(t.app, 1);
    try {
      for (const label of ['pos', 'pos', 'neg', 'pos', 'neg', 'pos']) await work(w, p.id, label);
    } finally {
      withGoldRate(t.app, 0);
    }
    expect((await next(w, p.id)).statusCode).toBe(200);
    const q = (await w.get('/api/me/quality')).json().quality;
    expect(q.projects.find((x: { projectId: string }) => x.projectId === p.id)).toMatchObject({ standing: 'active', gold: { answered: 6, correct: 4 } });
    expect(q.skills).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ skill: 'sentiment', gold: { answered: 6, correct: 4 } }),
        expect.objectContaining({ skill: 'korean', gold: { answered: 6, correct: 4 } }),
      ]),
    );
  });
});

describe('qualification test', () => {
  it('serves gold items first, fails below the pass mark, allows a retry after the cool-down, admits on a pass', async () => {
    const gold = Array.from({ length: 8 }, () => ({ label: 'pos' }));
    const p = await project({ qualification: { goldCount: 3, passMark: 0.6, cooldownHours: 2 } }, 3, gold);
    const w = await signup(t.app, 'worker');

    const blocked = await next(w, p.id);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error).toMatchObject({ message: expect.stringMatching(/qualification test first: 3 questions, pass mark 60%/), details: [{ path: '/qualification', problem: 'qualification_required' }] });
    expect((await w.get(`/api/work/projects/${p.id}/qualification`)).json().qualification).toMatchObject({ required: true, status: 'not_started', goldCount: 3, passMark: 0.6, canStart: true });

    const take = async (label: string) => {
      const r = await w.post(`/api/work/projects/${p.id}/qualification/next`);
      expect(r.statusCode).toBe(200);
      const a = r.json().assignment;
      expect(p.golds).toContain(a.item.id);
      expect(JSON.stringify(a)).not.toContain('_gold');
      // asking again returns the same question
      expect((await w.post(`/api/work/projects/${p.id}/qualification/next`)).json().assignment.id).toBe(a.id);
      expect((await submit(w, a.id, { label })).statusCode).toBe(200);
    };
    await take('pos');
    expect((await next(w, p.id)).json().error.message).toMatch(/finish this project's qualification test first \(1 of 3 answered\)/);
    await take('neg');
    await take('neg');
    const failed = (await w.post(`/api/work/projects/${p.id}/qualification/next`));
    expect(failed.statusCode).toBe(403);
    expect(failed.json().error.details).toEqual([{ path: '/qualification', problem: 'cooling_down' }]);
    const st = (await w.get(`/api/work/projects/${p.id}/qualification`)).json().qualification;
    expect(st).toMatchObject({ status: 'failed', answered: 3, correct: 1, canStart: false });
    expect(st.score).toBeCloseTo(1 / 3, 9);
    expect(new Date(st.retryAt).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect((await next(w, p.id)).json().error.message).toMatch(/you scored 33.3% on the qualification test \(pass mark 60%\); you may retry after/);

    // the cool-down passes
    await sql`update qualification_attempts set retry_at = now() - interval '1 minute' where worker_id = ${w.user.id}::uuid`.execute(db());
    await take('pos');
    await take('pos');
    await take('neg');
    const done = (await w.post(`/api/work/projects/${p.id}/qualification/next`)).json();
    expect(done.assignment).toBeNull();
    expect(done.qualification).toMatchObject({ status: 'passed', answered: 3, correct: 2 });
    // admitted: ordinary work now
    const a = await next(w, p.id);
    expect(a.statusCode).toBe(200);
    expect(p.items).toContain(a.json().assignment.item.id);
    // test answers do not count toward the gold gate
    const q = (await w.get('/api/me/quality')).json().quality;
    expect(q.projects.find((x: { projectId: string }) => x.projectId === p.id)).toMatchObject({ standing: 'qualified', gold: { answered: 0, correct: 0 } });
  });

  it('says so when the test questions run out, and when a project has no test', async () => {
    const p = await project({ qualification: { goldCount: 3, passMark: 0.6, cooldownHours: 0 } }, 1, [{ label: 'pos' }]);
    const w = await signup(t.app, 'worker');
    const a = (await w.post(`/api/work/projects/${p.id}/qualification/next`)).json().assignment;
    await submit(w, a.id, { label: 'pos' });
    const out = await w.post(`/api/work/projects/${p.id}/qualification/next`);
    expect(out.statusCode).toBe(409);
    expect(out.json().error.details).toEqual([{ path: '/qualification', problem: 'not_enough_gold' }]);
    const plain = await project({}, 1);
    expect((await w.post(`/api/work/projects/${plain.id}/qualification/next`)).statusCode).toBe(409);
    expect((await w.get(`/api/work/projects/${plain.id}/qualification`)).json().qualification).toMatchObject({ required: false });
  });
});

describe('levels', () => {
  it('promotes after approved, judged work and grants reviewer eligibility; the worker sees progress', async () => {
    const p = await project({ reviewFirstK: 5 }, 3);
    const w = await signup(t.app, 'worker');
    const reviewer = await userWithRole(t, 'reviewer', 5);
    const before = (await w.get('/api/me/quality')).json().quality;
    expect(before).toMatchObject({ level: 1, accuracy: null, reviewerEligible: false, progress: { nextLevel: 2, approved: { have: 0, need: 2 }, fraction: 0 } });
    const a1 = await work(w, p.id, 'pos');
    await reviewer.post(`/api/review/annotations/${a1.annotation.id}`, { verdict: 'approve' });
    const mid = (await w.get('/api/me/quality')).json().quality;
    expect(mid).toMatchObject({ level: 1, approved: 1, accuracy: 1, progress: { approved: { have: 1, need: 2 }, fraction: 0.5 } });
    const a2 = await work(w, p.id, 'pos');
    await reviewer.post(`/api/review/annotations/${a2.annotation.id}`, { verdict: 'approve' });
    const after = (await w.get('/api/me/quality')).json().quality;
    expect(after).toMatchObject({ level: 2, role: 'reviewer', reviewerEligible: true, levelReason: expect.stringMatching(/promoted to level 2/) });
    expect((await w.get('/api/me')).json().user).toMatchObject({ level: 2, role: 'reviewer' });
  });
});

describe('abuse flags', () => {
  const nextFrom = (w: Client, projectId: string, ip: string) =>
    t.app.inject({ method: 'POST', url: `/api/work/projects/${projectId}/next`, headers: { cookie: w.cookie }, remoteAddress: ip });

  it('flags several accounts from one address, pauses them on strong evidence, and lets the operator decide', async () => {
    const p = await project({}, 10);
    const ws = [await signup(t.app, 'worker'), await signup(t.app, 'worker'), await signup(t.app, 'worker'), await signup(t.app, 'worker')];
    const other = await signup(t.app, 'worker');
    for (const w of ws) expect((await nextFrom(w, p.id, '203.0.113.7')).statusCode).toBe(200);
    expect((await nextFrom(other, p.id, '198.51.100.1')).statusCode).toBe(200);
    expect((await nextFrom(other, p.id, '127.0.0.1')).statusCode).toBe(200); // loopback: ignored
    await t.app.qualityService.drain();

    const refused = await next(ws[0]!, p.id);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/your account is paused: Paused automatically because of unusual activity: 4 accounts worked this project from the same address/);
    expect((await next(other, p.id)).statusCode).toBe(200);
    const me = (await ws[0]!.get('/api/me/quality')).json().quality;
    expect(me).toMatchObject({ status: 'paused', statusReason: expect.stringMatching(/4 accounts/) });

    const admin = await userWithRole(t, 'admin');
    expect((await ws[0]!.get('/api/admin/flags')).statusCode).toBe(403);
    const flags = (await admin.get('/api/admin/flags?status=open')).json().flags.filter((f: { project: { id: string } | null }) => f.project?.id === p.id);
    expect(flags).toHaveLength(4);
    for (const f of flags) {
      expect(f).toMatchObject({ kind: 'shared_address', severity: 'high', autoPaused: true, evidence: { address: '203.0.113.7', accounts: 4 }, status: 'open' });
    }
    const flagOf = (w: Client) => flags.find((f: { worker: { id: string } }) => f.worker.id === w.user.id);

    // dismiss: a false alarm; the worker it paused is resumed
    const d = await admin.post(`/api/admin/flags/${flagOf(ws[0]!).id}`, { decision: 'dismiss' });
    expect(d.statusCode).toBe(200);
    expect(d.json().flag).toMatchObject({ status: 'dismissed', decision: 'dismiss', worker: { status: 'active' } });
    expect((await next(ws[0]!, p.id)).statusCode).toBe(200);
    expect((await admin.post(`/api/admin/flags/${flagOf(ws[0]!).id}`, { decision: 'ban' })).statusCode).toBe(409);
    // ban: closed with the reason
    const b = await admin.post(`/api/admin/flags/${flagOf(ws[1]!).id}`, { decision: 'ban', note: 'Multiple accounts are not allowed.' });
    expect(b.json().flag.worker).toMatchObject({ status: 'banned', statusReason: expect.stringMatching(/Closed by an operator: .*Multiple accounts are not allowed\./) });
    expect((await next(ws[1]!, p.id)).statusCode).toBe(403);
    // unpause
    expect((await admin.post(`/api/admin/flags/${flagOf(ws[2]!).id}`, { decision: 'unpause' })).json().flag.worker.status).toBe('active');
    expect((await next(ws[2]!, p.id)).statusCode).toBe(200);
    expect((await admin.post('/api/admin/flags/987654', { decision: 'dismiss' })).statusCode).toBe(404);
  });

  it('flags the same answer far more often than the crowd, with the evidence', async () => {
    const template = { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', options: ['a', 'b', 'c', 'd'] }] };
    const p = await project({ overlap: 3, dynamicOverlap: { minAnswers: 1 } }, 12, [], template);
    const crowd = [await signup(t.app, 'worker'), await signup(t.app, 'worker')];
    for (const [i, w] of crowd.entries()) for (let k = 0; k < 12; k++) await work(w, p.id, 'abcd'[(k + i) % 4]!);
    const spammer = await signup(t.app, 'worker');
    // 10 answers "a" where the crowd answers it a quarter of the time: p = 4 · 0.25^10 ≈ 4e-6
    for (let k = 0; k < 10; k++) await work(spammer, p.id, 'a');
    await t.app.qualityService.drain(); // the signals are computed just after the submit
    const admin = await userWithRole(t, 'admin');
    const flags = (await admin.get(`/api/admin/flags?workerId=${spammer.user.id}`)).json().flags;
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ kind: 'same_answer', severity: 'medium', autoPaused: false, evidence: { answer: 'a', count: 10, answers: 10, control: 'label' } });
    expect(flags[0].evidence.pValue).toBeLessThan(1e-4);
    expect((await admin.get(`/api/admin/flags?workerId=${crowd[0]!.user.id}`)).json().flags).toEqual([]);
  });
});

describe('agreement on the project page', () => {
  it("gives Fleiss' kappa and Krippendorff's alpha per categorical control", async () => {
    const p = await project({ overlap: 3, dynamicOverlap: { minAnswers: 1 } }, 2);
    const ws = [await signup(t.app, 'worker'), await signup(t.app, 'worker'), await signup(t.app, 'worker')];
    const labels = new Map<number, string[]>();
    for (const [i, w] of ws.entries()) {
      for (let k = 0; k < 2; k++) {
        const a = (await next(w, p.id)).json().assignment;
        const label = a.item.id === p.items[0] ? 'pos' : i === 2 ? 'pos' : 'neg';
        await submit(w, a.id, { label });
        labels.set(a.item.id, [...(labels.get(a.item.id) ?? []), label]);
      }
    }
    const r = await requester.get(`/api/projects/${p.id}/agreement`);
    expect(r.statusCode).toBe(200);
    const table = [
      [3, 0],
      [1, 2],
    ];
    expect(r.json().agreement).toMatchObject({ projectId: p.id, answers: 6, capped: false });
    const c = r.json().agreement.controls[0];
    expect(c).toMatchObject({ control: 'label', type: 'single_choice', scale: 'nominal', items: 2, answers: 6 });
    expect(c.fleissKappa).toBeCloseTo(fleissKappa(table).value!, 12);
    expect(c.krippendorffAlpha).toBeCloseTo(krippendorffAlphaNominal(table).value!, 12);
    // another organisation's project is not found
    const stranger = await signup(t.app, 'requester');
    expect((await stranger.get(`/api/projects/${p.id}/agreement`)).statusCode).toBe(404);
    expect((await ws[0]!.get(`/api/projects/${p.id}/agreement`)).statusCode).toBe(403);
  });
});
