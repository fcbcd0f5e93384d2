import { randomUUID } from 'node:crypto';
import { AppError } from '../../../core/app-error.ts';
import { costWithFee } from '../../../core/money/arithmetic.ts';
import { type Kysely, sql } from 'kysely';
import type { Database, Queryable } from '../../../db/schema.ts';
import { account, budgetBalance, creditBudget, type FixedTerms, fixedTerms, type Leg, post, takeFromBudget } from './ledger.ts';
import { ledgerRepo } from './ledger.repo.ts';

/**
 * The money side of work and review, called inside the work/review modules' own transactions
 * (every function takes that transaction). Each movement is keyed by its cause:
 *
 *   a claim         = one claim transaction     ref "p<projectId>:w<workerId>:<uuid>"
 *   a unit of work  = (item, worker)            ref "i<itemId>:w<workerId>"  (a worker gets an item once)
 *   a review        = (annotation, reviewer)    ref "a<annotationId>:r<reviewerId>"
 *
 * so a retried request, a replayed hook or a second call finds the earlier movement and moves
 * nothing. The pay and fee of a unit of work are fixed when it is claimed (stored on the claim),
 * so a later change of the project's pay never changes what a claimed task pays.
 *
 * A claim is reserved by the work module's claim guard before the item is picked, so its ref
 * cannot name the item. It is paired with its assignment instead by the database transaction
 * that made both: the claim's created_at and the assignment's created_at are that transaction's
 * now(). Submit and release consume exactly the claim of their own assignment.
 */

export interface WorkKey {
  projectId: string;
  itemId: number;
  workerId: string;
}

export interface ReviewKey {
  projectId: string;
  annotationId: number;
  reviewerId: string;
}

export const workRef = (k: Pick<WorkKey, 'itemId' | 'workerId'>) => `i${k.itemId}:w${k.workerId}`;
export const reviewRef = (k: Pick<ReviewKey, 'annotationId' | 'reviewerId'>) => `a${k.annotationId}:r${k.reviewerId}`;

type Split = { pay: number; fee: number };

const stripeOf = (meta: unknown): number | null => {
  const st = (meta as { stripe?: number } | null)?.stripe;
  return typeof st === 'number' ? st : null;
};

const splitOf = (meta: unknown): Split => {
  const m = (meta ?? {}) as { pay?: number; fee?: number };
  return { pay: Number(m.pay ?? 0), fee: Number(m.fee ?? 0) };
};

async function projectPay(db: Queryable, projectId: string) {
  const p = await ledgerRepo.projectForMoney(db, projectId);
  if (!p) throw new AppError('not_found', 'project not found');
  const s = p.settings as { payPerAnnotation?: number; payPerReview?: number };
  return { project: p, pay: Number(s.payPerAnnotation ?? 0), payPerReview: Number(s.payPerReview ?? 0) };
}

/** The pay and status the caller passed (both), else the project's own. */
async function payAndStatus(db: Queryable, k: { projectId: string; pay?: number; status?: string }): Promise<{ pay: number; status: string }> {
  if (k.pay !== undefined && k.status !== undefined) return { pay: k.pay, status: k.status };
  const pp = await projectPay(db, k.projectId);
  return { pay: pp.pay, status: pp.project.status };
}

export type ReserveResult = { ok: true; pay: number; fee: number; ref?: string } | { ok: false; reason: string; cost: number; balance: number };

/**
 * Reserves the pay and fee of one task from the project's budget into its escrow (committed)
 * before the task is handed out. When the budget cannot cover it nothing moves and `{ok: false}`
 * tells the caller to hand out no task (the caller then pauses the project — see
 * `pauseIfUnfunded`). A reservation that leaves too little for one more task pauses the project
 * at once, in the same transaction, so no further worker is even offered work. Call it in the
 * transaction that creates the assignment: that pairs the two (see `claimOfAssignment`).
 */
