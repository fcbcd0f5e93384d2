import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole, requireUser } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import { depositOut, type PaymentsService } from './payments.service.ts';

const Won = (description: string, min = 1) => Type.Integer({ minimum: min, maximum: 100_000_000_000, description });
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const IdemHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const BudgetSchema = Type.Object({
  projectId: Type.String(),
  balance: Type.Integer({ description: 'free to spend on new tasks' }),
  committed: Type.Integer({ description: 'set aside: live tasks (pay + fee) and answers awaiting a verdict' }),
  awaitingApproval: Type.Integer({ description: 'of committed: pay already in workers’ pending earnings' }),
  spent: Type.Integer({ description: 'approved work, reviews and bonuses, with their fees' }),
  fees: Type.Integer({ description: 'of spent: the platform fee' }),
  deposited: Type.Integer({ description: 'net money put into this budget' }),
  pending: Type.Integer({ description: 'deposits waiting for confirmation' }),
  feePercent: Type.Number(),
  payPerAnnotation: Type.Integer(),
  costPerTask: Type.Integer({ description: 'pay + fee of one more task' }),
  tasksCovered: Type.Integer(),
  currency: Type.Literal('KRW'),
});

const DepositSchema = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  projectId: Nullable(Type.String()),
  amount: Type.Integer(),
  provider: Type.String(),
  status: Type.String(),
  reference: Type.String({ description: 'write this as the depositor name (입금자명) of the bank transfer' }),
  instructions: Nullable(Type.String()),
  orgName: Nullable(Type.String()),
  projectName: Nullable(Type.String()),
  createdAt: Type.String(),
  decidedAt: Nullable(Type.String()),
});

const EntrySchema = Type.Object({
  id: Type.Integer(),
  txId: Type.Integer(),
  kind: Type.String({ description: 'what caused the movement: submit, approve, reject, bonus, review_pay, payout_request, deposit, allocate…' }),
  account: Type.String({ description: 'pending | available | funds' }),
  amount: Type.Integer({ description: 'signed change of that balance' }),
  memo: Nullable(Type.String()),
  projectId: Nullable(Type.String()),
  projectName: Nullable(Type.String()),
  annotationId: Nullable(Type.Integer()),
  payoutId: Nullable(Type.String()),
  createdAt: Type.String(),
});

const BankSchema = Type.Object({ bank: Type.String(), accountNumber: Type.String(), holder: Type.String(), masked: Type.String() });

const WalletSchema = Type.Object({
  kind: Type.String({ description: 'worker | organisation' }),
  balance: Type.Integer({ description: 'worker: available earnings; requester: organisation funds' }),
  pending: Type.Integer({ description: 'worker: earnings awaiting approval; requester: deposits awaiting confirmation' }),
  inFlight: Type.Optional(Type.Integer()),
  paidOut: Type.Optional(Type.Integer()),
  withheld: Type.Optional(Type.Integer()),
  minPayout: Type.Optional(Type.Integer()),
  withholdingPercent: Type.Optional(Type.Number()),
  bankAccount: Type.Optional(Nullable(BankSchema)),
  entries: Type.Array(EntrySchema),
});

const PayoutSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  gross: Type.Integer(),
  withholding: Type.Integer(),
  net: Type.Integer(),
  status: Type.String(),
  batchId: Nullable(Type.String()),
  bank: Type.String(),
  accountNumber: Type.String(),
  holder: Type.String(),
  reason: Nullable(Type.String()),
  createdAt: Type.String(),
  decidedAt: Nullable(Type.String()),
  displayName: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});

const BatchSummary = Type.Object({
  id: Type.String(),
  status: Type.String(),
  createdAt: Type.String(),
  paidAt: Nullable(Type.String()),
  gross: Type.Integer(),
  withholding: Type.Integer(),
  net: Type.Integer(),
});
const BatchSchema = Type.Object({ ...BatchSummary.properties, payouts: Type.Array(PayoutSchema) });

const PayFactsSchema = Type.Object({
  payPerAnnotation: Type.Integer(),
  medianSeconds: Nullable(Type.Number()),
  timedAnswers: Type.Integer(),
  effectiveHourlyPay: Nullable(Type.Integer()),
  minimumWage: Type.Integer(),
  belowMinimumWage: Type.Boolean(),
});

