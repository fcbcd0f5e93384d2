import { AppError } from '../../../core/app-error.ts';
import { DEFAULT_SETTINGS, type ProjectSettings } from '../../../core/projects/settings.ts';
import { compactResult } from '../../../core/templates/helpers.ts';
import { prefixProblems } from '../../../core/templates/pointer.ts';
import { GOLD_KEY, type Template } from '../../../core/templates/types.ts';
import { validateResult } from '../../../core/templates/validate-result.ts';
import { unqueued } from '../../../db/connect.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { ProjectWorkerStatus } from '../../../db/tables/work.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { effectiveHourlyPay, instructionsSummary, rankFeed, seoulDayStart } from './feed.ts';
import { gradeGold } from './gold.ts';
import {
  type ClaimBatchGuard,
  type ClaimGuard,
  NoWork,
  type ReleaseContext,
  type ReleaseHook,
  type SubmitBatchHook,
  type SubmitContext,
  type SubmitHook,
  type SubmitHookOptions,
  alongside,
  runHooks,
  type Trx,
  WorkHooks,
  type WorkProject,
} from './work.hooks.ts';
import { Coalescer } from '../../coalescer.ts';
import {
  type AnnotationRow,
  type AssignmentFullRow,
  type HandoutRow,
  type LeasePair,
  type NextStateRow,
  type ProjectForWorkerRow,
  type ReleasedRow,
  workRepo,
} from './work.repo.ts';

export interface WorkOptions {
  /** Source of randomness for the gold mix (tests pass a seeded one). */
  random?: () => number;
  /** Background sweep period for expired leases; 0 disables the background sweeper. */
  sweepIntervalMs?: number;
}

/** Figures for "today" on the labeling screen. The money module replaces the estimate with ledger figures. */
export type EarningsSource = (db: Queryable, workerId: string, project: WorkProject, since: Date) => Promise<{ count: number; earnings: number }>;

/** Until the ledger exists: today's answers (superseded reworks excluded) × pay per task. */
export const estimatedEarnings: EarningsSource = async (db, workerId, project, since) => {
  const count = await workRepo.countSince(db, workerId, project.id, since);
  return { count, earnings: count * project.settings.payPerAnnotation };
};

export interface AssignmentOut {
  id: number;
  kind: 'new' | 'rework';
  projectId: string;
  item: { id: number; data: Record<string, unknown> };
  expiresAt: string;
  previousResult?: Record<string, unknown>;
  reworkComment?: string;
}

export interface AnnotationOut {
  id: number;
  itemId: number;
  assignmentId: number;
  result: Record<string, unknown>;
  status: string;
  createdAt: string;
  durationMs: number;
}

const FEED_TASKS_CAP = 1000;
const SWEEP_BATCH = 500;
const RETRYABLE = new Set(['40P01', '40001', '23505']);
/** Claim statements per claim while every item left for the worker is locked by concurrent claims. */
const CLAIM_TRIES = 4;
/** Most claims or submits stored by one batch transaction. */
const BATCH_MAX = 64;
/**
 * Batches of one lane at the same time: reads (one statement each), and claims/submits of one
 * project. One write batch per project at a time measured best (bench/work, 200 workers: 2 or 4
 * concurrent write batches made batches smaller and open-loop latency worse, 80–180 ms p50 vs
 * 35–80, for no steady gain in throughput); it also keeps a worker's two calls out of
 * concurrent batches.
 */
const READ_LANES = 2;
const WRITE_LANES = 1;

type ClaimOutcome = HandoutRow | 'empty' | 'refused';
type SubmitOutcome = { annotation: AnnotationOut; replayed: boolean };

/** A submit checked and validated, waiting to be stored (alone or in a batch). */
interface SubmitJob {
  user: AuthUser;
  a: AssignmentFullRow;
  stored: Record<string, unknown>;
  goldCorrect: boolean | null;
  idempotencyKey: string | null;
}

/**
 * Who gets which of the locked candidate items (lowest id first, as a lone claim would): each
 * worker, in order, the first candidate with a free slot they never had. Workers left out (they
 * had every candidate) claim alone afterwards.
 */
