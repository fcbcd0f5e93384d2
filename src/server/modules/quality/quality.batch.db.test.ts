import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../core/app-error.ts';
import { DEFAULT_QUALITY_RULES } from '../../../core/quality/index.ts';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';
import { contextsOf, copyContexts, inRolledBack, statementsOf, submitEach } from '../../../../test/helpers/submit-batch.ts';
import type { SubmitContext, Trx } from '../work/work.hooks.ts';
import { quickWorkers } from '../work/work-test-helpers.ts';
import { QualityService } from './quality.service.ts';

// The batch forms of the quality hooks against the single forms run for each submit (claim) in
// turn: the same real annotations, each run in a rolled-back transaction.

let t: TestApp;
let requester: Client;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
});
afterAll(async () => t?.close());

const CHECK_EVERY = 3;

/** A QualityService with abuse checks every 3rd answer and a quick gold gate, whose checks are recorded instead of run. */
function service() {
  const q = new QualityService({ db: t.db.db, log: t.app.log }, { ...DEFAULT_QUALITY_RULES, gold: { falseRemovalRate: 0.5 }, abuse: { ...DEFAULT_QUALITY_RULES.abuse, checkEvery: CHECK_EVERY } }, t.app.workService);
  const checks: string[] = [];
  vi.spyOn(q as unknown as { checkAbuse: (trx: unknown, p: { id: string }, w: string) => Promise<void> }, 'checkAbuse').mockImplementation(async (_trx, p, w) => {
    checks.push(`${p.id}:${w}`);
  });
  return { q, checks };
}

async function project(n: number, gold: Record<string, unknown>[] = [], extra: Record<string, unknown> = {}) {
  const p = await createProject(requester, {
    settings: { payPerAnnotation: 0, payPerReview: 0, goldRate: gold.length ? 0.5 : 0, reviewFirstK: 0, reviewRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 }, minGoldAnswers: 1, minGoldAccuracy: 0.9, ...extra },
  });
  await requester.patch(`/api/projects/${p.id}`, { tags: ['sentiment'] });
  await insertItems(t, p.id, Array.from({ length: n }, (_, i) => ({ text: `문장 ${i}` })));
  if (gold.length) await insertItems(t, p.id, gold.map((_, i) => ({ text: `정답 ${i}` })), { gold });
  await publish(requester, p.id);
  return p.id;
}

/** The figures the hook writes, for the project's workers (timestamps aside). */
async function figures(trx: Trx, projectId: string, ctxs: SubmitContext[]) {
  const workers = ctxs.map((c) => c.workerId);
  const pq = await sql`
    select worker_id, answers, gold_answered, gold_correct, reviews_approved, reviews_rejected
    from worker_project_quality where project_id = ${projectId}::uuid order by worker_id`.execute(trx);
  const wq = await sql`
    select worker_id, approved, gold_answered, gold_correct, since_judged, since_correct
    from worker_quality where worker_id = any(${workers}::uuid[]) order by worker_id`.execute(trx);
  const sq = await sql`
    select worker_id, skill, gold_answered, gold_correct from worker_skill_quality where worker_id = any(${workers}::uuid[]) order by worker_id, skill`.execute(trx);
  const pw = await sql`select worker_id, status, reason from project_workers where project_id = ${projectId}::uuid order by worker_id`.execute(trx);
  const an = await sql`select id, status from annotations where project_id = ${projectId}::uuid order by id`.execute(trx);
  return { pq: pq.rows, wq: wq.rows, sq: sq.rows, pw: pw.rows, an: an.rows, ctx: ctxs.map((c) => c.annotation.status) };
}

