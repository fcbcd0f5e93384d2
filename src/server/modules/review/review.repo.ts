import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';

type Json = Record<string, unknown>;

export interface TaskRow {
  id: number;
  project_id: string;
  annotation_id: number;
  author_id: string;
  kind: 'review' | 'cross';
  reason: string;
  status: 'open' | 'leased' | 'done' | 'cancelled';
  reviewer_id: string | null;
  leased_until: Date | null;
  verdict: 'approve' | 'reject' | null;
  comment: string | null;
  first_task_id: number | null;
  agreed: boolean | null;
  created_at: Date;
  decided_at: Date | null;
}

export interface AwaitingRow {
  id: number;
  project_id: string;
  item_id: number;
  worker_id: string;
  result: Json;
  label: Json | null;
  template: Json;
  settings: Json;
}

export const reviewRepo = {
  /**
   * How many of each worker's ordinary answers in the project came before the given annotation,
   * counting up to `cap`, for several annotations of one project (each worker once) in one
   * statement: annotation id → count.
   */
  async priorAnswersMany(db: Queryable, projectId: string, rows: { workerId: string; annotationId: number }[], cap: number) {
    const out = new Map<number, number>();
    if (!rows.length) return out;
    const r = await sql<{ annotation_id: number; n: number }>`
      select x.annotation_id, c.n
      from unnest(${rows.map((r) => r.workerId)}::uuid[], ${rows.map((r) => r.annotationId)}::bigint[]) as x(worker_id, annotation_id)
      cross join lateral (
        select count(*)::int as n from (
          select 1 from annotations
          where worker_id = x.worker_id and project_id = ${projectId}::uuid and not is_gold
            and id < x.annotation_id and status <> 'superseded'
          limit ${cap}::int) t) c`.execute(db);
    for (const x of r.rows) out.set(Number(x.annotation_id), x.n);
    return out;
  },

  enqueue(db: Queryable, t: { projectId: string; annotationId: number; authorId: string; kind: 'review' | 'cross'; reason: string; firstTaskId?: number }) {
    return sql<{ id: number }>`
      insert into review_tasks (project_id, annotation_id, author_id, kind, reason, first_task_id)
      values (${t.projectId}::uuid, ${t.annotationId}::bigint, ${t.authorId}::uuid, ${t.kind}, ${t.reason}, ${t.firstTaskId ?? null}::bigint)
      on conflict do nothing
      returning id`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /**
   * Sends sampled submits to review in one statement: each annotation still 'submitted' becomes
   * 'pending_review', and a decisive review task is queued for each (ids in the order of `tasks`;
   * one already queued stays as it is).
   */
  sendToReviewMany(db: Queryable, projectId: string, tasks: { annotationId: number; authorId: string; reason: string }[]) {
    return sql`
      with marked as (
        update annotations set status = 'pending_review'
        where id = any(${tasks.map((t) => t.annotationId)}::bigint[]) and status = 'submitted'
      )
      insert into review_tasks (project_id, annotation_id, author_id, kind, reason)
      select ${projectId}::uuid, x.annotation_id, x.author_id, 'review', x.reason
      from unnest(${tasks.map((t) => t.annotationId)}::bigint[], ${tasks.map((t) => t.authorId)}::uuid[], ${tasks.map((t) => t.reason)}::text[])
        with ordinality as x(annotation_id, author_id, reason, ord)
      order by x.ord
      on conflict do nothing`.execute(db);
  },

  /** The reviewer's live lease in the project, if any. */
  liveLease(db: Queryable, projectId: string, reviewerId: string) {
    return sql<TaskRow>`
      select * from review_tasks
      where project_id = ${projectId}::uuid and reviewer_id = ${reviewerId}::uuid and status = 'leased' and leased_until > now()
      order by id limit 1`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /**
   * Leases the next review for this reviewer: an open task (or one whose lease ran out) that is
   * not on their own work, decisive reviews before cross-reviews, oldest first, SKIP LOCKED so
   * reviewers never queue on one row. A cross-review never goes to the reviewer it checks.
   * Returns the task and who held it before (their review reservation must be released).
   */
  leaseNext(db: Queryable, projectId: string, reviewerId: string, leaseSeconds: number) {
    return sql<TaskRow & { prev_reviewer: string | null }>`
      with pick as (
        select t.id, t.reviewer_id as prev_reviewer from review_tasks t
        join annotations a on a.id = t.annotation_id
        where t.project_id = ${projectId}::uuid
          and (t.status = 'open' or (t.status = 'leased' and t.leased_until <= now()))
          and t.author_id <> ${reviewerId}::uuid
          and ((t.kind = 'review' and a.status = 'pending_review')
               or (t.kind = 'cross' and not exists (
                     select 1 from review_tasks f where f.id = t.first_task_id and f.reviewer_id = ${reviewerId}::uuid)))
        order by (t.kind = 'cross'), t.id
        limit 1
        for update of t skip locked
      )
      update review_tasks t
      set status = 'leased', reviewer_id = ${reviewerId}::uuid, leased_until = now() + make_interval(secs => ${leaseSeconds}::float8)
      from pick where t.id = pick.id
      returning t.*, pick.prev_reviewer`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /** Takes a particular task for the reviewer (deciding without `next`). */
  take(db: Queryable, taskId: number, reviewerId: string, leaseSeconds: number) {
    return sql`update review_tasks set status = 'leased', reviewer_id = ${reviewerId}::uuid,
                 leased_until = now() + make_interval(secs => ${leaseSeconds}::float8)
               where id = ${taskId}::bigint`.execute(db);
  },

  /** The open (or leased) task on an annotation, locked. */
  lockOpenTask(db: Queryable, annotationId: number) {
    return sql<TaskRow>`
      select * from review_tasks where annotation_id = ${annotationId}::bigint and status in ('open', 'leased')
      order by id limit 1 for update`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  lastDoneBy(db: Queryable, annotationId: number, reviewerId: string) {
    return sql<TaskRow>`
      select * from review_tasks where annotation_id = ${annotationId}::bigint and reviewer_id = ${reviewerId}::uuid and status = 'done'
      order by id desc limit 1`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  task(db: Queryable, id: number) {
    return sql<TaskRow>`select * from review_tasks where id = ${id}::bigint`.execute(db).then((r) => r.rows[0]);
  },

  finish(db: Queryable, taskId: number, p: { verdict: 'approve' | 'reject'; comment: string | null; agreed?: boolean | null }) {
    return sql`update review_tasks set status = 'done', verdict = ${p.verdict}, comment = ${p.comment}, agreed = ${p.agreed ?? null}::boolean,
                 decided_at = now(), leased_until = null
               where id = ${taskId}::bigint`.execute(db);
  },

  /** Cancels the open tasks of these annotations; returns the leased ones (their reservations to release). */
  cancelFor(db: Queryable, annotationIds: number[]) {
    if (!annotationIds.length) return Promise.resolve([] as { annotation_id: number; reviewer_id: string; project_id: string }[]);
    return sql<{ annotation_id: number; reviewer_id: string | null; project_id: string; was: string }>`
      with c as (
        select id, status as was from review_tasks
        where annotation_id = any(${annotationIds}::bigint[]) and status in ('open', 'leased')
        for update
      )
      update review_tasks t set status = 'cancelled', decided_at = now()
      from c where t.id = c.id
      returning t.annotation_id, t.reviewer_id, t.project_id, c.was`
      .execute(db)
      .then((r) => r.rows.filter((x) => x.was === 'leased' && x.reviewer_id).map((x) => ({ annotation_id: x.annotation_id, reviewer_id: x.reviewer_id!, project_id: x.project_id })));
  },

  /** What a reviewer is shown: the annotation, its item, the form, and for a rework the answer and comment it replaced. */
  detail(db: Queryable, annotationId: number) {
    return sql<{
      id: number;
      project_id: string;
      item_id: number;
      worker_id: string;
      result: Json;
      status: string;
      duration_ms: number;
      rework_count: number;
      created_at: Date;
      data: Json;
      template: Json;
      settings: Json;
      tags: string[];
      project_name: string;
      instructions: string;
      previous_result: Json | null;
      rework_comment: string | null;
    }>`
      select a.id, a.project_id, a.item_id, a.worker_id, a.result, a.status, a.duration_ms, a.rework_count, a.created_at,
             i.data, p.template, p.settings, p.tags, p.name as project_name, p.instructions,
             prev.result as previous_result, asg.rework_comment
      from annotations a
      join items i on i.id = a.item_id
      join projects p on p.id = a.project_id
      join assignments asg on asg.id = a.assignment_id
      left join annotations prev on prev.id = asg.previous_annotation_id
      where a.id = ${annotationId}::bigint`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  lockAnnotation(db: Queryable, annotationId: number) {
    return sql<{ id: number; project_id: string; item_id: number; worker_id: string; status: string; rework_count: number }>`
      select id, project_id, item_id, worker_id, status, rework_count from annotations where id = ${annotationId}::bigint for update`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  setAnnotationStatus(db: Queryable, annotationId: number, status: 'approved' | 'pending_review', from: string) {
    return sql<{ id: number }>`
      update annotations set status = ${status}, decided_at = case when ${status} = 'approved' then now() else decided_at end
      where id = ${annotationId}::bigint and status = ${from}
      returning id`
      .execute(db)
      .then((r) => r.rows.length > 0);
  },

  projectSettings(db: Queryable, projectId: string) {
    return sql<{ id: string; org_id: string; status: string; settings: Json; tags: string[] }>`
      select id, org_id, status, settings, tags from projects where id = ${projectId}::uuid`
      .execute(db)
      .then((r) => r.rows[0]);
  },

  /** Projects with reviews this reviewer could take, with how many. */
  projectsWithWork(db: Queryable, reviewerId: string) {
    return sql<{ id: string; name: string; status: string; settings: Json; waiting: number; cross_waiting: number }>`
      select p.id, p.name, p.status, p.settings,
             count(*) filter (where t.kind = 'review')::int as waiting,
             count(*) filter (where t.kind = 'cross')::int as cross_waiting
      from review_tasks t
      join projects p on p.id = t.project_id
      join annotations a on a.id = t.annotation_id
      where (t.status = 'open' or (t.status = 'leased' and (t.leased_until <= now() or t.reviewer_id = ${reviewerId}::uuid)))
        and t.author_id <> ${reviewerId}::uuid
        and p.status not in ('draft', 'archived')
        and ((t.kind = 'review' and a.status = 'pending_review')
             or (t.kind = 'cross' and not exists (select 1 from review_tasks f where f.id = t.first_task_id and f.reviewer_id = ${reviewerId}::uuid)))
      group by p.id
      order by count(*) desc, p.name`
      .execute(db)
      .then((r) => r.rows);
  },

  // ---- automatic approval ---------------------------------------------------------------------

  /** Unreviewed annotations whose project's review window has passed, by id after `after`. */
  dueByWindow(db: Queryable, after: number, limit: number) {
    return sql<{ id: number; worker_id: string; project_id: string }>`
      select a.id, a.worker_id, a.project_id
      from annotations a join projects p on p.id = a.project_id
      where a.status = 'submitted' and a.id > ${after}::bigint
        and a.created_at <= now() - make_interval(secs => coalesce((p.settings->>'reviewWindowHours')::float8, 72) * 3600)
      order by a.id
      limit ${limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Unreviewed annotations in 'agreement' projects whose item has an inferred label, by id after `after`. */
  awaitingAgreement(db: Queryable, after: number, limit: number) {
    return sql<AwaitingRow>`
      select a.id, a.project_id, a.item_id, a.worker_id, a.result, i.label, p.template, p.settings
      from annotations a
      join projects p on p.id = a.project_id
      join items i on i.id = a.item_id
      where a.status = 'submitted' and a.id > ${after}::bigint and p.settings->>'autoApprove' = 'agreement' and i.label is not null
      order by a.id
      limit ${limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },
};