export async function reserveForClaim(
  db: Queryable,
  k: { projectId: string; workerId: string; pay?: number; status?: string },
): Promise<ReserveResult> {
  const { pay, status } = await payAndStatus(db, k);
  if (pay === 0) return { ok: true, pay: 0, fee: 0 };
  const terms = await fixedTerms(db, k.projectId);
  const cost = costWithFee(pay, terms?.fee_bp ?? 0);
  const ref = `p${k.projectId}:w${k.workerId}:${randomUUID()}`;
  const r = terms ? await reserve(db, terms, { kind: 'claim', ref, total: cost.total, projectId: k.projectId, userId: k.workerId, meta: { pay: cost.pay, fee: cost.fee } }) : null;
  if (!terms || !r) {
    const balance = await budgetBalance(db, terms);
    return { ok: false, reason: pauseReason(terms ? cost.total : null, balance), cost: cost.total, balance };
  }
  if (r.left < cost.total) await pauseForFunds(db, k.projectId, status, pauseReason(cost.total, r.left));
  return { ok: true, pay: cost.pay, fee: cost.fee, ref };
}

export type ReserveBatchResult = { ok: true; pay: number; fee: number; refs: string[] } | { ok: false; reason: string };

/**
 * The batch form of `reserveForClaim`: reserves one task's pay + fee for each of several workers
 * of one project (each once) — one claim transaction per worker, as `reserveForClaim` writes it,
 * each from ONE budget stripe — with ONE statement in the usual case: the claims are spread over
 * budget stripes no other claim holds, whole claims from each stripe in id order, locking as few
 * stripes as this statement's snapshot says they need. When those fall short (a stripe it counted
 * on was held or emptied meanwhile), a second statement locks every free stripe. Only when the
 * free stripes together cannot cover the batch does it fall back to what a single claim does:
 * wait for one stripe that covers the whole batch (under a savepoint, and only while holding no
 * stripe). When nothing covers it (or the project was never funded) nothing is written and
 * `{ok: false}` tells the caller to claim one by one (the single path decides who gets a task
 * and pauses the project): no pause is written here. A reservation that leaves less than one more
 * task pauses the project in the same transaction, as the last of the single reservations would.
 * Call it in the transaction that creates the assignments, before them (see `claimOfAssignment`).
 */
export async function reserveForClaims(db: Queryable, k: { projectId: string; workerIds: string[]; pay?: number; status?: string }): Promise<ReserveBatchResult> {
  const { pay, status } = await payAndStatus(db, k);
  if (pay === 0 || k.workerIds.length === 0) return { ok: true, pay: 0, fee: 0, refs: [] };
  if (new Set(k.workerIds).size !== k.workerIds.length) return { ok: false, reason: 'a worker appears twice in one claim batch' };
  const terms = await fixedTerms(db, k.projectId);
  if (!terms) return { ok: false, reason: 'the project has no budget yet' };
  const cost = costWithFee(pay, terms.fee_bp);
  const claims = k.workerIds.map((userId) => ({ userId, ref: `p${k.projectId}:w${userId}:${randomUUID()}` }));
  const grand = cost.total * claims.length;
  const base = { committedAccount: terms.committed_account, total: cost.total, projectId: k.projectId, claims, meta: { pay: cost.pay, fee: cost.fee } };
  let got = await ledgerRepo.reserveClaimsFromBudget(db, { ...base, stripes: terms.stripes, skipLocked: true, fit: true });
  let held = got.locked > 0; // stripes this transaction now holds (until it ends)
  if (!got.written && got.wanted !== null && got.wanted > 0 && got.locked === got.wanted) {
    // The stripes it counted on were free but fell short (one emptied meanwhile): take every free one.
    got = await ledgerRepo.reserveClaimsFromBudget(db, { ...base, stripes: terms.stripes, skipLocked: true, fit: false });
    held ||= got.locked > 0;
  }
  if (!got.written && !held) {
    // Every stripe that could help is held by others: as in `reserve`, wait for one stripe that
    // covers the whole batch. Never while holding a stripe: waiting for another then could deadlock.
    const waited = await waitForOneStripe(db, terms, grand, async (one) => {
      const r = await ledgerRepo.reserveClaimsFromBudget(db, { ...base, stripes: [one], skipLocked: false, fit: false });
      return r.written ? r : null;
    });
    if (waited) got = { ...waited.got, before: waited.left + grand };
  }
  if (!got.written) return { ok: false, reason: `the free budget stripes do not cover ${claims.length} tasks at once` };
  if (got.written !== claims.length) throw new Error(`claim batch wrote ${got.written} of ${claims.length} reservations`);
  const left = got.before - grand;
  if (left < cost.total) await pauseForFunds(db, k.projectId, status, pauseReason(cost.total, left));
  return { ok: true, pay: cost.pay, fee: cost.fee, refs: claims.map((c) => c.ref) };
}