const key = (h: unknown) => ((h as Record<string, string | undefined>)['idempotency-key'] ?? null) as string | null;

export function paymentsRoutes(app: App, payments: PaymentsService) {
  // ------------------------------------------------------------ requesters: project budgets

  app.post(
    '/api/projects/:id/fund',
    {
      schema: {
        tags: ['money'],
        summary: "Fund a project's budget (a deposit through the payment provider, or from the organisation's funds)",
        description:
          'source "deposit" (default) opens a bank-transfer deposit: the budget grows when an operator confirms it (at once when DURE_AUTO_CONFIRM_DEPOSITS=true). source "org_funds" moves money the organisation already holds. The same Idempotency-Key never funds twice.',
        params: Id,
        headers: IdemHeaders,
        body: Type.Object({ amount: Won('won to add'), source: Type.Optional(Type.Union([Type.Literal('deposit'), Type.Literal('org_funds')])) }, { examples: [{ amount: 100000 }] }),
        response: { 200: Type.Object({ budget: BudgetSchema, deposit: Nullable(DepositSchema) }), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      const r = await payments.fund(user, req.params.id, { ...req.body, idempotencyKey: key(req.headers) });
      return { budget: r.budget, deposit: r.deposit ? depositOut(r.deposit) : null };
    },
  );

  app.get(
    '/api/projects/:id/budget',
    {
      schema: {
        tags: ['money'],
        summary: "A project's budget and its effective hourly pay against the minimum wage",
        params: Id,
        response: { 200: Type.Object({ budget: BudgetSchema, pay: PayFactsSchema }), 404: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      const budget = await payments.projectBudget(user, req.params.id);
      return { budget, pay: await payments.payFacts(req.params.id, budget.payPerAnnotation) };
    },
  );

  app.post(
    '/api/projects/:id/withdraw',
    {
      schema: {
        tags: ['money'],
        summary: "Move unspent budget back to the organisation's funds",
        params: Id,
        headers: IdemHeaders,
        body: Type.Object({ amount: Won('won to take out') }),
        response: { 200: Type.Object({ budget: BudgetSchema }), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return payments.withdraw(user, req.params.id, { amount: req.body.amount, idempotencyKey: key(req.headers) });
    },
  );

  app.post(
    '/api/projects/:id/bonuses',
    {
      schema: {
        tags: ['money'],
        summary: 'Pay a worker of this project a bonus from its budget (the platform fee is added on top)',
        params: Id,
        headers: IdemHeaders,
        body: Type.Object({
          annotationId: Type.Optional(Type.Integer({ minimum: 1, description: 'the answer being rewarded (names the worker)' })),
          workerId: Type.Optional(Type.String({ format: 'uuid' })),
          amount: Won('bonus in won'),
          reason: Type.String({ minLength: 1, maxLength: 500 }),
        }),
        response: {
          201: Type.Object({
            bonus: Type.Object({ id: Type.Integer(), workerId: Type.String(), amount: Type.Integer(), fee: Type.Integer(), reason: Type.String(), replayed: Type.Boolean() }),
            budget: BudgetSchema,
          }),
          400: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      const r = await payments.bonus(user, req.params.id, { ...req.body, idempotencyKey: key(req.headers) });
      return reply.status(201).send(r);
    },
  );

  // ------------------------------------------------------------ wallets

  app.get(
    '/api/wallet',
    {
      schema: {
        tags: ['money'],
        summary: "Your money: a worker's available and pending earnings, a requester's organisation funds; newest entries first",
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'page on: the last entry id seen' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: { 200: WalletSchema, 401: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const q = req.query as { before?: number; limit?: number };
      return payments.wallet(user, { before: q.before, limit: q.limit ?? 50 });
    },
  );

  app.post(
    '/api/wallet/deposits',
    {
      schema: {
        tags: ['money'],
        summary: "Deposit into your organisation's funds (requester)",
        headers: IdemHeaders,
        body: Type.Object({ amount: Won('won to deposit') }),
        response: { 201: Type.Object({ deposit: DepositSchema, funds: Type.Object({ balance: Type.Integer(), pending: Type.Integer() }) }), 403: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester');
      const r = await payments.depositToOrg(user, { amount: req.body.amount, idempotencyKey: key(req.headers) });
      return reply.status(201).send({ deposit: depositOut(r.deposit), funds: r.funds });
    },
  );

  app.put(
    '/api/wallet/bank-account',
    {
      schema: {
        tags: ['money'],
        summary: 'Set the bank account your payouts go to (worker)',
        body: Type.Object({ bank: Type.String({ minLength: 1, maxLength: 50 }), accountNumber: Type.String({ minLength: 6, maxLength: 30 }), holder: Type.String({ minLength: 1, maxLength: 50 }) }),
        response: { 200: Type.Object({ bankAccount: BankSchema }), 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'worker', 'reviewer');
      return { bankAccount: await payments.setBankAccount(user, req.body) };
    },
  );

  app.get(
    '/api/wallet/payouts/preview',
    {
      schema: {
        tags: ['money'],
        summary: 'What a payout of this amount pays after withholding',
        querystring: Type.Object({ amount: Type.Integer({ minimum: 0, maximum: 100_000_000_000 }) }),
        response: {
          200: Type.Object({ gross: Type.Integer(), withholding: Type.Integer(), net: Type.Integer(), withholdingPercent: Type.Number(), minPayout: Type.Integer() }),
        },
      },
    },
    async (req) => {
      requireUser(req);
      return payments.payoutPreview((req.query as { amount: number }).amount);
    },
  );

  app.get(
    '/api/wallet/payouts',
    { schema: { tags: ['money'], summary: 'Your payouts', response: { 200: Type.Object({ payouts: Type.Array(PayoutSchema) }) } } },
    async (req) => {
      const user = requireRole(req, 'worker', 'reviewer');
      return { payouts: await payments.myPayouts(user) };
    },
  );

  app.post(
    '/api/wallet/payouts',
    {
      schema: {
        tags: ['money'],
        summary: 'Request a payout of available earnings (at least the minimum payout); withholding is shown on it',
        headers: IdemHeaders,
        body: Type.Object({ amount: Won('gross won to pay out') }),
        response: { 201: Type.Object({ payout: PayoutSchema }), 400: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'worker', 'reviewer');
      return reply.status(201).send({ payout: await payments.requestPayout(user, { amount: req.body.amount, idempotencyKey: key(req.headers) }) });
    },
  );

  app.post(
    '/api/wallet/payouts/:id/cancel',
    {
      schema: {
        tags: ['money'],
        summary: 'Withdraw your payout request while it awaits approval',
        params: Id,
        response: { 200: Type.Object({ payout: PayoutSchema }), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'worker', 'reviewer');
      return { payout: await payments.cancelPayout(user, req.params.id, 'withdrawn by the worker') };
    },
  );

  // ------------------------------------------------------------ operators

  app.get(
    '/api/admin/deposits',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Deposits (operator), newest first',
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('cancelled')])) }),
        response: { 200: Type.Object({ deposits: Type.Array(DepositSchema) }), 403: ErrorResponse },
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      const q = req.query as { status?: 'pending' | 'confirmed' | 'cancelled' };
      return { deposits: (await payments.listDeposits(q.status)).map(depositOut) };
    },
  );

  for (const action of ['confirm', 'cancel'] as const) {
    app.post(
      `/api/admin/deposits/:id/${action}`,
      {
        schema: {
          tags: ['admin', 'money'],
          summary: action === 'confirm' ? "Confirm a deposit's money arrived: it reaches the organisation's funds and the project's budget" : 'Cancel a pending deposit',
          params: Id,
          response: { 200: Type.Object({ deposit: DepositSchema }), 404: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (req) => {
        const admin = requireRole(req, 'admin');
        const d = action === 'confirm' ? await payments.confirmDeposit(admin, req.params.id) : await payments.cancelDeposit(admin, req.params.id);
        return { deposit: depositOut(d) };
      },
    );
  }

  app.get(
    '/api/admin/payouts',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Payouts (operator), oldest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('requested'), Type.Literal('approved'), Type.Literal('paid'), Type.Literal('cancelled')])),
        }),
        response: { 200: Type.Object({ payouts: Type.Array(PayoutSchema) }), 403: ErrorResponse },
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      return { payouts: await payments.listPayouts((req.query as { status?: 'requested' }).status) };
    },
  );

  app.post(
    '/api/admin/payouts/:id/cancel',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Cancel an unpaid payout (e.g. the transfer bounced): the money returns to the worker’s available balance',
        params: Id,
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 200: Type.Object({ payout: PayoutSchema }), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const admin = requireRole(req, 'admin');
      return { payout: await payments.cancelPayout(admin, req.params.id, (req.body as { reason?: string }).reason ?? 'cancelled by an operator') };
    },
  );

  app.get(
    '/api/admin/payout-batches',
    { schema: { tags: ['admin', 'money'], summary: 'Payout batches (operator)', response: { 200: Type.Object({ batches: Type.Array(Type.Object({ ...BatchSummary.properties, payouts: Type.Integer() })) }) } } },
    async (req) => {
      requireRole(req, 'admin');
      return { batches: await payments.listBatches() };
    },
  );

  app.post(
    '/api/admin/payout-batches',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Approve requested payouts (all, or the listed ones) as one batch for bank transfer',
        body: Type.Object({ payoutIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 10_000 })) }),
        response: { 201: Type.Object({ batch: BatchSchema }), 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const admin = requireRole(req, 'admin');
      return reply.status(201).send({ batch: await payments.createBatch(admin, (req.body as { payoutIds?: string[] }).payoutIds ?? null) });
    },
  );

  app.get(
    '/api/admin/payout-batches/:id',
    { schema: { tags: ['admin', 'money'], summary: 'One payout batch', params: Id, response: { 200: Type.Object({ batch: BatchSchema }), 404: ErrorResponse } } },
    async (req) => {
      requireRole(req, 'admin');
      return { batch: await payments.batch(req.params.id) };
    },
  );

  app.get(
    '/api/admin/payout-batches/:id/csv',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'The batch as CSV for the bank’s bulk transfer (UTF-8 with BOM): payout_id, bank, account_number, holder, amount (net), gross, withholding, memo',
        params: Id,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      requireRole(req, 'admin');
      const csv = await payments.batchCsv(req.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="dure-payouts-${req.params.id.slice(0, 8)}.csv"`)
        .send(csv);
    },
  );

  app.post(
    '/api/admin/payout-batches/:id/paid',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Mark a batch transferred: its payouts are paid and the withholding recorded as payable',
        params: Id,
        response: { 200: Type.Object({ batch: BatchSchema }), 404: ErrorResponse },
      },
    },
    async (req) => {
      const admin = requireRole(req, 'admin');
      return { batch: await payments.markBatchPaid(admin, req.params.id) };
    },
  );

  app.post(
    '/api/admin/withholding/remit',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Record withheld tax paid to the tax office',
        headers: IdemHeaders,
        body: Type.Object({ amount: Won('won remitted'), memo: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ withholdingPayable: Type.Integer() }), 409: ErrorResponse },
      },
    },
    async (req) => {
      const admin = requireRole(req, 'admin');
      const b = req.body as { amount: number; memo?: string };
      return payments.remitWithholding(admin, { amount: b.amount, memo: b.memo, idempotencyKey: key(req.headers) });
    },
  );

  app.get(
    '/api/admin/reconciliation',
    {
      schema: {
        tags: ['admin', 'money'],
        summary: 'Reconciliation: every balance by kind, deposits against outflows, and any violated ledger invariant',
        response: {
          200: Type.Object({
            balanced: Type.Boolean(),
            deposits: Type.Integer(),
            payoutsPaid: Type.Integer(),
            withholdingRemitted: Type.Integer(),
            outflows: Type.Integer(),
            insideTotal: Type.Integer({ description: 'Σ of every balance inside the platform' }),
            expectedInside: Type.Integer({ description: 'deposits − outflows' }),
            byKind: Type.Record(Type.String(), Type.Integer()),
            feeRevenue: Type.Integer(),
            pendingDeposits: Type.Integer(),
            accounts: Type.Integer(),
            violations: Type.Array(Type.Object({ rule: Type.String(), message: Type.String() })),
          }),
          403: ErrorResponse,
        },
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      return payments.reconciliation();
    },
  );
}