export function planClaims(candidates: { id: number; free: number; had: string[] }[], workerIds: string[]): LeasePair[] {
  const free = candidates.map((c) => c.free);
  const had = candidates.map((c) => new Set(c.had));
  const pairs: LeasePair[] = [];
  for (const workerId of workerIds) {
    const k = candidates.findIndex((_, i) => free[i]! > 0 && !had[i]!.has(workerId));
    if (k < 0) continue;
    free[k]!--;
    pairs.push({ workerId, itemId: candidates[k]!.id });
  }
  return pairs;
}

/** Item data as a worker may see it: never the gold answer, whatever the import left in it. */
export function workerData(data: Record<string, unknown>): Record<string, unknown> {
  if (!data || !Object.hasOwn(data, GOLD_KEY)) return data;
  const { [GOLD_KEY]: _gold, ...rest } = data;
  return rest;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const pgCode = (e: unknown) => (e as { code?: string } | null)?.code;

function toProject(p: ProjectForWorkerRow): WorkProject {
  return {
    id: p.id,
    orgId: p.org_id,
    name: p.name,
    status: p.status,
    statusReason: p.status_reason,
    settings: { ...DEFAULT_SETTINGS, ...(p.settings as Partial<ProjectSettings>) },
    template: p.template as Template,
    tags: p.tags,
  };
}

function handoutOut(projectId: string, r: HandoutRow): AssignmentOut {
  const out: AssignmentOut = { id: r.id, kind: r.kind, projectId, item: { id: r.item_id, data: workerData(r.data) }, expiresAt: iso(r.expires_at) };
  if (r.kind === 'rework') {
    if (r.previous_result) out.previousResult = r.previous_result;
    out.reworkComment = r.rework_comment ?? '';
  }
  return out;
}

export function annotationOut(a: AnnotationRow): AnnotationOut {
  return {
    id: a.id,
    itemId: a.item_id,
    assignmentId: a.assignment_id,
    result: a.result,
    status: a.status,
    createdAt: iso(a.created_at),
    durationMs: a.duration_ms,
  };
}

/** 403 unless the account may work at all (paused or banned accounts may not). */
export function assertActiveWorker(user: AuthUser): void {
  if (user.status === 'active') return;
  const why = user.statusReason ? `: ${user.statusReason}` : '';
  throw new AppError('forbidden', user.status === 'paused' ? `your account is paused${why}` : `your account is ${user.status}${why}`);
}

/** Why this worker may not take work in this project now, or null. Drafts and archives are 404. */
function blockedReason(p: ProjectForWorkerRow, project: WorkProject, user: AuthUser): { code: 'forbidden' | 'invalid_state'; message: string } | null {
  if (p.pw_status === 'removed') {
    return { code: 'forbidden', message: `you were removed from this project${p.pw_reason ? `: ${p.pw_reason}` : ''}` };
  }
  if (user.level < project.settings.minLevel) {
    return { code: 'forbidden', message: `this project needs level ${project.settings.minLevel}; you are level ${user.level}` };
  }
  if (project.status !== 'active') {
    return { code: 'invalid_state', message: `this project is ${project.status}${project.statusReason ? `: ${project.statusReason}` : ''}; it hands out no work now` };
  }
  return null;
}

const visibleToWorkers = (status: string) => status !== 'draft' && status !== 'archived';

/** `next`'s read started ahead of the session lookup (`WorkService.readAheadNext`). */
export interface NextReadAhead {
  userId: string;
  projectId: string;
  state: Promise<NextStateRow | undefined>;
}
/** Submit's read started ahead of the session lookup (`WorkService.readAheadSubmit`). */
export interface SubmitReadAhead {
  assignmentId: number;
  key: string | null;
  load: Promise<AssignmentFullRow | undefined>;
}

export class WorkService {
  private readonly hooks = new WorkHooks();
  private earnings: EarningsSource = estimatedEarnings;
  /** Source of randomness for the gold mix; tests may replace it. */
  random: () => number;
  private readonly sweepIntervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;

  /**
   * Batching across workers (see coalescer.ts and CONTEXT.md "Batches"): concurrent calls of the
   * hot path share statements. Reads share one statement per batch; claims and submits of one
   * project share one transaction, with every module's hooks in their batch form.
   */
  private readonly states = new Coalescer<string, NextStateRow | undefined>(
    async (projectId, workerIds) => {
      const rows = await workRepo.nextStates(this.ctx.db, projectId, workerIds);
      return workerIds.map((_, i) => rows[i]);
    },
    { max: 500, concurrency: READ_LANES },
  );
  private readonly loads = new Coalescer<{ id: number; key: string | null }, AssignmentFullRow | undefined>(
    async (_lane, reqs) => {
      const rows = await workRepo.loadAssignments(this.ctx.db, reqs);
      const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
      return reqs.map((_, i) => byOrd.get(i + 1));
    },
    { max: 500, concurrency: READ_LANES },
  );
  private readonly claims = new Coalescer<{ project: WorkProject; workerId: string }, ClaimOutcome>(
    (projectId, reqs) => this.claimBatch(projectId, reqs),
    { max: BATCH_MAX, distinct: (r) => r.workerId, concurrency: WRITE_LANES },
  );
  private readonly submits = new Coalescer<SubmitJob, SubmitOutcome>((_projectId, jobs) => this.submitBatch(jobs), {
    max: BATCH_MAX,
    distinct: (j) => j.user.id,
    concurrency: WRITE_LANES,
  });
  /** What the batches did: how many, how many requests, how many rolled back to run alone and why. */
  readonly batchStats = {
    claims: this.claims.stats,
    submits: this.submits.stats,
    /** The read lanes: `next`'s read (states) and submit's read (loads). */
    reads: { states: this.states.stats, loads: this.loads.stats },
    fallbacks: { claim: 0, submit: 0 } as Record<'claim' | 'submit', number>,
    /** Why batches rolled back: "claim:NoWork", "submit:23505" (PostgreSQL error code), … */
    reasons: {} as Record<string, number>,
  };

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'log' | 'dbKind'>,
    opts: WorkOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 3000;
  }

  // ---- extension points (see work.hooks.ts) -----------------------------------------------

  /** `batch`: the guard's batch form (see ClaimBatchGuard); without it a batch runs `fn` per worker. */
  registerClaimGuard(fn: ClaimGuard, batch?: ClaimBatchGuard): void {
    this.hooks.addClaimGuard(fn, batch);
  }
  /** `batch`: the hook's batch form (see SubmitBatchHook); without it a batch runs `fn` per submit. */
  registerSubmitHook(fn: SubmitHook, batch?: SubmitBatchHook, opts?: SubmitHookOptions): void {
    this.hooks.addSubmitHook(fn, batch, opts);
  }
  registerReleaseHook(fn: ReleaseHook): void {
    this.hooks.releaseHooks.push(fn);
  }
  setEarningsSource(fn: EarningsSource): void {
    this.earnings = fn;
  }

  /** A worker's standing in a project ('removed' blocks them, with `reason` shown). For the quality module. */
  setProjectWorker(projectId: string, workerId: string, status: ProjectWorkerStatus, reason: string | null, db: Queryable = this.ctx.db) {
    return workRepo.setProjectWorker(db, projectId, workerId, status, reason);
  }

  /**
   * `fn` in a transaction when hooks may write (else on the pool). A transaction PostgreSQL chose
   * as a deadlock victim (or a serialization failure) was rolled back whole: it runs again, up to
   * twice, after a short random pause.
   */
  private async run<T>(needed: boolean, fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (!needed) return fn(this.ctx.db);
    for (let attempt = 0; ; attempt++) {
      try {
        // unqueued: hooks that run side by side send their statements together (runHooks).
        return await this.ctx.db.transaction().execute(async (trx) => fn(await unqueued(trx)));
      } catch (e) {
        const code = pgCode(e);
        if (attempt >= 2 || (code !== '40P01' && code !== '40001')) throw e;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
  }

  // ---- read-ahead (plugins/auth.ts ReadAhead) ------------------------------------------------

  /**
   * `next`'s read for the worker a session cookie last belonged to, started beside the session
   * lookup. `next` uses it only when the confirmed user and the project match; otherwise (and
   * for a request that fails authentication) it is dropped: a read changes nothing.
   */
  readAheadNext(projectId: string, userId: string): NextReadAhead {
    const state = this.states.call(projectId, userId);
    state.catch(() => {});
    return { userId, projectId, state };
  }

  /** Submit's read of the assignment (ownership is checked on it afterwards, as always). */
  readAheadSubmit(assignmentId: number, key: string | null): SubmitReadAhead {
    const load = this.loads.call('', { id: assignmentId, key });
    load.catch(() => {});
    return { assignmentId, key, load };
  }

  // ---- claims -----------------------------------------------------------------------------

  /**
   * The worker's next task in a project: their live lease if they hold one, else a rework waiting
   * for them, else a new item (gold at the project's gold rate). `null` = nothing left for them.
   */
  async next(user: AuthUser, projectId: string, ahead?: NextReadAhead | null): Promise<AssignmentOut | null> {
    assertActiveWorker(user);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const early = attempt === 0 && ahead && ahead.userId === user.id && ahead.projectId === projectId ? ahead.state : null;
        const st = await (early ?? this.states.call(projectId, user.id));
        if (!st || !visibleToWorkers(st.status)) throw new AppError('not_found', 'project not found');
        const project = toProject(st);
        const blocked = blockedReason(st, project, user);
        if (blocked) throw new AppError(blocked.code, blocked.message);

        if (st.l_id !== null) {
          if (st.l_live) {
            return handoutOut(projectId, {
              id: st.l_id,
              kind: st.l_kind!,
              item_id: st.l_item_id!,
              expires_at: st.l_expires_at!,
              data: st.l_data!,
              rework_comment: st.l_rework_comment,
              previous_result: st.l_previous_result,
            });
          }
          await this.expire({ assignmentId: st.l_id });
        }
        if (st.has_rework) {
          const rework = await workRepo.takeRework(this.ctx.db, user.id, projectId, project.settings.leaseSeconds);
          if (rework) return handoutOut(projectId, rework);
        }
        const got = await this.claimOne(project, user.id);
        if (got === 'refused') return null;
        if (got !== 'empty') return handoutOut(projectId, got);
        // Nothing free: leases that ran out may still hold slots. Sweep this project and try again
        // (also when this sweep found none: the background sweeper may have freed one meanwhile).
        if (attempt === 0) {
          await this.expire({ projectId });
          continue;
        }
        return null;
      } catch (e) {
        // A concurrent `next` of the same worker won the one-live-lease index, or a deadlock with
        // the sweeper: go round again and return whatever now holds.
        if (RETRYABLE.has(pgCode(e) ?? '') && attempt < 4) continue;
        throw e;
      }
    }
    return null;
  }

  /** A new item for the worker: gold at the project's gold rate (alone), else through the project's claim batches. */
  private claimOne(project: WorkProject, workerId: string): Promise<ClaimOutcome> {
    const s = project.settings;
    if (s.goldRate > 0 && this.random() < s.goldRate) return this.claim(project, workerId, true);
    return this.claims.call(project.id, { project, workerId });
  }

  /** One claim in its own transaction (per-claim guards). */
  private async claim(project: WorkProject, workerId: string, tryGold: boolean): Promise<ClaimOutcome> {
    const s = project.settings;
    const guards = this.hooks.claimGuards;
    try {
      return await this.run(guards.length > 0, async (q) => {
        const args = { projectId: project.id, workerId, leaseSeconds: s.leaseSeconds };
        const guarded = async () => {
          for (const guard of guards) await guard(q as Trx, project, workerId);
        };
        let first: HandoutRow | null;
        if (tryGold) {
          await guarded();
          const gold = await workRepo.claimGold(q, args);
          if (gold) return gold;
          first = await workRepo.claimNew(q, args);
        } else {
          // The claim is issued first and the guards right behind it: their statements travel
          // together (one round trip), and a savepoint a guard takes — and may roll back — comes
          // after the claim, never around it. A refusal still rolls the whole transaction back.
          const claim = workRepo.claimNew(q, args);
          first = await alongside(claim, guarded());
        }
        // Items left for this worker but every one locked by a concurrent claim at that instant:
        // those claims commit within a round trip or two, so go again rather than answer 204.
        for (let i = 0; i < CLAIM_TRIES; i++) {
          const row = i === 0 ? first : await workRepo.claimNew(q, args);
          if (row) return row;
          if (!(await workRepo.claimableLeft(q, { projectId: project.id, workerId }))) break;
        }
        throw new EmptyClaim();
      });
    } catch (e) {
      if (e instanceof EmptyClaim) return 'empty';
      if (e instanceof NoWork) return 'refused';
      throw e;
    }
  }

  /**
   * Claims for several workers of one project in one transaction: lock the first claimable items
   * (one statement), choose who gets what (planClaims), run the guards' batch forms once, write
   * every lease (one statement). A worker the batch could not serve, and every worker of a batch
   * that rolled back (a guard refused, a deadlock), claims alone.
   */
  private async claimBatch(projectId: string, reqs: { project: WorkProject; workerId: string }[]): Promise<(ClaimOutcome | Promise<ClaimOutcome>)[]> {
    const alone = (r: { project: WorkProject; workerId: string }) => this.claim(r.project, r.workerId, false);
    if (reqs.length === 1) return [alone(reqs[0]!)];
    const project = reqs[0]!.project;
    let got: Map<string, HandoutRow>;
    try {
      got = await this.run(true, async (q) => {
        const workerIds = reqs.map((r) => r.workerId);
        // Every locked row is a row lock written to its page: lock a margin over the batch, not 2×.
        const candidates = await workRepo.lockClaimable(q, { projectId, limit: reqs.length + (reqs.length >> 1) + 8 });
        const pairs = planClaims(candidates, workerIds);
        const out = new Map<string, HandoutRow>();
        if (!pairs.length) return out;
        // The leases are issued first and the guards' batch forms right behind them (one round
        // trip, and a guard's savepoint never covers the leases; see claim()).
        const leases = workRepo.insertLeases(q, { projectId, leaseSeconds: project.settings.leaseSeconds, pairs });
        const guarded = (async () => {
          for (const guard of this.hooks.claimBatchGuards) await guard(q as Trx, project, pairs.map((p) => p.workerId));
        })();
        const rows = await alongside(leases, guarded);
        if (rows.length !== pairs.length) throw new Error(`a batch claim wrote ${rows.length} of ${pairs.length} leases`);
        for (const r of rows) out.set(r.worker_id, r);
        return out;
      });
    } catch (e) {
      this.fellBack('claim', e);
      return reqs.map(alone);
    }
    return reqs.map((r) => got.get(r.workerId) ?? alone(r));
  }

  /** A batch rolled back and its requests run alone: expected for a refusal, worth a warning otherwise. */
  private fellBack(kind: 'claim' | 'submit', e: unknown): void {
    this.batchStats.fallbacks[kind]++;
    const why = `${kind}:${pgCode(e) ?? (e instanceof AppError ? e.code : e instanceof Error ? e.name : 'unknown')}`;
    this.batchStats.reasons[why] = (this.batchStats.reasons[why] ?? 0) + 1;
    if (e instanceof NoWork || e instanceof AppError || RETRYABLE.has(pgCode(e) ?? '')) return;
    this.ctx.log.warn({ err: e }, `a ${kind} batch rolled back; its requests run one by one`);
  }

  // ---- submit -----------------------------------------------------------------------------

  private async loadOwn(
    user: AuthUser,
    assignmentId: number,
    idempotencyKey: string | null = null,
    early: Promise<AssignmentFullRow | undefined> | null = null,
  ): Promise<AssignmentFullRow> {
    const a = await (early ?? this.loads.call('', { id: assignmentId, key: idempotencyKey }));
    if (!a) throw new AppError('not_found', 'assignment not found');
    if (a.worker_id !== user.id) throw new AppError('forbidden', 'this assignment belongs to another worker');
    return a;
  }

  /** A replay of an earlier submit (same key, or the same assignment again), if this is one. */
  private replayOf(a: AssignmentFullRow): AnnotationRow | null {
    if (a.by_key) {
      if (a.by_key.assignment_id !== a.id) {
        throw new AppError('conflict', `this Idempotency-Key was already used to submit assignment ${a.by_key.assignment_id}; use a new key for each assignment`);
      }
      return a.by_key;
    }
    return a.done;
  }

  /**
   * Stores an answer. Idempotent: the same Idempotency-Key (or, without a key, the same assignment
   * submitted again) returns the stored annotation and changes nothing (`replayed`).
   */
  async submit(
    user: AuthUser,
    assignmentId: number,
    result: unknown,
    idempotencyKey: string | null,
    ahead?: SubmitReadAhead | null,
  ): Promise<{ annotation: AnnotationOut; replayed: boolean }> {
    assertActiveWorker(user);
    const early = ahead && ahead.assignmentId === assignmentId && ahead.key === idempotencyKey ? ahead.load : null;
    const a = await this.loadOwn(user, assignmentId, idempotencyKey, early);
    const prior = this.replayOf(a);
    if (prior) return { annotation: annotationOut(prior), replayed: true };
    if (a.pw_status === 'removed') throw new AppError('forbidden', `you were removed from this project${a.pw_reason ? `: ${a.pw_reason}` : ''}`);
    this.assertSubmittable(a);

    const template = a.p_template as Template;
    const data = workerData(a.data);
    const problems = validateResult(template, result, data);
    if (problems.length) throw new AppError('validation_failed', 'the result does not fit the form', prefixProblems(problems, '/result'));
    const stored = compactResult(template, result as Record<string, never>);
    const goldCorrect = a.is_gold ? gradeGold(template, stored, a.gold) : null;

    return this.submits.call(a.project_id, { user, a, stored, goldCorrect, idempotencyKey });
  }

  /** What a submit hook is told about a submit just stored. */
  private submitContext(j: SubmitJob, ins: AnnotationRow & { item_state: 'open' | 'complete' | null }): SubmitContext {
    const a = j.a;
    return {
      project: this.projectOfAssignment(a),
      workerId: j.user.id,
      assignment: { id: a.id, kind: a.kind, previousAnnotationId: a.previous_annotation_id },
      item: { id: a.item_id, isGold: a.is_gold, state: ins.item_state ?? 'open' },
      annotation: {
        id: ins.id,
        status: ins.status,
        result: ins.result,
        isGold: ins.is_gold,
        goldCorrect: ins.gold_correct,
        durationMs: ins.duration_ms,
        reworkCount: ins.rework_count,
        createdAt: new Date(ins.created_at),
      },
    };
  }

  private submitRow(j: SubmitJob) {
    return { assignmentId: j.a.id, workerId: j.user.id, result: j.stored, isGold: j.a.is_gold, goldCorrect: j.goldCorrect, idempotencyKey: j.idempotencyKey };
  }

  /** One submit in its own transaction (per-submit hooks), with the answers to a lost race. */
  private async storeOne(j: SubmitJob): Promise<SubmitOutcome> {
    const hooks = this.hooks.submitHooks;
    try {
      const row = await this.run(hooks.length > 0, async (q) => {
        const [ins] = await workRepo.submitMany(q, [this.submitRow(j)]);
        if (!ins) throw new LeaseGone();
        if (hooks.length) {
          const ctx = this.submitContext(j, ins);
          await runHooks(hooks.length, this.hooks.submitConcurrent, (i, earlier) => hooks[i]!(q as Trx, ctx, earlier));
          // A hook that changed the status (review sampling) said so in the context.
          ins.status = ctx.annotation.status;
        }
        return ins;
      });
      return { annotation: annotationOut(row), replayed: false };
    } catch (e) {
      if (e instanceof LeaseGone || pgCode(e) === '23505') {
        // A concurrent duplicate got there first (same assignment, or same key), or the lease
        // ended between our read and the write.
        const now = await this.loadOwn(j.user, j.a.id, j.idempotencyKey);
        const again = this.replayOf(now);
        if (again) return { annotation: annotationOut(again), replayed: true };
        this.assertSubmittable(now);
      }
      throw e;
    }
  }

  /**
   * Stores several submits of one project in one transaction: one statement for every annotation,
   * lease and item counter, then each hook's batch form once. A submit whose lease ended meanwhile,
   * and every submit of a batch that rolled back, is stored alone (which answers it properly).
   */
  private async submitBatch(jobs: SubmitJob[]): Promise<(SubmitOutcome | Promise<SubmitOutcome>)[]> {
    if (jobs.length === 1) return [this.storeOne(jobs[0]!)];
    let stored: Map<number, AnnotationRow>;
    try {
      stored = await this.run(true, async (q) => {
        const rows = await workRepo.submitMany(q, jobs.map((j) => this.submitRow(j)));
        const byAssignment = new Map(jobs.map((j) => [j.a.id, j]));
        const ctxs = rows.map((r) => this.submitContext(byAssignment.get(Number(r.assignment_id))!, r));
        const hooks = this.hooks.submitBatchHooks;
        if (ctxs.length) await runHooks(hooks.length, this.hooks.submitConcurrent, (i, earlier) => hooks[i]!(q as Trx, ctxs, earlier));
        rows.forEach((r, i) => (r.status = ctxs[i]!.annotation.status));
        return new Map(rows.map((r) => [Number(r.assignment_id), r]));
      });
    } catch (e) {
      this.fellBack('submit', e);
      return jobs.map((j) => this.storeOne(j));
    }
    return jobs.map((j) => {
      const row = stored.get(j.a.id);
      return row ? { annotation: annotationOut(row), replayed: false } : this.storeOne(j);
    });
  }

  private assertSubmittable(a: AssignmentFullRow): void {
    if (a.status === 'leased' && a.live) return;
    if (a.status === 'leased' || a.status === 'expired') {
      throw new AppError('lease_expired', `your time for this task ran out at ${iso(a.expires_at)}; ask for the next task`);
    }
    if (a.status === 'pending') throw new AppError('invalid_state', 'take this rework with "next" before submitting it');
    if (a.status === 'skipped') throw new AppError('invalid_state', 'you skipped this task');
    if (a.status === 'cancelled') throw new AppError('invalid_state', 'this task was withdrawn');
    throw new AppError('invalid_state', `this assignment is ${a.status}`);
  }

  private projectOfAssignment(a: AssignmentFullRow): WorkProject {
    return {
      id: a.project_id,
      orgId: a.p_org_id,
      name: a.p_name,
      status: a.p_status,
      statusReason: a.p_status_reason,
      settings: { ...DEFAULT_SETTINGS, ...(a.p_settings as Partial<ProjectSettings>) },
      template: a.p_template as Template,
      tags: a.p_tags,
    };
  }

  // ---- skip and expiry --------------------------------------------------------------------

  /**
   * Gives a task up: its slot is freed and this worker never gets that item again. Skipping a
   * rework declines to fix it: the annotation becomes 'rejected' and its slot returns to the pool.
   * Skipping something already skipped or expired is a no-op.
   */
  async skip(user: AuthUser, assignmentId: number): Promise<void> {
    const a = await this.loadOwn(user, assignmentId);
    if (a.status === 'submitted') throw new AppError('invalid_state', 'this task was already submitted');
    if (a.status !== 'leased' && a.status !== 'pending') return;
    await this.run(true, async (trx) => {
      const r = await workRepo.skip(trx, a.id, user.id);
      if (!r) return;
      let rejected: number | null = null;
      if (r.kind === 'rework' && r.previous_annotation_id !== null) {
        const done = await workRepo.rejectAndFreeSlot(trx, r.previous_annotation_id);
        rejected = done ? done.id : null;
      }
      await this.runRelease(trx, r, 'skip', rejected);
    });
  }

  private async runRelease(trx: Queryable, r: ReleasedRow, reason: 'skip' | 'expire', rejectedAnnotationId: number | null) {
    const ctx: ReleaseContext = {
      projectId: r.project_id,
      workerId: r.worker_id,
      assignmentId: r.id,
      itemId: r.item_id,
      kind: r.kind,
      isGold: r.is_gold,
      reason,
      rejectedAnnotationId,
    };
    for (const hook of this.hooks.releaseHooks) await hook(trx as Trx, ctx);
  }

  /** Ends expired leases (all, or one project's, or one assignment); returns how many. */
  async expire(filter: { projectId?: string; assignmentId?: number } = {}): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.run(this.hooks.releaseHooks.length > 0, async (q) => {
        const rows = await workRepo.expireLeases(q, { ...filter, limit: SWEEP_BATCH });
        for (const r of rows) await this.runRelease(q, r, 'expire', null);
        return rows.length;
      });
      total += n;
      if (n < SWEEP_BATCH) return total;
    }
  }

  /** Starts the background sweeper (idempotent). */
  startSweeper(): void {
    if (this.timer || this.sweepIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.expire()
        .catch((err) => this.ctx.log.warn({ err }, 'lease sweep failed; retrying next tick'))
        .finally(() => (this.sweeping = null));
    }, this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stops the sweeper and waits for a sweep in flight (call before the database closes). */
  async stopSweeper(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  // ---- reading ----------------------------------------------------------------------------

  async getAssignment(user: AuthUser, assignmentId: number) {
    const a = await this.loadOwn(user, assignmentId);
    const out = handoutOut(a.project_id, {
      id: a.id,
      kind: a.kind,
      item_id: a.item_id,
      expires_at: a.expires_at,
      data: a.data,
      rework_comment: a.rework_comment,
      previous_result: a.previous_result,
    });
    return { ...out, status: a.status, live: a.live };
  }

  /** The projects this worker may work on now, rework first, then best match. */
  async feed(user: AuthUser) {
    assertActiveWorker(user);
    const [rows, hist] = await Promise.all([
      workRepo.feed(this.ctx.db, { workerId: user.id, level: user.level, cap: FEED_TASKS_CAP }),
      workRepo.historyByTag(this.ctx.db, user.id),
    ]);
    const open = rows.filter((r) => r.tasks_left > 0 || r.rework_waiting > 0 || r.live > 0);
    const info = new Map(open.map((r) => [r.id, this.figures(r)]));
    const ranked = rankFeed(
      open.map((r) => ({ id: r.id, tags: r.tags, payPerTask: info.get(r.id)!.payPerTask, hourlyPay: info.get(r.id)!.hourlyPay, reworkWaiting: r.rework_waiting })),
      new Map(hist.map((h) => [h.tag, h.n])),
    );
    const byId = new Map(open.map((r) => [r.id, r]));
    return ranked.map((k) => {
      const r = byId.get(k.id)!;
      return { id: r.id, name: r.name, tags: r.tags, instructionsSummary: instructionsSummary(r.instructions), ...info.get(r.id)!, reason: k.reason };
    });
  }

  private figures(r: Awaited<ReturnType<typeof workRepo.feed>>[number]) {
    const project = toProject(r);
    const payPerTask = project.settings.payPerAnnotation;
    const median = r.median_ms === null ? null : Number(r.median_ms);
    return {
      payPerTask,
      tasksLeft: r.tasks_left,
      tasksLeftCapped: r.tasks_left >= FEED_TASKS_CAP,
      reworkWaiting: r.rework_waiting,
      hasLiveAssignment: r.live > 0,
      hourlyPay: effectiveHourlyPay(payPerTask, median, r.recent_done),
      medianSeconds: median === null || r.recent_done < 10 ? null : Math.round(median / 100) / 10,
    };
  }

  /** What the labeling screen needs about one project (never anything about gold). */
  async project(user: AuthUser, projectId: string) {
    const [r] = await workRepo.feed(this.ctx.db, { workerId: user.id, level: user.level, cap: FEED_TASKS_CAP, projectId });
    if (!r || !visibleToWorkers(r.status)) throw new AppError('not_found', 'project not found');
    const project = toProject(r);
    const blocked = user.status !== 'active' ? { message: `your account is ${user.status}` } : blockedReason(r, project, user);
    const s = project.settings;
    const today = await this.earnings(this.ctx.db, user.id, project, seoulDayStart());
    return {
      id: project.id,
      name: project.name,
      instructions: r.instructions,
      template: project.template,
      tags: project.tags,
      status: project.status,
      settings: {
        payPerAnnotation: s.payPerAnnotation,
        leaseSeconds: s.leaseSeconds,
        minLevel: s.minLevel,
        minGoldAccuracy: s.minGoldAccuracy,
        minGoldAnswers: s.minGoldAnswers,
        maxReworks: s.maxReworks,
      },
      canWork: blocked === null,
      blockedReason: blocked?.message ?? null,
      today,
      ...this.figures(r),
    };
  }

  async history(user: AuthUser, q: { projectId?: string; status?: string; before?: number; limit?: number }) {
    const rows = await workRepo.history(this.ctx.db, { workerId: user.id, ...q, limit: Math.min(q.limit ?? 50, 200) });
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      projectName: r.project_name,
      item: { id: r.item_id, data: workerData(r.data) },
      result: r.result,
      status: r.status,
      durationMs: r.duration_ms,
      createdAt: iso(r.created_at),
      rework: r.rework_assignment_id === null ? null : { assignmentId: r.rework_assignment_id, status: r.rework_status!, comment: r.rework_comment ?? '' },
    }));
  }
}

class EmptyClaim extends Error {}
class LeaseGone extends Error {}