/**
 * Takes `total` from the budget into escrow as one movement (kind/ref), in the caller's
 * transaction: from any stripe that covers it and is not locked by another claim; else waiting
 * for one that covers it; else, with every stripe locked, from several. Null: the budget cannot
 * cover it (nothing written). `left`: the budget after, as far as this transaction can see.
 */
async function reserve(
  db: Queryable,
  terms: FixedTerms,
  c: { kind: string; ref: string; total: number; projectId: string; userId: string; meta: Record<string, unknown> },
): Promise<{ left: number } | null> {
  const base = { committedAccount: terms.committed_account, ...c };
  const got = await ledgerRepo.reserveFromBudget(db, { ...base, stripes: terms.stripes, skipLocked: true });
  if (got) return { left: got.before - c.total };
  const waited = await waitForOneStripe(db, terms, c.total, (one) => ledgerRepo.reserveFromBudget(db, { ...base, stripes: [one], skipLocked: false }));
  if (waited) return { left: waited.left };
  // No single stripe covers it (the budget is nearly spent, or spread thin): lock them all.
  const legs = await takeFromBudget(db, terms, c.total);
  if (!legs) return null;
  await post(db, {
    kind: c.kind,
    ref: c.ref,
    projectId: c.projectId,
    userId: c.userId,
    meta: { ...c.meta, stripe: legs[0]!.account },
    legs: [...legs, { account: terms.committed_account, amount: c.total, cached: false }],
  });
  return { left: await budgetBalance(db, terms) };
}

/**
 * The waiting try of `reserve` and `reserveForClaims`: picks at random one budget stripe that
 * covers `need` and runs `tryOne` on it alone (waiting for its lock). Null: no stripe covers it,
 * or the try failed (nothing written). `left`: the budget after, as far as this transaction sees.
 */
async function waitForOneStripe<T>(db: Queryable, terms: FixedTerms, need: number, tryOne: (stripe: number) => Promise<T | null>): Promise<{ got: T; left: number } | null> {
  const covering = (await ledgerRepo.stripeBalances(db, terms.stripes)).filter((x) => (x.balance ?? 0) >= need);
  if (!covering.length) return null;
  const one = covering[Math.floor(Math.random() * covering.length)]!.id;
  // Waiting for a stripe another claim holds, this try often finds it emptied meanwhile — and
  // still holds its lock (FOR UPDATE keeps the lock on a row it re-checks and drops). Locking
  // every stripe in id order while holding one out of order deadlocks with the next claim
  // doing the same, so this try runs under a savepoint, rolled back (locks and all) if it
  // fails. (Only here: the first, SKIP LOCKED try waits for nothing and rarely drops a row.)
  const inTx = db.isTransaction;
  if (inTx) await sql`savepoint reserve_one`.execute(db);
  const got = await tryOne(one);
  if (inTx) await sql.raw(got ? 'release savepoint reserve_one' : 'rollback to savepoint reserve_one').execute(db);
  if (!got) return null;
  // That statement saw one stripe only: what is left is the whole budget's balance.
  return { got, left: await budgetBalance(db, terms) };
}

/**
 * Returns the reservation of a released task (skip, expiry) to the budget, once per
 * (item, worker). Nothing reserved: nothing to do.
 */
