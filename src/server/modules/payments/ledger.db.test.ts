import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Db } from '../../../db/connect.ts';
import type { Queryable } from '../../../db/schema.ts';
import { createTestDb } from '../../../../test/helpers/db.ts';
import { account, post } from './ledger.ts';
import { ledgerRepo } from './ledger.repo.ts';
import { PaymentsService } from './payments.service.ts';
import { claimTask, doTask, makeProject, makeRequester, makeUser, moneyConfig, releaseTask, submitTask } from './test-fixtures.ts';
import { approveAnnotation, payOnSubmit, payReview, rejectAnnotation, releaseClaim, releaseEndedReservations, reserveForClaim, reserveForReview, resumeFundedProjects, resumeIfFunded } from './work-money.ts';

describe('ledger and money flows (database)', () => {
  let db: Db;
  let svc: PaymentsService;
  beforeAll(async () => {
    db = await createTestDb();
    svc = new PaymentsService({ db: db.db, config: moneyConfig() });
  });
  afterAll(async () => db?.close());

  const clean = async () => {
    const r = await svc.reconciliation();
    expect(r.violations).toEqual([]);
    return r;
  };

  it('refuses an unbalanced transaction (the insert that leaves it unbalanced fails) and keeps entries append-only', async () => {
    const world = await account.world(db.db);
    const req = await makeRequester(db.db);
    const funds = await account.orgFunds(db.db, req.orgId!);
    await expect(
      db.db.transaction().execute(async (trx) => {
        const tx = await ledgerRepo.insertTransaction(trx, { kind: 'test', ref: 'bad', settles: null, project_id: null, user_id: null, amount: 1, memo: null, meta: null, created_by: null });
        await ledgerRepo.insertEntries(trx, [{ tx_id: tx!, account_id: funds, amount: 5 }]);
      }),
    ).rejects.toThrow(/does not balance/);
    const r = await db.db.transaction().execute((trx) => post(trx, { kind: 'test', ref: 'ok', legs: [{ account: world, amount: -7 }, { account: funds, amount: 7 }] }));
    expect(r.status).toBe('posted');
    await expect(sql`update ledger_entries set amount = 8 where account_id = ${funds}`.execute(db.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_entries where account_id = ${funds}`.execute(db.db)).rejects.toThrow(/append-only/);
    // The same cause twice moves nothing.
    const again = await db.db.transaction().execute((trx) => post(trx, { kind: 'test', ref: 'ok', legs: [{ account: world, amount: -7 }, { account: funds, amount: 7 }] }));
    expect(again.status).toBe('duplicate');
    expect(await ledgerRepo.balance(db.db, funds)).toBe(7);
    // A cached balance never goes below zero.
    await expect(
      db.db.transaction().execute((trx) => post(trx, { kind: 'test', ref: 'overdraw', legs: [{ account: funds, amount: -8 }, { account: world, amount: 8 }] })),
    ).rejects.toMatchObject({ code: 'insufficient_funds' });
    // Clean up the test money so the books reconcile (the world has no deposit row for it).
    await db.db.transaction().execute((trx) => post(trx, { kind: 'test', ref: 'undo', legs: [{ account: funds, amount: -7 }, { account: world, amount: 7 }] }));
  });

  // A fresh server connection of its own (PostgreSQL: PGlite has one connection for the whole file).
  it.runIf(process.env.DATABASE_URL)('checks each statement with plans made for the ledger as it is now, not as it was when the connection first checked', async () => {
    const world = await account.world(db.db);
    const funds = await account.orgFunds(db.db, (await makeRequester(db.db)).orgId!);
    // A small ledger (a few dozen entries) and its statistics.
    await db.db.transaction().execute(async (trx) => {
      await sql`insert into ledger_transactions (kind, ref, amount) select 'test', 'plan:seed:' || g, 1 from generate_series(1, 25) g`.execute(trx);
      await sql`insert into ledger_entries (tx_id, account_id, amount)
        select t.id, ${world}::int8, v.s from ledger_transactions t cross join (values (-1), (1)) as v(s)
        where t.kind = 'test' and t.ref like 'plan:seed:%'`.execute(trx);
    });
    await sql`analyze ledger_entries, ledger_transactions`.execute(db.db);
    const name = (await sql<{ n: string }>`select current_database() as n`.execute(db.db)).rows[0]!.n;
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const server = await connect({ databaseUrl: url.toString(), dataDir: null, poolSize: 1 });
    try {
      const seqRead = async (trx: Queryable) =>
        Number((await sql<{ n: string }>`select pg_stat_get_xact_tuples_returned('ledger_entries'::regclass)::text as n`.execute(trx)).rows[0]!.n);
      const read = await server.db.transaction().execute(async (trx) => {
        // The connection's first check runs while the ledger is small…
        await post(trx, { kind: 'test', ref: 'plan:first', legs: [{ account: world, amount: -1 }, { account: funds, amount: 1 }] });
        // …then the ledger grows by 4,000 entries…
        await sql`insert into ledger_transactions (kind, ref, amount) select 'test', 'plan:bulk:' || g, 1 from generate_series(1, 2000) g`.execute(trx);
        await sql`insert into ledger_entries (tx_id, account_id, amount)
          select t.id, ${world}::int8, v.s from ledger_transactions t cross join (values (-1), (1)) as v(s)
          where t.kind = 'test' and t.ref like 'plan:bulk:%'`.execute(trx);
        // …and its next check looks its one transaction up instead of reading the whole table.
        const before = await seqRead(trx);
        await post(trx, { kind: 'test', ref: 'plan:after', legs: [{ account: funds, amount: -1 }, { account: world, amount: 1 }] });
        return (await seqRead(trx)) - before;
      });
      expect(read).toBeLessThan(1000);
    } finally {
      await server.close();
    }
  });

  it('refuses an entry naming a transaction or an account that does not exist, and never deletes a transaction or an account', async () => {
    const world = await account.world(db.db);
    const req = await makeRequester(db.db);
    const funds = await account.orgFunds(db.db, req.orgId!);
    const noSuch = 9_000_000_000;
    await expect(
      db.db.transaction().execute(async (trx) => {
        const tx = await ledgerRepo.insertTransaction(trx, { kind: 'test', ref: 'no-account', settles: null, project_id: null, user_id: null, amount: 1, memo: null, meta: null, created_by: null });
        await ledgerRepo.insertEntries(trx, [
          { tx_id: tx!, account_id: world, amount: -3 },
          { tx_id: tx!, account_id: noSuch, amount: 3 },
        ]);
      }),
    ).rejects.toThrow(new RegExp(`names account ${noSuch}, which does not exist`));
    await expect(
      db.db.transaction().execute((trx) =>
        ledgerRepo.insertEntries(trx, [
          { tx_id: noSuch, account_id: world, amount: -3 },
          { tx_id: noSuch, account_id: funds, amount: 3 },
        ]),
      ),
    ).rejects.toThrow(new RegExp(`names transaction ${noSuch}, which does not exist`));
    expect(await ledgerRepo.balance(db.db, funds)).toBe(0);
    const r = await db.db.transaction().execute((trx) => post(trx, { kind: 'test', ref: 'kept', legs: [{ account: world, amount: -2 }, { account: funds, amount: 2 }] }));
    expect(r.status).toBe('posted');
    await expect(sql`delete from ledger_transactions where kind = 'test' and ref = 'kept'`.execute(db.db)).rejects.toThrow(/never deletes/);
    await expect(sql`delete from ledger_accounts where id = ${funds}`.execute(db.db)).rejects.toThrow(/never deletes/);
    await db.db.transaction().execute((trx) => post(trx, { kind: 'test', ref: 'unkept', legs: [{ account: funds, amount: -2 }, { account: world, amount: 2 }] }));
  });

  it('finds an account through the owner-key index, not by reading every account of its kind', async () => {
    const w = await makeUser(db.db, 'worker');
    const id = await account.workerPending(db.db, w.id);
    expect((await ledgerRepo.findAccount(db.db, 'worker_pending', w.id))!.id).toBe(id);
    const plan = await db.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const q = ledgerRepo.accountQuery(trx, 'worker_pending', w.id).compile();
      const r = await trx.executeQuery(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
      return r.rows.map((x) => Object.values(x as object)[0]).join('\n');
    });
    // the owner is in the index condition (a scan of the kind's prefix filtering owners reads them all)
    expect(plan).toMatch(/Index Cond: .*COALESCE\(owner_id/i);
  });

  it('funds through a confirmed deposit, pays a task through claim → submit → approve, with the fee on top', async () => {
    const req = await makeRequester(db.db);
    const p = await makeProject(db.db, req, { payPerAnnotation: 50 });
    const w = await makeUser(db.db, 'worker');
    const { budget, deposit } = await svc.fund(req, p.id, { amount: 1_000 });
    expect(deposit!.status).toBe('confirmed');
    expect(budget).toMatchObject({ balance: 1_000, committed: 0, spent: 0, deposited: 1_000, pending: 0, costPerTask: 55, tasksCovered: 18, feePercent: 10 });

    const task = (await claimTask(db.db, p.id, w.id))!;
    expect(task).toMatchObject({ pay: 50, fee: 5 });
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 945, committed: 55, spent: 0 });

    const annotationId = await submitTask(db.db, p.id, w.id, task);
    const work = { annotationId };
    // The hook replayed for the same task moves nothing.
    await db.db.transaction().execute((trx) => payOnSubmit(trx, { projectId: p.id, workerId: w.id, itemId: task.itemId, assignmentId: task.assignmentId, annotationId }));
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 945, committed: 55, awaitingApproval: 50, spent: 0 });
    expect(await svc.wallet(w, { limit: 10 })).toMatchObject({ balance: 0, pending: 50 });

    await db.db.transaction().execute((trx) => approveAnnotation(trx, work.annotationId));
    await db.db.transaction().execute((trx) => approveAnnotation(trx, work.annotationId)); // idempotent
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 945, committed: 0, spent: 55, fees: 5 });
    const wallet = await svc.wallet(w, { limit: 10 });
    expect(wallet).toMatchObject({ balance: 50, pending: 0 });
    expect(wallet.entries.map((e) => [e.kind, e.account, e.amount])).toEqual([
      ['approve', 'available', 50],
      ['approve', 'pending', -50],
      ['submit', 'pending', 50],
    ]);
    await expect(db.db.transaction().execute((trx) => rejectAnnotation(trx, work.annotationId))).rejects.toMatchObject({ code: 'invalid_state' });
    await clean();
  });

  it('returns a rejected answer and a released claim to the budget', async () => {
    const req = await makeRequester(db.db);
    const p = await makeProject(db.db, req, { payPerAnnotation: 100 });
    const w = await makeUser(db.db, 'worker');
    await svc.fund(req, p.id, { amount: 500 });
    const a = await doTask(db.db, p.id, w.id);
    await db.db.transaction().execute((trx) => rejectAnnotation(trx, a.annotationId));
    await db.db.transaction().execute((trx) => rejectAnnotation(trx, a.annotationId));
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 500, committed: 0, spent: 0 });
    const b = (await claimTask(db.db, p.id, w.id))!;
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 390, committed: 110 });
    await releaseTask(db.db, p.id, w.id, b);
    await db.db.transaction().execute((trx) => releaseClaim(trx, { projectId: p.id, workerId: w.id, itemId: b.itemId, assignmentId: b.assignmentId }));
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 500, committed: 0 });
    // A task released before its submit cannot be paid afterwards.
    await expect(
      db.db.transaction().execute((trx) => payOnSubmit(trx, { projectId: p.id, workerId: w.id, itemId: b.itemId, assignmentId: b.assignmentId, annotationId: 999 })),
    ).rejects.toMatchObject({ code: 'lease_expired' });
    // A task claimed while the project paid nothing is reserved at submit, at the pay of that moment.
    await db.db.updateTable('projects').set({ settings: JSON.stringify({ ...p.settings, payPerAnnotation: 0 }) }).where('id', '=', p.id).execute();
    const c = (await claimTask(db.db, p.id, w.id))!;
    expect(c).toMatchObject({ pay: 0, fee: 0 });
    await db.db.updateTable('projects').set({ settings: JSON.stringify({ ...p.settings, payPerAnnotation: 100 }) }).where('id', '=', p.id).execute();
    await submitTask(db.db, p.id, w.id, c);
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 390, committed: 110, awaitingApproval: 100 });
    await clean();
  });

  it('finds and returns the reservation of a lease another module cancelled', async () => {
    const req = await makeRequester(db.db);
    const p = await makeProject(db.db, req, { payPerAnnotation: 100 });
    const w = await makeUser(db.db, 'worker');
    await svc.fund(req, p.id, { amount: 1_000 });
    const task = (await claimTask(db.db, p.id, w.id))!;
    await db.db.updateTable('assignments').set({ status: 'cancelled' }).where('id', '=', task.assignmentId).execute();
    const before = await svc.reconciliation();
    expect(before.violations.map((v) => v.rule)).toEqual(['stale_reservation']);
    expect(await db.db.transaction().execute((trx) => releaseEndedReservations(trx, { projectId: p.id }))).toBe(1);
    expect(await db.db.transaction().execute((trx) => releaseEndedReservations(trx, { projectId: p.id }))).toBe(0);
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 1_000, committed: 0 });
    await clean();
  });

  it('pauses a project whose budget cannot cover the next task and resumes it when funded', async () => {
    const req = await makeRequester(db.db);
    const p = await makeProject(db.db, req, { payPerAnnotation: 100 });
    const w1 = await makeUser(db.db, 'worker');
    const w2 = await makeUser(db.db, 'worker');
    await svc.fund(req, p.id, { amount: 230 });
    const t1 = (await claimTask(db.db, p.id, w1.id))!;
    let proj = await db.db.selectFrom('projects').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(proj.status).toBe('active'); // 120 left covers one more 110-won task
    await claimTask(db.db, p.id, w2.id);
    proj = await db.db.selectFrom('projects').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(proj.status).toBe('paused');
    expect(proj.status_reason).toMatch(/예산/);
    const w3 = await makeUser(db.db, 'worker');
    const refused = await db.db.transaction().execute((trx) => reserveForClaim(trx, { projectId: p.id, workerId: w3.id }));
    expect(refused.ok).toBe(false);
    // A skip returns the reservation: 120 covers a task again, so the project resumes.
    await releaseTask(db.db, p.id, w1.id, t1);
    proj = await db.db.selectFrom('projects').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(proj.status).toBe('active');
    await claimTask(db.db, p.id, w1.id);
    proj = await db.db.selectFrom('projects').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(proj.status).toBe('paused');
    await svc.fund(req, p.id, { amount: 100 });
    proj = await db.db.selectFrom('projects').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(proj.status).toBe('active');
    expect(proj.status_reason).toBeNull();
    // A requester's own pause is never undone by funding.
    await db.db.updateTable('projects').set({ status: 'paused', status_reason: null }).where('id', '=', p.id).execute();
    await svc.fund(req, p.id, { amount: 1_000 });
    expect(await db.db.transaction().execute((trx) => resumeIfFunded(trx, p.id))).toBe(false);
    await clean();
  });

  it('the sweeper resumes a project a lost wake-up left paused for funds (and only such a project)', async () => {
    const req = await makeRequester(db.db);
    const p = await makeProject(db.db, req, { payPerAnnotation: 100 });
    const [w1, w2] = [await makeUser(db.db, 'worker'), await makeUser(db.db, 'worker')];
    await svc.fund(req, p.id, { amount: 230 });
    const t1 = (await claimTask(db.db, p.id, w1.id))!;
    await claimTask(db.db, p.id, w2.id); // leaves 10: the claim pauses the project
    const row = async () => db.db.selectFrom('projects').select(['status', 'status_reason']).where('id', '=', p.id).executeTakeFirstOrThrow();
    const paused = await row();
    expect(paused.status).toBe('paused');
    // The race: a release commits while that claim is still open. It sees the project as it was
    // before the pause (active, no pause noted), credits the budget and resumes nothing; then the
    // claim commits its pause. Replayed in that order:
    const terms = async (reason: string | null) => db.db.updateTable('ledger_projects').set({ pause_reason: reason }).where('project_id', '=', p.id).execute();
    await db.db.updateTable('projects').set({ status: 'active', status_reason: null }).where('id', '=', p.id).execute();
    await terms(null);
    await releaseTask(db.db, p.id, w1.id, t1);
    await db.db.updateTable('projects').set({ status: 'paused', status_reason: paused.status_reason }).where('id', '=', p.id).execute();
    await terms(paused.status_reason);
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 120 }); // covers a 110-won task
    expect((await row()).status).toBe('paused');

    expect(await resumeFundedProjects(db.db)).toBe(1);
    expect(await row()).toEqual({ status: 'active', status_reason: null });
    expect(await resumeFundedProjects(db.db)).toBe(0);
    // A requester's own pause stays, funded or not.
    await db.db.updateTable('projects').set({ status: 'paused', status_reason: 'checking the guidelines' }).where('id', '=', p.id).execute();
    expect(await resumeFundedProjects(db.db)).toBe(0);
    expect((await row()).status).toBe('paused');
    await clean();
  });

  it('pays reviews from a reservation or the budget, once per (annotation, reviewer)', async () => {
    const req = await makeRequester(db.db);
    const p = await makeProject(db.db, req, { payPerAnnotation: 50, payPerReview: 20 });
    const w = await makeUser(db.db, 'worker');
    const r1 = await makeUser(db.db, 'reviewer');
    const r2 = await makeUser(db.db, 'reviewer');
    await svc.fund(req, p.id, { amount: 1_000 });
    const a = await doTask(db.db, p.id, w.id);
    await db.db.transaction().execute(async (trx) => {
      expect(await reserveForReview(trx, { projectId: p.id, annotationId: a.annotationId, reviewerId: r1.id })).toMatchObject({ ok: true, pay: 20, fee: 2 });
      await payReview(trx, { projectId: p.id, annotationId: a.annotationId, reviewerId: r1.id });
      await payReview(trx, { projectId: p.id, annotationId: a.annotationId, reviewerId: r1.id });
      await payReview(trx, { projectId: p.id, annotationId: a.annotationId, reviewerId: r2.id }); // cross-review, unreserved
    });
    expect(await svc.budgetOf(db.db, p.id)).toMatchObject({ balance: 1_000 - 55 - 44, committed: 55, spent: 44, fees: 4 });
    expect((await svc.wallet(r1, { limit: 5 })).balance).toBe(20);
    expect((await svc.wallet(r2, { limit: 5 })).balance).toBe(20);
    await clean();
  });

  it('keeps deposits pending until an operator confirms them when auto-confirm is off', async () => {
    const manual = new PaymentsService({ db: db.db, config: moneyConfig({ autoConfirmDeposits: false }) });
    const req = await makeRequester(db.db);
    const admin = await makeUser(db.db, 'admin');
    const p = await makeProject(db.db, req, { payPerAnnotation: 10 });
    const { budget, deposit } = await manual.fund(req, p.id, { amount: 50_000, idempotencyKey: 'k1' });
    expect(budget).toMatchObject({ balance: 0, pending: 50_000 });
    expect(deposit!.status).toBe('pending');
    expect(deposit!.reference).toMatch(/^DURE[A-Z0-9]{6}$/);
    const again = await manual.fund(req, p.id, { amount: 50_000, idempotencyKey: 'k1' });
    expect(again.deposit!.id).toBe(deposit!.id);
    await clean();
    await manual.confirmDeposit(admin, deposit!.id);
    await manual.confirmDeposit(admin, deposit!.id);
    expect(await manual.budgetOf(db.db, p.id)).toMatchObject({ balance: 50_000, pending: 0, deposited: 50_000 });
    await expect(manual.cancelDeposit(admin, deposit!.id)).rejects.toMatchObject({ code: 'invalid_state' });
    const r = await clean();
    expect(r.deposits).toBeGreaterThanOrEqual(50_000);
    // Seeds and benchmarks fund without a user; the deposit is recorded and the books still reconcile.
    expect(await manual.fundDirect(p.id, 1_000)).toMatchObject({ balance: 51_000, deposited: 51_000 });
    await clean();
  });

  it('pays out available earnings with 3.3% withheld, in a batch marked paid', async () => {
    const req = await makeRequester(db.db);
    const admin = await makeUser(db.db, 'admin');
    const p = await makeProject(db.db, req, { payPerAnnotation: 12_345 });
    const w = await makeUser(db.db, 'worker');
    await svc.fund(req, p.id, { amount: 100_000 });
    const { bonus } = await svc.bonus(req, p.id, { workerId: w.id, amount: 5_000, reason: 'x', idempotencyKey: 'b' }).catch((e) => ({ bonus: e }));
    expect(bonus.code).toBe('not_found'); // has not worked on the project yet
    const a = await doTask(db.db, p.id, w.id);
    await db.db.transaction().execute((trx) => approveAnnotation(trx, a.annotationId));
    const b1 = await svc.bonus(req, p.id, { annotationId: a.annotationId, amount: 5_000, reason: '꼼꼼한 작업', idempotencyKey: 'b' });
    const b2 = await svc.bonus(req, p.id, { annotationId: a.annotationId, amount: 5_000, reason: '꼼꼼한 작업', idempotencyKey: 'b' });
    expect(b1.bonus).toMatchObject({ amount: 5_000, fee: 500, replayed: false });
    expect(b2.bonus.replayed).toBe(true);
    expect((await svc.wallet(w, { limit: 5 })).balance).toBe(17_345);

    await expect(svc.requestPayout(w, { amount: 12_345 })).rejects.toMatchObject({ code: 'invalid_state' }); // no bank account
    await svc.setBankAccount(w, { bank: '국민은행', accountNumber: '123-456-789012', holder: '김작업' });
    await expect(svc.requestPayout(w, { amount: 9_999 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(svc.requestPayout(w, { amount: 20_000 })).rejects.toMatchObject({ code: 'insufficient_funds' });
    const po = await svc.requestPayout(w, { amount: 12_345, idempotencyKey: 'p1' });
    const po2 = await svc.requestPayout(w, { amount: 12_345, idempotencyKey: 'p1' });
    expect(po2.id).toBe(po.id);
    expect(po).toMatchObject({ gross: 12_345, withholding: 400, net: 11_945, status: 'requested' });
    expect(await svc.wallet(w, { limit: 5 })).toMatchObject({ balance: 5_000, inFlight: 12_345 });

    const batch = await svc.createBatch(admin, null);
    expect(batch.payouts.map((x) => x.id)).toContain(po.id);
    const csv = await svc.batchCsv(batch.id);
    expect(csv).toContain('payout_id,bank,account_number,holder,amount,gross,withholding,memo');
    expect(csv).toContain(`${po.id},국민은행,123456789012,김작업,11945,12345,400,`);
    await clean();
    const paid = await svc.markBatchPaid(admin, batch.id);
    await svc.markBatchPaid(admin, batch.id);
    expect(paid.status).toBe('paid');
    const r = await clean();
    expect(r.byKind.withholdingPayable).toBe(400);
    expect(r.payoutsPaid).toBeGreaterThanOrEqual(11_945);
    expect(await svc.wallet(w, { limit: 5 })).toMatchObject({ balance: 5_000, inFlight: 0, paidOut: 11_945, withheld: 400 });
    await svc.remitWithholding(admin, { amount: 400 });
    expect((await clean()).byKind.withholdingPayable).toBe(0);
  });
});
