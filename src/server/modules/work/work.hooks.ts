/**
 * The extension points of work distribution. Other modules (money, review, quality) register
 * functions on the WorkService; each runs INSIDE the transaction that makes the change, so what
 * it writes commits or rolls back together with the claim, the submit or the release.
 *
 * Hooks run in registration order. A hook that throws aborts the whole operation (an AppError
 * reaches the client as usual). Keep them short: they run while the item row is locked.
 */
import type { Transaction } from 'kysely';
import type { ProjectSettings } from '../../../core/projects/settings.ts';
import type { Template } from '../../../core/templates/types.ts';
import type { Database } from '../../../db/schema.ts';
import type { AnnotationStatus, ProjectStatus } from '../../../db/tables/projects.ts';

export type Trx = Transaction<Database>;

/** The project as work distribution sees it. */
export interface WorkProject {
  id: string;
  orgId: string;
  name: string;
  status: ProjectStatus;
  statusReason: string | null;
  settings: ProjectSettings;
  template: Template;
  tags: string[];
}

/**
 * Runs inside the claim transaction before a NEW item (ordinary or gold) is leased; rework
 * hand-outs do not run guards (a rework replaces an answer already counted). Throw an AppError to
 * refuse the claim with that error, or `new NoWork(reason)` to answer 204 (nothing for you now).
 * If no item turns out to be available, the transaction rolls back, undoing what the guard wrote.
 */
export type ClaimGuard = (trx: Trx, project: WorkProject, workerId: string) => void | Promise<void>;

/**
 * The batch form of a ClaimGuard. Under load the work module claims for several workers of one
 * project in one transaction (one statement locks the items, one writes every lease); the batch
 * guard then runs once for all of them, after the items are chosen and before the leases are
 * written. Each worker appears once. It must leave the database as the ClaimGuard run for each
 * worker in turn would — in fewer statements. Throwing anything (an AppError, NoWork) rolls the
 * whole batch back, and every claim of it then runs alone with the per-claim guard, which decides
 * that worker's answer: a batch guard never has to refuse one worker and let the others through.
 */
export type ClaimBatchGuard = (trx: Trx, project: WorkProject, workerIds: string[]) => void | Promise<void>;

export interface SubmitContext {
  project: WorkProject;
  workerId: string;
  assignment: { id: number; kind: 'new' | 'rework'; previousAnnotationId: number | null };
  item: { id: number; isGold: boolean; state: 'open' | 'complete' };
  /** The annotation just inserted (status 'submitted'). A hook that changes its status in the
   * database (e.g. to 'pending_review') sets `status` here too: later hooks and the response read
   * it from here (no read-back). */
  annotation: {
    id: number;
    status: AnnotationStatus;
    result: Record<string, unknown>;
    isGold: boolean;
    goldCorrect: boolean | null;
    durationMs: number;
    reworkCount: number;
    createdAt: Date;
  };
}

/** Runs inside the submit transaction after the annotation, assignment and item counters changed. */
export type SubmitHook = (trx: Trx, ctx: SubmitContext, earlier?: Promise<unknown>) => void | Promise<void>;

/**
 * The batch form of a SubmitHook: once for several submits of ONE project stored by one
 * statement in one transaction (each worker and each assignment appears once; the array is in
 * the order the submits were stored). It must leave the database, and every `ctx` (e.g.
 * `annotation.status`), as the SubmitHook run for each ctx in turn would — in fewer statements.
 * Hooks run hook by hook: every ctx through the first module's hook, then the second's. A throw
 * rolls the whole batch back; every submit of it then runs alone with the per-submit hooks.
 */
export type SubmitBatchHook = (trx: Trx, ctxs: SubmitContext[], earlier?: Promise<unknown>) => void | Promise<void>;

export interface SubmitHookOptions {
  /**
   * The hook needs nothing the hooks registered before it do: it reads from the contexts only
   * what the work module set, and no rows an earlier hook writes in this transaction. It then
   * starts without waiting for them, and its statements go to the database together with theirs
   * (one round trip on a pipelined connection, `unqueued` in src/db/connect.ts). A hook that is
   * not concurrent waits for every hook before it, and the ones after wait for it. A throw still
   * rolls everything back: the hooks running beside it settle first.
   *
   * `earlier` (the hook's last argument) settles when every hook before it has: a concurrent
   * hook that reads first and then needs what earlier hooks set in the contexts awaits it in
   * between (webhooks: reads its subscriptions beside the others, then reports the status review
   * sampling set).
   */
  concurrent?: boolean;
}