export async function releaseClaim(db: Queryable, k: WorkKey & { assignmentId: number }): Promise<void> {
  const ref = workRef(k);
  const claim = await ledgerRepo.claimOfAssignment(db, k.projectId, k.workerId, k.assignmentId);
  if (!claim) return;
  const terms = (await fixedTerms(db, k.projectId))!;
  const { pay, fee } = splitOf(claim.meta);
  const r = await post(db, {
    kind: 'release',
    ref,
    settles: `claim:${claim.ref}`,
    projectId: k.projectId,
    userId: k.workerId,
    meta: { pay, fee, claim: claim.ref, assignmentId: k.assignmentId },
    legs: [{ account: terms.committed_account, amount: -(pay + fee), cached: false }, await creditBudget(db, terms, pay + fee, stripeOf(claim.meta))],
  });
  if (r.status === 'settled' && r.by !== 'release') throw new AppError('invalid_state', 'this task was already submitted; its reservation cannot be released');
  if (r.status === 'posted') await resumeIfFunded(db, k.projectId);
}

/**
 * Releases the reservations of tasks that ended without a release hook — e.g. leases another
 * module cancelled (a worker removed from a project). Call it in the transaction that cancelled
 * them; the money sweeper also does it for the whole platform now and then. Returns how many.
 */
export async function releaseEndedReservations(db: Queryable, f: { projectId?: string; workerId?: string } = {}): Promise<number> {
  const rows = await ledgerRepo.endedReservations(db, { ...f, limit: 500 });
  for (const r of rows) await releaseClaim(db, { projectId: r.project_id, workerId: r.user_id, itemId: r.item_id, assignmentId: r.assignment_id });
  return rows.length;
}

/**
 * Moves a submitted task's pay from escrow to the worker's pending earnings (the fee stays in
 * escrow until the verdict), once per (item, worker). A rework submission moves nothing: the
 * pay is already pending. A task without a reservation (claimed while the project paid nothing)
 * is reserved now — or the submission is refused (`insufficient_funds`) rather than accepting
 * work that cannot be paid. The batch form with one member (one code path).
 */
export function payOnSubmit(db: Queryable, k: WorkKey & { assignmentId: number; annotationId: number; kind?: 'new' | 'rework' }): Promise<void> {
  return payOnSubmits(db, k.projectId, [k]);
}

/**
 * The general path of `payOnSubmits` for its unusual submits: no reservation, a released claim.
 */
async function payOnSubmitGeneral(db: Queryable, k: WorkKey & { assignmentId: number; annotationId: number }): Promise<void> {
  const ref = workRef(k);
  if (await ledgerRepo.findTransaction(db, 'submit', ref)) return;
  let claim = await ledgerRepo.claimOfAssignment(db, k.projectId, k.workerId, k.assignmentId);
  if (!claim) {
    const r = await reserveForClaim(db, k);
    if (!r.ok) throw new AppError('insufficient_funds', "this project's budget cannot pay for this task; it has been paused");
    if (!r.ref) return; // nothing to pay
    claim = await ledgerRepo.findTransaction(db, 'claim', r.ref);
    if (!claim) return;
  }
  const terms = (await fixedTerms(db, k.projectId))!;
  const { pay, fee } = splitOf(claim.meta);
  const pending = await account.workerPending(db, k.workerId);
  const r = await post(db, {
    kind: 'submit',
    ref,
    settles: `claim:${claim.ref}`,
    projectId: k.projectId,
    userId: k.workerId,
    meta: { pay, fee, annotationId: k.annotationId, claim: claim.ref, assignmentId: k.assignmentId },
    legs: [
      { account: terms.committed_account, amount: -pay, cached: false },
      { account: pending, amount: pay, cached: true },
    ],
  });
  if (r.status === 'settled') throw new AppError('lease_expired', 'this task was released before it was submitted; its pay went back to the budget');
}

/**
 * The batch form of `payOnSubmit` for several submits of ONE project (each assignment once):
 * leaves the ledger as `payOnSubmit` for each in turn would. The usual submits move in ONE
 * statement (`ledgerRepo.paySubmittedBatch`); what that statement recognises as nothing to move
 * (a rework, a submit already posted, no pay) moves nothing; workers paid for the first time get
 * their pending accounts opened in one statement and are paid in one more; anything else unusual
 * (no reservation, a released claim) takes the general path.
 */
