/**
 * Property-based test of the money flows on a real database: random histories of funding,
 * claims, submissions, releases, approvals, rejections, bonuses, review pay, payouts (with
 * batches, cancellations and withholding) and withdrawals — each step sometimes replayed with
 * the same cause. After every step:
 *   - every ledger transaction balances, no balance inside the platform is negative, every
 *     cached balance equals the sum of its entries, and Σ inside = deposits − outflows
 *     (the operator's reconciliation report finds no violation);
 *   - every balance of the run's projects and workers equals a simple model's, so money moved
 *     exactly as the rules say (a claim only when the budget covers pay + fee, a replay never).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWithFee, withholding } from '../../../core/money/arithmetic.ts';
import type { Db } from '../../../db/connect.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { createTestDb } from '../../../../test/helpers/db.ts';
import { ledgerRepo } from './ledger.repo.ts';
import { PaymentsService } from './payments.service.ts';
import { claimTask, makeProject, makeRequester, makeUser, moneyConfig, releaseTask, submitTask, type Task } from './test-fixtures.ts';
import { approveAnnotation, payOnSubmit, payReview, rejectAnnotation, releaseClaim, releaseReview, reserveForReview } from './work-money.ts';

const P = fc.nat(1);
const W = fc.nat(2);
const A = fc.nat(12);
const Op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('fund' as const), p: P, amount: fc.integer({ min: 1, max: 1_500 }), key: fc.option(fc.nat(2), { nil: undefined }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('claim' as const), p: P, w: W }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('submit' as const), i: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), i: fc.nat(5) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('approve' as const), a: A }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reject' as const), a: A }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('bonus' as const), a: A, amount: fc.integer({ min: 1, max: 400 }), key: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('review' as const), a: A, pay: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('payout' as const), w: W, amount: fc.integer({ min: 1, max: 400 }), key: fc.option(fc.nat(2), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('batch' as const), paid: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancelPayout' as const), i: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('withdraw' as const), p: P, amount: fc.integer({ min: 1, max: 800 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('replay' as const) }) },
);
type Op = typeof Op extends fc.Arbitrary<infer T> ? T : never;

const MIN_PAYOUT = 20;
const FEE_BP = Number(process.env.MONEY_PROPERTY_FEE_BP ?? 1000);
const WH_BP = 330;

describe('ledger invariants over random histories (property)', () => {
  let db: Db;
  let svc: PaymentsService;
  let admin: AuthUser;
  beforeAll(async () => {
    db = await createTestDb();
    svc = new PaymentsService({ db: db.db, config: moneyConfig({ minPayout: MIN_PAYOUT, platformFeePercent: 10, withholdingPercent: 3.3 }) });
    admin = await makeUser(db.db, 'admin');
  });
  afterAll(async () => db?.close());

  it('every invariant holds after every step, and money moves exactly as the model says', async () => {
    let runs = 0;
    let steps = 0;
    const moved: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 300 })),
        fc.integer({ min: 0, max: 60 }),
        fc.tuple(fc.integer({ min: 100, max: 3_000 }), fc.integer({ min: 100, max: 3_000 })),
        fc.array(Op, { minLength: 10, maxLength: 32, size: 'max' }),
        async (pays, reviewPay, initial, ops) => {
          runs++;
          const x = db.db;
          const req = await makeRequester(x);
          const projects = [await makeProject(x, req, { payPerAnnotation: pays[0], payPerReview: reviewPay }), await makeProject(x, req, { payPerAnnotation: pays[1], payPerReview: reviewPay })];
          const workers = [await makeUser(x, 'worker'), await makeUser(x, 'worker'), await makeUser(x, 'reviewer')];
          const reviewer = await makeUser(x, 'reviewer');
          for (const w of workers) await svc.setBankAccount(w, { bank: '국민은행', accountNumber: '123456789', holder: w.displayName });
          const runKey = Math.random().toString(36).slice(2);

          // ---- the model ----
          const m = {
            budget: [0, 0],
            escrow: [0, 0],
            fees: [0, 0],
            pending: [0, 0, 0],
            available: [0, 0, 0],
            open: new Map<string, { pay: number; fee: number; task: Task }>(), // `${p}|${w}` → the live task and its reserved pay/fee
            annotations: [] as { id: number; p: number; w: number; pay: number; fee: number; verdict?: 'approve' | 'reject'; review?: 'paid' | 'released' }[],
            payouts: [] as { id: string; w: number; gross: number; status: 'requested' | 'approved' | 'paid' | 'cancelled' }[],
            fundKeys: new Map<string, number>(),
            bonusKeys: new Set<string>(),
            payoutKeys: new Map<string, string>(),
          };
          const cost = (p: number) => costWithFee(projects[p]!.settings.payPerAnnotation as number, FEE_BP);
          const reviewCost = () => costWithFee(reviewPay, FEE_BP);
          const tx = <T>(f: (trx: typeof x) => Promise<T>) => x.transaction().execute((trx) => f(trx as unknown as typeof x));
          const codeOf = async (f: () => Promise<unknown>) => f().then(() => null, (e: { code?: string }) => e.code ?? String(e));

          let replay: (() => Promise<unknown>) | null = null;

          const step = async (op: Op) => {
            switch (op.t) {
              case 'fund': {
                const key = op.key === undefined ? null : `${runKey}-f${op.key}`;
                const call = () => svc.fund(req, projects[op.p]!.id, { amount: op.amount, idempotencyKey: key });
                if (key && m.fundKeys.has(key)) {
                  // Same key, maybe another amount or project: either a replay or a refused conflict; nothing moves.
                  await call().catch((e) => expect(e.code).toBe('conflict'));
                  return;
                }
                await call();
                if (key) m.fundKeys.set(key, op.amount);
                m.budget[op.p]! += op.amount;
                if (key) replay = call;
                return;
              }
              case 'claim': {
                const k = `${op.p}|${op.w}`;
                // A worker holding a live task gets it back from the work module; no new claim is made.
                if (m.open.has(k)) return;
                const task = await claimTask(x, projects[op.p]!.id, workers[op.w]!.id);
                if (m.budget[op.p]! >= cost(op.p).total) {
                  expect(task).toMatchObject({ pay: cost(op.p).pay, fee: cost(op.p).fee });
                  m.open.set(k, { pay: cost(op.p).pay, fee: cost(op.p).fee, task: task! });
                  m.budget[op.p]! -= cost(op.p).total;
                  m.escrow[op.p]! += cost(op.p).total;
                } else expect(task).toBeNull();
                return;
              }
              case 'submit': {
                // The work module only accepts a submit for a live (so reserved) task: submit one of those.
                const open = [...m.open.keys()];
                if (!open.length) return;
                const k = open[op.i % open.length]!;
                const claim = m.open.get(k)!;
                const [sp, sw] = k.split('|').map(Number) as [number, number];
                const annotationId = await submitTask(x, projects[sp]!.id, workers[sw]!.id, claim.task);
                m.open.delete(k);
                m.escrow[sp]! -= claim.pay;
                m.pending[sw]! += claim.pay;
                m.annotations.push({ id: annotationId, p: sp, w: sw, pay: claim.pay, fee: claim.fee });
                replay = () =>
                  tx((t) => payOnSubmit(t, { projectId: projects[sp]!.id, workerId: workers[sw]!.id, itemId: claim.task.itemId, assignmentId: claim.task.assignmentId, annotationId }));
                return;
              }
              case 'release': {
                const open = [...m.open.keys()];
                if (!open.length) return;
                const k = open[op.i % open.length]!;
                const claim = m.open.get(k)!;
                const [sp, sw] = k.split('|').map(Number) as [number, number];
                await releaseTask(x, projects[sp]!.id, workers[sw]!.id, claim.task);
                m.open.delete(k);
                m.escrow[sp]! -= claim.pay + claim.fee;
                m.budget[sp]! += claim.pay + claim.fee;
                replay = () => tx((t) => releaseClaim(t, { projectId: projects[sp]!.id, workerId: workers[sw]!.id, itemId: claim.task.itemId, assignmentId: claim.task.assignmentId }));
                return;
              }
              case 'approve':
              case 'reject': {
                const a = m.annotations[op.a % Math.max(1, m.annotations.length)];
                if (!a) return;
                const call = () => tx((t) => (op.t === 'approve' ? approveAnnotation(t, a.id) : rejectAnnotation(t, a.id)));
                const code = await codeOf(call);
                if (a.verdict && a.verdict !== op.t && a.pay + a.fee > 0) {
                  // (Unpaid volunteer work has nothing to settle: either verdict moves nothing.)
                  expect(code).toBe('invalid_state');
                  return;
                }
                expect(code).toBeNull();
                if (!a.verdict) {
                  a.verdict = op.t;
                  m.pending[a.w]! -= a.pay;
                  m.escrow[a.p]! -= a.fee;
                  if (op.t === 'approve') {
                    m.available[a.w]! += a.pay;
                    m.fees[a.p]! += a.fee;
                  } else m.budget[a.p]! += a.pay + a.fee;
                }
                replay = call;
                return;
              }
              case 'bonus': {
                const a = m.annotations[op.a % Math.max(1, m.annotations.length)];
                if (!a) return;
                const key = `${runKey}-b${op.key}`;
                const c = costWithFee(op.amount, FEE_BP);
                const call = () => svc.bonus(req, projects[a.p]!.id, { annotationId: a.id, amount: op.amount, reason: 'property', idempotencyKey: key });
                const code = await codeOf(call);
                if (m.bonusKeys.has(`${a.p}|${key}`)) {
                  // A used key: the earlier bonus stands, nothing moves (whatever the amount now).
                  expect(code).toBeNull();
                  return;
                }
                if (m.budget[a.p]! < c.total) {
                  expect(code).toBe('insufficient_funds');
                  return;
                }
                expect(code).toBeNull();
                m.bonusKeys.add(`${a.p}|${key}`);
                m.budget[a.p]! -= c.total;
                m.available[a.w]! += c.pay;
                m.fees[a.p]! += c.fee;
                replay = call;
                return;
              }
              case 'review': {
                const a = m.annotations[op.a % Math.max(1, m.annotations.length)];
                if (!a) return;
                const key = { projectId: projects[a.p]!.id, annotationId: a.id, reviewerId: reviewer.id };
                const rc = reviewCost();
                if (!a.review) {
                  const r = await tx((t) => reserveForReview(t, key));
                  if (rc.total === 0) {
                    expect(r.ok).toBe(true);
                  } else if (m.budget[a.p]! < rc.total) {
                    expect(r.ok).toBe(false);
                    return;
                  } else {
                    expect(r.ok).toBe(true);
                    m.budget[a.p]! -= rc.total;
                    m.escrow[a.p]! += rc.total;
                  }
                  if (op.pay) {
                    await tx((t) => payReview(t, key));
                    m.escrow[a.p]! -= rc.total;
                    m.fees[a.p]! += rc.fee;
                    reviewerAvailable += rc.pay;
                    a.review = 'paid';
                  } else {
                    await tx((t) => releaseReview(t, key));
                    m.escrow[a.p]! -= rc.total;
                    m.budget[a.p]! += rc.total;
                    a.review = 'released';
                  }
                  return;
                }
                // Reviewed before: paying or releasing again moves nothing (paying a released review is refused).
                const code = await codeOf(() => tx((t) => (op.pay ? payReview(t, key) : releaseReview(t, key))));
                if (op.pay && a.review === 'released' && rc.total > 0) expect(code).toBe('invalid_state');
                else if (!op.pay && a.review === 'paid' && rc.total > 0) expect(code).toBe('invalid_state');
                else expect(code).toBeNull();
                return;
              }
              case 'payout': {
                const w = workers[op.w]!;
                const key = op.key === undefined ? null : `${runKey}-w${op.w}-p${op.key}`;
                const call = () => svc.requestPayout(w, { amount: op.amount, idempotencyKey: key });
                const code = await codeOf(call);
                if (key && m.payoutKeys.has(key)) {
                  // A used key: the same request is answered with the earlier payout, another is refused; nothing moves.
                  const prior = m.payouts.find((p) => p.id === m.payoutKeys.get(key))!;
                  expect(code).toBe(prior.gross === op.amount ? null : op.amount < MIN_PAYOUT ? 'validation_failed' : 'conflict');
                  return;
                }
                if (op.amount < MIN_PAYOUT) {
                  expect(code).toBe('validation_failed');
                  return;
                }
                if (m.available[op.w]! < op.amount) {
                  expect(code).toBe('insufficient_funds');
                  return;
                }
                expect(code).toBeNull();
                const row = (await svc.myPayouts(w)).find((p) => !m.payouts.some((q) => q.id === p.id))!;
                expect(row).toMatchObject(withholding(op.amount, WH_BP));
                m.payouts.push({ id: row.id, w: op.w, gross: op.amount, status: 'requested' });
                if (key) m.payoutKeys.set(key, row.id);
                m.available[op.w]! -= op.amount;
                if (key) replay = call;
                return;
              }
              case 'batch': {
                if (!m.payouts.some((p) => p.status === 'requested')) return;
                const b = await svc.createBatch(admin, m.payouts.filter((p) => p.status === 'requested').map((p) => p.id));
                for (const p of m.payouts) if (p.status === 'requested') p.status = 'approved';
                if (op.paid) {
                  await svc.markBatchPaid(admin, b.id);
                  for (const p of m.payouts) if (b.payouts.some((q) => q.id === p.id)) p.status = 'paid';
                  replay = () => svc.markBatchPaid(admin, b.id);
                }
                return;
              }
              case 'cancelPayout': {
                const p = m.payouts[op.i % Math.max(1, m.payouts.length)];
                if (!p) return;
                const call = () => svc.cancelPayout(admin, p.id, 'property');
                const code = await codeOf(call);
                if (p.status === 'paid') {
                  expect(code).toBe('invalid_state');
                  return;
                }
                expect(code).toBeNull();
                if (p.status !== 'cancelled') m.available[p.w]! += p.gross;
                p.status = 'cancelled';
                replay = call;
                return;
              }
              case 'withdraw': {
                const code = await codeOf(() => svc.withdraw(req, projects[op.p]!.id, { amount: op.amount }));
                if (m.budget[op.p]! < op.amount) expect(code).toBe('insufficient_funds');
                else {
                  expect(code).toBeNull();
                  m.budget[op.p]! -= op.amount;
                }
                return;
              }
              case 'replay': {
                // The same cause again: a retried request or a replayed hook moves nothing.
                if (replay) await replay().catch(() => undefined);
                return;
              }
            }
          };

          let reviewerAvailable = 0;
          const history: Op[] = [{ t: 'fund', p: 0, amount: initial[0], key: undefined }, { t: 'fund', p: 1, amount: initial[1], key: undefined }, ...ops];
          for (const op of history) {
            steps++;
            const before = JSON.stringify([m.budget, m.escrow, m.pending, m.available, m.payouts.map((p) => p.status), reviewerAvailable]);
            await step(op);
            if (JSON.stringify([m.budget, m.escrow, m.pending, m.available, m.payouts.map((p) => p.status), reviewerAvailable]) !== before) moved[op.t] = (moved[op.t] ?? 0) + 1;
            const rec = await svc.reconciliation();
            expect(rec.violations, JSON.stringify(op)).toEqual([]);
            // Every balance of this run, from one query over all accounts, against the model.
            const facts = await ledgerRepo.allAccountFacts(x);
            const bal = (kind: string, owner: string) => facts.filter((f) => f.kind === kind && f.owner_id === owner).reduce((sum, f) => sum + f.derived, 0);
            const actual = {
              budget: projects.map((p) => bal('project_budget', p.id)),
              escrow: projects.map((p) => bal('project_committed', p.id)),
              fees: projects.map((p) => bal('platform_fees', p.id)),
              pending: workers.map((w) => bal('worker_pending', w.id)),
              available: workers.map((w) => bal('worker_available', w.id)),
              reviewer: bal('worker_available', reviewer.id),
            };
            const expected = { budget: m.budget, escrow: m.escrow, fees: m.fees, pending: m.pending, available: m.available, reviewer: reviewerAvailable };
            expect(actual, JSON.stringify(op)).toEqual(expected);
          }
        },
      ),
      {
        numRuns: Number(process.env.MONEY_PROPERTY_RUNS ?? 12),
        endOnFailure: true,
        // One history that surely walks every path, before the random ones.
        examples: [
          [
            [100, 50],
            20,
            [3_000, 3_000],
            [
              { t: 'claim', p: 0, w: 0 },
              { t: 'submit', i: 0 },
              { t: 'approve', a: 0 },
              { t: 'replay' },
              { t: 'claim', p: 0, w: 0 },
              { t: 'submit', i: 0 },
              { t: 'replay' },
              { t: 'approve', a: 1 },
              { t: 'claim', p: 0, w: 1 },
              { t: 'release', i: 0 },
              { t: 'replay' },
              { t: 'claim', p: 1, w: 1 },
              { t: 'submit', i: 0 },
              { t: 'reject', a: 2 },
              { t: 'approve', a: 2 },
              { t: 'bonus', a: 0, amount: 50, key: 0 },
              { t: 'replay' },
              { t: 'review', a: 0, pay: true },
              { t: 'review', a: 1, pay: false },
              { t: 'review', a: 1, pay: true },
              { t: 'payout', w: 0, amount: 60, key: 0 },
              { t: 'replay' },
              { t: 'payout', w: 0, amount: 30, key: undefined },
              { t: 'batch', paid: true },
              { t: 'replay' },
              { t: 'payout', w: 0, amount: 40, key: 1 },
              { t: 'cancelPayout', i: 2 },
              { t: 'replay' },
              { t: 'batch', paid: false },
              { t: 'withdraw', p: 1, amount: 100 },
              { t: 'fund', p: 0, amount: 100, key: 1 },
              { t: 'replay' },
            ],
          ],
        ],
      },
    );
    expect(runs).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(runs * 5);
    console.log("money property:", runs, "runs,", steps, "steps; steps that moved money:", JSON.stringify(moved));
    // The histories really moved money through every kind of step.
    for (const t of ['fund', 'claim', 'submit', 'release', 'approve', 'reject', 'bonus', 'review', 'payout', 'batch', 'cancelPayout', 'withdraw']) {
      expect(moved[t] ?? 0, `${t} steps that moved money`).toBeGreaterThan(0);
    }
    // About 20 s on an idle 2-core machine; the bound leaves room for a busy one.
  }, 240_000);
});
