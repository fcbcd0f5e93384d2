import { AppError } from '../../../core/app-error.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AccountKind } from '../../../db/tables/ledger.ts';
import { ledgerRepo } from './ledger.repo.ts';

/**
 * Accounts whose balance is cached on the account row, because money leaving them must be
 * checked atomically ("is there enough?"). Posting to one takes its row lock. The others
 * (project escrow, fee revenue, the outside world, payouts in flight) are only ever debited by
 * amounts an earlier movement put there for that very cause (a claim, a submit, a payout), so
 * their balance is derived from the entries and posting to them locks nothing.
 */
export const CACHED_KINDS: ReadonlySet<AccountKind> = new Set(['org_funds', 'project_budget', 'worker_pending', 'worker_available', 'withholding_payable']);

export interface Leg {
  account: number;
  amount: number;
  /** Whether the account keeps a cached balance, when the caller knows (saves a lookup). */
  cached?: boolean;
}

export interface Posting {
  kind: string;
  /** The cause: with `kind` it is unique, so the same cause never moves money twice. */
  ref: string;
  /** A reservation or pending amount this movement consumes; each is consumed exactly once. */
  settles?: string;
  projectId?: string | null;
  userId?: string | null;
  memo?: string | null;
  meta?: Record<string, unknown> | null;
  createdBy?: string | null;
  legs: Leg[];
}

export type PostResult =
  | { status: 'posted'; txId: number }
  /** The same cause was posted before: nothing moved now. */
  | { status: 'duplicate'; txId: number }
  /** What this would settle was already settled by another movement: nothing moved. */
  | { status: 'settled'; txId: number; by: string }
  /** Every leg was zero: nothing to move, nothing recorded. */
  | { status: 'empty' };

/**
 * Posts one balanced movement inside the caller's transaction. Throws `insufficient_funds` when
 * a cached account would go below zero — the caller's transaction must then roll back (it has
 * already recorded the cause).
 */
export async function post(db: Queryable, p: Posting): Promise<PostResult> {
  const merged = new Map<number, number>();
  const hints = new Map<number, boolean>();
  for (const l of p.legs) {
    if (!Number.isSafeInteger(l.amount)) throw new Error(`ledger amounts are integer won, got ${l.amount}`);
    merged.set(l.account, (merged.get(l.account) ?? 0) + l.amount);
    if (l.cached !== undefined) hints.set(l.account, l.cached);
  }
  const legs = [...merged].filter(([, a]) => a !== 0).sort((x, y) => x[0] - y[0]);
  const sum = legs.reduce((s, [, a]) => s + a, 0);
  if (sum !== 0) throw new Error(`ledger movement ${p.kind}/${p.ref} does not balance (sum ${sum})`);
  if (legs.length === 0) return { status: 'empty' };

  const amount = legs.reduce((s, [, a]) => s + (a > 0 ? a : 0), 0);
  const txId = await ledgerRepo.insertTransaction(db, {
    kind: p.kind,
    ref: p.ref,
    settles: p.settles ?? null,
    project_id: p.projectId ?? null,
    user_id: p.userId ?? null,
    amount,
    memo: p.memo ?? null,
    meta: p.meta ?? null,
    created_by: p.createdBy ?? null,
  });
  if (txId === null) {
    const same = await ledgerRepo.findTransaction(db, p.kind, p.ref);
    if (same) return { status: 'duplicate', txId: same.id };
    const other = p.settles ? await ledgerRepo.findSettlement(db, p.settles) : undefined;
    if (other) return { status: 'settled', txId: other.id, by: other.kind };
    throw new Error(`ledger movement ${p.kind}/${p.ref} conflicted with nothing visible`);
  }

  const unknown = legs.map(([a]) => a).filter((a) => !hints.has(a));
  const accounts = new Map(unknown.length ? (await ledgerRepo.accountsByIds(db, unknown)).map((a) => [a.id, a]) : []);
  for (const [account, delta] of legs) {
    const a = accounts.get(account);
    if (!hints.has(account) && !a) throw new Error(`ledger account ${account} does not exist`);
    if (!(hints.get(account) ?? a!.balance !== null)) continue;
    const after = await ledgerRepo.applyToCached(db, account, delta);
    if (after === null) {
      throw new AppError('insufficient_funds', `not enough money in the ${(a?.kind ?? 'account').replace('_', ' ')} for this ${p.kind}`);
    }
  }
  await ledgerRepo.insertEntries(db, legs.map(([account_id, amount]) => ({ tx_id: txId, account_id, amount })));
  return { status: 'posted', txId };
}

export const account = {
  world: (db: Queryable) => ledgerRepo.openAccount(db, 'world', null, false).then((a) => a.id),
  payoutsInFlight: (db: Queryable) => ledgerRepo.openAccount(db, 'payouts_in_flight', null, false).then((a) => a.id),
  withholdingPayable: (db: Queryable) => ledgerRepo.openAccount(db, 'withholding_payable', null, true).then((a) => a.id),
  orgFunds: (db: Queryable, orgId: string) => ledgerRepo.openAccount(db, 'org_funds', orgId, true).then((a) => a.id),
  workerPending: (db: Queryable, userId: string) => ledgerRepo.openAccount(db, 'worker_pending', userId, true).then((a) => a.id),
  workerAvailable: (db: Queryable, userId: string) => ledgerRepo.openAccount(db, 'worker_available', userId, true).then((a) => a.id),
};