export async function payOnSubmits(db: Queryable, projectId: string, ks: (Omit<WorkKey, 'projectId'> & { assignmentId: number; annotationId: number; kind?: 'new' | 'rework' })[]): Promise<void> {
  const todo = ks.filter((k) => k.kind !== 'rework');
  if (todo.length === 0) return;
  const terms = await fixedTerms(db, projectId);
  const pay = (batch: typeof todo) =>
    ledgerRepo.paySubmittedBatch(db, {
      projectId,
      committedAccount: terms?.committed_account ?? null,
      rows: batch.map((k) => ({ workerId: k.workerId, assignmentId: k.assignmentId, annotationId: k.annotationId, ref: workRef(k) })),
    });
  const general: typeof todo = [];
  // A first-ever paid submit: the worker has no pending account yet. Opened for all of them in one
  // statement, their pay then moves in one more (as the general path would open and post it).
  const firstPay: typeof todo = [];
  const classify = (rs: Awaited<ReturnType<typeof pay>>, batch: typeof todo, retry: boolean) => {
    for (const r of rs) {
      const k = batch[r.n - 1]!;
      if (r.tx_id !== null) {
        if (!r.credited) throw new Error(`ledger movement submit/${workRef(k)} could not credit the pending account`);
        continue;
      }
      if (r.claim_pay === 0) continue; // reserved nothing: nothing to move
      if (r.submitted) continue; // already paid (a replay)
      if (r.claim_pay === null && Number(r.project_pay) === 0) continue; // no reservation and nothing to pay now
      if (!retry && terms && r.claim_pay !== null && !r.has_pending) firstPay.push(k);
      else general.push(k);
    }
  };
  classify(await pay(todo), todo, false);
  if (firstPay.length) {
    await ledgerRepo.openAccounts(db, 'worker_pending', firstPay.map((k) => k.workerId), true);
    classify(await pay(firstPay), firstPay, true);
  }
  for (const k of general) await payOnSubmitGeneral(db, { ...k, projectId });
}

export type Verdict = 'approve' | 'reject';

/**
 * Settles a submitted unit of work once. Approve: pending → available, and the fee held in escrow
 * → platform fee revenue. Reject (final): pay and fee return to the project's budget. Settling
 * again with the same verdict does nothing; with the other verdict it is refused (`invalid_state`).
 * Returns false when the work carried no pay (volunteer project).
 */
export async function settleWork(db: Queryable, k: WorkKey, verdict: Verdict): Promise<boolean> {
  const ref = workRef(k);
  const submit = await ledgerRepo.findTransaction(db, 'submit', ref);
  if (!submit) return false;
  const terms = (await fixedTerms(db, k.projectId))!;
  const { pay, fee } = splitOf(submit.meta);
  const pending = await account.workerPending(db, k.workerId);
  const legs =
    verdict === 'approve'
      ? [
          { account: pending, amount: -pay, cached: true },
          { account: await account.workerAvailable(db, k.workerId), amount: pay },
          { account: terms.committed_account, amount: -fee, cached: false },
          { account: terms!.fees_account, amount: fee, cached: false },
        ]
      : [
          { account: pending, amount: -pay, cached: true },
          { account: terms.committed_account, amount: -fee, cached: false },
          await creditBudget(db, terms, pay + fee),
        ];
  const r = await post(db, {
    kind: verdict,
    ref,
    settles: `work:${ref}`,
    projectId: k.projectId,
    userId: k.workerId,
    meta: { pay, fee, annotationId: (submit.meta as { annotationId?: number } | null)?.annotationId ?? null },
    legs,
  });
  if (r.status === 'settled') throw new AppError('invalid_state', `this work was already ${r.by === 'approve' ? 'approved' : 'rejected'}; its pay is settled`);
  if (r.status === 'posted' && verdict === 'reject') await resumeIfFunded(db, k.projectId);
  return true;
}

async function keyOfAnnotation(db: Queryable, annotationId: number): Promise<WorkKey> {
  const a = await ledgerRepo.annotationKey(db, annotationId);
  if (!a) throw new AppError('not_found', 'annotation not found');
  return { projectId: a.project_id, itemId: a.item_id, workerId: a.worker_id };
}

/** Approval of an annotation (by review, the review window, or agreement): its author's pay becomes available. */
export async function approveAnnotation(db: Queryable, annotationId: number): Promise<void> {
  await settleWork(db, await keyOfAnnotation(db, annotationId), 'approve');
}

