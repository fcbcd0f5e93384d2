import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signup, type TestApp, userWithRole } from '../../../../test/helpers/app.ts';
import { createProject, insertItems, publish } from '../../../../test/helpers/factories.ts';
import { doTask } from './test-fixtures.ts';
import { approveAnnotation } from './work-money.ts';

describe('money over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t?.close());

  /** Gives a worker `n` approved tasks of the project, as the work and review modules would. */
  async function earn(projectId: string, workerId: string, n: number) {
    for (let i = 0; i < n; i++) {
      const { annotationId } = await doTask(t.db.db, projectId, workerId, { durationMs: 20_000 });
      await t.db.db.transaction().execute((trx) => approveAnnotation(trx, annotationId));
    }
  }

  it('funds a project and reports its budget; only its organisation may', async () => {
    const r = await signup(t.app, 'requester');
    const other = await signup(t.app, 'requester');
    const w = await signup(t.app, 'worker');
    const p = await createProject(r, { settings: { payPerAnnotation: 50 } });
    const res = await r.post(`/api/projects/${p.id}/fund`, { amount: 100_000 });
    expect(res.statusCode).toBe(200);
    expect(res.json().budget).toMatchObject({ balance: 100_000, committed: 0, spent: 0, deposited: 100_000, pending: 0, costPerTask: 55, currency: 'KRW' });
    expect(res.json().deposit).toMatchObject({ status: 'confirmed', amount: 100_000 });
    // Retried with the same Idempotency-Key: funded once.
    await r.post(`/api/projects/${p.id}/fund`, { amount: 5_000 }, { 'idempotency-key': 'abc' });
    const again = await r.post(`/api/projects/${p.id}/fund`, { amount: 5_000 }, { 'idempotency-key': 'abc' });
    expect(again.json().budget.balance).toBe(105_000);

    expect((await other.post(`/api/projects/${p.id}/fund`, { amount: 1_000 })).statusCode).toBe(404);
    expect((await w.post(`/api/projects/${p.id}/fund`, { amount: 1_000 })).statusCode).toBe(403);
    expect((await r.post(`/api/projects/${p.id}/fund`, { amount: 0 })).statusCode).toBe(400);
    expect((await r.post(`/api/projects/${p.id}/fund`, { amount: 10.5 })).statusCode).toBe(400);

    const wallet = (await r.get('/api/wallet')).json();
    expect(wallet).toMatchObject({ kind: 'organisation', balance: 0, pending: 0 });
    expect(wallet.entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount])).toContainEqual(['allocate', -100_000]);

    const b = await r.get(`/api/projects/${p.id}/budget`);
    expect(b.json()).toMatchObject({ budget: { balance: 105_000 }, pay: { payPerAnnotation: 50, effectiveHourlyPay: null, minimumWage: 10_320 } });
    expect((await other.get(`/api/projects/${p.id}/budget`)).statusCode).toBe(404);

    const wd = await r.post(`/api/projects/${p.id}/withdraw`, { amount: 5_000 });
    expect(wd.json().budget.balance).toBe(100_000);
    expect((await r.get('/api/wallet')).json().balance).toBe(5_000);
    const fromFunds = await r.post(`/api/projects/${p.id}/fund`, { amount: 5_000, source: 'org_funds' });
    expect(fromFunds.json().budget.balance).toBe(105_000);
    expect((await r.post(`/api/projects/${p.id}/fund`, { amount: 1, source: 'org_funds' })).json().error.code).toBe('insufficient_funds');
  });

  it('hands out no work a budget cannot pay for: an unfunded project pauses itself on the first claim and resumes when funded', async () => {
    const r = await signup(t.app, 'requester');
    const w = await signup(t.app, 'worker');
    const p = await createProject(r, { settings: { payPerAnnotation: 1_000, overlap: 1, goldRate: 0 } });
    await insertItems(t, p.id, [{ text: '하나' }, { text: '둘' }]);
    await publish(r, p.id, { fund: false });
    expect((await w.post(`/api/work/projects/${p.id}/next`)).statusCode).toBe(204);
    // The pause is written just after the refused claim, in a transaction of its own.
    await expect.poll(async () => (await r.get(`/api/projects/${p.id}`)).json().project.status).toBe('paused');
    const paused = (await r.get(`/api/projects/${p.id}`)).json().project;
    // Never funded: no cost is quoted (the fee rate is fixed at the first funding).
    expect(paused.statusReason).toContain('아직 예산이 충전되지 않았습니다');
    expect(paused.statusReason).toContain('fund the project to resume');

    // One task costs 1,100 with the fee: 1,099 won is not enough to resume.
    expect((await r.post(`/api/projects/${p.id}/fund`, { amount: 1_099 })).statusCode).toBe(200);
    expect((await r.get(`/api/projects/${p.id}`)).json().project.status).toBe('paused');
    expect((await r.post(`/api/projects/${p.id}/fund`, { amount: 1 })).statusCode).toBe(200);
    expect((await r.get(`/api/projects/${p.id}`)).json().project).toMatchObject({ status: 'active', statusReason: null });

    // Exactly one task's worth: one claim, which reserves it all and pauses the project again,
    // now quoting the cost of a task with its fee.
    const claim = await w.post(`/api/work/projects/${p.id}/next`);
    expect(claim.statusCode).toBe(200);
    expect((await r.get(`/api/projects/${p.id}/budget`)).json().budget).toMatchObject({ balance: 0, committed: 1_100 });
    const again = (await r.get(`/api/projects/${p.id}`)).json().project;
    expect(again.status).toBe('paused');
    expect(again.statusReason).toContain('다음 작업 비용 1,100원, 남은 예산 0원');
    const other = await signup(t.app, 'worker');
    expect((await other.post(`/api/work/projects/${p.id}/next`)).statusCode).toBe(409);
    // The task already claimed is paid for: its submit is accepted and its pay is pending.
    const submitted = await w.post(`/api/work/assignments/${claim.json().assignment.id}/submit`, { result: { label: 'pos' } });
    expect(submitted.statusCode).toBe(200);
    expect((await w.get('/api/wallet')).json()).toMatchObject({ pending: 1_000, balance: 0 });
  });

  it('adds money and fair-pay figures to the project stats', async () => {
    const r = await signup(t.app, 'requester');
    const w = await signup(t.app, 'worker');
    const p = await createProject(r, { settings: { payPerAnnotation: 50, overlap: 2, goldRate: 0, reviewRate: 0 } });
    await insertItems(t, p.id, Array.from({ length: 10 }, (_, i) => ({ text: `s${i}` })));
    await r.post(`/api/projects/${p.id}/fund`, { amount: 10_000 });
    await earn(p.id, w.user.id, 5); // 20 s each: 50 won / 20 s = 9,000 won/h
    const s = (await r.get(`/api/projects/${p.id}/stats`)).json();
    expect(s).toMatchObject({
      spent: 275,
      budget: 10_000 - 275,
      committed: 0,
      projectedCostToFinish: 20 * 55,
      effectiveHourlyPay: 9_000,
      belowMinimumWage: true,
      minimumWage: 10_320,
    });
  });

  it('keeps a deposit pending until an operator confirms it (manual bank transfer)', async () => {
    const m = await buildTestApp({}, { DURE_AUTO_CONFIRM_DEPOSITS: 'false' });
    try {
      const r = await signup(m.app, 'requester');
      const admin = await userWithRole(m, 'admin');
      const p = await createProject(r);
      const res = await r.post(`/api/projects/${p.id}/fund`, { amount: 300_000 });
      expect(res.statusCode).toBe(200);
      expect(res.json().budget).toMatchObject({ balance: 0, pending: 300_000 });
      const dep = res.json().deposit;
      expect(dep).toMatchObject({ status: 'pending', provider: 'manual_bank_transfer' });
      expect(dep.instructions).toContain(dep.reference);
      expect((await r.post(`/api/admin/deposits/${dep.id}/confirm`)).statusCode).toBe(403);
      const list = (await admin.get('/api/admin/deposits?status=pending')).json().deposits;
      expect(list.map((d: { id: string }) => d.id)).toContain(dep.id);
      const ok = await admin.post(`/api/admin/deposits/${dep.id}/confirm`);
      expect(ok.json().deposit.status).toBe('confirmed');
      expect((await r.get(`/api/projects/${p.id}/budget`)).json().budget).toMatchObject({ balance: 300_000, pending: 0 });
      const org = await r.post('/api/wallet/deposits', { amount: 7_000 });
      expect(org.statusCode).toBe(201);
      expect(org.json().funds).toMatchObject({ balance: 0, pending: 7_000 });
      expect((await admin.post(`/api/admin/deposits/${org.json().deposit.id}/cancel`)).json().deposit.status).toBe('cancelled');
      expect((await admin.get('/api/admin/reconciliation')).json()).toMatchObject({ balanced: true, deposits: 300_000, insideTotal: 300_000 });
    } finally {
      await m.close();
    }
  });

  it('runs bonuses and payouts end to end, with a CSV for the bank', async () => {
    const r = await signup(t.app, 'requester');
    const w = await signup(t.app, 'worker');
    const admin = await userWithRole(t, 'admin');
    const p = await createProject(r, { settings: { payPerAnnotation: 3_000 } });
    await r.post(`/api/projects/${p.id}/fund`, { amount: 50_000 });
    await earn(p.id, w.user.id, 4); // 12,000 available
    const ann = await t.db.db.selectFrom('annotations').select('id').where('worker_id', '=', w.user.id).executeTakeFirstOrThrow();
    const bonus = await r.post(`/api/projects/${p.id}/bonuses`, { annotationId: ann.id, amount: 1_000, reason: '정확한 작업 감사합니다' }, { 'idempotency-key': 'bonus-1' });
    expect(bonus.statusCode).toBe(201);
    expect(bonus.json().bonus).toMatchObject({ amount: 1_000, fee: 100, workerId: w.user.id });
    await r.post(`/api/projects/${p.id}/bonuses`, { annotationId: ann.id, amount: 1_000, reason: '정확한 작업 감사합니다' }, { 'idempotency-key': 'bonus-1' });
    expect((await r.post(`/api/projects/${p.id}/bonuses`, { annotationId: ann.id, amount: 1_000, reason: '' })).statusCode).toBe(400);

    let wallet = (await w.get('/api/wallet')).json();
    expect(wallet).toMatchObject({ kind: 'worker', balance: 13_000, pending: 0, minPayout: 10_000, withholdingPercent: 3.3, bankAccount: null });
    expect(wallet.entries.find((e: { kind: string }) => e.kind === 'bonus')).toMatchObject({ amount: 1_000, memo: '정확한 작업 감사합니다', projectId: p.id });

    expect((await w.post('/api/wallet/payouts', { amount: 13_000 })).statusCode).toBe(409); // no bank account yet
    expect((await w.req('PUT', '/api/wallet/bank-account', { bank: '신한은행', accountNumber: '110-123-456789', holder: '김작업' })).statusCode).toBe(200);
    expect((await w.get('/api/wallet/payouts/preview?amount=13000')).json()).toMatchObject({ gross: 13_000, withholding: 420, net: 12_580 });
    expect((await w.post('/api/wallet/payouts', { amount: 5_000 })).statusCode).toBe(400); // below the minimum
    const po = await w.post('/api/wallet/payouts', { amount: 13_000 }, { 'idempotency-key': 'po-1' });
    expect(po.statusCode).toBe(201);
    expect(po.json().payout).toMatchObject({ gross: 13_000, withholding: 420, net: 12_580, status: 'requested' });
    const po2 = await w.post('/api/wallet/payouts', { amount: 13_000 }, { 'idempotency-key': 'po-1' });
    expect(po2.json().payout.id).toBe(po.json().payout.id);
    wallet = (await w.get('/api/wallet')).json();
    expect(wallet).toMatchObject({ balance: 0, inFlight: 13_000 });

    expect((await w.get('/api/admin/payouts')).statusCode).toBe(403);
    const batch = await admin.post('/api/admin/payout-batches', {});
    expect(batch.statusCode).toBe(201);
    const b = batch.json().batch;
    expect(b.payouts.map((x: { id: string }) => x.id)).toContain(po.json().payout.id);
    const csv = await admin.get(`/api/admin/payout-batches/${b.id}/csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse(csv.body, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.find((x) => x.payout_id === po.json().payout.id)).toMatchObject({ bank: '신한은행', account_number: '110123456789', holder: '김작업', amount: '12580', withholding: '420' });
    const paid = await admin.post(`/api/admin/payout-batches/${b.id}/paid`);
    expect(paid.json().batch.status).toBe('paid');
    expect((await w.get('/api/wallet/payouts')).json().payouts[0]).toMatchObject({ status: 'paid' });
    const rec = (await admin.get('/api/admin/reconciliation')).json();
    expect(rec.violations).toEqual([]);
    expect(rec.balanced).toBe(true);
    expect(rec.insideTotal).toBe(rec.deposits - rec.outflows);
    expect(rec.byKind.withholdingPayable).toBeGreaterThanOrEqual(420);
    expect((await r.get('/api/admin/reconciliation')).statusCode).toBe(403);
  });

  it('lets a worker withdraw a payout request while it waits', async () => {
    const r = await signup(t.app, 'requester');
    const w = await signup(t.app, 'worker');
    const p = await createProject(r, { settings: { payPerAnnotation: 10_000 } });
    await r.post(`/api/projects/${p.id}/fund`, { amount: 50_000 });
    await earn(p.id, w.user.id, 1);
    await w.req('PUT', '/api/wallet/bank-account', { bank: '우리은행', accountNumber: '1002-123-456789', holder: '김작업' });
    const po = (await w.post('/api/wallet/payouts', { amount: 10_000 })).json().payout;
    expect((await w.get('/api/wallet')).json().balance).toBe(0);
    const c = await w.post(`/api/wallet/payouts/${po.id}/cancel`);
    expect(c.json().payout.status).toBe('cancelled');
    expect((await w.get('/api/wallet')).json().balance).toBe(10_000);
  });
});
