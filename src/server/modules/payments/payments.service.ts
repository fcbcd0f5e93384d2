import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../../core/app-error.ts';
import { costWithFee, effectiveHourlyPay, projectedCostToFinish, toBasisPoints, withholding } from '../../../core/money/arithmetic.ts';
import { checkLedger, type Violation } from '../../../core/money/invariants.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AccountKind } from '../../../db/tables/ledger.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { loadOwnedProject } from '../projects/projects.service.ts';
import { account, fixedTerms, openProjectAccounts, post, spreadOverBudget, takeFromBudget } from './ledger.ts';
import { ledgerRepo } from './ledger.repo.ts';
import { depositReference, manualBankTransfer, type PaymentProvider } from './payment-provider.ts';
import { paymentsRepo } from './payments.repo.ts';
import { pauseIfUnfunded, resumeIfFunded } from './work-money.ts';

/** Effective hourly pay is shown once this many ordinary answers have real task times. */
export const MIN_TIMED_ANSWERS = 5;

export type DepositRow = NonNullable<Awaited<ReturnType<typeof paymentsRepo.lockDeposit>>>;
export type PayoutRow = NonNullable<Awaited<ReturnType<typeof paymentsRepo.lockPayout>>>;

export interface Budget {
  projectId: string;
  /** Free to spend on new tasks. */
  balance: number;
  /** Set aside and not yet spent: tasks being worked on (pay + fee) and answers awaiting a verdict. */
  committed: number;
  /** Of `committed`: pay of answers submitted and awaiting approval (already in workers' pending earnings). */
  awaitingApproval: number;
  /** Paid for good: approved work, reviews and bonuses, and the platform fee on them. */
  spent: number;
  /** Of `spent`: the platform fee. */
  fees: number;
  /** Net money put into this project's budget (deposits and transfers from the organisation's funds, less withdrawals). */
  deposited: number;
  /** Deposits made for this project that wait for confirmation. */
  pending: number;
  feePercent: number;
  payPerAnnotation: number;
  /** What one more task costs the requester: the pay plus the fee on it. */
  costPerTask: number;
  /** How many more tasks the balance covers. */
  tasksCovered: number;
  currency: 'KRW';
}

export interface PayFacts {
  payPerAnnotation: number;
  medianSeconds: number | null;
  timedAnswers: number;
  effectiveHourlyPay: number | null;
  minimumWage: number;
  belowMinimumWage: boolean;
}

export class PaymentsService {
  readonly feeBp: number;
  readonly withholdingBp: number;
  readonly provider: PaymentProvider;

  constructor(private readonly ctx: Pick<AppContext, 'db' | 'config'>, provider?: PaymentProvider) {
    this.feeBp = toBasisPoints(ctx.config.platformFeePercent);
    this.withholdingBp = toBasisPoints(ctx.config.withholdingPercent);
    this.provider = provider ?? manualBankTransfer(ctx.config.autoConfirmDeposits);
  }

  private get db() {
    return this.ctx.db;
  }

  // ---------------------------------------------------------------- funding

  /**
   * Funds a project. `source: 'deposit'` (default) opens a deposit with the payment provider: the
   * budget grows when the deposit is confirmed (at once under auto-confirm). `source: 'org_funds'`
   * moves money the organisation already holds. The same Idempotency-Key never funds twice.
   */
  async fund(user: AuthUser, projectId: string, input: { amount: number; source?: 'deposit' | 'org_funds'; idempotencyKey?: string | null }) {
    return this.db.transaction().execute(async (trx) => {
      const p = await loadOwnedProject(trx, user, projectId);
      const terms = await openProjectAccounts(trx, p.id, p.org_id, this.feeBp);
      let deposit: (DepositRow & { instructions?: string }) | null = null;
      if (input.source === 'org_funds') {
        const r = await post(trx, {
          kind: 'allocate',
          ref: `p${p.id}:${input.idempotencyKey ?? randomUUID()}`,
          projectId: p.id,
          createdBy: user.id,
          memo: 'from organisation funds',
          legs: [
            { account: await account.orgFunds(trx, p.org_id), amount: -input.amount },
            ...spreadOverBudget(terms, input.amount),
          ],
        }).catch((e: unknown) => {
          if (e instanceof AppError && e.code === 'insufficient_funds') {
            throw new AppError('insufficient_funds', "your organisation's funds do not cover this amount; make a deposit instead");
          }
          throw e;
        });
        if (r.status === 'posted') await resumeIfFunded(trx, p.id);
      } else {
        deposit = await this.openDeposit(trx, user, { orgId: p.org_id, projectId: p.id, amount: input.amount, key: input.idempotencyKey ?? null });
      }
      return { budget: await this.budgetOf(trx, p.id, terms), deposit };
    });
  }

