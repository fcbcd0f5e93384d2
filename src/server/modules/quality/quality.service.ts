import { controlAgreement } from '../../../core/agreement/index.ts';
import { AppError } from '../../../core/app-error.ts';
import { DEFAULT_SETTINGS, type ProjectSettings } from '../../../core/projects/settings.ts';
import {
  type AbuseFlag,
  agreementSignal,
  burstSignal,
  evaluateLevel,
  goldGate,
  median,
  pausesAutomatically,
  type QualityRules,
  qualificationState,
  retryAt,
  reviewerAgreement,
  sameAnswerSignal,
  SEVERITY_RANK,
  sharedAddressSignal,
  speedSignal,
  type WorkerRecord,
} from '../../../core/quality/index.ts';
import { categoricalControls, type Template } from '../../../core/templates/index.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { loadOwnedProject } from '../projects/projects.service.ts';
import type { ClaimBatchGuard, ClaimGuard, SubmitBatchHook, SubmitContext, SubmitHook, WorkProject, WorkService } from '../work/index.ts';
import { workerData } from '../work/work.service.ts';
import { refundRejected, releaseEndedReservations } from './money.ts';
import { type Judgement, qualityRepo, type WorkerQualityRow } from './quality.repo.ts';

/** Called inside the removal transaction with the annotations just excluded (the review module cancels their reviews). */
export type RemovalListener = (trx: Queryable, p: { projectId: string; workerId: string; annotationIds: number[] }) => Promise<void>;

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const ratio = (a: number, b: number) => (b ? a / b : null);
const MAX_AGREEMENT_ANSWERS = 200_000;

const settingsOf = (raw: unknown): ProjectSettings => ({ ...DEFAULT_SETTINGS, ...((raw ?? {}) as Partial<ProjectSettings>) });

const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');

export function recordOf(level: number, w: WorkerQualityRow | undefined): WorkerRecord {
  return {
    level,
    approved: w?.approved ?? 0,
    goldAnswered: w?.gold_answered ?? 0,
    goldCorrect: w?.gold_correct ?? 0,
    reviewsApproved: w?.reviews_approved ?? 0,
    reviewsRejected: w?.reviews_rejected ?? 0,
    sinceLevelChange: { judged: w?.since_judged ?? 0, correct: w?.since_correct ?? 0 },
  };
}

/**
 * Gold accuracy and the gold gate, qualification tests, levels, abuse flags and agreement.
 * Its submit hook and claim guard run inside the work module's transactions.
 */