export type ProjectTerms = NonNullable<Awaited<ReturnType<typeof ledgerRepo.projectTerms>>>;

/**
 * How many accounts a new project's budget is spread over. Every claim locks the budget account
 * it reserves from until its transaction commits; with one account, all the project's claims
 * would queue on one row. Claims take from any stripe that covers them and is not locked.
 */
export const BUDGET_STRIPES = 16;

export interface FixedTerms {
  /** Stripe 0 of the budget. */
  budget_account: number;
  /** Every budget stripe, stripe 0 first. */
  stripes: number[];
  committed_account: number;
  fees_account: number;
  fee_bp: number;
}

// A project's accounts and fee rate never change once opened, so every process may keep them.
const fixedTermsCache = new Map<string, FixedTerms>();

/**
 * A project's accounts and fee rate, or undefined before its first funding. `cache`: keep them
 * for the process (only from a transaction that did not itself open them — it might roll back).
 */
export async function fixedTerms(db: Queryable, projectId: string, cache = true): Promise<FixedTerms | undefined> {
  const hit = fixedTermsCache.get(projectId);
  if (hit) return hit;
  const t = await ledgerRepo.projectTerms(db, projectId);
  if (!t) return undefined;
  const stripes = await ledgerRepo.budgetStripes(db, projectId);
  const fixed = { budget_account: t.budget_account, stripes, committed_account: t.committed_account, fees_account: t.fees_account, fee_bp: t.fee_bp };
  if (cache) {
    if (fixedTermsCache.size > 100_000) fixedTermsCache.clear();
    fixedTermsCache.set(projectId, fixed);
  }
  return fixed;
}

/** Opens a project's budget stripes, escrow and fee accounts, fixing its fee rate (the terms it is funded under). */
export async function openProjectAccounts(db: Queryable, projectId: string, orgId: string, feeBp: number): Promise<FixedTerms> {
  const existing = await fixedTerms(db, projectId, false);
  if (existing) return existing;
  const budget = await ledgerRepo.openAccount(db, 'project_budget', projectId, true);
  for (let i = 1; i < BUDGET_STRIPES; i++) await ledgerRepo.openStripe(db, projectId, i);
  const committed = await ledgerRepo.openAccount(db, 'project_committed', projectId, false);
  const fees = await ledgerRepo.openAccount(db, 'platform_fees', projectId, false);
  await ledgerRepo.insertProjectTerms(db, {
    project_id: projectId,
    org_id: orgId,
    fee_bp: feeBp,
    budget_account: budget.id,
    committed_account: committed.id,
    fees_account: fees.id,
  });
  return (await fixedTerms(db, projectId, false))!;
}

/** The project's budget: the sum of its stripes. */
export async function budgetBalance(db: Queryable, terms: FixedTerms | undefined): Promise<number> {
  return terms ? ledgerRepo.sumBalances(db, terms.stripes) : 0;
}

/**
 * A credit to the budget (a released reservation, a rejected task's pay): to `stripe` when given
 * and free (where the reservation came from), else to any stripe no one holds — locked here, so
 * a credit never waits for a stripe: a transaction crediting several (the lease sweeper) cannot
 * deadlock with a claim that locks every stripe. Only with every stripe held does it wait, for
 * `stripe` or a random one.
 */
export async function creditBudget(db: Queryable, terms: FixedTerms, amount: number, stripe?: number | null): Promise<Leg> {
  const preferred = stripe && terms.stripes.includes(stripe) ? stripe : null;
  const free = await ledgerRepo.lockFreeStripe(db, terms.stripes, preferred);
  const to = free ?? preferred ?? terms.stripes[Math.floor(Math.random() * terms.stripes.length)]!;
  return { account: to, amount, cached: true };
}

/** A credit spread evenly over the stripes (funding), the remainder on stripe 0. */
export function spreadOverBudget(terms: FixedTerms, amount: number): Leg[] {
  const n = terms.stripes.length;
  const each = Math.floor(amount / n);
  return terms.stripes.map((account, i) => ({ account, amount: each + (i === 0 ? amount - each * n : 0), cached: true }));
}

/**
 * Debit legs taking `amount` from the budget across stripes, with every stripe locked (in id
 * order, as post() locks) so the total is exact; null when the budget cannot cover it. For the
 * less frequent debits (bonuses, withdrawals, unreserved review pay, a claim when no single
 * stripe can cover it).
 */
export async function takeFromBudget(db: Queryable, terms: FixedTerms, amount: number): Promise<Leg[] | null> {
  const rows = await ledgerRepo.lockStripes(db, terms.stripes);
  const total = rows.reduce((s, r) => s + (r.balance ?? 0), 0);
  if (total < amount) return null;
  const legs: Leg[] = [];
  let left = amount;
  for (const r of [...rows].sort((x, y) => (y.balance ?? 0) - (x.balance ?? 0))) {
    if (left === 0) break;
    const take = Math.min(left, r.balance ?? 0);
    if (take > 0) legs.push({ account: r.id, amount: -take, cached: true });
    left -= take;
  }
  return legs;
}