  /**
   * Funds a project with a deposit confirmed at once, without a user: for seeds, benchmarks and
   * tests that are not about money. The deposit is recorded (provider 'direct') so the books
   * still reconcile.
   */
  async fundDirect(projectId: string, amount: number) {
    return this.db.transaction().execute(async (trx) => {
      const p = await ledgerRepo.projectForMoney(trx, projectId);
      if (!p) throw new AppError('not_found', 'project not found');
      await openProjectAccounts(trx, p.id, p.org_id, this.feeBp);
      const row = await paymentsRepo.insertDeposit(trx, {
        org_id: p.org_id,
        project_id: p.id,
        amount,
        provider: 'direct',
        reference: depositReference(),
        idempotency_key: null,
        created_by: null,
      });
      await this.confirmInTx(trx, row!, null);
      return this.budgetOf(trx, p.id);
    });
  }

  /** A deposit into the organisation's funds (not yet for a project). */
  async depositToOrg(user: AuthUser, input: { amount: number; idempotencyKey?: string | null }) {
    if (!user.orgId) throw new AppError('forbidden', 'only requesters of an organisation hold funds');
    return this.db.transaction().execute(async (trx) => {
      const deposit = await this.openDeposit(trx, user, { orgId: user.orgId!, projectId: null, amount: input.amount, key: input.idempotencyKey ?? null });
      return { deposit, funds: await this.orgFunds(trx, user.orgId!) };
    });
  }

  private async openDeposit(trx: Queryable, user: AuthUser, d: { orgId: string; projectId: string | null; amount: number; key: string | null }) {
    const row = await paymentsRepo.insertDeposit(trx, {
      org_id: d.orgId,
      project_id: d.projectId,
      amount: d.amount,
      provider: this.provider.name,
      reference: depositReference(),
      idempotency_key: d.key,
      created_by: user.id,
    });
    if (!row) {
      const prior = (await paymentsRepo.depositByKey(trx, d.orgId, d.key!))!;
      if (prior.amount !== d.amount || prior.project_id !== d.projectId) {
        throw new AppError('conflict', 'this Idempotency-Key was already used for a different deposit');
      }
      return prior;
    }
    const opened = await this.provider.open({ id: row.id, amount: row.amount, reference: row.reference });
    if (opened.status === 'confirmed') return { ...(await this.confirmInTx(trx, row, null)), instructions: opened.instructions };
    return { ...row, instructions: opened.instructions };
  }

  /** Confirms that a deposit's money arrived: outside world → organisation funds (→ project budget). Idempotent. */
  async confirmDeposit(admin: AuthUser, depositId: string) {
    return this.db.transaction().execute(async (trx) => {
      const d = await paymentsRepo.lockDeposit(trx, depositId);
      if (!d) throw new AppError('not_found', 'deposit not found');
      if (d.status === 'confirmed') return d;
      if (d.status === 'cancelled') throw new AppError('invalid_state', 'this deposit was cancelled');
      return this.confirmInTx(trx, d, admin.id);
    });
  }

  private async confirmInTx(trx: Queryable, d: DepositRow, by: string | null) {
    const funds = await account.orgFunds(trx, d.org_id);
    await post(trx, {
      kind: 'deposit',
      ref: d.id,
      createdBy: by,
      memo: `deposit ${d.reference}`,
      meta: { depositId: d.id, provider: d.provider },
      legs: [
        { account: await account.world(trx), amount: -d.amount },
        { account: funds, amount: d.amount },
      ],
    });
    if (d.project_id) {
      const p = await ledgerRepo.projectForMoney(trx, d.project_id);
      const terms = await openProjectAccounts(trx, d.project_id, p!.org_id, this.feeBp);
      await post(trx, {
        kind: 'allocate',
        ref: `deposit:${d.id}`,
        projectId: d.project_id,
        createdBy: by,
        memo: `deposit ${d.reference}`,
        meta: { depositId: d.id },
        legs: [
          { account: funds, amount: -d.amount },
          ...spreadOverBudget(terms, d.amount),
        ],
      });
      await resumeIfFunded(trx, d.project_id);
    }
    return paymentsRepo.decideDeposit(trx, d.id, 'confirmed', by);
  }