export class QualityService {
  private readonly removalListeners: RemovalListener[] = [];
  private readonly seenAddresses = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'log'>,
    readonly rules: QualityRules,
    private readonly work: WorkService,
  ) {}

  onRemoval(fn: RemovalListener): void {
    this.removalListeners.push(fn);
  }

  // ---- hooks into work distribution -------------------------------------------------------------

  /** Before a new item is leased: a project with a qualification test admits only those who passed it. */
  readonly claimGuard: ClaimGuard = async (trx, project, workerId) => {
    const q = project.settings.qualification;
    if (!q) return;
    const pw = await qualityRepo.projectWorker(trx, project.id, workerId);
    if (pw?.status === 'qualified') return;
    const attempt = await qualityRepo.latestAttempt(trx, project.id, workerId);
    if (attempt?.status === 'passed') return;
    const details = [{ path: '/qualification', problem: 'qualification_required' }];
    if (attempt?.status === 'in_progress') {
      throw new AppError('forbidden', `finish this project's qualification test first (${attempt.answered} of ${attempt.gold_count} answered)`, details);
    }
    if (attempt?.status === 'failed' && attempt.retry_at && new Date(attempt.retry_at) > new Date()) {
      throw new AppError(
        'forbidden',
        `you scored ${pct(attempt.correct / attempt.answered)} on the qualification test (pass mark ${pct(attempt.pass_mark)}); you may retry after ${iso(attempt.retry_at)}`,
        details,
      );
    }
    throw new AppError('forbidden', `this project requires a qualification test first: ${q.goldCount} questions, pass mark ${pct(q.passMark)}`, details);
  };

  /** The batch form of `claimGuard`: nothing at all in a project without a qualification test. */
  readonly claimBatchGuard: ClaimBatchGuard = async (trx, project, workerIds) => {
    if (!project.settings.qualification) return;
    for (const w of workerIds) await this.claimGuard(trx, project, w);
  };

  /** Inside the submit transaction: qualification answers, gold accuracy and the gold gate, answer counts, abuse checks. */
  readonly onSubmit: SubmitHook = (trx, c) => this.onSubmitBatch(trx, [c]);

  /**
   * Several submits of one project (each worker once), as one by one would: the ordinary new
   * answers are counted in one statement; gold answers are judged one by one (reworks count
   * nothing). The workers' rows are their own, so the order between the two changes nothing.
   */
  readonly onSubmitBatch: SubmitBatchHook = async (trx, ctxs) => {
    const plain = ctxs.filter((c) => !c.item.isGold && c.assignment.kind === 'new');
    if (plain.length) {
      const after = await qualityRepo.bumpProjectMany(
        trx,
        plain[0]!.project.id,
        plain.map((c) => ({ workerId: c.workerId, j: { answers: 1 } })),
      );
      for (const c of plain) this.counted(c, after.get(c.workerId)!.answers);
    }
    for (const c of ctxs) if (c.item.isGold) await this.onGoldAnswer(trx, c);
  };

  /** An ordinary answer was counted (`answers`: the worker's count now): every checkEvery-th schedules the abuse signals. */
  private counted(c: SubmitContext, answers: number): void {
    // The signals read a few thousand rows: not while the submit holds the item's lock. They run
    // right after, in a transaction of their own (missing at worst this very answer).
    if (answers % this.rules.abuse.checkEvery !== 0) return;
    this.later(async () => {
      if (!(await this.committed(c.annotation.id))) return; // the submit rolled back
      await this.ctx.db.transaction().execute((q) => this.checkAbuse(q, c.project, c.workerId));
    });
  }

  /** Waits (briefly) until the submit that scheduled a check has committed; false if it never does. */
  private async committed(annotationId: number): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      if (await qualityRepo.annotationVisible(this.ctx.db, annotationId)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  /** Runs `fn` after the current request's transaction, tracked so the app can wait for it on close. */
  private later(fn: () => Promise<unknown>): void {
    const p: Promise<unknown> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(fn)
      .catch((err) => this.ctx.log.warn({ err }, 'a background quality check failed'))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async onGoldAnswer(trx: Queryable, c: SubmitContext) {
    const { project, workerId, annotation } = c;
    const test = await qualityRepo.recordQualificationAnswer(trx, c.assignment.id, annotation.goldCorrect ?? true);
    if (test) return this.afterQualificationAnswer(trx, project, workerId, test);
    if (annotation.goldCorrect === null || c.assignment.kind !== 'new') return;
    if (await qualityRepo.isQualificationAssignment(trx, c.assignment.id)) return;
    const j: Judgement = { goldAnswered: 1, goldCorrect: annotation.goldCorrect ? 1 : 0 };
    const pq = await qualityRepo.bumpProject(trx, project.id, workerId, j);
    await qualityRepo.bumpSkills(trx, workerId, project.tags, j);
    await this.judged(trx, workerId, j);
    const d = goldGate({ answered: pq.gold_answered, correct: pq.gold_correct }, project.settings, this.rules.gold.falseRemovalRate);
    if (d.decision === 'remove') await this.removeFromProject(trx, project.id, workerId, d.message);
  }

  private async afterQualificationAnswer(
    trx: Queryable,
    project: WorkProject,
    workerId: string,
    a: { id: number; gold_count: number; pass_mark: number; answered: number; correct: number },
  ) {
    const q = { goldCount: a.gold_count, passMark: a.pass_mark, cooldownHours: project.settings.qualification?.cooldownHours ?? 24 };
    const s = qualificationState(a, q);
    if (s.status === 'in_progress') return;
    const score = `${pct(s.score!)} (${s.correct} of ${s.answered})`;
    if (s.status === 'passed') {
      await qualityRepo.finishAttempt(trx, a.id, 'passed', null);
      await this.work.setProjectWorker(project.id, workerId, 'qualified', `passed the qualification test with ${score}`, trx);
    } else {
      const at = retryAt(new Date(), q);
      await qualityRepo.finishAttempt(trx, a.id, 'failed', at);
      await this.work.setProjectWorker(
        project.id,
        workerId,
        'failed',
        `scored ${score} on the qualification test; the pass mark is ${pct(q.passMark)}; you may retry after ${at.toISOString()}`,
        trx,
      );
    }
  }

  // ---- judgements and levels --------------------------------------------------------------------

  /** A worker's answer was judged (gold graded or reviewed): overall figures, then the level rules. */
  async judged(q: Queryable, workerId: string, j: Judgement & { approved?: number }): Promise<void> {
    const row = await qualityRepo.bumpWorker(q, workerId, j);
    await this.applyLevel(q, workerId, row);
  }

  /** Review outcomes of an annotation, kept per project and per skill as well. */
  async reviewed(q: Queryable, p: { workerId: string; projectId: string; tags: string[]; approved: boolean }) {
    const j: Judgement = p.approved ? { reviewsApproved: 1 } : { reviewsRejected: 1 };
    await qualityRepo.bumpProject(q, p.projectId, p.workerId, j);
    await qualityRepo.bumpSkills(q, p.workerId, p.tags, j);
    await this.judged(q, p.workerId, { ...j, approved: p.approved ? 1 : 0 });
  }

  /** A reviewer's decisive or cross review was recorded. */
  reviewDone(q: Queryable, reviewerId: string) {
    return qualityRepo.bumpReviewer(q, reviewerId, { done: 1 });
  }

  /** A cross-review judged this reviewer's verdict: agreement rate kept per reviewer. */
  crossReviewed(q: Queryable, reviewerId: string, agreed: boolean) {
    return qualityRepo.bumpReviewer(q, reviewerId, { crossReviewed: 1, crossAgreed: agreed ? 1 : 0 });
  }

  /** An annotation was approved without review (review window, agreement). */
  approvedUnreviewed(q: Queryable, workerId: string) {
    return this.judged(q, workerId, { approved: 1 });
  }

  private async applyLevel(q: Queryable, workerId: string, row: WorkerQualityRow): Promise<void> {
    const user = await qualityRepo.lockUser(q, workerId);
    if (!user || (user.role !== 'worker' && user.role !== 'reviewer')) return;
    const d = evaluateLevel(recordOf(user.level, row), this.rules);
    let role: string | undefined;
    let reviewerAuto: boolean | undefined;
    if (this.rules.reviewer.autoGrant) {
      if (d.reviewerEligible && user.role === 'worker') [role, reviewerAuto] = ['reviewer', true];
      else if (d.change === 'demote' && d.level < this.rules.reviewer.minLevel && user.role === 'reviewer' && row.reviewer_auto) {
        [role, reviewerAuto] = ['worker', false];
      }
    }
    if (d.change !== 'none') {
      await qualityRepo.setLevel(q, workerId, { level: d.level, role, reason: d.reason, reviewerAuto });
    } else if (role) {
      await qualityRepo.setRole(q, workerId, role, reviewerAuto!);
    }
  }

  // ---- removal ----------------------------------------------------------------------------------

  /**
   * Removes a worker from a project (with the reason they will be shown), excludes their
   * not-yet-approved answers (their slots offered to others, their pay returned to the budget)
   * and cancels their open work there. Inside the caller's transaction.
   */
  async removeFromProject(trx: Queryable, projectId: string, workerId: string, reason: string): Promise<number[]> {
    await this.work.setProjectWorker(projectId, workerId, 'removed', reason, trx);
    const ids = await qualityRepo.excludeWorkerAnswers(trx, projectId, workerId);
    for (const id of ids) await refundRejected(trx, id);
    await releaseEndedReservations(trx, { projectId, workerId });
    for (const fn of this.removalListeners) await fn(trx, { projectId, workerId, annotationIds: ids });
    return ids;
  }

  // ---- qualification ----------------------------------------------------------------------------

  private async qualificationProject(user: AuthUser, projectId: string) {
    const p = await qualityRepo.projectForWorker(this.ctx.db, projectId, user.id);
    if (!p || p.status === 'draft' || p.status === 'archived') throw new AppError('not_found', 'project not found');
    return { row: p, settings: settingsOf(p.settings) };
  }

  private stateOut(settings: ProjectSettings, attempt: Awaited<ReturnType<typeof qualityRepo.latestAttempt>>, standing: string | null) {
    const q = settings.qualification;
    if (!q) return { required: false, status: 'not_required' as const, goldCount: 0, passMark: 0, cooldownHours: 0, answered: 0, correct: 0, score: null, retryAt: null, canStart: false };
    const status = (standing === 'qualified' ? 'passed' : (attempt?.status ?? 'not_started')) as 'not_started' | 'in_progress' | 'passed' | 'failed';
    const retry = attempt?.status === 'failed' ? iso(attempt.retry_at) : null;
    return {
      required: true,
      status,
      goldCount: attempt?.gold_count ?? q.goldCount,
      passMark: attempt?.pass_mark ?? q.passMark,
      cooldownHours: q.cooldownHours,
      answered: attempt?.answered ?? 0,
      correct: attempt?.correct ?? 0,
      score: attempt?.answered ? attempt.correct / attempt.answered : null,
      retryAt: retry,
      canStart: status === 'not_started' || status === 'in_progress' || (status === 'failed' && (!retry || new Date(retry) <= new Date())),
    };
  }

  async qualificationStatus(user: AuthUser, projectId: string) {
    const { row, settings } = await this.qualificationProject(user, projectId);
    const attempt = await qualityRepo.latestAttempt(this.ctx.db, projectId, user.id);
    return this.stateOut(settings, attempt, row.pw_status);
  }

  /**
   * The next question of the qualification test, starting (or, after the cool-down, restarting)
   * an attempt. Test questions are the project's gold items, handed out as ordinary leases: the
   * worker answers them with the usual submit, and sees their score here. `assignment` is null
   * once the test is decided.
   */
  async qualificationNext(user: AuthUser, projectId: string) {
    if (user.status !== 'active') throw new AppError('forbidden', `your account is ${user.status}${user.statusReason ? `: ${user.statusReason}` : ''}`);
    const { row, settings } = await this.qualificationProject(user, projectId);
    const q = settings.qualification;
    if (!q) throw new AppError('invalid_state', 'this project has no qualification test');
    if (row.pw_status === 'removed') throw new AppError('forbidden', `you were removed from this project${row.pw_reason ? `: ${row.pw_reason}` : ''}`);
    if (row.status !== 'active') throw new AppError('invalid_state', `this project is ${row.status}; it hands out no work now`);

    const leased = await qualityRepo.leased(this.ctx.db, projectId, user.id);
    if (leased && !leased.live) await this.work.expire({ assignmentId: leased.id });

    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await this.ctx.db.transaction().execute(async (trx) => {
          let a = await qualityRepo.latestAttempt(trx, projectId, user.id);
          const standing = (await qualityRepo.projectWorker(trx, projectId, user.id))?.status ?? null;
          if (standing === 'qualified' || a?.status === 'passed') return { assignment: null, qualification: this.stateOut(settings, a, standing) };
          if (a?.status === 'failed' && a.retry_at && new Date(a.retry_at) > new Date()) {
            throw new AppError('forbidden', `you may retry the qualification test after ${iso(a.retry_at)}`, [{ path: '/qualification', problem: 'cooling_down' }]);
          }
          if (!a || a.status === 'failed') {
            await qualityRepo.startAttempt(trx, projectId, user.id, q.goldCount, q.passMark);
            await this.work.setProjectWorker(projectId, user.id, 'qualifying', null, trx);
            a = await qualityRepo.latestAttempt(trx, projectId, user.id);
          }
          const live = await qualityRepo.leased(trx, projectId, user.id);
          const handout = live?.live ? live : await qualityRepo.leaseTestItem(trx, { projectId, workerId: user.id, leaseSeconds: settings.leaseSeconds });
          if (!handout) {
            throw new AppError('invalid_state', 'this project has too few test questions left for you; the requester must add gold items', [
              { path: '/qualification', problem: 'not_enough_gold' },
            ]);
          }
          if (!live?.live) await qualityRepo.addQualificationItem(trx, a!.id, handout.id, handout.item_id);
          return {
            assignment: {
              id: handout.id,
              kind: handout.kind,
              projectId,
              item: { id: handout.item_id, data: workerData(handout.data) },
              expiresAt: new Date(handout.expires_at).toISOString(),
            },
            qualification: this.stateOut(settings, a, 'qualifying'),
          };
        });
      } catch (e) {
        // a concurrent call leased first (one live lease per worker and project): read it back
        if ((e as { code?: string }).code === '23505' && attempt < 2) continue;
        throw e;
      }
    }
    throw new AppError('conflict', 'please try again');
  }

  // ---- abuse ------------------------------------------------------------------------------------

  private async checkAbuse(trx: Queryable, project: WorkProject, workerId: string): Promise<void> {
    const R = this.rules.abuse;
    const mine = await qualityRepo.recentAnswers(trx, project.id, workerId, R.recentAnswers);
    const crowd = await qualityRepo.crowdAnswers(trx, project.id, workerId, R.recentAnswers * 10);
    const flags: AbuseFlag[] = [];

    const speed = speedSignal(
      mine.map((a) => a.duration_ms),
      median(crowd.map((a) => a.duration_ms)),
      crowd.length,
      R.speed,
    );
    if (speed) flags.push(speed);

    let same: AbuseFlag | null = null;
    let agreed = 0;
    let compared = 0;
    let crowdAgreed = 0;
    let crowdCompared = 0;
    for (const c of categoricalControls(project.template as Template)) {
      if (c.multi) continue;
      const count = (rows: typeof mine) => {
        const out: Record<string, number> = {};
        for (const r of rows) {
          const v = r.result?.[c.name];
          if (v === undefined || v === null) continue;
          out[String(v)] = (out[String(v)] ?? 0) + 1;
        }
        return out;
      };
      const f = sameAnswerSignal(count(mine), count(crowd), R.sameAnswer);
      if (f && (!same || SEVERITY_RANK[f.severity] > SEVERITY_RANK[same.severity] || (f.evidence.pValue as number) < (same.evidence.pValue as number))) {
        same = { ...f, message: `${c.name}: ${f.message}`, evidence: { ...f.evidence, control: c.name } };
      }
      const agree = (rows: typeof mine) => {
        let a = 0;
        let n = 0;
        for (const r of rows) {
          const label = (r.label as Record<string, { value?: unknown }> | null)?.[c.name];
          const v = r.result?.[c.name];
          if (!label || label.value === undefined || v === undefined || v === null) continue;
          n++;
          if (label.value === v) a++;
        }
        return [a, n] as const;
      };
      const [a1, n1] = agree(mine);
      const [a2, n2] = agree(crowd);
      agreed += a1;
      compared += n1;
      crowdAgreed += a2;
      crowdCompared += n2;
    }
    if (same) flags.push(same);
    const low = crowdCompared ? agreementSignal(agreed, compared, crowdAgreed / crowdCompared, R.agreement) : null;
    if (low) flags.push(low);
    const burst = burstSignal(await qualityRepo.recentClaimTimes(trx, workerId, R.burst.windowSeconds * 5), R.burst);
    if (burst) flags.push(burst);

    for (const f of flags) await this.raise(trx, workerId, f.kind === 'burst' ? null : project.id, f);
  }

  /** Stores a flag (or refreshes the open one) and pauses the worker when the evidence is strong. */
  private async raise(q: Queryable, workerId: string, projectId: string | null, f: AbuseFlag): Promise<void> {
    const row = await qualityRepo.upsertFlag(q, { workerId, projectId, kind: f.kind, severity: f.severity, message: f.message, evidence: f.evidence });
    if (!pausesAutomatically(f, this.rules) || row.auto_paused) return;
    const user = await qualityRepo.lockUser(q, workerId);
    if (!user || user.status !== 'active' || (user.role !== 'worker' && user.role !== 'reviewer')) return;
    await qualityRepo.setUserStatus(
      q,
      workerId,
      'paused',
      `Paused automatically because of unusual activity: ${f.message}. An operator will look at it and decide; until then you cannot take tasks.`,
    );
    await qualityRepo.markAutoPaused(q, row.id);
  }

  /**
   * Notes the address a worker claimed work from (after the response; never slows a claim).
   * Several accounts on one project from one address raise a flag on each. Loopback addresses
   * (a local proxy without DURE_TRUST_PROXY, tests) are ignored: they say nothing about the client.
   */
  noteAddress(projectId: string, workerId: string, address: string): void {
    if (!address || isLoopback(address)) return;
    const key = `${projectId}|${workerId}|${address}`;
    const now = Date.now();
    if ((this.seenAddresses.get(key) ?? 0) > now - 10 * 60_000) return;
    this.seenAddresses.set(key, now);
    if (this.seenAddresses.size > 50_000) this.seenAddresses.clear();
    this.later(() => this.recordAddress(projectId, workerId, address));
  }

  async recordAddress(projectId: string, workerId: string, address: string): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const accounts = await qualityRepo.recordAddress(trx, projectId, workerId, address);
      if (!accounts) return;
      const f = sharedAddressSignal(address, accounts, this.rules.abuse.sharedAddress);
      if (!f) return;
      for (const id of accounts) await this.raise(trx, id, projectId, f);
    });
  }

  /** Waits for the background checks in flight (address notes, abuse signals): before the database closes, and in tests. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  // ---- operator ---------------------------------------------------------------------------------

  async listFlags(q: { id?: number; status?: string; workerId?: string; before?: number; limit?: number }) {
    const rows = await qualityRepo.listFlags(this.ctx.db, { ...q, limit: Math.min(q.limit ?? 50, 200) });
    return rows.map((r) => ({
      id: r.id,
      worker: { id: r.worker_id, email: r.email, displayName: r.display_name, status: r.user_status, statusReason: r.user_status_reason },
      project: r.project_id ? { id: r.project_id, name: r.project_name } : null,
      kind: r.kind,
      severity: r.severity,
      message: r.message,
      evidence: r.evidence,
      status: r.status,
      autoPaused: r.auto_paused,
      decision: r.decision,
      decidedAt: iso(r.decided_at),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    }));
  }

  /**
   * The operator's decision on a flag: dismiss (a false alarm: a worker this flag paused is
   * resumed), pause, ban, or unpause. The worker sees the reason on their account.
   */
  async decideFlag(admin: AuthUser, id: number, decision: 'dismiss' | 'pause' | 'ban' | 'unpause', note?: string) {
    await this.ctx.db.transaction().execute(async (trx) => {
      const f = await qualityRepo.lockFlag(trx, id);
      if (!f) throw new AppError('not_found', 'flag not found');
      if (f.status !== 'open' && decision !== 'unpause') throw new AppError('invalid_state', `this flag was already decided (${f.status})`);
      const user = await qualityRepo.lockUser(trx, f.worker_id);
      const why = note?.trim() ? ` ${note.trim()}` : '';
      if (decision === 'dismiss') {
        await qualityRepo.decideFlag(trx, id, { status: 'dismissed', decision, by: admin.id });
        if (f.auto_paused && user?.status === 'paused') await qualityRepo.setUserStatus(trx, f.worker_id, 'active', null);
      } else if (decision === 'pause') {
        await qualityRepo.decideFlag(trx, id, { status: 'actioned', decision, by: admin.id });
        await qualityRepo.setUserStatus(trx, f.worker_id, 'paused', `Paused by an operator: ${f.message}.${why}`);
      } else if (decision === 'ban') {
        await qualityRepo.decideFlag(trx, id, { status: 'actioned', decision, by: admin.id });
        await qualityRepo.setUserStatus(trx, f.worker_id, 'banned', `Closed by an operator: ${f.message}.${why}`);
      } else {
        if (f.status === 'open') await qualityRepo.decideFlag(trx, id, { status: 'dismissed', decision, by: admin.id });
        if (user?.status === 'paused') await qualityRepo.setUserStatus(trx, f.worker_id, 'active', null);
      }
    });
    return (await this.listFlags({ id, limit: 1 }))[0]!;
  }

  // ---- what workers and requesters see ----------------------------------------------------------

  /** A worker's level, accuracy and progress, per project (with any removal reason) and per skill. */
  async myQuality(user: AuthUser) {
    const [basics, w, projects, skills] = await Promise.all([
      qualityRepo.userBasics(this.ctx.db, user.id),
      qualityRepo.workerQuality(this.ctx.db, user.id),
      qualityRepo.projectFigures(this.ctx.db, user.id),
      qualityRepo.skillFigures(this.ctx.db, user.id),
    ]);
    const level = basics?.level ?? user.level;
    const d = evaluateLevel(recordOf(level, w), this.rules);
    return {
      level,
      role: basics?.role ?? user.role,
      status: basics?.status ?? user.status,
      statusReason: basics?.status_reason ?? null,
      accuracy: d.accuracy,
      approved: w?.approved ?? 0,
      gold: { answered: w?.gold_answered ?? 0, correct: w?.gold_correct ?? 0 },
      reviews: { approved: w?.reviews_approved ?? 0, rejected: w?.reviews_rejected ?? 0 },
      levelChangedAt: iso(w?.level_changed_at ?? null),
      levelReason: w?.level_reason ?? null,
      reviewerEligible: d.reviewerEligible,
      reviewerFromLevel: this.rules.reviewer.minLevel,
      progress: d.progress,
      asReviewer: { reviews: w?.reviews_done ?? 0, crossReviewed: w?.cross_reviewed ?? 0, agreement: reviewerAgreement(w?.cross_agreed ?? 0, w?.cross_reviewed ?? 0) },
      projects: projects.map((p) => {
        const s = settingsOf(p.settings);
        return {
          projectId: p.project_id,
          name: p.name,
          answers: p.answers,
          gold: { answered: p.gold_answered, correct: p.gold_correct, accuracy: ratio(p.gold_correct, p.gold_answered) },
          reviews: { approved: p.reviews_approved, rejected: p.reviews_rejected },
          minGoldAccuracy: s.minGoldAccuracy,
          minGoldAnswers: s.minGoldAnswers,
          standing: p.standing ?? 'active',
          reason: p.reason,
        };
      }),
      skills: skills.map((s) => ({
        skill: s.skill,
        gold: { answered: s.gold_answered, correct: s.gold_correct },
        reviews: { approved: s.reviews_approved, rejected: s.reviews_rejected },
        accuracy: ratio(s.gold_correct + s.reviews_approved, s.gold_answered + s.reviews_approved + s.reviews_rejected),
      })),
    };
  }

  /** Fleiss' kappa and Krippendorff's alpha per categorical control, over the project's live answers. */
  async projectAgreement(user: AuthUser, projectId: string) {
    const p = await loadOwnedProject(this.ctx.db, user, projectId);
    const controls = categoricalControls(p.template as Template);
    const rows = controls.length ? await qualityRepo.agreementAnswers(this.ctx.db, projectId, controls.map((c) => c.name), MAX_AGREEMENT_ANSWERS + 1) : [];
    const capped = rows.length > MAX_AGREEMENT_ANSWERS;
    const answers = rows.slice(0, MAX_AGREEMENT_ANSWERS).map((r) => ({ itemId: r.item_id, workerId: r.worker_id, result: r.values }));
    return {
      projectId,
      controls: controlAgreement(controls, answers),
      answers: answers.length,
      capped,
      computedAt: new Date().toISOString(),
    };
  }
}
