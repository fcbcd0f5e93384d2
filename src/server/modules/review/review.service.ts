import { AppError } from '../../../core/app-error.ts';
import { DEFAULT_SETTINGS, type ProjectSettings } from '../../../core/projects/settings.ts';
import { agreementVerdict, crossReviewed, type ItemLabels, reviewReason } from '../../../core/quality/index.ts';
import { categoricalControls, type Template } from '../../../core/templates/index.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { exportsRepo } from '../exports/exports.repo.ts';
import { pseudonymizer } from '../exports/pseudonym.ts';
import { payApproved, payReview, type QualityService, refundRejected, releaseReview, reserveForReview } from '../quality/index.ts';
import { createRework, type SubmitBatchHook, type SubmitContext, type SubmitHook, workRepo } from '../work/index.ts';
import { workerData } from '../work/work.service.ts';
import { reviewRepo, type TaskRow } from './review.repo.ts';

export interface ReviewOptions {
  /** Source of randomness for sampling and cross-review (tests pass a seeded or fixed one). */
  random?: () => number;
  /** How long a reviewer holds a review they took. */
  leaseSeconds?: number;
  /** Period of the automatic approval job; 0 = no background job (call runAutoApproval). */
  autoApproveIntervalMs?: number;
}

export type Verdict = 'approve' | 'reject';

const settingsOf = (raw: unknown): ProjectSettings => ({ ...DEFAULT_SETTINGS, ...((raw ?? {}) as Partial<ProjectSettings>) });
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const BATCH = 200;

/**
 * Review: sampling annotations into the queue (a submit hook), handing reviews out, verdicts
 * (approve; reject → rework by the author, final after maxReworks), cross-reviews, and the
 * automatic approval of unsampled annotations (review window or agreement with the inferred label).
 */
