import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';
import { contextsOf, copyContexts, inRolledBack, statementsOf, submitEach } from '../../../../test/helpers/submit-batch.ts';
import type { SubmitContext, Trx } from '../work/work.hooks.ts';
import { quickWorkers } from '../work/work-test-helpers.ts';

// The batch form of the inference submit hook against the single form run for each submit in
// turn, each in a rolled-back transaction.

let t: TestApp;
let requester: Client;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
  await t.app.inferenceService.stop(); // its job writes labels and takes dirty marks: not under these comparisons
});
afterAll(async () => t?.close());

describe('inference: the batch form of the submit hook', () => {
  it('marks the project dirty once for the whole batch, leaving the mark the single form leaves', async () => {
    const p = await createProject(requester, { settings: { payPerAnnotation: 0, goldRate: 0, reviewFirstK: 0, reviewRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 } } });
    await insertItems(t, p.id, Array.from({ length: 6 }, (_, i) => ({ text: `문장 ${i}` })));
    await publish(requester, p.id);
    const ctxs = await contextsOf(t, await submitEach(await quickWorkers(t, 4), p.id));
    const inference = t.app.inferenceService;
    const mark = (trx: Trx) =>
      sql<{ project_id: string; now: boolean }>`select project_id, (since = now()) as now from inference_dirty where project_id = ${p.id}::uuid`
        .execute(trx)
        .then((r) => r.rows);

    const run = (batch: boolean, marked: boolean) =>
      inRolledBack(t, async (trx, statements) => {
        await sql`delete from inference_dirty where project_id = ${p.id}::uuid`.execute(trx);
        if (marked) await sql`insert into inference_dirty (project_id, since) values (${p.id}::uuid, '-infinity')`.execute(trx);
        const cs: SubmitContext[] = copyContexts(ctxs);
        const n = await statementsOf(statements, async () => {
          if (batch) await inference.onSubmitBatch(trx, cs);
          else for (const c of cs) await inference.onSubmit(trx, c);
        });
        return { n, rows: await mark(trx) };
      });

    // no mark yet: a look and an insert, once
    const [b, l] = [await run(true, false), await run(false, false)];
    expect(b.value.rows).toEqual([{ project_id: p.id, now: true }]);
    expect(b.value.rows).toEqual(l.value.rows);
    expect(b.value.n).toBe(2);
    expect(l.value.n).toBe(2 + 3);
    // marked already (the usual case under load): one statement, the mark left as it was
    const [b2, l2] = [await run(true, true), await run(false, true)];
    expect(b2.value.rows).toEqual([{ project_id: p.id, now: false }]);
    expect(b2.value.rows).toEqual(l2.value.rows);
    expect(b2.value.n).toBe(1);
    // an empty batch does nothing
    expect((await inRolledBack(t, (trx) => inference.onSubmitBatch(trx, []))).statements).toBe(0);
  });
});