/** Final rejection of an annotation (not a send-back for rework): its pay and fee return to the budget. */
export async function rejectAnnotation(db: Queryable, annotationId: number): Promise<void> {
  await settleWork(db, await keyOfAnnotation(db, annotationId), 'reject');
}

/** Reserves a review's pay and fee before the reviewer is given the annotation. */
export async function reserveForReview(db: Queryable, k: ReviewKey): Promise<ReserveResult> {
  const ref = reviewRef(k);
  const done = await ledgerRepo.findTransaction(db, 'review_reserve', ref);
  if (done) return { ok: true, ...splitOf(done.meta) };
  const { payPerReview } = await projectPay(db, k.projectId);
  if (payPerReview === 0) return { ok: true, pay: 0, fee: 0 };
  const terms = await fixedTerms(db, k.projectId);
  const cost = costWithFee(payPerReview, terms?.fee_bp ?? 0);
  const r = terms
    ? await reserve(db, terms, { kind: 'review_reserve', ref, total: cost.total, projectId: k.projectId, userId: k.reviewerId, meta: { pay: cost.pay, fee: cost.fee, annotationId: k.annotationId } })
    : null;
  if (!r) {
    const balance = await budgetBalance(db, terms);
    return { ok: false, reason: pauseReason(terms ? cost.total : null, balance), cost: cost.total, balance };
  }
  return { ok: true, pay: cost.pay, fee: cost.fee };
}

/** Returns a review reservation to the budget (the reviewer gave the annotation back or timed out). */
export async function releaseReview(db: Queryable, k: ReviewKey): Promise<void> {
  const ref = reviewRef(k);
  const res = await ledgerRepo.findTransaction(db, 'review_reserve', ref);
  if (!res) return;
  const terms = (await fixedTerms(db, k.projectId))!;
  const { pay, fee } = splitOf(res.meta);
  const r = await post(db, {
    kind: 'review_release',
    ref,
    settles: `review:${ref}`,
    projectId: k.projectId,
    userId: k.reviewerId,
    meta: { pay, fee },
    legs: [{ account: terms.committed_account, amount: -(pay + fee), cached: false }, await creditBudget(db, terms, pay + fee, stripeOf(res.meta))],
  });
  if (r.status === 'settled') throw new AppError('invalid_state', 'this review was already paid');
  if (r.status === 'posted') await resumeIfFunded(db, k.projectId);
}

/**
 * Pays a reviewer for one review: the pay to their available earnings, the fee to platform
 * revenue — from the review's reservation when there is one, else straight from the budget
 * (`insufficient_funds` if it cannot cover it). Paid once per (annotation, reviewer).
 */
export async function payReview(db: Queryable, k: ReviewKey): Promise<void> {
  const ref = reviewRef(k);
  const reserved = await ledgerRepo.findTransaction(db, 'review_reserve', ref);
  const { payPerReview } = await projectPay(db, k.projectId);
  const terms = await fixedTerms(db, k.projectId);
  let split: Split;
  if (reserved) split = splitOf(reserved.meta);
  else {
    if (payPerReview === 0) return;
    if (!terms) throw new AppError('insufficient_funds', 'this project has no budget to pay the review');
    split = costWithFee(payPerReview, terms.fee_bp);
  }
  if (split.pay + split.fee === 0) return;
  if (await ledgerRepo.findTransaction(db, 'review_pay', ref)) return;
  let source: Leg[];
  if (reserved) source = [{ account: terms!.committed_account, amount: -(split.pay + split.fee), cached: false }];
  else {
    const legs = await takeFromBudget(db, terms!, split.pay + split.fee);
    if (!legs) throw new AppError('insufficient_funds', "the project's budget cannot pay this review");
    source = legs;
  }
  const r = await post(db, {
    kind: 'review_pay',
    ref,
    settles: `review:${ref}`,
    projectId: k.projectId,
    userId: k.reviewerId,
    meta: { pay: split.pay, fee: split.fee, annotationId: k.annotationId },
    legs: [
      ...source,
      { account: await account.workerAvailable(db, k.reviewerId), amount: split.pay, cached: true },
      { account: terms!.fees_account, amount: split.fee, cached: false },
    ],
  });
  if (r.status === 'settled') throw new AppError('invalid_state', 'this review reservation was already released');
}

