import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';
import type { SubmitContext, Trx } from '../work/work.hooks.ts';
import { quickWorkers } from '../work/work-test-helpers.ts';
import { ReviewService } from './review.service.ts';
import { contextsOf, copyContexts, inRolledBack, seeded, statementsOf, submitEach } from '../../../../test/helpers/submit-batch.ts';

// The batch form of the review submit hook against the single form run for each submit in turn:
// the same inputs (real annotations, the same seeded draws), each run in a rolled-back transaction.

let t: TestApp;
let requester: Client;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
});
afterAll(async () => t?.close());

/** A volunteer project whose own settings sample nothing (the contexts carry the settings under test). */
async function project(n: number, gold: Record<string, unknown>[] = []) {
  const p = await createProject(requester, {
    settings: { payPerAnnotation: 0, payPerReview: 0, goldRate: gold.length ? 0.5 : 0, reviewFirstK: 0, reviewRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 } },
  });
  await insertItems(t, p.id, Array.from({ length: n }, (_, i) => ({ text: `문장 ${i}` })));
  if (gold.length) await insertItems(t, p.id, gold.map((_, i) => ({ text: `정답 ${i}` })), { gold });
  await publish(requester, p.id);
  return p.id;
}

/** What the hook leaves: the project's annotation statuses and review tasks, and each context's status. */
async function outcome(trx: Trx, projectId: string, ctxs: SubmitContext[]) {
  const annotations = await sql<{ id: number; status: string }>`
    select id, status from annotations where project_id = ${projectId}::uuid order by id`.execute(trx);
  const tasks = await sql<{ annotation_id: number; author_id: string; kind: string; reason: string; status: string; first_task_id: number | null }>`
    select annotation_id, author_id, kind, reason, status, first_task_id from review_tasks where project_id = ${projectId}::uuid order by id`.execute(trx);
  return { annotations: annotations.rows, tasks: tasks.rows, ctx: ctxs.map((c) => [c.annotation.id, c.annotation.status]) };
}

const memo = (s: ReviewService) => [...(s as unknown as { reachedFirstK: Map<string, number> }).reachedFirstK.entries()].sort();

describe('review: the batch form of the submit hook', () => {
  it('leaves the database, the contexts, the draws and the first-K memo as the single form run for each submit in turn', async () => {
    const pid = await project(60, [{ label: 'pos' }]);
    const ws = await quickWorkers(t, 6);
    // Earlier answers per worker: 0, 1, 2, 3, 5, 7 (first-K below is 3).
    const earlier = [0, 1, 2, 3, 5, 7];
    for (let round = 0; round < 7; round++) await submitEach(ws.filter((_, i) => earlier[i]! > round), pid);
    t.app.workService.random = () => 0.999; // no gold
    const batch1 = await submitEach(ws, pid); // one answer each: the batch under test
    const batch2 = await submitEach(ws, pid); // the next one each: a second batch, with the memo warm
    t.app.workService.random = () => 0; // gold
    const [goldAnnotation] = await submitEach([(await quickWorkers(t, 1))[0]!], pid);
    t.app.workService.random = Math.random;
    expect((await contextsOf(t, [goldAnnotation!]))[0]!.item.isGold).toBe(true);

    const settings = { reviewFirstK: 3, reviewRate: 0.5 };
    const base1 = await contextsOf(t, [...batch1, goldAnnotation!], settings);
    base1[1]!.assignment.kind = 'rework'; // a resubmitted rework: always reviewed, no count
    const base2 = await contextsOf(t, batch2, settings);

    for (const seed of [1, 2, 3, 4, 5]) {
      const run = (batch: boolean) =>
        inRolledBack(t, async (trx, statements) => {
          const r = seeded(seed);
          const svc = new ReviewService({ db: t.db.db, log: t.app.log }, t.app.qualityService, { random: r.random, autoApproveIntervalMs: 0 });
          const [c1, c2] = [copyContexts(base1), copyContexts(base2)];
          const go = async (cs: SubmitContext[]) => {
            if (batch) await svc.onSubmitBatch(trx, cs);
            else for (const c of cs) await svc.onSubmit(trx, c);
          };
          const n1 = await statementsOf(statements, () => go(c1));
          const n2 = await statementsOf(statements, () => go(c2));
          return { first: await outcome(trx, pid, c1), second: await outcome(trx, pid, c2), draws: r.draws(), memo: memo(svc), n1, n2 };
        });
      const [b, l] = [await run(true), await run(false)];
      const { n1, n2, ...same } = b.value;
      expect(same).toEqual({ first: l.value.first, second: l.value.second, draws: l.value.draws, memo: l.value.memo });
      // the gold answer takes no draw; the rework is reviewed; the worker with no earlier answer is in its first K
      expect(b.value.draws).toBe(12);
      expect(b.value.first.ctx[1]![1]).toBe('pending_review');
      expect(b.value.first.ctx[0]![1]).toBe('pending_review');
      expect(b.value.first.ctx[6]![1]).toBe('submitted');
      expect(b.value.first.tasks.length).toBeGreaterThan(0);
      // batch 1: one count (5 workers not known past first-K) + one mark-and-enqueue; batch 2: the
      // workers counted at ≥ 3 are remembered, the others counted again in one statement.
      expect(n1).toBe(2);
      expect(n2).toBeLessThanOrEqual(2);
      expect(l.value.n1).toBeGreaterThan(n1);
    }
  });

  it('costs no statement when nothing is sampled and every worker is known past first-K', async () => {
    const pid = await project(20);
    const ws = await quickWorkers(t, 4);
    for (let round = 0; round < 3; round++) await submitEach(ws, pid);
    const last = await submitEach(ws, pid);
    const settings = { reviewFirstK: 2, reviewRate: 0.1 };
    const base = await contextsOf(t, last, settings);
    const svc = new ReviewService({ db: t.db.db, log: t.app.log }, t.app.qualityService, { random: () => 0.99, autoApproveIntervalMs: 0 });
    const r = await inRolledBack(t, async (trx, statements) => {
      const first = await statementsOf(statements, () => svc.onSubmitBatch(trx, copyContexts(base)));
      const again = await statementsOf(statements, () => svc.onSubmitBatch(trx, copyContexts(base)));
      return { first, again };
    });
    expect(r.value).toEqual({ first: 1, again: 0 });
    // no sampling at all in the project: nothing read, nothing drawn
    const none = await inRolledBack(t, async (trx, statements) =>
      statementsOf(statements, () => svc.onSubmitBatch(trx, copyContexts(base).map((c) => ({ ...c, project: { ...c.project, settings: { ...c.project.settings, reviewFirstK: 0, reviewRate: 0 } } })))),
    );
    expect(none.statements).toBe(0);
  });
});
