/**
 * 200 simulated workers over HTTP (app.inject, all at once) claim and submit in a project whose
 * budget runs out mid-way: honest workers, workers who skip, workers who let leases expire, and
 * workers who resend every submit (the same Idempotency-Key twice at once, then again without).
 * The money must be exact: total paid never exceeds the budget by one won, the project pauses
 * itself, every accepted answer is paid exactly once, and every reservation is accounted for.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';
import { closeQuietly, quickWorkers } from '../work/work-test-helpers.ts';
import { ledgerRepo } from './ledger.repo.ts';
import { PaymentsService } from './payments.service.ts';
import { approveAnnotation, resumeFundedProjects } from './work-money.ts';
import { MACHINE_CROWD_QUALITY_RULES } from '../../../../test/helpers/crowd.ts';

// A crowd at machine speed: abuse checks run, out of reach. This test is about money.
process.env.DURE_QUALITY_RULES = MACHINE_CROWD_QUALITY_RULES;

const WORKERS = 200;
const ITEMS = 400;
const PAY = 100; // + 10% fee = 110 won a task
const COST = 110;
const BUDGET = 250 * COST + 77; // covers 250 tasks and 77 won that cover nothing
const leaseSeconds = (kind: string) => (kind === 'pglite' ? 120 : 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t && closeQuietly(t));

type Kind = 'honest' | 'skipper' | 'expirer' | 'resender';
const kindOf = (i: number): Kind => (['skipper', 'expirer', 'resender', 'resender'] as const)[i % 10] ?? 'honest';

it(`${WORKERS} workers into a budget that runs out mid-way: never a won more than the budget, every accepted answer paid once`, async () => {
  const started = Date.now();
  const requester = await signup(t.app, 'requester');
  const lease = leaseSeconds(t.db.kind);
  const project = await createProject(requester, { settings: { payPerAnnotation: PAY, overlap: 1, goldRate: 0, leaseSeconds: lease, dynamicOverlap: { minAnswers: 1 } } });
  await insertItems(t, project.id, Array.from({ length: ITEMS }, (_, i) => ({ text: `문장 ${i}` })));
  const funded = await requester.post(`/api/projects/${project.id}/fund`, { amount: BUDGET });
  expect(funded.json().budget).toMatchObject({ balance: BUDGET, costPerTask: COST, tasksCovered: 250 });
  await publish(requester, project.id);
  const workers = await quickWorkers(t, WORKERS);

  const accepted = new Map<number, { worker: string; assignmentId: number }>();
  const stats = { claims: 0, submits200: 0, replays: 0, skips: 0, expired: 0, empty204: 0, expired409: 0, slow409: 0, pausedSeen: false };

  const record = (w: Client, a: { id: number }, res: Awaited<ReturnType<Client['post']>>) => {
    if (res.statusCode === 409 && res.json().error.code === 'lease_expired') {
      stats.slow409++; // a round trip slower than the lease under load: not accepted, so not paid
      return;
    }
    expect(res.statusCode, `${res.body} ${t.serverErrors.slice(-3).join('\n')}`).toBe(200);
    const ann = res.json().annotation;
    const prior = accepted.get(ann.id);
    if (prior) {
      expect(prior).toEqual({ worker: w.user.id, assignmentId: a.id });
      stats.replays++;
    } else {
      accepted.set(ann.id, { worker: w.user.id, assignmentId: a.id });
      stats.submits200++;
    }
  };

  async function run(w: Client, i: number) {
    const kind = kindOf(i);
    let n = 0;
    let empties = 0;
    while (empties < 3) {
      const r = await w.post(`/api/work/projects/${project.id}/next`);
      if (r.statusCode === 204 || r.statusCode === 409) {
        // 204: nothing for you now (the budget is spent); 409: the project is paused.
        if (r.statusCode === 409) stats.pausedSeen = true;
        stats.empty204++;
        empties++;
        await sleep(100);
        continue;
      }
      expect(r.statusCode, `${r.body} ${t.serverErrors.slice(-3).join('\n')}`).toBe(200);
      empties = 0;
      const a = r.json().assignment;
      stats.claims++;
      n++;
      const url = `/api/work/assignments/${a.id}/submit`;
      const body = { result: { label: a.item.id % 2 ? 'pos' : 'neg' } };
      if (kind === 'skipper' && n % 3 === 1) {
        const skipped = await w.post(`/api/work/assignments/${a.id}/skip`);
        expect(skipped.statusCode, `${skipped.body} ${t.serverErrors.slice(-3).join('\n')}`).toBe(204);
        stats.skips++;
        continue;
      }
      if (kind === 'expirer' && n % 3 === 1) {
        stats.expired++;
        if (t.db.kind === 'pglite') await t.db.db.updateTable('assignments').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', a.id).execute();
        else await sleep(lease * 1000 + 150);
        const late = await w.post(url, body);
        expect(late.statusCode, `${late.body} ${t.serverErrors.slice(-3).join('\n')}`).toBe(409);
        stats.expired409++;
        continue;
      }
      if (kind === 'resender') {
        const key = { 'idempotency-key': `${w.user.id}-${a.id}` };
        const rs = await Promise.all([w.post(url, body, key), w.post(url, body, key)]);
        for (const res of rs) record(w, a, res);
        record(w, a, await w.post(url, body));
        continue;
      }
      record(w, a, await w.post(url, body));
    }
  }

  await Promise.all(workers.map((w, i) => run(w, i)));
  // Leases walked away from end; the money sweeper's safety net resumes a project a lost wake-up
  // left paused (a release committing while a claim paused it); then one last worker drains
  // whatever the releases gave back.
  await t.app.workService.expire();
  await resumeFundedProjects(t.db.db);
  const [last] = await quickWorkers(t, 1);
  await run(last!, 0);
  await t.app.workService.expire();
  const elapsed = (Date.now() - started) / 1000;

  const db = t.db.db;
  const svc = new PaymentsService({ db, config: t.config });
  const anns = await db.selectFrom('annotations').select(['id', 'item_id', 'worker_id']).where('project_id', '=', project.id).execute();
  const n = anns.length;
  const budget = await svc.budgetOf(db, project.id);
  const proj = await db.selectFrom('projects').select(['status', 'status_reason']).where('id', '=', project.id).executeTakeFirstOrThrow();
  console.log(
    `[money concurrency] ${t.db.kind}: ${elapsed.toFixed(1)} s; ${n} answers paid of ${ITEMS} items, budget ${BUDGET} → balance ${budget.balance}, committed ${budget.committed}, project ${proj.status}`,
    stats,
  );

  // Every accepted answer is stored once and its pay is pending, exactly once.
  expect(new Set(anns.map((a) => a.id))).toEqual(new Set(accepted.keys()));
  const submits = await db.selectFrom('ledger_transactions').select(['ref', 'meta']).where('project_id', '=', project.id).where('kind', '=', 'submit').execute();
  expect(submits).toHaveLength(n);
  expect(new Set(submits.map((s) => s.ref))).toEqual(new Set(anns.map((a) => `i${a.item_id}:w${a.worker_id}`)));
  const perWorker = new Map<string, number>();
  for (const a of anns) perWorker.set(a.worker_id, (perWorker.get(a.worker_id) ?? 0) + 1);
  for (const [worker, count] of perWorker) {
    const acc = await ledgerRepo.findAccount(db, 'worker_pending', worker);
    expect(await ledgerRepo.balance(db, acc!.id)).toBe(count * PAY);
  }

  // Never a won more than the budget: what the answers cost plus what is left is the budget, exactly.
  expect(n).toBeGreaterThan(200);
  expect(n).toBeLessThan(ITEMS);
  expect(n * COST).toBeLessThanOrEqual(BUDGET);
  expect(budget).toMatchObject({ deposited: BUDGET, balance: BUDGET - n * COST, committed: n * COST, awaitingApproval: n * PAY, spent: 0 });
  // No reservation is left open: the escrow holds exactly the fee of each answer awaiting its verdict.
  const terms = (await ledgerRepo.projectTerms(db, project.id))!;
  expect(await ledgerRepo.derivedBalance(db, terms.committed_account)).toBe(n * (COST - PAY));
  // The budget cannot cover another task, so the project has paused itself and says why.
  expect(budget.balance).toBeLessThan(COST);
  expect(proj.status).toBe('paused');
  expect(proj.status_reason).toMatch(/예산|budget/);
  expect(stats.replays).toBeGreaterThan(0);
  expect(stats.skips + stats.expired).toBeGreaterThan(0);

  // Approving everything spends exactly what was reserved, and the books reconcile.
  for (const a of anns) await db.transaction().execute((trx) => approveAnnotation(trx, a.id));
  expect(await svc.budgetOf(db, project.id)).toMatchObject({ balance: BUDGET - n * COST, committed: 0, spent: n * COST, fees: n * (COST - PAY) });
  const rec = await svc.reconciliation();
  expect(rec.violations).toEqual([]);
}, 300_000);