describe('quality: the batch form of the submit hook', () => {
  it('counts ordinary answers in one statement and schedules the same abuse checks; gold answers as the single form', async () => {
    const pid = await project(80, [{ label: 'pos' }, { label: 'pos' }]);
    const ws = await quickWorkers(t, 7);
    // answers before the batch's (counted by their own submit as well): 0 (no row left), 1, 2, 4, 4, 7;
    // the 7th worker's batch answer is a wrong gold answer
    const earlier = [0, 1, 2, 4, 4, 7, 1];
    t.app.workService.random = () => 0.999;
    for (let round = 0; round < 8; round++) await submitEach(ws.filter((_, i) => earlier[i]! > round), pid);
    const plain = await submitEach(ws.slice(0, 6), pid);
    t.app.workService.random = () => 0;
    const [gold] = await submitEach([ws[6]!], pid, 'neg');
    t.app.workService.random = Math.random;
    await sql`delete from worker_project_quality where project_id = ${pid}::uuid and worker_id = ${ws[0]!.user.id}::uuid`.execute(t.db.db);
    const base = await contextsOf(t, [plain[0]!, plain[1]!, gold!, ...plain.slice(2)]);
    expect(base[2]!.item.isGold).toBe(true);
    expect(base[2]!.annotation.goldCorrect).toBe(false);
    base[4]!.assignment.kind = 'rework'; // a rework counts nothing

    const run = async (batch: boolean) => {
      const { q, checks } = service();
      const r = await inRolledBack(t, async (trx, statements) => {
        const cs = copyContexts(base);
        const n = await statementsOf(statements, async () => {
          if (batch) await q.onSubmitBatch(trx, cs);
          else for (const c of cs) await q.onSubmit(trx, c);
        });
        return { ...(await figures(trx, pid, cs)), n };
      });
      await q.drain();
      return { ...r.value, checks: checks.sort() }; // the checks run concurrently, in no set order
    };
    const [b, l] = [await run(true), await run(false)];
    const { n: nb, ...bs } = b;
    const { n: nl, ...ls } = l;
    expect(bs).toEqual(ls);
    // counted again here: the workers at 2, 5 and 8 reach 3, 6 and 9; the 4th worker's is a rework (not counted)
    expect(b.checks).toEqual([ws[1]!.user.id, ws[4]!.user.id, ws[5]!.user.id].map((w) => `${pid}:${w}`).sort());
    // the wrong gold answer (their second) removed its worker
    expect(b.pw).toContainEqual(expect.objectContaining({ worker_id: ws[6]!.user.id, status: 'removed' }));
    expect(b.pq).toContainEqual(expect.objectContaining({ worker_id: ws[0]!.user.id, answers: 1 }));
    // one statement for the five ordinary answers, then the gold answer's own statements
    const goldOnly = await inRolledBack(t, async (trx, statements) => {
      const { q } = service();
      return statementsOf(statements, () => q.onSubmit(trx, copyContexts(base)[2]!));
    });
    expect(nb).toBe(1 + goldOnly.value);
    expect(nl).toBe(5 + goldOnly.value);
  });

  it('ordinary new answers only: exactly one statement', async () => {
    const pid = await project(10);
    const ws = await quickWorkers(t, 4);
    const base = await contextsOf(t, await submitEach(ws, pid));
    const { q } = service();
    const r = await inRolledBack(t, (trx) => q.onSubmitBatch(trx, copyContexts(base)));
    expect(r.statements).toBe(1);
  });
});

describe('quality: the batch form of the claim guard', () => {
  it('reads nothing in a project without a qualification test', async () => {
    const pid = await project(3);
    const ws = await quickWorkers(t, 3);
    const [c] = await contextsOf(t, await submitEach(ws.slice(0, 1), pid));
    const { q } = service();
    const r = await inRolledBack(t, (trx) => q.claimBatchGuard(trx, c!.project, ws.map((w) => w.user.id)));
    expect(r.statements).toBe(0);
  });

  it('with a qualification test: lets qualified workers through and refuses as the single guard does', async () => {
    const pid = await project(3);
    const ws = await quickWorkers(t, 3);
    const [c] = await contextsOf(t, await submitEach(ws.slice(0, 1), pid), { qualification: { goldCount: 2, passMark: 0.5, cooldownHours: 1 } });
    for (const w of ws.slice(0, 2)) await t.app.workService.setProjectWorker(pid, w.user.id, 'qualified', 'passed');
    const { q } = service();
    const ok = await inRolledBack(t, (trx) => q.claimBatchGuard(trx, c!.project, ws.slice(0, 2).map((w) => w.user.id)));
    expect(ok.statements).toBe(2);
    const refused = async (fn: (trx: Trx) => unknown) => {
      try {
        await inRolledBack(t, fn);
      } catch (e) {
        return e;
      }
      return null;
    };
    const single = await refused((trx) => q.claimGuard(trx, c!.project, ws[2]!.user.id));
    const batch = await refused((trx) => q.claimBatchGuard(trx, c!.project, ws.map((w) => w.user.id)));
    expect(single).toBeInstanceOf(AppError);
    expect(batch).toEqual(single);
  });
});