  async cancelDeposit(admin: AuthUser, depositId: string) {
    return this.db.transaction().execute(async (trx) => {
      const d = await paymentsRepo.lockDeposit(trx, depositId);
      if (!d) throw new AppError('not_found', 'deposit not found');
      if (d.status === 'cancelled') return d;
      if (d.status === 'confirmed') throw new AppError('invalid_state', 'a confirmed deposit cannot be cancelled; withdraw the money instead');
      return paymentsRepo.decideDeposit(trx, d.id, 'cancelled', admin.id);
    });
  }

  listDeposits(status?: 'pending' | 'confirmed' | 'cancelled', limit = 100) {
    return paymentsRepo.listDeposits(this.db, { status, limit });
  }

  /** Moves unspent budget back to the organisation's funds. */
  async withdraw(user: AuthUser, projectId: string, input: { amount: number; idempotencyKey?: string | null }) {
    return this.db.transaction().execute(async (trx) => {
      const p = await loadOwnedProject(trx, user, projectId);
      const terms = await fixedTerms(trx, p.id, false);
      if (!terms) throw new AppError('insufficient_funds', 'this project has no budget');
      const ref = `p${p.id}:${input.idempotencyKey ?? randomUUID()}`;
      if (!(await ledgerRepo.findTransaction(trx, 'withdraw', ref))) {
        const legs = await takeFromBudget(trx, terms, input.amount);
        if (!legs) throw new AppError('insufficient_funds', "the project's budget is smaller than this amount");
        await post(trx, {
          kind: 'withdraw',
          ref,
          projectId: p.id,
          createdBy: user.id,
          legs: [...legs, { account: await account.orgFunds(trx, p.org_id), amount: input.amount, cached: true }],
        });
      }
      await pauseIfUnfunded(trx, p.id);
      return { budget: await this.budgetOf(trx, p.id, terms) };
    });
  }

  // ---------------------------------------------------------------- budget figures

  async projectBudget(user: AuthUser, projectId: string) {
    await loadOwnedProject(this.db, user, projectId);
    return this.budgetOf(this.db, projectId);
  }

  async budgetOf(db: Queryable, projectId: string, terms?: { fee_bp: number }): Promise<Budget> {
    const t = terms ?? (await ledgerRepo.projectTerms(db, projectId));
    const p = await ledgerRepo.projectForMoney(db, projectId);
    const pay = Number((p?.settings as { payPerAnnotation?: number } | undefined)?.payPerAnnotation ?? 0);
    const feeBp = t?.fee_bp ?? this.feeBp;
    const flows = new Map((await ledgerRepo.projectFlows(db, projectId)).map((r) => [r.kind, r.sum]));
    const f = (k: AccountKind) => flows.get(k) ?? 0;
    const balance = f('project_budget');
    const cost = costWithFee(pay, feeBp).total;
    return {
      projectId,
      balance,
      committed: f('project_committed') + f('worker_pending'),
      awaitingApproval: f('worker_pending'),
      spent: f('worker_available') + f('platform_fees'),
      fees: f('platform_fees'),
      deposited: -f('org_funds'),
      pending: await paymentsRepo.pendingDeposits(db, { projectId }),
      feePercent: feeBp / 100,
      payPerAnnotation: pay,
      costPerTask: cost,
      tasksCovered: cost > 0 ? Math.floor(balance / cost) : 0,
      currency: 'KRW',
    };
  }

  /** Effective hourly pay from the median real task time, against the minimum wage. */
  async payFacts(projectId: string, pay?: number, db: Queryable = this.db): Promise<PayFacts> {
    if (pay === undefined) {
      const p = await ledgerRepo.projectForMoney(db, projectId);
      pay = Number((p?.settings as { payPerAnnotation?: number } | undefined)?.payPerAnnotation ?? 0);
    }
    const t = await paymentsRepo.taskTimes(db, projectId);
    const median = t.n >= MIN_TIMED_ANSWERS && t.median_ms !== null ? Number(t.median_ms) : null;
    const hourly = effectiveHourlyPay(pay, median);
    return {
      payPerAnnotation: pay,
      medianSeconds: median === null ? null : Math.round(median / 100) / 10,
      timedAnswers: t.n,
      effectiveHourlyPay: hourly,
      minimumWage: this.ctx.config.minimumWagePerHour,
      belowMinimumWage: hourly !== null && pay > 0 && hourly < this.ctx.config.minimumWagePerHour,
    };
  }

