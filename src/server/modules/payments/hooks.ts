/**
 * The money functions other modules call inside their own transactions, and the registration
 * that makes money move with the work. See CONTEXT.md.
 *
 * For the review/quality modules (each takes the caller's open transaction):
 *   approveAnnotation(trx, annotationId)   pending pay → available, fee → platform revenue
 *   rejectAnnotation(trx, annotationId)    FINAL rejection: pay and fee → the project's budget
 *   reserveForReview(trx, {projectId, annotationId, reviewerId})  before handing out a review
 *   releaseReview(trx, {projectId, annotationId, reviewerId})     the reviewer gave it back
 *   payReview(trx, {projectId, annotationId, reviewerId})         the review was made
 *   releaseEndedReservations(trx, {projectId?, workerId?})        after cancelling leases yourself
 * All are idempotent by cause; a contradicting call (reject after approve) throws invalid_state.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context.ts';
import { NoWork, type ClaimBatchGuard, type ClaimGuard, type ReleaseHook, type SubmitBatchHook, type SubmitHook, type SubmitHookOptions } from '../work/work.hooks.ts';
import { estimatedEarnings, type EarningsSource } from '../work/work.service.ts';
import { ledgerRepo } from './ledger.repo.ts';
import {
  pauseIfUnfunded,
  payOnSubmits,
  rejectAnnotation,
  releaseClaim,
  releaseEndedReservations,
  reserveForClaim,
  reserveForClaims,
  resumeFundedProjects,
} from './work-money.ts';

export {
  approveAnnotation,
  payReview,
  rejectAnnotation,
  releaseEndedReservations,
  releaseReview,
  resumeFundedProjects,
  reserveForReview,
  settleWork,
  type ReserveResult,
  type ReviewKey,
  type Verdict,
  type WorkKey,
} from './work-money.ts';

/** What the money module needs of the WorkService (the registration points it exposes). */
export interface WorkHookPoints {
  /** `batch`: the guard's batch form (one call for several workers of one project). */
  registerClaimGuard(fn: ClaimGuard, batch?: ClaimBatchGuard): void;
  /** `batch`: the hook's batch form (one call for several submits of one project). */
  registerSubmitHook(fn: SubmitHook, batch?: SubmitBatchHook, opts?: SubmitHookOptions): void;
  registerReleaseHook(fn: ReleaseHook): void;
  setEarningsSource?(fn: EarningsSource): void;
}

/**
 * Makes money move with the work:
 *  - claim: the task's pay + fee is reserved from the budget; a budget that cannot cover it
 *    refuses the claim (204 to the worker) and the project pauses itself with a reason;
 *  - submit: the reserved pay becomes the worker's pending earnings (a rework moves nothing);
 *  - skip/expiry: the reservation returns to the budget; a skipped rework is a final rejection;
 *  - the labeling screen's "today" earnings come from the ledger.
 */
const REGISTERED = Symbol.for('dure.payments.registered');

export function registerWorkMoney(work: WorkHookPoints, ctx: Pick<AppContext, 'db' | 'log'>, app?: LifecycleHooks, opts: { sweepIntervalMs?: number } = {}): void {
  // Once per WorkService (app.ts registers it; a test may call it again harmlessly).
  const marked = work as WorkHookPoints & { [REGISTERED]?: boolean };
  if (marked[REGISTERED]) return;
  marked[REGISTERED] = true;
  work.registerClaimGuard(
    async (trx, project, workerId) => {
      const r = await reserveForClaim(trx, { projectId: project.id, workerId, pay: project.settings.payPerAnnotation, status: project.status });
      if (!r.ok) {
        // The claim's transaction rolls back, so the pause is written in one of its own.
        schedulePause(ctx.db, ctx.log, project.id);
        throw new NoWork(r.reason);
      }
    },
    // A batch the free budget stripes cannot cover at once (whole claims from each) is refused
    // whole, pausing nothing: its claims then run one by one above, which decide who gets a task
    // and pause the project.
    async (trx, project, workerIds) => {
      const r = await reserveForClaims(trx, { projectId: project.id, workerIds, pay: project.settings.payPerAnnotation, status: project.status });
      if (!r.ok) throw new NoWork(r.reason);
    },
  );

  // Submits pay through the batch form; a lone submit is a batch of one (one code path).
  const paySubmits: SubmitBatchHook = async (trx, cs) => {
    if (cs.length === 0) return;
    await payOnSubmits(
      trx,
      cs[0]!.project.id,
      cs.map((c) => ({ workerId: c.workerId, itemId: c.item.id, assignmentId: c.assignment.id, annotationId: c.annotation.id, kind: c.assignment.kind })),
    );
  };
  // Concurrent: the payment reads only what the work module put in the contexts, and ledger rows.
  work.registerSubmitHook((trx, c) => paySubmits(trx, [c]), paySubmits, { concurrent: true });

  work.registerReleaseHook(async (trx, c) => {
    if (c.kind === 'rework') {
      // Declining to fix a rework is the final rejection of the earlier answer.
      if (c.rejectedAnnotationId !== null) await rejectAnnotation(trx, c.rejectedAnnotationId);
      return;
    }
    await releaseClaim(trx, { projectId: c.projectId, workerId: c.workerId, itemId: c.itemId, assignmentId: c.assignmentId });
  });

  work.setEarningsSource?.(async (db, workerId, project, since) => {
    const { count } = await estimatedEarnings(db, workerId, project, since);
    return { count, earnings: await ledgerRepo.earnedSince(db, workerId, project.id, since) };
  });

  // Safety nets, every 15 s: reservations of leases that ended without a release (cancelled by
  // another module) go back to their budgets; a project left paused for funds by a lost wake-up
  // (see resumeFundedProjects) resumes once its budget covers a task.
  if (app) {
    const every = opts.sweepIntervalMs ?? 15_000;
    let timer: NodeJS.Timeout | null = null;
    let running: Promise<unknown> | null = null;
    app.addHook('onReady', async () => {
      if (every <= 0) return;
      timer = setInterval(() => {
        if (running) return;
        running = ctx.db
          .transaction()
          .execute((trx) => releaseEndedReservations(trx))
          .then((n) => n > 0 && ctx.log.warn({ released: n }, 'released reservations of tasks that ended without a release'))
          .then(() => resumeFundedProjects(ctx.db))
          .then((n) => n > 0 && ctx.log.warn({ resumed: n }, 'resumed projects left paused with a budget that covers a task'))
          .catch((err: unknown) => ctx.log.warn({ err }, 'money sweep failed; retrying next tick'))
          .finally(() => (running = null));
      }, every);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      if (timer) clearInterval(timer);
      await running;
    });
  }
}

/** The app lifecycle hooks the money sweeper needs (a FastifyInstance has them). */
export interface LifecycleHooks {
  addHook(name: 'onReady' | 'preClose', fn: () => Promise<void>): unknown;
}

function schedulePause(db: AppContext['db'], log: FastifyBaseLogger, projectId: string) {
  setImmediate(() => {
    db.transaction()
      .execute((trx) => pauseIfUnfunded(trx, projectId))
      .catch((err: unknown) => log.warn({ err, projectId }, 'could not pause an unfunded project'));
  });
}