// ---- pausing a project that cannot pay, resuming it when it can ----

/** Every reason this module pauses a project with starts so (how a pause of an unfunded project — no terms yet to note it in — is recognised). */
const PAUSE_PREFIX = '예산 부족으로 자동 일시 중지됨:';

/** Why the project paused. `cost` is null before the first funding: the fee rate is not fixed yet, so no cost is quoted. */
function pauseReason(cost: number | null, balance: number): string {
  if (cost === null) {
    return `${PAUSE_PREFIX} 아직 예산이 충전되지 않았습니다. 예산을 충전하면 자동으로 재개됩니다. (Paused automatically: the project has no budget yet; fund the project to resume.)`;
  }
  return `${PAUSE_PREFIX} 다음 작업 비용 ${cost.toLocaleString('ko-KR')}원, 남은 예산 ${balance.toLocaleString('ko-KR')}원. 예산을 충전하면 자동으로 재개됩니다. (Paused automatically: the budget cannot cover the next task; fund the project to resume.)`;
}

/**
 * Pauses an active project whose budget cannot cover its next task. Used after a refused claim,
 * in a transaction of its own: the refused claim's transaction rolls back.
 */
export async function pauseIfUnfunded(db: Queryable, projectId: string): Promise<boolean> {
  const { project, pay } = await projectPay(db, projectId);
  if (project.status !== 'active' || pay === 0) return false;
  const terms = await fixedTerms(db, projectId, false);
  const cost = costWithFee(pay, terms?.fee_bp ?? 0).total;
  const balance = await budgetBalance(db, terms);
  if (balance >= cost) return false;
  return pauseForFunds(db, projectId, project.status, pauseReason(terms ? cost : null, balance));
}

async function pauseForFunds(db: Queryable, projectId: string, status: string, reason: string): Promise<boolean> {
  if (status !== 'active') return false;
  if (!(await ledgerRepo.pauseProject(db, projectId, reason))) return false;
  await ledgerRepo.setPauseReason(db, projectId, reason);
  return true;
}

/**
 * The safety net for a lost wake-up: a claim that leaves too little pauses the project in its own
 * transaction, and a release committing at the same moment can check before that pause is
 * visible (it sees an active project, so it resumes nothing) — the project would stay paused with
 * money in its budget. The money sweeper calls this every tick: each project paused for funds
 * whose budget covers a task again is resumed. Returns how many.
 */
export async function resumeFundedProjects(db: Kysely<Database>): Promise<number> {
  let n = 0;
  for (const projectId of await ledgerRepo.pausedForFunds(db, 100)) {
    if (await db.transaction().execute((trx) => resumeIfFunded(trx, projectId))) n++;
  }
  return n;
}

/** Resumes a project this module paused for lack of funds once its budget covers a task again. */
export async function resumeIfFunded(db: Queryable, projectId: string): Promise<boolean> {
  const t = await ledgerRepo.projectTerms(db, projectId);
  if (!t) return false;
  const { project, pay } = await projectPay(db, projectId);
  // The pause is ours if the terms noted it, or — paused before the project was ever funded, when
  // there were no terms to note it in — if the reason is one of ours.
  const ours = t.pause_reason ?? (project.status_reason?.startsWith(PAUSE_PREFIX) ? project.status_reason : null);
  if (!ours) return false;
  if (project.status !== 'paused' || project.status_reason !== ours) {
    if (project.status !== 'paused' && t.pause_reason) await ledgerRepo.setPauseReason(db, projectId, null);
    return false;
  }
  const balance = await budgetBalance(db, await fixedTerms(db, projectId, false));
  if (balance < costWithFee(pay, t.fee_bp).total) return false;
  const resumed = await ledgerRepo.resumeProject(db, projectId, ours);
  // Forget the reason only when this resumed it: a concurrent claim may have paused the project
  // again meanwhile, with a new reason that must stay noted for the next release or funding.
  if (resumed) await ledgerRepo.setPauseReason(db, projectId, null);
  return resumed;
}