  /** The money figures GET /api/projects/:id/stats adds (the caller has checked access). */
  statsExtra = async (projectId: string): Promise<Record<string, unknown>> => {
    const budget = await this.budgetOf(this.db, projectId);
    const p = await ledgerRepo.projectForMoney(this.db, projectId);
    const s = (p?.settings ?? {}) as { payPerReview?: number; goldRate?: number; reviewRate?: number };
    const left = await paymentsRepo.workLeft(this.db, projectId);
    const projected = projectedCostToFinish({
      answersLeft: left.answers_left,
      pay: budget.payPerAnnotation,
      payPerReview: Number(s.payPerReview ?? 0),
      feeBp: Math.round(budget.feePercent * 100),
      goldRate: left.gold_items > 0 ? Number(s.goldRate ?? 0) : 0,
      reviewRate: Number(s.reviewRate ?? 0),
    });
    const pay = await this.payFacts(projectId, budget.payPerAnnotation);
    return {
      spent: budget.spent,
      budget: budget.balance,
      committed: budget.committed,
      fees: budget.fees,
      deposited: budget.deposited,
      costPerTask: budget.costPerTask,
      projectedCostToFinish: projected,
      fundingNeeded: Math.max(0, projected - budget.balance),
      effectiveHourlyPay: pay.effectiveHourlyPay,
      belowMinimumWage: pay.belowMinimumWage,
      minimumWage: pay.minimumWage,
    };
  };

  // ---------------------------------------------------------------- bonuses

  /** A bonus from the project's budget to a worker who worked on it (fee on top), once per key. */
  async bonus(user: AuthUser, projectId: string, input: { annotationId?: number; workerId?: string; amount: number; reason: string; idempotencyKey?: string | null }) {
    const reason = input.reason.trim();
    if (!reason) throw new AppError('validation_failed', 'a bonus needs a reason', [{ path: '/reason', problem: 'must not be empty' }]);
    return this.db.transaction().execute(async (trx) => {
      const p = await loadOwnedProject(trx, user, projectId);
      let workerId = input.workerId;
      if (input.annotationId !== undefined) {
        const a = await paymentsRepo.annotationOfProject(trx, input.annotationId, p.id);
        if (!a) throw new AppError('not_found', 'annotation not found in this project');
        if (workerId && workerId !== a.worker_id) throw new AppError('validation_failed', 'workerId and annotationId name different workers');
        workerId = a.worker_id;
      }
      if (!workerId) throw new AppError('validation_failed', 'name the worker: annotationId or workerId', [{ path: '/annotationId', problem: 'required' }]);
      if (!(await paymentsRepo.workedOnProject(trx, workerId, p.id))) throw new AppError('not_found', 'this worker has not worked on this project');
      const terms = await fixedTerms(trx, p.id, false);
      if (!terms) throw new AppError('insufficient_funds', 'this project has no budget');
      const cost = costWithFee(input.amount, terms.fee_bp);
      const ref = `p${p.id}:${input.idempotencyKey ?? randomUUID()}`;
      const prior = await ledgerRepo.findTransaction(trx, 'bonus', ref);
      const legs = prior ? [] : await takeFromBudget(trx, terms, cost.total);
      if (!legs) throw new AppError('insufficient_funds', "the project's budget cannot pay this bonus");
      const r = prior ? ({ status: 'duplicate', txId: prior.id } as const) : await post(trx, {
        kind: 'bonus',
        ref,
        projectId: p.id,
        userId: workerId,
        createdBy: user.id,
        memo: reason,
        meta: { pay: cost.pay, fee: cost.fee, annotationId: input.annotationId ?? null },
        legs: [
          ...legs,
          { account: await account.workerAvailable(trx, workerId), amount: cost.pay, cached: true },
          { account: terms.fees_account, amount: cost.fee, cached: false },
        ],
      });
      await pauseIfUnfunded(trx, p.id);
      const tx = r.status === 'empty' ? null : ((await ledgerRepo.transactionById(trx, r.txId)) ?? null);
      const meta = (tx?.meta ?? {}) as { pay?: number; fee?: number };
      return {
        bonus: { id: tx?.id ?? 0, workerId: tx?.user_id ?? workerId, amount: meta.pay ?? cost.pay, fee: meta.fee ?? cost.fee, reason: tx?.memo ?? reason, replayed: r.status === 'duplicate' },
        budget: await this.budgetOf(trx, p.id, terms),
      };
    });
  }

