import { sql } from 'kysely';
import { inProjectId } from '../../../db/in-project.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { ProjectWorkerStatus } from '../../../db/tables/work.ts';

type Json = Record<string, unknown>;

export interface WorkerQualityRow {
  worker_id: string;
  approved: number;
  gold_answered: number;
  gold_correct: number;
  reviews_approved: number;
  reviews_rejected: number;
  since_judged: number;
  since_correct: number;
  level_changed_at: Date | null;
  level_reason: string | null;
  reviewer_auto: boolean;
  reviews_done: number;
  cross_reviewed: number;
  cross_agreed: number;
}

/** Increments of a worker's judged answers. */
export interface Judgement {
  goldAnswered?: number;
  goldCorrect?: number;
  reviewsApproved?: number;
  reviewsRejected?: number;
}

const n = (x: number | undefined) => x ?? 0;

export const qualityRepo = {
  // ---- running figures ------------------------------------------------------------------------

  /** Adds to a worker's overall figures (judged answers also count toward the demotion window). */
  bumpWorker(db: Queryable, workerId: string, j: Judgement & { approved?: number }) {
    const judged = n(j.goldAnswered) + n(j.reviewsApproved) + n(j.reviewsRejected);
    const correct = n(j.goldCorrect) + n(j.reviewsApproved);
    return sql<WorkerQualityRow>`
      insert into worker_quality as w (worker_id, approved, gold_answered, gold_correct, reviews_approved, reviews_rejected, since_judged, since_correct)
      values (${workerId}::uuid, ${n(j.approved)}, ${n(j.goldAnswered)}, ${n(j.goldCorrect)}, ${n(j.reviewsApproved)}, ${n(j.reviewsRejected)}, ${judged}, ${correct})
      on conflict (worker_id) do update set
        approved = w.approved + excluded.approved,
        gold_answered = w.gold_answered + excluded.gold_answered,
        gold_correct = w.gold_correct + excluded.gold_correct,
        reviews_approved = w.reviews_approved + excluded.reviews_approved,
        reviews_rejected = w.reviews_rejected + excluded.reviews_rejected,
        since_judged = w.since_judged + excluded.since_judged,
        since_correct = w.since_correct + excluded.since_correct,
        updated_at = now()
      returning *`
      .execute(db)
      .then((r) => r.rows[0]!);
  },

  workerQuality(db: Queryable, workerId: string) {
    return sql<WorkerQualityRow>`select * from worker_quality where worker_id = ${workerId}::uuid`.execute(db).then((r) => r.rows[0]);
  },

  /** Per project: judged answers and, for ordinary answers, the running count (the figures after). */
  bumpProject(db: Queryable, projectId: string, workerId: string, j: Judgement & { answers?: number }) {
    return qualityRepo.bumpProjectMany(db, projectId, [{ workerId, j }]).then((m) => m.get(workerId)!);
  },

  /**
   * `bumpProject` for several workers of one project in one statement (each worker at most once):
   * returns each worker's figures after the bump, by worker id. Rows are written in worker-id order.
   */
  async bumpProjectMany(db: Queryable, projectId: string, rows: { workerId: string; j: Judgement & { answers?: number } }[]) {
    const out = new Map<string, { answers: number; gold_answered: number; gold_correct: number }>();
    if (!rows.length) return out;
    const col = (f: (j: Judgement & { answers?: number }) => number | undefined) => rows.map((r) => n(f(r.j)));
    const r = await sql<{ worker_id: string; answers: number; gold_answered: number; gold_correct: number }>`
      insert into worker_project_quality as w (project_id, worker_id, answers, gold_answered, gold_correct, reviews_approved, reviews_rejected)
      select ${projectId}::uuid, x.worker_id, x.answers, x.gold_answered, x.gold_correct, x.reviews_approved, x.reviews_rejected
      from unnest(${rows.map((r) => r.workerId)}::uuid[], ${col((j) => j.answers)}::int[], ${col((j) => j.goldAnswered)}::int[],
                  ${col((j) => j.goldCorrect)}::int[], ${col((j) => j.reviewsApproved)}::int[], ${col((j) => j.reviewsRejected)}::int[])
        as x(worker_id, answers, gold_answered, gold_correct, reviews_approved, reviews_rejected)
      order by x.worker_id
      on conflict (project_id, worker_id) do update set
        answers = w.answers + excluded.answers,
        gold_answered = w.gold_answered + excluded.gold_answered,
        gold_correct = w.gold_correct + excluded.gold_correct,
        reviews_approved = w.reviews_approved + excluded.reviews_approved,
        reviews_rejected = w.reviews_rejected + excluded.reviews_rejected,
        updated_at = now()
      returning worker_id, answers, gold_answered, gold_correct`.execute(db);
    for (const x of r.rows) out.set(x.worker_id, { answers: x.answers, gold_answered: x.gold_answered, gold_correct: x.gold_correct });
    return out;
  },

  bumpSkills(db: Queryable, workerId: string, skills: string[], j: Judgement) {
    if (!skills.length) return Promise.resolve();
    return sql`
      insert into worker_skill_quality as w (worker_id, skill, gold_answered, gold_correct, reviews_approved, reviews_rejected)
      select ${workerId}::uuid, s, ${n(j.goldAnswered)}, ${n(j.goldCorrect)}, ${n(j.reviewsApproved)}, ${n(j.reviewsRejected)}
      from unnest(${skills}::text[]) as s
      on conflict (worker_id, skill) do update set
        gold_answered = w.gold_answered + excluded.gold_answered,
        gold_correct = w.gold_correct + excluded.gold_correct,
        reviews_approved = w.reviews_approved + excluded.reviews_approved,
        reviews_rejected = w.reviews_rejected + excluded.reviews_rejected,
        updated_at = now()`
      .execute(db)
      .then(() => undefined);
  },

  /** The user row bits levels need, locked (a promotion and a demotion never race). */
  lockUser(db: Queryable, workerId: string) {
    return sql<{ id: string; role: string; level: number; status: string; status_reason: string | null }>`
      select id, role, level, status, status_reason from users where id = ${workerId}::uuid for update`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  setLevel(db: Queryable, workerId: string, p: { level: number; role?: string; reason: string; reviewerAuto?: boolean }) {
    return Promise.all([
      p.role
        ? sql`update users set level = ${p.level}, role = ${p.role} where id = ${workerId}::uuid`.execute(db)
        : sql`update users set level = ${p.level} where id = ${workerId}::uuid`.execute(db),
      sql`update worker_quality set since_judged = 0, since_correct = 0, level_changed_at = now(), level_reason = ${p.reason},
            reviewer_auto = coalesce(${p.reviewerAuto ?? null}::boolean, reviewer_auto)
          where worker_id = ${workerId}::uuid`.execute(db),
    ]);
  },

  setRole(db: Queryable, workerId: string, role: string, reviewerAuto: boolean) {
    return Promise.all([
      sql`update users set role = ${role} where id = ${workerId}::uuid`.execute(db),
      sql`update worker_quality set reviewer_auto = ${reviewerAuto} where worker_id = ${workerId}::uuid`.execute(db),
    ]);
  },

  bumpReviewer(db: Queryable, reviewerId: string, p: { done?: number; crossReviewed?: number; crossAgreed?: number }) {
    return sql`
      insert into worker_quality as w (worker_id, reviews_done, cross_reviewed, cross_agreed)
      values (${reviewerId}::uuid, ${n(p.done)}, ${n(p.crossReviewed)}, ${n(p.crossAgreed)})
      on conflict (worker_id) do update set
        reviews_done = w.reviews_done + excluded.reviews_done,
        cross_reviewed = w.cross_reviewed + excluded.cross_reviewed,
        cross_agreed = w.cross_agreed + excluded.cross_agreed,
        updated_at = now()`.execute(db);
  },

  // ---- removal from a project -------------------------------------------------------------------

  setProjectWorker(db: Queryable, projectId: string, workerId: string, status: ProjectWorkerStatus, reason: string | null) {
    return sql`
      insert into project_workers (project_id, worker_id, status, reason) values (${projectId}::uuid, ${workerId}::uuid, ${status}, ${reason})
      on conflict (project_id, worker_id) do update set status = excluded.status, reason = excluded.reason, updated_at = now()`.execute(db);
  },

  projectWorker(db: Queryable, projectId: string, workerId: string) {
    return sql<{ status: ProjectWorkerStatus; reason: string | null }>`
      select status, reason from project_workers where project_id = ${projectId}::uuid and worker_id = ${workerId}::uuid`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /**
   * Takes a removed worker's not-yet-approved ordinary answers out: 'excluded', each one's slot on
   * its item freed (answers and reserved − 1, the item open again) so the item is offered to
   * others. Their rework waiting or leased, and their live leases in the project, are cancelled
   * (a new lease's slot freed). Returns the excluded annotation ids.
   */
  async excludeWorkerAnswers(db: Queryable, projectId: string, workerId: string): Promise<number[]> {
    const excluded = await sql<{ id: number }>`
      with ex as (
        update annotations set status = 'excluded', decided_at = now()
        where project_id = ${projectId}::uuid and worker_id = ${workerId}::uuid and not is_gold
          and status in ('submitted', 'pending_review', 'rework')
        returning id, item_id
      ), it as (
        update items i
        set answers = greatest(i.answers - c.k, 0), reserved = greatest(i.reserved - c.k, 0), state = 'open', completed_at = null
        from (select item_id, count(*)::int as k from ex group by item_id) c
        where i.id = c.item_id
        returning i.id
      )
      select ex.id from ex order by ex.id`.execute(db);
    await sql`
      with c as (
        update assignments set status = 'cancelled', finished_at = now()
        where project_id = ${projectId}::uuid and worker_id = ${workerId}::uuid and status in ('pending', 'leased')
        returning item_id, kind, status
      )
      update items i set reserved = greatest(i.reserved - 1, 0)
      from c where i.id = c.item_id and c.kind = 'new' and not i.is_gold`.execute(db);
    return excluded.rows.map((r) => r.id);
  },

  // ---- qualification ----------------------------------------------------------------------------

  /** The project and the worker's standing in it. */
  projectForWorker(db: Queryable, projectId: string, workerId: string) {
    return sql<{ id: string; status: string; settings: Json; pw_status: ProjectWorkerStatus | null; pw_reason: string | null }>`
      select p.id, p.status, p.settings, pw.status as pw_status, pw.reason as pw_reason
      from projects p
      left join project_workers pw on pw.project_id = p.id and pw.worker_id = ${workerId}::uuid
      where p.id = ${projectId}::uuid`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /** The worker's leased assignment in the project (at most one), live or not. */
  leased(db: Queryable, projectId: string, workerId: string) {
    return sql<{ id: number; kind: 'new' | 'rework'; item_id: number; expires_at: Date; live: boolean; data: Json }>`
      select a.id, a.kind, a.item_id, a.expires_at, (a.expires_at > now()) as live, i.data
      from assignments a join items i on i.id = a.item_id
      where a.worker_id = ${workerId}::uuid and a.project_id = ${projectId}::uuid and a.status = 'leased'`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /**
   * Leases a gold item this worker never had, at random, as a test question. Gold items carry no
   * answer limit, so no counter moves; the unique (item, worker) and one-live-lease indexes hold
   * "at most once" and "one at a time".
   */
  leaseTestItem(db: Queryable, p: { projectId: string; workerId: string; leaseSeconds: number }) {
    return sql<{ id: number; kind: 'new' | 'rework'; item_id: number; expires_at: Date; data: Json }>`
      with pick as (
        select i.id, i.data from items i
        where i.project_id = ${p.projectId}::uuid and i.is_gold
          and not exists (select 1 from assignments x where x.item_id = i.id and x.worker_id = ${p.workerId}::uuid and x.kind = 'new')
        order by random()
        limit 1
      ), ins as (
        insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, leased_at)
        select ${p.projectId}::uuid, pick.id, ${p.workerId}::uuid, 'new', 'leased', now() + make_interval(secs => ${p.leaseSeconds}::float8), now()
        from pick
        returning id, kind, item_id, expires_at
      )
      select ins.id, ins.kind, ins.item_id, ins.expires_at, pick.data from ins join pick on pick.id = ins.item_id`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  latestAttempt(db: Queryable, projectId: string, workerId: string) {
    return sql<{
      id: number;
      status: 'in_progress' | 'passed' | 'failed';
      gold_count: number;
      pass_mark: number;
      answered: number;
      correct: number;
      started_at: Date;
      finished_at: Date | null;
      retry_at: Date | null;
    }>`
      select id, status, gold_count, pass_mark, answered, correct, started_at, finished_at, retry_at
      from qualification_attempts where project_id = ${projectId}::uuid and worker_id = ${workerId}::uuid
      order by id desc limit 1`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  startAttempt(db: Queryable, projectId: string, workerId: string, goldCount: number, passMark: number) {
    return sql<{ id: number }>`
      insert into qualification_attempts (project_id, worker_id, gold_count, pass_mark)
      values (${projectId}::uuid, ${workerId}::uuid, ${goldCount}, ${passMark})
      returning id`
      .execute(db)
      .then((r) => r.rows[0]!);
  },

  addQualificationItem(db: Queryable, attemptId: number, assignmentId: number, itemId: number) {
    return sql`insert into qualification_items (assignment_id, attempt_id, item_id) values (${assignmentId}, ${attemptId}, ${itemId})`.execute(db);
  },

  /** Records a test answer once (by assignment); returns the attempt as it now stands, or nothing if not a test item. */
  recordQualificationAnswer(db: Queryable, assignmentId: number, correct: boolean) {
    return sql<{ id: number; gold_count: number; pass_mark: number; answered: number; correct: number; status: string; project_id: string; worker_id: string }>`
      with q as (
        update qualification_items set correct = ${correct}
        where assignment_id = ${assignmentId}::bigint and correct is null
        returning attempt_id
      )
      update qualification_attempts a
      set answered = a.answered + 1, correct = a.correct + case when ${correct} then 1 else 0 end
      from q where a.id = q.attempt_id and a.status = 'in_progress'
      returning a.id, a.gold_count, a.pass_mark, a.answered, a.correct, a.status, a.project_id, a.worker_id`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  isQualificationAssignment(db: Queryable, assignmentId: number) {
    return sql<{ attempt_id: number }>`select attempt_id from qualification_items where assignment_id = ${assignmentId}::bigint`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  finishAttempt(db: Queryable, attemptId: number, status: 'passed' | 'failed', retryAt: Date | null) {
    return sql`update qualification_attempts set status = ${status}, finished_at = now(), retry_at = ${retryAt}
               where id = ${attemptId}::bigint`.execute(db);
  },

  // ---- abuse --------------------------------------------------------------------------------------

  /** The worker's recent ordinary answers in a project (durations and results), newest first. */
  recentAnswers(db: Queryable, projectId: string, workerId: string, limit: number) {
    return sql<{ item_id: number; result: Json; duration_ms: number; label: Json | null }>`
      select a.item_id, a.result, a.duration_ms, i.label
      from annotations a join items i on i.id = a.item_id
      where a.project_id = ${projectId}::uuid and a.worker_id = ${workerId}::uuid and not a.is_gold
        and a.status not in ('superseded', 'excluded')
      order by a.id desc limit ${limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Other workers' recent ordinary answers in the project (the crowd the worker is compared with). */
  crowdAnswers(db: Queryable, projectId: string, workerId: string, limit: number) {
    return sql<{ worker_id: string; item_id: number; result: Json; duration_ms: number; label: Json | null }>`
      select a.worker_id, a.item_id, a.result, a.duration_ms, i.label
      from annotations a join items i on i.id = a.item_id
      where ${inProjectId(sql`a.project_id`, projectId)} and a.worker_id <> ${workerId}::uuid and not a.is_gold
        and a.status not in ('superseded', 'excluded')
      order by a.project_id desc, a.id desc limit ${limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Whether an annotation is visible (its submit has committed). */
  annotationVisible(db: Queryable, annotationId: number) {
    return sql<{ ok: boolean }>`select exists (select 1 from annotations where id = ${annotationId}::bigint) as ok`
      .execute(db)
      .then((r) => r.rows[0]!.ok);
  },

  /** When the worker's task requests (claims, any project) were made within the last `seconds`. */
  recentClaimTimes(db: Queryable, workerId: string, seconds: number) {
    return sql<{ t: Date }>`
      select created_at as t from assignments
      where worker_id = ${workerId}::uuid and kind = 'new' and created_at > now() - make_interval(secs => ${seconds}::float8)
      order by created_at limit 5000`
      .execute(db)
      .then((r) => r.rows.map((x) => new Date(x.t).getTime()));
  },

  /** Opens a flag, or refreshes the open one of the same worker, project and kind. */
  upsertFlag(db: Queryable, f: { workerId: string; projectId: string | null; kind: string; severity: string; message: string; evidence: Json }) {
    return sql<{ id: number; severity: string; auto_paused: boolean; inserted: boolean }>`
      insert into abuse_flags (worker_id, project_id, kind, severity, message, evidence)
      values (${f.workerId}::uuid, ${f.projectId}::uuid, ${f.kind}, ${f.severity}, ${f.message}, ${JSON.stringify(f.evidence)}::jsonb)
      on conflict (worker_id, coalesce(project_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) where status = 'open'
      do update set
        severity = case when abuse_flags.severity = 'high' or excluded.severity = 'high' then 'high'
                        when abuse_flags.severity = 'medium' or excluded.severity = 'medium' then 'medium' else 'low' end,
        message = excluded.message, evidence = excluded.evidence, updated_at = now()
      returning id, severity, auto_paused, (xmax = 0) as inserted`
      .execute(db)
      .then((r) => r.rows[0]!);
  },

  markAutoPaused(db: Queryable, flagId: number) {
    return sql`update abuse_flags set auto_paused = true where id = ${flagId}::bigint`.execute(db);
  },

  setUserStatus(db: Queryable, userId: string, status: 'active' | 'paused' | 'banned', reason: string | null) {
    return sql<{ id: string }>`update users set status = ${status}, status_reason = ${reason} where id = ${userId}::uuid returning id`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  listFlags(db: Queryable, p: { id?: number; status?: string; workerId?: string; before?: number; limit: number }) {
    const byId = p.id !== undefined ? sql`and f.id = ${p.id}::bigint` : sql``;
    const byStatus = p.status ? sql`and f.status = ${p.status}` : sql``;
    const byWorker = p.workerId ? sql`and f.worker_id = ${p.workerId}::uuid` : sql``;
    const before = p.before ? sql`and f.id < ${p.before}::bigint` : sql``;
    return sql<{
      id: number;
      worker_id: string;
      email: string;
      display_name: string;
      user_status: string;
      user_status_reason: string | null;
      project_id: string | null;
      project_name: string | null;
      kind: string;
      severity: string;
      message: string;
      evidence: Json;
      status: string;
      auto_paused: boolean;
      decision: string | null;
      decided_at: Date | null;
      created_at: Date;
      updated_at: Date;
    }>`
      select f.id, f.worker_id, u.email, u.display_name, u.status as user_status, u.status_reason as user_status_reason,
             f.project_id, p.name as project_name, f.kind, f.severity, f.message, f.evidence, f.status, f.auto_paused,
             f.decision, f.decided_at, f.created_at, f.updated_at
      from abuse_flags f
      join users u on u.id = f.worker_id
      left join projects p on p.id = f.project_id
      where true ${byId} ${byStatus} ${byWorker} ${before}
      order by f.id desc limit ${p.limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },

  lockFlag(db: Queryable, id: number) {
    return sql<{ id: number; worker_id: string; status: string; message: string; kind: string; auto_paused: boolean }>`
      select id, worker_id, status, message, kind, auto_paused from abuse_flags where id = ${id}::bigint for update`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  decideFlag(db: Queryable, id: number, p: { status: 'dismissed' | 'actioned'; decision: string; by: string }) {
    return sql`update abuse_flags set status = ${p.status}, decision = ${p.decision}, decided_by = ${p.by}::uuid, decided_at = now(), updated_at = now()
               where id = ${id}::bigint`.execute(db);
  },

  /** Records where a worker worked a project from; returns the distinct accounts seen there from that address when new. */
  async recordAddress(db: Queryable, projectId: string, workerId: string, address: string): Promise<string[] | null> {
    // one (project, address) at a time, so the count below sees every earlier account
    await sql`select pg_advisory_xact_lock(hashtext(${`addr:${projectId}:${address}`}))`.execute(db);
    const r = await sql<{ inserted: boolean }>`
      insert into worker_addresses (project_id, worker_id, address) values (${projectId}::uuid, ${workerId}::uuid, ${address})
      on conflict (project_id, worker_id, address) do update set last_seen = now()
      returning (xmax = 0) as inserted`.execute(db);
    if (!r.rows[0]?.inserted) return null;
    const all = await sql<{ worker_id: string }>`
      select distinct worker_id from worker_addresses where project_id = ${projectId}::uuid and address = ${address}`.execute(db);
    return all.rows.map((x) => x.worker_id);
  },

  // ---- reading ------------------------------------------------------------------------------------

  userBasics(db: Queryable, workerId: string) {
    return sql<{ id: string; role: string; level: number; status: string; status_reason: string | null }>`
      select id, role, level, status, status_reason from users where id = ${workerId}::uuid`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  projectFigures(db: Queryable, workerId: string) {
    return sql<{
      project_id: string;
      name: string;
      answers: number;
      gold_answered: number;
      gold_correct: number;
      reviews_approved: number;
      reviews_rejected: number;
      standing: string | null;
      reason: string | null;
      settings: Json;
    }>`
      select q.project_id, p.name, q.answers, q.gold_answered, q.gold_correct, q.reviews_approved, q.reviews_rejected,
             pw.status as standing, pw.reason, p.settings
      from worker_project_quality q
      join projects p on p.id = q.project_id
      left join project_workers pw on pw.project_id = q.project_id and pw.worker_id = q.worker_id
      where q.worker_id = ${workerId}::uuid
      union all
      select pw.project_id, p.name, 0, 0, 0, 0, 0, pw.status, pw.reason, p.settings
      from project_workers pw join projects p on p.id = pw.project_id
      where pw.worker_id = ${workerId}::uuid
        and not exists (select 1 from worker_project_quality q where q.project_id = pw.project_id and q.worker_id = pw.worker_id)
      order by name`
      .execute(db)
      .then((r) => r.rows);
  },

  skillFigures(db: Queryable, workerId: string) {
    return sql<{ skill: string; gold_answered: number; gold_correct: number; reviews_approved: number; reviews_rejected: number }>`
      select skill, gold_answered, gold_correct, reviews_approved, reviews_rejected
      from worker_skill_quality where worker_id = ${workerId}::uuid order by skill`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Answers for agreement: one row per (item, worker) — the latest live answer — categorical values only. */
  agreementAnswers(db: Queryable, projectId: string, controls: string[], limit: number) {
    return sql<{ item_id: number; worker_id: string; values: Json }>`
      select a.item_id, a.worker_id::text as worker_id,
             (select coalesce(jsonb_object_agg(k, a.result -> k), '{}'::jsonb) from unnest(${controls}::text[]) k where a.result ? k) as values
      from annotations a
      where ${inProjectId(sql`a.project_id`, projectId)} and not a.is_gold and a.status in ('submitted', 'pending_review', 'approved', 'rework')
      order by a.project_id desc, a.id desc
      limit ${limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },
};