export class ReviewService {
  random: () => number;
  private readonly leaseSeconds: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  /** project:worker → earlier answers known to be there (at least the first-K of that moment). */
  private readonly reachedFirstK = new Map<string, number>();

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'log'>,
    private readonly quality: QualityService,
    opts: ReviewOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
    this.leaseSeconds = opts.leaseSeconds ?? 900;
    this.intervalMs = opts.autoApproveIntervalMs ?? 60_000;
    quality.onRemoval((trx, p) => this.cancelReviews(trx, p.annotationIds));
  }

  private get rules() {
    return this.quality.rules;
  }

  // ---- sampling (inside the submit transaction) ---------------------------------------------------

  /** Sampling of one submit: the batch form with one member (the same statements). */
  readonly onSubmit: SubmitHook = (trx, c) => this.onSubmitBatch(trx, [c]);

  /**
   * Sampling of several submits of one project (each worker once), as one by one would: the
   * earlier answers of every worker not known past first-K counted in one
   * statement, one draw per sampled submit in their order, and those sent to review marked and
   * queued in one more statement.
   */
  readonly onSubmitBatch: SubmitBatchHook = async (trx, ctxs) => {
    const mine = ctxs.filter((c) => this.samples(c));
    if (!mine.length) return;
    const projectId = mine[0]!.project.id;
    const known = new Map(mine.map((c) => [c, this.knownPrior(c)] as const));
    const toCount = mine.filter((c) => known.get(c) === null);
    const counted = await reviewRepo.priorAnswersMany(
      trx,
      projectId,
      toCount.map((c) => ({ workerId: c.workerId, annotationId: c.annotation.id })),
      mine[0]!.project.settings.reviewFirstK,
    );
    const chosen: { c: SubmitContext; reason: string }[] = [];
    for (const c of mine) {
      const prior = known.get(c) ?? this.noteCount(c, counted.get(c.annotation.id) ?? 0);
      const reason = this.draw(c, prior);
      if (reason) chosen.push({ c, reason });
    }
    if (!chosen.length) return;
    await reviewRepo.sendToReviewMany(trx, projectId, chosen.map((x) => ({ annotationId: x.c.annotation.id, authorId: x.c.workerId, reason: x.reason })));
    for (const x of chosen) x.c.annotation.status = 'pending_review';
  };

  /** Whether sampling looks at this submit (each one it looks at takes one random draw). */
  private samples(c: SubmitContext): boolean {
    if (c.item.isGold) return false;
    const s = c.project.settings;
    return c.assignment.kind === 'rework' || s.reviewRate > 0 || s.reviewFirstK > 0;
  }

  /** Whether the answer goes to review, and why: takes this submit's random draw. */
  private draw(c: SubmitContext, priorAnswers: number) {
    return reviewReason({ isGold: false, isRework: c.assignment.kind === 'rework', priorAnswers }, c.project.settings, this.random());
  }

  /**
   * The worker's earlier answers in the project (counted up to first-K) when known without a
   * count: a rework or no first-K (the count does not matter), or a worker known to have reached
   * first-K. A worker who had `k` has them for good (later answers only add), so that is
   * remembered and the count is not run again on their every submit — unless the project raises
   * its first-K later. Null: count them (then `noteCount`).
   */
  private knownPrior(c: SubmitContext): number | null {
    const k = c.project.settings.reviewFirstK;
    if (c.assignment.kind === 'rework' || k <= 0) return k;
    const known = this.reachedFirstK.get(`${c.project.id}:${c.workerId}`) ?? 0;
    return known >= k ? known : null;
  }

  /** Remembers a count that reached first-K; returns it. */
  private noteCount(c: SubmitContext, n: number): number {
    if (n >= c.project.settings.reviewFirstK) {
      if (this.reachedFirstK.size >= 100_000) this.reachedFirstK.clear();
      this.reachedFirstK.set(`${c.project.id}:${c.workerId}`, n);
    }
    return n;
  }



  /** A removed worker's excluded annotations leave the queue; reviews someone held are released. */
  private async cancelReviews(trx: Queryable, annotationIds: number[]) {
    const held = await reviewRepo.cancelFor(trx, annotationIds);
    for (const h of held) await releaseReview(trx, { projectId: h.project_id, annotationId: h.annotation_id, reviewerId: h.reviewer_id });
  }

  // ---- reviewers ----------------------------------------------------------------------------------

  private assertReviewer(user: AuthUser, s: ProjectSettings) {
    if (user.status !== 'active') throw new AppError('forbidden', `your account is ${user.status}${user.statusReason ? `: ${user.statusReason}` : ''}`);
    if (user.role === 'admin') return;
    if (user.level < s.reviewerMinLevel) {
      throw new AppError('forbidden', `this project needs reviewers of level ${s.reviewerMinLevel} or above; you are level ${user.level}`);
    }
  }

  private async project(q: Queryable, projectId: string) {
    const p = await reviewRepo.projectSettings(q, projectId);
    if (!p || p.status === 'draft' || p.status === 'archived') throw new AppError('not_found', 'project not found');
    return { ...p, s: settingsOf(p.settings) };
  }

  /** Projects with work waiting for this reviewer (their level admitted, their own work left out). */
  async projects(user: AuthUser) {
    const rows = await reviewRepo.projectsWithWork(this.ctx.db, user.id);
    return rows
      .map((r) => ({ r, s: settingsOf(r.settings) }))
      .filter(({ s }) => user.role === 'admin' || user.level >= s.reviewerMinLevel)
      .map(({ r, s }) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        waiting: r.waiting,
        crossWaiting: r.cross_waiting,
        payPerReview: s.payPerReview,
        reviewerMinLevel: s.reviewerMinLevel,
      }));
  }

  /** The next review for this reviewer in a project (their live one first), or null. */
  async next(user: AuthUser, projectId: string) {
    const p = await this.project(this.ctx.db, projectId);
    this.assertReviewer(user, p.s);
    const task = await this.ctx.db.transaction().execute(async (trx) => {
      const live = await reviewRepo.liveLease(trx, projectId, user.id);
      if (live) return live;
      const t = await reviewRepo.leaseNext(trx, projectId, user.id, this.leaseSeconds);
      if (!t) return null;
      if (t.prev_reviewer && t.prev_reviewer !== user.id) {
        await releaseReview(trx, { projectId, annotationId: t.annotation_id, reviewerId: t.prev_reviewer });
      }
      const r = await reserveForReview(trx, { projectId, annotationId: t.annotation_id, reviewerId: user.id });
      if (!r.ok) throw new AppError('insufficient_funds', `this project's budget cannot pay for a review now (${r.reason})`);
      return t as TaskRow;
    });
    return task ? this.reviewOut(task) : null;
  }

  private async reviewOut(t: TaskRow) {
    const d = await reviewRepo.detail(this.ctx.db, t.annotation_id);
    if (!d) throw new AppError('not_found', 'annotation not found');
    const pseudonym = pseudonymizer(await exportsRepo.pseudonymKey(this.ctx.db, d.project_id));
    const s = settingsOf(d.settings);
    return {
      id: t.id,
      annotationId: d.id,
      kind: t.kind,
      reason: t.reason,
      projectId: d.project_id,
      projectName: d.project_name,
      instructions: d.instructions,
      item: { id: d.item_id, data: workerData(d.data) },
      result: d.result,
      template: d.template,
      worker: pseudonym(d.worker_id),
      submittedAt: iso(d.created_at)!,
      durationMs: d.duration_ms,
      reworkCount: d.rework_count,
      maxReworks: s.maxReworks,
      previous: d.previous_result ? { result: d.previous_result, comment: d.rework_comment ?? '' } : null,
      expiresAt: iso(t.leased_until),
    };
  }

  /**
   * A verdict. On a decisive review: approve → approved and paid; reject (a reason is required)
   * → back to its author as rework with the reason, or, after maxReworks rejected reworks, a final
   * rejection whose slot returns to the pool. A share of decisive reviews is queued for a blind
   * cross-review; a cross-review's verdict only measures the first reviewer. The reviewer is paid
   * for each. Repeating the same verdict answers the same outcome and changes nothing.
   */
  async decide(user: AuthUser, annotationId: number, input: { verdict: Verdict; comment?: string | null }) {
    const comment = input.comment?.trim() || null;
    if (input.verdict === 'reject' && !comment) {
      throw new AppError('validation_failed', 'a rejection needs a reason: the author sees it and fixes the answer', [
        { path: '/comment', problem: 'required when the verdict is reject' },
      ]);
    }
    return this.ctx.db.transaction().execute(async (trx) => {
      const task = await reviewRepo.lockOpenTask(trx, annotationId);
      const first = task?.kind === 'cross' && task.first_task_id ? await reviewRepo.task(trx, task.first_task_id) : undefined;
      // nothing open for this reviewer (or only the cross-review of their own verdict): a resent verdict is answered as stored
      if (!task || first?.reviewer_id === user.id) {
        const done = await reviewRepo.lastDoneBy(trx, annotationId, user.id);
        if (done && done.verdict === input.verdict) return this.outcome(trx, done, annotationId, true);
        if (task) throw new AppError('forbidden', 'a cross-review must come from another reviewer');
        const exists = await reviewRepo.lockAnnotation(trx, annotationId);
        if (!exists) throw new AppError('not_found', 'annotation not found');
        throw new AppError('invalid_state', `this annotation is not waiting for review (it is ${exists.status})`);
      }
      const p = await this.project(trx, task.project_id);
      this.assertReviewer(user, p.s);
      if (task.author_id === user.id) throw new AppError('forbidden', 'you cannot review your own work');
      if (task.status === 'leased' && task.reviewer_id !== user.id && task.leased_until && new Date(task.leased_until) > new Date()) {
        throw new AppError('conflict', 'another reviewer is reviewing this annotation');
      }
      if (!(task.status === 'leased' && task.reviewer_id === user.id)) {
        if (task.status === 'leased' && task.reviewer_id && task.reviewer_id !== user.id) {
          await releaseReview(trx, { projectId: task.project_id, annotationId, reviewerId: task.reviewer_id });
        }
        await reviewRepo.take(trx, task.id, user.id, this.leaseSeconds);
        const r = await reserveForReview(trx, { projectId: task.project_id, annotationId, reviewerId: user.id });
        if (!r.ok) throw new AppError('insufficient_funds', `this project's budget cannot pay for a review now (${r.reason})`);
      }

      const key = { projectId: task.project_id, annotationId, reviewerId: user.id };
      if (task.kind === 'cross') {
        const agreed = first?.verdict === input.verdict;
        await reviewRepo.finish(trx, task.id, { verdict: input.verdict, comment, agreed });
        if (first?.reviewer_id) await this.quality.crossReviewed(trx, first.reviewer_id, agreed);
        await this.quality.reviewDone(trx, user.id);
        await payReview(trx, key);
        return this.outcome(trx, { ...task, verdict: input.verdict, comment, agreed }, annotationId, false);
      }

      const a = await reviewRepo.lockAnnotation(trx, annotationId);
      if (!a || a.status !== 'pending_review') throw new AppError('invalid_state', `this annotation is not waiting for review (it is ${a?.status ?? 'gone'})`);
      const tags = p.tags ?? [];
      if (input.verdict === 'approve') {
        await reviewRepo.setAnnotationStatus(trx, annotationId, 'approved', 'pending_review');
        await payApproved(trx, annotationId);
        await this.quality.reviewed(trx, { workerId: a.worker_id, projectId: a.project_id, tags, approved: true });
      } else if (a.rework_count >= p.s.maxReworks) {
        await workRepo.rejectAndFreeSlot(trx, annotationId);
        await refundRejected(trx, annotationId);
        await this.quality.reviewed(trx, { workerId: a.worker_id, projectId: a.project_id, tags, approved: false });
      } else {
        await createRework(trx, { annotationId, comment: comment! });
        await this.quality.reviewed(trx, { workerId: a.worker_id, projectId: a.project_id, tags, approved: false });
      }
      await reviewRepo.finish(trx, task.id, { verdict: input.verdict, comment });
      await this.quality.reviewDone(trx, user.id);
      await payReview(trx, key);
      if (crossReviewed(this.rules.review.crossReviewRate, this.random())) {
        await reviewRepo.enqueue(trx, { projectId: a.project_id, annotationId, authorId: a.worker_id, kind: 'cross', reason: 'cross_review', firstTaskId: task.id });
      }
      return this.outcome(trx, { ...task, verdict: input.verdict, comment }, annotationId, false);
    });
  }

  private async outcome(q: Queryable, t: Pick<TaskRow, 'id' | 'kind' | 'verdict' | 'comment' | 'agreed'>, annotationId: number, replayed: boolean) {
    const a = await reviewRepo.lockAnnotation(q, annotationId);
    return {
      review: {
        id: t.id,
        annotationId,
        kind: t.kind,
        verdict: t.verdict!,
        comment: t.comment,
        annotationStatus: a?.status ?? 'gone',
        agreed: t.kind === 'cross' ? (t.agreed ?? null) : null,
      },
      replayed,
    };
  }

  // ---- automatic approval -------------------------------------------------------------------------

  /**
   * One pass of automatic approval: every unsampled annotation whose project's review window has
   * passed is approved; in 'agreement' projects an annotation whose item has a confident inferred
   * label is approved when it agrees and sent to review when it does not (the window still
   * approves those whose label never becomes confident). Returns what it did.
   */
  async runAutoApproval(): Promise<{ approvedByWindow: number; approvedByAgreement: number; sentToReview: number }> {
    const out = { approvedByWindow: 0, approvedByAgreement: 0, sentToReview: 0 };
    for (let after = 0; ; ) {
      const due = await reviewRepo.dueByWindow(this.ctx.db, after, BATCH);
      if (!due.length) break;
      after = due[due.length - 1]!.id;
      for (const a of due) if (await this.one(() => this.ctx.db.transaction().execute((trx) => this.approveUnreviewed(trx, a)))) out.approvedByWindow++;
      if (due.length < BATCH) break;
    }
    const minConfidence = this.rules.autoApprove.minConfidence;
    for (let after = 0; ; ) {
      const rows = await reviewRepo.awaitingAgreement(this.ctx.db, after, BATCH);
      if (!rows.length) break;
      after = rows[rows.length - 1]!.id;
      for (const r of rows) {
        const v = agreementVerdict(r.result, r.label as ItemLabels, categoricalControls(r.template as unknown as Template), minConfidence);
        if (v === 'agree') {
          if (await this.one(() => this.ctx.db.transaction().execute((trx) => this.approveUnreviewed(trx, r)))) out.approvedByAgreement++;
        } else if (v === 'disagree') {
          const sent = await this.one(() =>
            this.ctx.db.transaction().execute(async (trx) => {
              if (!(await reviewRepo.setAnnotationStatus(trx, r.id, 'pending_review', 'submitted'))) return false;
              await reviewRepo.enqueue(trx, { projectId: r.project_id, annotationId: r.id, authorId: r.worker_id, kind: 'review', reason: 'disagreement' });
              return true;
            }),
          );
          if (sent) out.sentToReview++;
        }
      }
      if (rows.length < BATCH) break;
    }
    return out;
  }

  /** One annotation's automatic decision, in its own transaction: one failure never blocks the rest. */
  private async one(fn: () => Promise<boolean>): Promise<boolean> {
    try {
      return await fn();
    } catch (err) {
      this.ctx.log.warn({ err }, 'automatic approval of one annotation failed; it is tried again next round');
      return false;
    }
  }

  private async approveUnreviewed(trx: Queryable, a: { id: number; worker_id: string }): Promise<boolean> {
    if (!(await reviewRepo.setAnnotationStatus(trx, a.id, 'approved', 'submitted'))) return false;
    await payApproved(trx, a.id);
    await this.quality.approvedUnreviewed(trx, a.worker_id);
    return true;
  }

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runAutoApproval()
        .catch((err) => this.ctx.log.warn({ err }, 'automatic approval failed; retrying next tick'))
        .finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
