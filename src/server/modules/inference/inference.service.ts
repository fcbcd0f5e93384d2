import { resolveSettings } from '../../../core/projects/settings.ts';
import type { Template } from '../../../core/templates/index.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import { loadOwnedProject } from '../projects/projects.service.ts';
import type { ReleaseHook, SubmitBatchHook, SubmitHook } from '../work/index.ts';
import { inferenceRepo, type LabelRow } from './inference.repo.ts';
import { InferencePool } from './infer-pool.ts';
import type { ProjectInference } from './project-inferrer.ts';

export { type ControlLabel, inferProject, methodOf, ProjectInferrer, type ProjectInference } from './project-inferrer.ts';

export interface InferenceOptions {
  /** How often the job looks for dirty projects (ms); 0 = never (tests call runOnce). */
  intervalMs?: number;
  /** A project is recomputed once its first unprocessed answer is at least this old (ms). */
  debounceMs?: number;
  /** Dirty projects taken per tick. */
  projectsPerTick?: number;
  /** Annotations read per page; items written per UPDATE. */
  pageSize?: number;
  writeBatch?: number;
  /**
   * The timer's recomputes of a project are spaced by at least this many times its last run's
   * duration, counted from when that run ended: the job takes at most ~1/(1 + restFactor) of the
   * time a project's labels could otherwise take (default 9: ~10%). A run of 100 ms changes
   * nothing (the 2 s tick is longer); a project whose run takes 30 s is recomputed every ~5 min
   * instead of keeping a core and its item rows busy all the time. A requester's "recompute now"
   * (POST /api/projects/:id/inference) is not spaced.
   */
  restFactor?: number;
}

/** Told, inside the transaction that completed them, which items dynamic overlap just completed. */
export type CompletionListener = (trx: Queryable, c: { projectId: string; itemIds: number[] }) => Promise<void>;

/**
 * Keeps every project's stored labels current: a submit hook marks the project dirty (one
 * statement inside the submit transaction), and a background job recomputes dirty projects.
 */
export class InferenceService {
  private readonly completionListeners: CompletionListener[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly opts: Required<InferenceOptions>;
  /** Where the inference itself runs: a worker thread. */
  private readonly pool = new InferencePool();

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'log'>,
    opts: InferenceOptions = {},
  ) {
    this.opts = { intervalMs: 2000, debounceMs: 1000, projectsPerTick: 10, pageSize: 5000, writeBatch: 1000, restFactor: 9, ...opts };
  }

  /** The submit hook: marks the project dirty, nothing more. */
  onSubmit: SubmitHook = async (trx, ctx) => {
    await inferenceRepo.markDirty(trx, ctx.project.id);
  };

  /** The batch form (the submits of one project): one mark for them all. */
  onSubmitBatch: SubmitBatchHook = async (trx, ctxs) => {
    if (ctxs.length) await inferenceRepo.markDirty(trx, ctxs[0]!.project.id);
  };

  /** A skipped rework rejects its annotation: the standing answers changed. */
  onRelease: ReleaseHook = async (trx, ctx) => {
    if (ctx.rejectedAnnotationId !== null) await inferenceRepo.markDirty(trx, ctx.projectId);
  };

  /** Registers a listener for items completed by dynamic overlap (webhooks report them). */
  onItemsCompleted(fn: CompletionListener): void {
    this.completionListeners.push(fn);
  }

  /** A worker removed from a project: their answers no longer count, so the labels are recomputed. */
  onAnswersExcluded = async (trx: Queryable, p: { projectId: string; annotationIds: number[] }): Promise<void> => {
    if (p.annotationIds.length) await inferenceRepo.markDirty(trx, p.projectId);
  };