  // ---------------------------------------------------------------- wallets

  async wallet(user: AuthUser, opts: { before?: number; limit: number }) {
    if (user.role === 'requester' || (user.role === 'admin' && user.orgId)) {
      if (!user.orgId) throw new AppError('forbidden', 'this requester has no organisation');
      const funds = await ledgerRepo.findAccount(this.db, 'org_funds', user.orgId);
      const entries = funds ? await ledgerRepo.entriesFor(this.db, [funds.id], opts) : [];
      return {
        kind: 'organisation' as const,
        balance: funds ? await ledgerRepo.balance(this.db, funds.id) : 0,
        pending: await paymentsRepo.pendingDeposits(this.db, { orgId: user.orgId }),
        entries: entries.map(entryOut),
      };
    }
    const pending = await ledgerRepo.findAccount(this.db, 'worker_pending', user.id);
    const available = await ledgerRepo.findAccount(this.db, 'worker_available', user.id);
    const ids = [pending?.id, available?.id].filter((x): x is number => x !== undefined);
    const totals = await paymentsRepo.payoutTotals(this.db, user.id);
    const bank = await paymentsRepo.bankAccount(this.db, user.id);
    return {
      kind: 'worker' as const,
      balance: available ? await ledgerRepo.balance(this.db, available.id) : 0,
      pending: pending ? await ledgerRepo.balance(this.db, pending.id) : 0,
      inFlight: totals.in_flight,
      paidOut: totals.paid_net,
      withheld: totals.withheld,
      minPayout: this.ctx.config.minPayout,
      withholdingPercent: this.withholdingBp / 100,
      bankAccount: bank ? bankOut(bank) : null,
      entries: (await ledgerRepo.entriesFor(this.db, ids, opts)).map(entryOut),
    };
  }

  async orgFunds(db: Queryable, orgId: string) {
    const a = await ledgerRepo.findAccount(db, 'org_funds', orgId);
    return { balance: a ? await ledgerRepo.balance(db, a.id) : 0, pending: await paymentsRepo.pendingDeposits(db, { orgId }) };
  }

  async setBankAccount(user: AuthUser, b: { bank: string; accountNumber: string; holder: string }) {
    if (user.role !== 'worker' && user.role !== 'reviewer') throw new AppError('forbidden', 'only workers are paid out');
    const accountNumber = b.accountNumber.replace(/[\s-]/g, '');
    if (!/^\d{6,20}$/.test(accountNumber)) {
      throw new AppError('validation_failed', 'the account number is not valid', [{ path: '/accountNumber', problem: '6 to 20 digits (hyphens allowed)' }]);
    }
    if (!b.bank.trim() || !b.holder.trim()) throw new AppError('validation_failed', 'bank and holder are required');
    return bankOut(await paymentsRepo.upsertBankAccount(this.db, { user_id: user.id, bank: b.bank.trim(), account_number: accountNumber, holder: b.holder.trim() }));
  }

  /** What a payout of `gross` pays after withholding (for the request form). */
  payoutPreview(gross: number) {
    return { ...withholding(gross, this.withholdingBp), withholdingPercent: this.withholdingBp / 100, minPayout: this.ctx.config.minPayout };
  }

  // ---------------------------------------------------------------- payouts

