import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';
import { contextsOf, copyContexts, inRolledBack, statementsOf, submitEach } from '../../../../test/helpers/submit-batch.ts';
import type { SubmitContext, Trx } from '../work/work.hooks.ts';
import { exportsRepo } from '../exports/exports.repo.ts';
import { quickWorkers } from '../work/work-test-helpers.ts';
import { webhookSubmitBatchHook, webhookSubmitHook } from './submit-hook.ts';

// The batch form of the webhook submit hook against the single form run for each submit in turn:
// real annotations; in a rolled-back transaction their items are completed "now" (as the submit
// that stores them does), then the hook runs.

let t: TestApp;
let requester: Client;
beforeAll(async () => {
  t = await buildTestApp();
  requester = await signup(t.app, 'requester');
  await t.app.inferenceService.stop(); // its job writes labels and takes dirty marks: not under these comparisons
});
afterAll(async () => t?.close());

async function project(n: number, overlap: number) {
  const p = await createProject(requester, {
    settings: { payPerAnnotation: 0, payPerReview: 0, goldRate: 0, reviewFirstK: 0, reviewRate: 0, overlap, dynamicOverlap: { enabled: false, minAnswers: 1 } },
  });
  await insertItems(t, p.id, Array.from({ length: n }, (_, i) => ({ text: `문장 ${i}` })));
  await publish(requester, p.id);
  await exportsRepo.pseudonymKey(t.db.db, p.id); // committed: the same pseudonyms in every rolled-back run
  return p.id;
}

const subscribe = (projectId: string, events: string[]) =>
  t.db.db
    .insertInto('webhooks')
    .values({ project_id: projectId, url: 'https://example.invalid/hook', events, secret: 'secret', created_by: requester.user.id })
    .returning('id')
    .executeTakeFirstOrThrow();

/** Runs the hook (batch or loop) after completing the contexts' complete items in this transaction; returns the outbox rows it wrote. */
async function run(ctxs: SubmitContext[], batch: boolean) {
  return inRolledBack(t, async (trx, statements) => {
    const items = [...new Set(ctxs.filter((c) => c.item.state === 'complete').map((c) => c.item.id))];
    await sql`update items set completed_at = now() where id = any(${items}::bigint[])`.execute(trx);
    const cs = copyContexts(ctxs);
    const n = await statementsOf(statements, async () => {
      if (batch) await webhookSubmitBatchHook()(trx, cs);
      else for (const c of cs) await webhookSubmitHook()(trx, c);
    });
    return { n, rows: await outbox(trx, ctxs[0]!.project.id) };
  });
}

/** The deliveries of the project in the order written, each as (webhook, event, data) with the moment-dependent fields left out. */
async function outbox(trx: Trx, projectId: string) {
  const r = await sql<{ webhook_id: string; event: string; body: string }>`
    select webhook_id, event, body from webhook_deliveries where project_id = ${projectId}::uuid order by ctid`.execute(trx); // as written (the ids are uuids)
  return r.rows.map((x) => {
    const data = JSON.parse(x.body).data;
    if (data.item) delete data.item.completedAt;
    delete data.completedAt;
    return JSON.stringify({ webhook: x.webhook_id, event: x.event, data });
  });
}

describe('webhooks: the batch form of the submit hook', () => {
  it('one statement for the whole batch when the project has no webhooks', async () => {
    const pid = await project(4, 1);
    const ctxs = await contextsOf(t, await submitEach(await quickWorkers(t, 3), pid));
    const r = await run(ctxs, true);
    expect(r.value).toEqual({ n: 1, rows: [] });
  });

  it('writes the deliveries the single form writes submit by submit', async () => {
    const pid = await project(6, 1);
    const ctxs = await contextsOf(t, await submitEach(await quickWorkers(t, 4), pid));
    await subscribe(pid, ['annotation.submitted', 'item.completed', 'project.completed']);
    await subscribe(pid, ['item.completed']);
    ctxs[1]!.annotation.status = 'pending_review'; // what an earlier hook decided is reported
    const [b, l] = [await run(ctxs, true), await run(ctxs, false)];
    expect(b.value.rows.length).toBe(4 + 4 * 2);
    expect([...b.value.rows].sort()).toEqual([...l.value.rows].sort());
    expect(b.value.rows.filter((r) => r.includes('"pending_review"'))).toHaveLength(1);
    expect(b.value.rows.some((r) => r.includes('project.completed'))).toBe(false); // 2 items still open
  });

  it('reports each completed item once and the project once, even when the batch fills one item twice and completes the last items', async () => {
    const pid = await project(2, 2);
    // four workers, two answers per item: the batch completes both items, and with them the project
    const ctxs = await contextsOf(t, await submitEach(await quickWorkers(t, 4), pid));
    expect(new Set(ctxs.map((c) => c.item.id)).size).toBe(2);
    await subscribe(pid, ['annotation.submitted', 'item.completed', 'project.completed']);
    const b = await run(ctxs, true);
    const events = b.value.rows.map((r) => JSON.parse(r).event);
    expect(events.filter((e) => e === 'annotation.submitted')).toHaveLength(4);
    expect(events.filter((e) => e === 'item.completed')).toHaveLength(2);
    expect(events.filter((e) => e === 'project.completed')).toHaveLength(1);
    expect(events.at(-1)).toBe('project.completed');
    // one submit alone: as before the batch form existed
    const one = await run(ctxs.slice(3), false);
    expect(one.value.rows.map((r) => JSON.parse(r).event)).toEqual(['annotation.submitted', 'item.completed', 'project.completed']);
  });
});