export interface ReleaseContext {
  projectId: string;
  workerId: string;
  assignmentId: number;
  itemId: number;
  kind: 'new' | 'rework';
  isGold: boolean;
  /** 'skip': the worker gave it up. 'expire': the lease ran out (a rework goes back to 'pending'). */
  reason: 'skip' | 'expire';
  /** For a skipped rework: the annotation, now 'rejected' with its item slot freed. */
  rejectedAnnotationId: number | null;
}

/** Runs inside the transaction that skipped or expired a lease, once per released assignment. */
export type ReleaseHook = (trx: Trx, ctx: ReleaseContext) => void | Promise<void>;

/** Thrown by a claim guard (or internally) to answer 204: nothing to hand out to this worker now. */
export class NoWork extends Error {
  constructor(reason = 'no work available') {
    super(reason);
    this.name = 'NoWork';
  }
}

export class WorkHooks {
  readonly claimGuards: ClaimGuard[] = [];
  /** Parallel to `claimGuards`: each guard's batch form (or a loop over the guard). */
  readonly claimBatchGuards: ClaimBatchGuard[] = [];
  readonly submitHooks: SubmitHook[] = [];
  /** Parallel to `submitHooks`: each hook's batch form (or a loop over the hook). */
  readonly submitBatchHooks: SubmitBatchHook[] = [];
  /** Parallel to `submitHooks`: SubmitHookOptions.concurrent. */
  readonly submitConcurrent: boolean[] = [];
  readonly releaseHooks: ReleaseHook[] = [];

  addClaimGuard(fn: ClaimGuard, batch?: ClaimBatchGuard): void {
    this.claimGuards.push(fn);
    this.claimBatchGuards.push(
      batch ??
        (async (trx, project, workerIds) => {
          for (const w of workerIds) await fn(trx, project, w);
        }),
    );
  }

  addSubmitHook(fn: SubmitHook, batch?: SubmitBatchHook, opts: SubmitHookOptions = {}): void {
    this.submitConcurrent.push(opts.concurrent === true);
    this.submitHooks.push(fn);
    this.submitBatchHooks.push(
      batch ??
        (async (trx, ctxs, earlier) => {
          for (const c of ctxs) await fn(trx, c, earlier);
        }),
    );
  }
}

/** PostgreSQL: "current transaction is aborted" — what a statement gets behind one that failed. */
const IN_FAILED_TRANSACTION = '25P02';

/** The first failure, in order, that is not merely "transaction aborted", else the first; nothing when all succeeded. */
function throwFirstFailure(out: PromiseSettledResult<unknown>[]): void {
  const errors = out.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length) throw errors.find((e) => (e as { code?: string } | null)?.code !== IN_FAILED_TRANSACTION) ?? errors[0];
}

/**
 * `work` and `beside`, issued in that order in one transaction, both awaited: `work`'s value, or
 * the first real failure of the two (see throwFirstFailure) once both settled.
 */
export async function alongside<T>(work: Promise<T>, beside: Promise<unknown>): Promise<T> {
  const out = await Promise.allSettled([work, beside]);
  throwFirstFailure(out);
  return (out[0] as PromiseFulfilledResult<T>).value;
}

/**
 * Runs hook `0 … n-1` in order (`concurrent[i]`: see SubmitHookOptions). When several fail, the
 * error thrown is the first, in hook order, that is not merely "transaction aborted" (a deadlock
 * in one hook must not hide behind what it did to the statements queued after it).
 */
export async function runHooks(n: number, concurrent: boolean[], run: (i: number, earlier: Promise<unknown>) => void | Promise<void>): Promise<void> {
  let running: Promise<void>[] = [];
  const done = Promise.resolve();
  const settle = async () => {
    if (!running.length) return;
    const out = await Promise.allSettled(running);
    running = [];
    throwFirstFailure(out);
  };
  for (let i = 0; i < n; i++) {
    if (concurrent[i]) {
      const earlier = running.length ? Promise.allSettled([...running]) : done;
      const p = (async () => run(i, earlier))(); // starts now: its first statement is issued in this turn
      running.push(p);
      continue;
    }
    await settle();
    await run(i, done);
  }
  await settle();
}