  /** A worker asks to be paid `amount` of their available earnings: available → payouts in flight. */
  async requestPayout(user: AuthUser, input: { amount: number; idempotencyKey?: string | null }) {
    if (user.role !== 'worker' && user.role !== 'reviewer') throw new AppError('forbidden', 'only workers request payouts');
    if (input.amount < this.ctx.config.minPayout) {
      throw new AppError('validation_failed', `the smallest payout is ${this.ctx.config.minPayout.toLocaleString('ko-KR')} won`, [
        { path: '/amount', problem: `must be at least ${this.ctx.config.minPayout}` },
      ]);
    }
    return this.db.transaction().execute(async (trx) => {
      const bank = await paymentsRepo.bankAccount(trx, user.id);
      if (!bank) throw new AppError('invalid_state', 'add your bank account first (PUT /api/wallet/bank-account)');
      const w = withholding(input.amount, this.withholdingBp);
      const row = await paymentsRepo.insertPayout(trx, {
        user_id: user.id,
        gross: w.gross,
        withholding: w.withholding,
        net: w.net,
        bank: bank.bank,
        account_number: bank.account_number,
        holder: bank.holder,
        idempotency_key: input.idempotencyKey ?? null,
      });
      if (!row) {
        const prior = (await paymentsRepo.payoutByKey(trx, user.id, input.idempotencyKey!))!;
        if (prior.gross !== input.amount) throw new AppError('conflict', 'this Idempotency-Key was already used for a different payout');
        return payoutOut(prior);
      }
      await post(trx, {
        kind: 'payout_request',
        ref: row.id,
        userId: user.id,
        createdBy: user.id,
        meta: { payoutId: row.id, withholding: w.withholding, net: w.net },
        legs: [
          { account: await account.workerAvailable(trx, user.id), amount: -w.gross },
          { account: await account.payoutsInFlight(trx), amount: w.gross },
        ],
      }).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'insufficient_funds') throw new AppError('insufficient_funds', 'your available balance is smaller than this payout');
        throw e;
      });
      return payoutOut(row);
    });
  }

  async myPayouts(user: AuthUser) {
    return (await paymentsRepo.listPayouts(this.db, { userId: user.id, limit: 200 })).map(payoutOut);
  }

  listPayouts(status?: 'requested' | 'approved' | 'paid' | 'cancelled', limit = 500) {
    return paymentsRepo.listPayouts(this.db, { status, limit }).then((rows) => rows.map((r) => ({ ...payoutOut(r), displayName: r.display_name, email: r.email })));
  }

  /** Cancels a payout not yet paid (the worker: their own requested one; an operator: any): the money returns to available. */
  async cancelPayout(user: AuthUser, payoutId: string, reason: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const p = await paymentsRepo.lockPayout(trx, payoutId);
      if (!p || (user.role !== 'admin' && p.user_id !== user.id)) throw new AppError('not_found', 'payout not found');
      if (p.status === 'cancelled') return payoutOut(p);
      if (p.status === 'paid') throw new AppError('invalid_state', 'this payout was already paid');
      if (user.role !== 'admin' && p.status !== 'requested') throw new AppError('invalid_state', 'this payout is already approved; ask an operator');
      await this.returnPayout(trx, p, user.id, reason);
      return payoutOut((await paymentsRepo.lockPayout(trx, payoutId))!);
    });
  }

  private async returnPayout(trx: Queryable, p: PayoutRow, by: string, reason: string | null) {
    await post(trx, {
      kind: 'payout_cancel',
      ref: p.id,
      settles: `payout:${p.id}`,
      userId: p.user_id,
      createdBy: by,
      memo: reason,
      legs: [
        { account: await account.payoutsInFlight(trx), amount: -p.gross },
        { account: await account.workerAvailable(trx, p.user_id), amount: p.gross },
      ],
    });
    await paymentsRepo.setPayoutStatus(trx, [p.id], 'cancelled', reason ?? 'cancelled');
  }

  /** An operator approves requested payouts (all, or the listed ones) as one batch for bank transfer. */
  async createBatch(admin: AuthUser, payoutIds: string[] | null) {
    return this.db.transaction().execute(async (trx) => {
      const rows = await paymentsRepo.lockRequested(trx, payoutIds);
      if (payoutIds && rows.length !== new Set(payoutIds).size) throw new AppError('invalid_state', 'some of these payouts are not waiting for approval');
      if (!rows.length) throw new AppError('invalid_state', 'no payouts are waiting for approval');
      const batch = await paymentsRepo.insertBatch(trx, admin.id);
      await paymentsRepo.assignToBatch(trx, rows.map((r) => r.id), batch.id);
      return this.batchOut(trx, batch.id);
    });
  }

  async batch(batchId: string) {
    return this.batchOut(this.db, batchId);
  }

  private async batchOut(db: Queryable, batchId: string) {
    const b = await paymentsRepo.findBatch(db, batchId);
    if (!b) throw new AppError('not_found', 'payout batch not found');
    const payouts = (await paymentsRepo.listPayouts(db, { batchId, limit: 100_000 })).map(payoutOut);
    return {
      id: b.id,
      status: b.status,
      createdAt: new Date(b.created_at).toISOString(),
      paidAt: b.paid_at ? new Date(b.paid_at).toISOString() : null,
      gross: payouts.reduce((s, p) => s + p.gross, 0),
      withholding: payouts.reduce((s, p) => s + p.withholding, 0),
      net: payouts.reduce((s, p) => s + p.net, 0),
      payouts,
    };
  }

  async listBatches(limit = 100) {
    return (await paymentsRepo.listBatches(this.db, limit)).map((b) => ({
      id: b.id,
      status: b.status,
      createdAt: new Date(b.created_at).toISOString(),
      paidAt: b.paid_at ? new Date(b.paid_at).toISOString() : null,
      payouts: b.payouts,
      gross: b.gross,
      withholding: b.withholding,
      net: b.net,
    }));
  }

  /** The batch as a CSV for the bank's bulk transfer (UTF-8 with BOM so spreadsheet programs read the Korean). */
  async batchCsv(batchId: string): Promise<string> {
    const b = await this.batchOut(this.db, batchId);
    const rows = b.payouts.map((p) => ({
      payout_id: p.id,
      bank: p.bank,
      account_number: p.accountNumber,
      holder: p.holder,
      amount: p.net,
      gross: p.gross,
      withholding: p.withholding,
      memo: `두레 정산 ${p.id.slice(0, 8)}`,
    }));
    return '\uFEFF' + stringify(rows, { header: true, columns: ['payout_id', 'bank', 'account_number', 'holder', 'amount', 'gross', 'withholding', 'memo'] });
  }

  /** The operator made the transfers: in flight → outside world (net) and → withholding payable. Idempotent. */
  async markBatchPaid(admin: AuthUser, batchId: string) {
    return this.db.transaction().execute(async (trx) => {
      const b = await paymentsRepo.lockBatch(trx, batchId);
      if (!b) throw new AppError('not_found', 'payout batch not found');
      if (b.status === 'paid') return this.batchOut(trx, batchId);
      const payouts = (await paymentsRepo.listPayouts(trx, { batchId, limit: 100_000 })).filter((p) => p.status === 'approved');
      const inFlight = await account.payoutsInFlight(trx);
      const world = await account.world(trx);
      const withheld = await account.withholdingPayable(trx);
      for (const p of payouts) {
        await post(trx, {
          kind: 'payout_paid',
          ref: p.id,
          settles: `payout:${p.id}`,
          userId: p.user_id,
          createdBy: admin.id,
          meta: { payoutId: p.id, batchId, gross: p.gross, withholding: p.withholding, net: p.net },
          legs: [
            { account: inFlight, amount: -p.gross },
            { account: world, amount: p.net },
            { account: withheld, amount: p.withholding },
          ],
        });
      }
      await paymentsRepo.setPayoutStatus(trx, payouts.map((p) => p.id), 'paid');
      await paymentsRepo.markBatchPaid(trx, batchId, admin.id);
      return this.batchOut(trx, batchId);
    });
  }

  /** Records that withheld tax was paid to the tax office: withholding payable → outside world. */
  async remitWithholding(admin: AuthUser, input: { amount: number; idempotencyKey?: string | null; memo?: string }) {
    return this.db.transaction().execute(async (trx) => {
      await post(trx, {
        kind: 'withholding_remit',
        ref: input.idempotencyKey ?? randomUUID(),
        createdBy: admin.id,
        memo: input.memo ?? 'withholding tax remitted',
        legs: [
          { account: await account.withholdingPayable(trx), amount: -input.amount },
          { account: await account.world(trx), amount: input.amount },
        ],
      });
      return { withholdingPayable: await ledgerRepo.balance(trx, await account.withholdingPayable(trx)) };
    });
  }

  // ---------------------------------------------------------------- reconciliation

  /**
   * The operator's reconciliation report: every balance by kind, confirmed deposits against
   * what left the platform, and every violated invariant (an empty list is a clean ledger).
   */
  async reconciliation(db: Queryable = this.db) {
    const accounts = await ledgerRepo.allAccountFacts(db);
    const unbalanced = await ledgerRepo.unbalancedTransactions(db);
    const deposits = await paymentsRepo.sumDeposits(db);
    const payoutsPaid = await ledgerRepo.sumByTxKind(db, 'world', ['payout_paid']);
    const withholdingRemitted = await ledgerRepo.sumByTxKind(db, 'world', ['withholding_remit']);
    const ledgerDeposits = -(await ledgerRepo.sumByTxKind(db, 'world', ['deposit']));
    const violations: Violation[] = checkLedger({
      accounts: accounts.map((a) => ({ id: a.id, kind: a.kind, cached: a.balance, derived: a.derived })),
      unbalanced: unbalanced.map((u) => ({ txId: u.tx_id, sum: u.sum, entries: u.entries })),
      deposits,
      outflows: payoutsPaid + withholdingRemitted,
    });
    if (ledgerDeposits !== deposits) {
      violations.push({ rule: 'reconciliation', message: `the ledger records ${ledgerDeposits} won of deposits, the deposits table ${deposits}` });
    }
    const stale = await ledgerRepo.staleReservations(db);
    if (stale.n > 0) {
      violations.push({ rule: 'stale_reservation', message: `${stale.n} task reservations (${stale.amount} won) are open but their tasks are no longer live` });
    }
    const byKind: Record<string, number> = {};
    for (const a of accounts) byKind[a.kind] = (byKind[a.kind] ?? 0) + a.derived;
    const inside = accounts.filter((a) => a.kind !== 'world').reduce((s, a) => s + a.derived, 0);
    return {
      balanced: violations.length === 0,
      deposits,
      payoutsPaid,
      withholdingRemitted,
      outflows: payoutsPaid + withholdingRemitted,
      insideTotal: inside,
      expectedInside: deposits - payoutsPaid - withholdingRemitted,
      byKind: {
        orgFunds: byKind.org_funds ?? 0,
        projectBudgets: byKind.project_budget ?? 0,
        projectCommitted: byKind.project_committed ?? 0,
        workerPending: byKind.worker_pending ?? 0,
        workerAvailable: byKind.worker_available ?? 0,
        payoutsInFlight: byKind.payouts_in_flight ?? 0,
        withholdingPayable: byKind.withholding_payable ?? 0,
        platformFees: byKind.platform_fees ?? 0,
        world: byKind.world ?? 0,
      },
      feeRevenue: byKind.platform_fees ?? 0,
      pendingDeposits: await paymentsRepo.pendingDeposits(db, {}),
      accounts: accounts.length,
      violations,
    };
  }
}