  start(): void {
    if (this.timer || this.opts.intervalMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Starts a pass now unless one is under way or queued (timer ticks, forced recompute). */
  private tick(debounceMs = this.opts.debounceMs, paced = true): void {
    if (this.running || !this.timer) return;
    this.running = this.runOnce({ debounceMs, paced })
      .catch((err) => this.ctx.log.warn({ err }, 'inference run failed; retrying next tick'))
      .finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.queue;
    await this.pool.close();
  }

  /**
   * One pass of the job: recomputes the due dirty projects; returns those computed. Passes of
   * this process run one after another (a pass called while the timer's runs waits for it).
   */
  runOnce(opts: { debounceMs?: number; paced?: boolean } = {}): Promise<string[]> {
    const rest = opts.paced ? this.opts.restFactor : 0;
    const run = this.queue.then(() => this.pass(opts.debounceMs ?? this.opts.debounceMs, rest));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async pass(debounceMs: number, restFactor: number): Promise<string[]> {
    const due = await inferenceRepo.dueProjects(this.ctx.db, debounceMs, this.opts.projectsPerTick, restFactor);
    const done: string[] = [];
    for (const projectId of due) {
      if (await this.recomputeLocked(projectId)) done.push(projectId);
    }
    return done;
  }

  /**
   * Under a per-project advisory lock on one connection: takes the dirty mark, recomputes and
   * writes. On failure the mark is put back so a later tick retries.
   */
  private async recomputeLocked(projectId: string): Promise<boolean> {
    return this.ctx.db.connection().execute(async (conn) => {
      if (!(await inferenceRepo.tryLock(conn, projectId))) return false;
      try {
        if (!(await inferenceRepo.claim(conn, projectId))) return false;
        try {
          await this.recompute(conn, projectId);
        } catch (err) {
          await inferenceRepo.markDue(conn, projectId).catch(() => undefined);
          throw err;
        }
        return true;
      } finally {
        await inferenceRepo.unlock(conn, projectId);
      }
    });
  }

  /** Reads the project's standing answers (keyset pages), infers, writes labels and quality. */
  async recompute(db: Queryable, projectId: string): Promise<{ items: number; completed: number; written: number }> {
    const t0 = Date.now();
    const p = await inferenceRepo.project(db, projectId);
    if (!p) return { items: 0, completed: 0, written: 0 };
    const settings = resolveSettings(p.settings).settings;
    // The answers are read here and inferred in the worker thread (EM on a big project takes
    // seconds; requests go on meanwhile).
    const job = this.pool.start(p.template as Template, settings);
    let r: ProjectInference;
    try {
      for (let after = 0; ; ) {
        const page = await inferenceRepo.answersPage(db, projectId, after, this.opts.pageSize);
        job.add(page);
        if (page.length < this.opts.pageSize) break;
        after = page[page.length - 1]!.id;
      }
      r = await job.finish(await inferenceRepo.goldItems(db, projectId));
    } catch (err) {
      job.abort();
      throw err;
    }
    const rows: LabelRow[] = [];
    for (const [id, label] of r.labels) {
      let min: number | null = null;
      for (const l of Object.values(label)) {
        // Stored to 4 decimals: a run rewrites only the items whose label or rounded confidence
        // moved (EM shifts every posterior a little with each new answer).
        l.confidence = roundConfidence(l.confidence);
        min = min === null ? l.confidence : Math.min(min, l.confidence);
      }
      rows.push({ id, label, confidence: min, confident: r.confident.has(id) });
    }
    rows.sort((a, b) => a.id - b.id); // lock items in id order
    let completed = 0;
    let written = 0;
    const dyn = { enabled: settings.dynamicOverlap.enabled, minAnswers: settings.dynamicOverlap.minAnswers };
    for (let i = 0; i < rows.length; i += this.opts.writeBatch) {
      const batch = rows.slice(i, i + this.opts.writeBatch);
      if (!dyn.enabled || !this.completionListeners.length) {
        const w = await inferenceRepo.writeLabels(db, projectId, batch, dyn);
        completed += w.completed.length;
        written += w.written;
        continue;
      }
      // Completions and what listens for them (the webhook outbox) commit together.
      completed += await inTransaction(db, async (trx) => {
        const w = await inferenceRepo.writeLabels(trx, projectId, batch, dyn);
        written += w.written;
        if (w.completed.length) for (const fn of this.completionListeners) await fn(trx, { projectId, itemIds: w.completed });
        return w.completed.length;
      });
    }
    await inferenceRepo.clearUnanswered(db, projectId);
    await inferenceRepo.deleteWorkerQuality(db, projectId);
    for (let i = 0; i < r.quality.length; i += this.opts.writeBatch) {
      await inferenceRepo.insertWorkerQuality(db, projectId, r.quality.slice(i, i + this.opts.writeBatch));
    }
    await inferenceRepo.recordRun(db, projectId, { durationMs: Date.now() - t0, answers: r.answers, items: rows.length, completed, method: r.method });
    return { items: rows.length, completed, written };
  }

  /** POST /api/projects/:id/inference: queue a recompute now (requesters of the org, operators). */
  async request(user: AuthUser, projectId: string) {
    await loadOwnedProject(this.ctx.db, user, projectId);
    await inferenceRepo.markDue(this.ctx.db, projectId);
    this.tick(0, false);
    return this.statusOf(projectId);
  }

  async status(user: AuthUser, projectId: string) {
    await loadOwnedProject(this.ctx.db, user, projectId);
    return this.statusOf(projectId);
  }

  private async statusOf(projectId: string) {
    const s = await inferenceRepo.status(this.ctx.db, projectId);
    return {
      pending: s.dirty_since !== null,
      inferredItems: s.inferred_items,
      meanConfidence: s.mean_confidence,
      method: s.method,
      computedAt: s.computed_at ? new Date(s.computed_at).toISOString() : null,
      durationMs: s.duration_ms,
    };
  }

  /** The figures GET /api/projects/:id/stats adds (the caller has checked access). */
  statsExtra = async (projectId: string): Promise<Record<string, unknown>> => {
    const s = await inferenceRepo.status(this.ctx.db, projectId);
    return { inferredItems: s.inferred_items, meanConfidence: s.mean_confidence };
  };
}

/** Runs `fn` in a transaction: a new one on `db`, or the caller's when `db` already is one. */
function inTransaction<T>(db: Queryable, fn: (trx: Queryable) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Confidences as stored: 4 decimals (the UI shows one decimal of a percent). */
function roundConfidence(c: number): number {
  return Math.round(c * 10_000) / 10_000;
}