export function entryOut(e: Awaited<ReturnType<typeof ledgerRepo.entriesFor>>[number]) {
  const meta = (e.meta ?? {}) as { annotationId?: number | null; payoutId?: string };
  return {
    id: e.id,
    txId: e.tx_id,
    kind: e.kind,
    account: e.account === 'worker_pending' ? 'pending' : e.account === 'worker_available' ? 'available' : e.account === 'org_funds' ? 'funds' : e.account,
    amount: e.amount,
    memo: e.memo,
    projectId: e.project_id,
    projectName: e.project_name,
    annotationId: meta.annotationId ?? null,
    payoutId: meta.payoutId ?? null,
    createdAt: new Date(e.created_at).toISOString(),
  };
}

function bankOut(b: { bank: string; account_number: string; holder: string }) {
  return { bank: b.bank, accountNumber: b.account_number, holder: b.holder, masked: `${'*'.repeat(Math.max(0, b.account_number.length - 4))}${b.account_number.slice(-4)}` };
}

export function payoutOut(p: PayoutRow) {
  return {
    id: p.id,
    userId: p.user_id,
    gross: p.gross,
    withholding: p.withholding,
    net: p.net,
    status: p.status,
    batchId: p.batch_id,
    bank: p.bank,
    accountNumber: p.account_number,
    holder: p.holder,
    reason: p.reason,
    createdAt: new Date(p.created_at).toISOString(),
    decidedAt: p.decided_at ? new Date(p.decided_at).toISOString() : null,
  };
}

export function depositOut(d: DepositRow & { instructions?: string; org_name?: string; project_name?: string | null }) {
  return {
    id: d.id,
    orgId: d.org_id,
    projectId: d.project_id,
    amount: d.amount,
    provider: d.provider,
    status: d.status,
    reference: d.reference,
    instructions: d.instructions ?? null,
    orgName: d.org_name ?? null,
    projectName: d.project_name ?? null,
    createdAt: new Date(d.created_at).toISOString(),
    decidedAt: d.decided_at ? new Date(d.decided_at).toISOString() : null,
  };
}
