/**
 * All SQL of work distribution. The hot statements (claim, submit, skip, sweep) are single
 * statements with data-modifying CTEs: one round trip each, and row locks held only for the
 * statement (plus the hooks, when the service wraps them in a transaction). Times come from the
 * database clock (`now()`), never from the Node process, so several servers agree on expiry.
 *
 * Lookups of one row by key are written as scalar subqueries, `= any(array(...))` or LIMIT 1
 * laterals rather than joins: the planner then always walks the primary key, and has fewer join
 * orders to weigh. With statistics lagging behind fresh imports a plain join once chose a merge
 * join over the whole items index (40 ms instead of 0.1 ms).
 */
import { sql } from 'kysely';
import { inProject, inProjectId } from '../../../db/in-project.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AnnotationStatus, ProjectStatus } from '../../../db/tables/projects.ts';
import type { ProjectWorkerStatus } from '../../../db/tables/work.ts';

type Json = Record<string, unknown>;

export interface ProjectForWorkerRow {
  id: string;
  org_id: string;
  name: string;
  instructions: string;
  template: unknown;
  settings: Json;
  tags: string[];
  status: ProjectStatus;
  status_reason: string | null;
  pw_status: ProjectWorkerStatus | null;
  pw_reason: string | null;
}

/** An assignment as the worker receives it (item data included, previous answer for a rework). */
export interface HandoutRow {
  id: number;
  kind: 'new' | 'rework';
  item_id: number;
  expires_at: Date;
  data: Json;
  rework_comment: string | null;
  previous_result: Json | null;
}

export interface AssignmentFullRow {
  id: number;
  project_id: string;
  item_id: number;
  worker_id: string;
  kind: 'new' | 'rework';
  status: string;
  expires_at: Date;
  created_at: Date;
  previous_annotation_id: number | null;
  rework_comment: string | null;
  live: boolean;
  data: Json;
  gold: Json | null;
  is_gold: boolean;
  previous_result: Json | null;
  p_org_id: string;
  p_name: string;
  p_status: ProjectStatus;
  p_status_reason: string | null;
  p_settings: Json;
  p_template: unknown;
  p_tags: string[];
  pw_status: ProjectWorkerStatus | null;
  pw_reason: string | null;
  /** The annotation of this assignment (JSON of the row: dates as strings). */
  done: AnnotationRow | null;
  /** This worker's annotation stored under the Idempotency-Key asked about. */
  by_key: AnnotationRow | null;
}

export interface AnnotationRow {
  id: number;
  project_id: string;
  item_id: number;
  worker_id: string;
  assignment_id: number;
  result: Json;
  status: AnnotationStatus;
  is_gold: boolean;
  gold_correct: boolean | null;
  duration_ms: number;
  idempotency_key: string | null;
  rework_count: number;
  created_at: Date;
}

export interface ReleasedRow {
  id: number;
  project_id: string;
  item_id: number;
  worker_id: string;
  kind: 'new' | 'rework';
  is_gold: boolean;
  previous_annotation_id: number | null;
}

const first = <T>(r: { rows: T[] }): T | undefined => r.rows[0];

export type NextStateRow = ProjectForWorkerRow & {
  worker_id: string;
  l_id: number | null;
  l_kind: 'new' | 'rework' | null;
  l_item_id: number | null;
  l_expires_at: Date | null;
  l_rework_comment: string | null;
  l_live: boolean | null;
  l_data: Json | null;
  l_previous_result: Json | null;
  has_rework: boolean;
};

/** A claim chosen in a batch: the worker and the item they get. */
export interface LeasePair {
  workerId: string;
  itemId: number;
}

/** One submit of a batch, validated. */
export interface SubmitRow {
  assignmentId: number;
  workerId: string;
  result: unknown;
  isGold: boolean;
  goldCorrect: boolean | null;
  idempotencyKey: string | null;
}

const itemOf = (projectId: string) => inProjectId(sql`i.project_id`, projectId);

export const workRepo = {
  /**
   * Everything `next` needs before claiming, in one round trip, for one or several workers of a
   * project (`next` coalesces concurrent calls): the project, each worker's standing in it, their
   * leased assignment there (at most one: a unique index), live or not, and whether a rework
   * waits for them. One row per worker, in the order given; none when the project does not exist.
   */
  nextStates(db: Queryable, projectId: string, workerIds: string[]) {
    return sql<NextStateRow>`
      select w.worker_id, p.id, p.org_id, p.name, p.instructions, p.template, p.settings, p.tags, p.status, p.status_reason,
             pw.status as pw_status, pw.reason as pw_reason,
             l.id as l_id, l.kind as l_kind, l.item_id as l_item_id, l.expires_at as l_expires_at,
             l.rework_comment as l_rework_comment, l.live as l_live, l.data as l_data, l.previous_result as l_previous_result,
             exists (select 1 from assignments r
                     where r.worker_id = w.worker_id and r.project_id = p.id and r.status = 'pending') as has_rework
      from unnest(${workerIds}::uuid[]) with ordinality as w(worker_id, ord)
      cross join (select * from projects where id = ${projectId}::uuid) p
      left join lateral (
        select status, reason from project_workers where project_id = p.id and worker_id = w.worker_id limit 1
      ) pw on true
      left join lateral (
        select a.id, a.kind, a.item_id, a.expires_at, a.rework_comment, (a.expires_at > now()) as live,
               (select data from items where id = a.item_id) as data,
               (select result from annotations where id = a.previous_annotation_id) as previous_result
        from assignments a
        where a.worker_id = w.worker_id and a.project_id = p.id and a.status = 'leased'
        limit 1
      ) l on true
      order by w.ord`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Leases the worker's oldest rework waiting in this project, if any. */
  takeRework(db: Queryable, workerId: string, projectId: string, leaseSeconds: number) {
    return sql<HandoutRow>`
      with pick as (
        select id from assignments
        where worker_id = ${workerId}::uuid and project_id = ${projectId}::uuid and status = 'pending'
        order by id limit 1
        for update skip locked
      ), upd as (
        update assignments a
        set status = 'leased', leased_at = now(), expires_at = now() + make_interval(secs => ${leaseSeconds}::float8)
        where a.id = (select id from pick)
        returning a.id, a.kind, a.item_id, a.expires_at, a.rework_comment, a.previous_annotation_id
      )
      select upd.id, upd.kind, upd.item_id, upd.expires_at, upd.rework_comment,
             (select data from items where id = upd.item_id) as data,
             (select result from annotations where id = upd.previous_annotation_id) as previous_result
      from upd`
      .execute(db)
      .then(first);
  },

  /**
   * Claims an ordinary item for the worker, in one statement:
   * 1. `pick`: the first item by id of the project's claimable items (open, ordinary, a free
   *    slot: the partial index `items_claimable`) that this worker never had, locked FOR NO KEY
   *    UPDATE SKIP LOCKED. Items are opened in id order, so the lowest claimable ids are the
   *    started ones: started items are finished first. Items whose slots are all leased and
   *    completed items are not in the index, so the walk passes only the rows concurrent claims
   *    hold locked right now and the few this worker did itself: the cost does not grow with the
   *    number of live leases, answers or items. The "never had" test is a per-row probe of the
   *    unique (item, worker) index (a LIMIT 1 subquery, which the planner cannot turn into an
   *    anti-join over all of the worker's assignments). The lock re-checks `claimable` on the
   *    row's latest version. FOR NO KEY UPDATE (what an UPDATE of a non-key column takes) does
   *    not block the FK checks of concurrent inserts of assignments/annotations referencing the
   *    item, which FOR UPDATE would.
   * 2. `upd`: reserved + 1 (the counter lives on the item row: no count of leases anywhere). HOT
   *    unless it takes the last slot (`claimable` flips).
   * 3. `ins`: the lease. The unique indexes (item, worker) and (worker, project) where leased stop
   *    any duplicate the snapshot missed.
   * Always answers one row. With no lease, `busy` tells whether claimable items are left for this
   * worker at all (then every one was locked by a concurrent claim: the caller tries again) or
   * not (nothing left for them). `busy` is only computed when nothing was claimed.
   */
  claimNew(db: Queryable, p: { projectId: string; workerId: string; leaseSeconds: number }) {
    const neverHad = sql`(select 1 from assignments x where x.item_id = i.id and x.worker_id = ${p.workerId}::uuid and x.kind = 'new' limit 1) is null`;
    return sql<HandoutRow>`
      with pick as (
        select i.id from items i
        where ${itemOf(p.projectId)} and i.claimable and ${neverHad}
        order by i.project_id, i.id
        limit 1
        for no key update of i skip locked
      ), upd as (
        update items i set reserved = i.reserved + 1
        where i.id = (select id from pick) and i.claimable
        returning i.id, i.data
      ), ins as (
        insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, leased_at)
        select ${p.projectId}::uuid, upd.id, ${p.workerId}::uuid, 'new', 'leased',
               now() + make_interval(secs => ${p.leaseSeconds}::float8), now()
        from upd
        returning id, kind, item_id, expires_at
      )
      select ins.id, ins.kind, ins.item_id, ins.expires_at, null::text as rework_comment, null::jsonb as previous_result, upd.data
      from ins join upd on upd.id = ins.item_id`
      .execute(db)
      .then((r) => r.rows[0] ?? null);
  },

  /**
   * After a claim that got nothing: are claimable items this worker never had left at all? Then
   * concurrent claims held every one of them locked at that instant (`busy`). Kept out of the
   * claim statement, which is planned on every run: its plan stays small.
   */
  claimableLeft(db: Queryable, p: { projectId: string; workerId: string }) {
    return sql<{ left: boolean }>`
      select exists (
        select 1 from items i where i.project_id = ${p.projectId}::uuid and i.claimable
          and (select 1 from assignments x where x.item_id = i.id and x.worker_id = ${p.workerId}::uuid and x.kind = 'new' limit 1) is null
      ) as left`
      .execute(db)
      .then((r) => r.rows[0]!.left);
  },

  /**
   * Leases a gold item this worker never saw, at random. Gold items have no answer limit, so no
   * item lock and no counter: the unique (item, worker) index alone keeps "at most once".
   */
  claimGold(db: Queryable, p: { projectId: string; workerId: string; leaseSeconds: number }) {
    return sql<HandoutRow>`
      with pick as (
        select i.id, i.data from items i
        where i.project_id = ${p.projectId}::uuid and i.is_gold
          and not exists (
            select 1 from assignments x where x.item_id = i.id and x.worker_id = ${p.workerId}::uuid and x.kind = 'new'
          )
        order by random()
        limit 1
      ), ins as (
        insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, leased_at)
        select ${p.projectId}::uuid, pick.id, ${p.workerId}::uuid, 'new', 'leased',
               now() + make_interval(secs => ${p.leaseSeconds}::float8), now()
        from pick
        returning id, kind, item_id, expires_at
      )
      select ins.id, ins.kind, ins.item_id, ins.expires_at, null::text as rework_comment, null::jsonb as previous_result, pick.data
      from ins join pick on pick.id = ins.item_id`
      .execute(db)
      .then(first);
  },

  /**
   * Ends expired leases (oldest first, at most `limit`): a new lease becomes 'expired' and frees
   * its item slot; a rework lease goes back to 'pending' for its author. Optionally only one
   * project's or one worker's. Returns what was released.
   */
  expireLeases(db: Queryable, p: { projectId?: string; workerId?: string; assignmentId?: number; limit: number }) {
    const byProject = p.projectId ? sql`and project_id = ${p.projectId}::uuid` : sql``;
    const byWorker = p.workerId ? sql`and worker_id = ${p.workerId}::uuid` : sql``;
    const byId = p.assignmentId !== undefined ? sql`and id = ${p.assignmentId}::bigint` : sql``;
    return sql<ReleasedRow>`
      with x as (
        select id from assignments
        where status = 'leased' and expires_at <= now() ${byProject} ${byWorker} ${byId}
        order by expires_at
        limit ${p.limit}::int
        for update skip locked
      ), e as (
        update assignments a
        set status = case when a.kind = 'rework' then 'pending' else 'expired' end,
            finished_at = case when a.kind = 'rework' then null else now() end
        where a.id = any (array(select id from x))
        returning a.id, a.project_id, a.item_id, a.worker_id, a.kind, a.previous_annotation_id
      ), g as (
        select e.*, (select is_gold from items where id = e.item_id) as is_gold from e
      ), c as (
        select item_id, count(*)::int as n from g where kind = 'new' and not is_gold group by item_id
      ), r as (
        update items i set reserved = i.reserved - (select n from c where c.item_id = i.id)
        where i.id = any (array(select item_id from c))
        returning i.id
      )
      select g.*, (select count(*) from r) as freed from g`
      .execute(db)
      .then((r) => r.rows);
  },

  /**
   * Everything submit, skip and GET need about one or several assignments (submit coalesces
   * concurrent calls), in one read: the assignment, its item and project, the worker's standing,
   * the annotation it already produced (`done`), and the annotation this worker stored under the
   * Idempotency-Key asked about (`by_key`), if any. One row per request that names an existing
   * assignment, with `ord` = its position in `reqs` (from 1).
   */
  loadAssignments(db: Queryable, reqs: { id: number; key: string | null }[]) {
    return sql<AssignmentFullRow & { ord: string }>`
      select q.ord, a.id, a.project_id, a.item_id, a.worker_id, a.kind, a.status, a.expires_at, a.created_at,
             a.previous_annotation_id, a.rework_comment, (a.status = 'leased' and a.expires_at > now()) as live,
             i.data, i.gold, i.is_gold,
             (select result from annotations where id = a.previous_annotation_id) as previous_result,
             p.org_id as p_org_id, p.name as p_name, p.status as p_status, p.status_reason as p_status_reason,
             p.settings as p_settings, p.template as p_template, p.tags as p_tags,
             pw.status as pw_status, pw.reason as pw_reason,
             (select to_jsonb(d) from annotations d where d.assignment_id = a.id) as done,
             -- Without a key there is nothing to look up (and no probe of the worker's answers).
             case when q.key is null then null
                  else (select to_jsonb(k) from annotations k where k.worker_id = a.worker_id and k.idempotency_key = q.key) end as by_key
      from unnest(${reqs.map((r) => r.id)}::bigint[], ${reqs.map((r) => r.key)}::text[]) with ordinality as q(id, key, ord)
      join assignments a on a.id = q.id
      cross join lateral (select data, gold, is_gold from items where id = a.item_id limit 1) i
      cross join lateral (
        select org_id, name, status, status_reason, settings, template, tags from projects where id = a.project_id limit 1
      ) p
      left join lateral (
        select status, reason from project_workers where project_id = a.project_id and worker_id = a.worker_id limit 1
      ) pw on true
      order by q.ord`
      .execute(db)
      .then((r) => r.rows);
  },

  /**
   * Stores one or several submits (of any assignments; submit coalesces concurrent calls) in one
   * statement: each lease becomes 'submitted' (only if still live and held by that worker), its
   * annotation is inserted with the server-measured duration, a rework's previous annotation
   * becomes 'superseded', and a new answer counts on its item (complete at target; gold items
   * never complete; several answers to one item in one batch count together). A submit whose
   * lease is not live any more gets no row. Rows come in the order of `rows`.
   */
  submitMany(db: Queryable, rows: SubmitRow[]) {
    return sql<AnnotationRow & { item_state: 'open' | 'complete' | null }>`
      with x as (
        select * from unnest(${rows.map((r) => r.assignmentId)}::bigint[], ${rows.map((r) => r.workerId)}::uuid[],
                             ${rows.map((r) => JSON.stringify(r.result))}::text[], ${rows.map((r) => r.isGold)}::boolean[],
                             ${rows.map((r) => r.goldCorrect)}::boolean[], ${rows.map((r) => r.idempotencyKey)}::text[])
               with ordinality as x(assignment_id, worker_id, result, is_gold, gold_correct, idempotency_key, ord)
      ), a as (
        update assignments s
        set status = 'submitted', finished_at = now()
        from x
        where s.id = x.assignment_id and s.worker_id = x.worker_id and s.status = 'leased' and s.expires_at > now()
        returning s.id, s.project_id, s.item_id, s.worker_id, s.kind, s.previous_annotation_id, coalesce(s.leased_at, s.created_at) as started_at
      ), prev as (
        update annotations pa set status = 'superseded'
        where pa.id = any (array(select previous_annotation_id from a where kind = 'rework'))
        returning pa.id, pa.rework_count
      ), ins as (
        insert into annotations (project_id, item_id, worker_id, assignment_id, result, status, is_gold, gold_correct,
                                 duration_ms, idempotency_key, rework_count)
        select a.project_id, a.item_id, a.worker_id, a.id, x.result::jsonb, 'submitted', x.is_gold, x.gold_correct,
               greatest(0, least(2147483647, round(extract(epoch from (now() - a.started_at)) * 1000)))::int,
               x.idempotency_key, coalesce((select prev.rework_count + 1 from prev where prev.id = a.previous_annotation_id), 0)
        from a join x on x.assignment_id = a.id
        order by x.ord
        returning *
      ), c as (
        -- in id order: concurrent batches lock the items they share in the same order
        select item_id, count(*)::int as n from a where kind = 'new' group by item_id order by item_id
      ), it as (
        update items i
        set answers = i.answers + c.n,
            state = case when not i.is_gold and i.answers + c.n >= i.target then 'complete' else i.state end,
            completed_at = case when not i.is_gold and i.answers + c.n >= i.target then coalesce(i.completed_at, now()) else i.completed_at end
        from c
        where i.id = c.item_id
        returning i.id, i.state
      )
      select ins.*, (select it.state from it where it.id = ins.item_id) as item_state,
             (select x.ord from x where x.assignment_id = ins.assignment_id) as ord
      from ins
      order by ord`
      .execute(db)
      .then((r) => r.rows);
  },

  /**
   * Locks, for a batch of claims in one project, the first `limit` claimable items by id (SKIP
   * LOCKED, as `claimNew`), each with how many slots it has free and every worker who ever had it
   * (one range probe of the unique (item, worker) index per item: a handful of rows; probing it
   * for each worker of the batch instead cost ~50 probes per item). The caller chooses who gets
   * what and writes the leases with `insertLeases` in the same transaction.
   */
  lockClaimable(db: Queryable, p: { projectId: string; limit: number }) {
    return sql<{ id: number; free: number; had: string[] }>`
      with c as (
        select i.id, i.target - i.reserved as free from items i
        where ${itemOf(p.projectId)} and i.claimable
        order by i.project_id, i.id
        limit ${p.limit}::int
        for no key update of i skip locked
      )
      select c.id, c.free,
             array(select x.worker_id::text from assignments x where x.item_id = c.id and x.kind = 'new') as had
      from c order by c.id`
      .execute(db)
      .then((r) => r.rows);
  },

  /**
   * Writes the leases a batch chose (items locked by `lockClaimable` in this transaction): the
   * items' `reserved` counters, and one lease per pair. Rows in the order of `pairs`.
   */
  insertLeases(db: Queryable, p: { projectId: string; leaseSeconds: number; pairs: LeasePair[] }) {
    return sql<HandoutRow & { worker_id: string }>`
      with x as (
        select * from unnest(${p.pairs.map((q) => q.itemId)}::bigint[], ${p.pairs.map((q) => q.workerId)}::uuid[])
               with ordinality as x(item_id, worker_id, ord)
      ), c as (
        select item_id, count(*)::int as n from x group by item_id
      ), upd as (
        update items i set reserved = i.reserved + c.n
        from c
        where i.id = c.item_id and i.claimable and i.reserved + c.n <= i.target
        returning i.id, i.data
      ), ins as (
        insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, leased_at)
        select ${p.projectId}::uuid, x.item_id, x.worker_id, 'new', 'leased',
               now() + make_interval(secs => ${p.leaseSeconds}::float8), now()
        from x where x.item_id in (select id from upd)
        order by x.ord
        returning id, kind, item_id, worker_id, expires_at
      )
      select ins.id, ins.kind, ins.item_id, ins.worker_id::text as worker_id, ins.expires_at,
             null::text as rework_comment, null::jsonb as previous_result, upd.data
      from ins join upd on upd.id = ins.item_id
      order by ins.id`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Gives a lease (live or expired but not yet swept) or a waiting rework up; an ordinary item's slot is freed. */
  skip(db: Queryable, assignmentId: number, workerId: string) {
    return sql<ReleasedRow>`
      with a as (
        update assignments
        set status = 'skipped', finished_at = now()
        where id = ${assignmentId}::bigint and worker_id = ${workerId}::uuid and status in ('leased', 'pending')
        returning id, project_id, item_id, worker_id, kind, previous_annotation_id
      ), g as (
        select a.*, (select is_gold from items where id = a.item_id) as is_gold from a
      ), r as (
        update items i set reserved = i.reserved - 1
        where i.id = (select item_id from g where kind = 'new' and not is_gold)
        returning i.id
      )
      select g.*, (select count(*) from r) as freed from g`
      .execute(db)
      .then(first);
  },

  /**
   * Final rejection of an annotation: status 'rejected' and its answer no longer counts on the
   * item, so the slot returns to the pool (the item reopens if it was complete).
   */
  rejectAndFreeSlot(db: Queryable, annotationId: number) {
    return sql<{ id: number; item_id: number }>`
      with ann as (
        update annotations set status = 'rejected', decided_at = now()
        where id = ${annotationId}::bigint and status not in ('rejected', 'superseded', 'excluded')
        returning id, item_id, is_gold
      ), it as (
        update items i
        set answers = greatest(i.answers - 1, 0),
            reserved = case when i.is_gold then i.reserved else greatest(i.reserved - 1, 0) end,
            state = 'open', completed_at = null
        where i.id = (select item_id from ann)
        returning i.id
      )
      select ann.id, ann.item_id, (select count(*) from it) as n from ann`
      .execute(db)
      .then(first);
  },

  lockAnnotation(db: Queryable, annotationId: number) {
    return sql<AnnotationRow>`select * from annotations where id = ${annotationId}::bigint for update`.execute(db).then(first);
  },

  openReworkFor(db: Queryable, annotationId: number) {
    return sql<{ id: number }>`
      select id from assignments where previous_annotation_id = ${annotationId}::bigint and kind = 'rework' and status in ('pending', 'leased')`
      .execute(db)
      .then(first);
  },

  insertRework(db: Queryable, a: { projectId: string; itemId: number; workerId: string; annotationId: number; comment: string }) {
    return sql<{ id: number; project_id: string; item_id: number; worker_id: string; status: string; created_at: Date }>`
      insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, previous_annotation_id, rework_comment)
      values (${a.projectId}::uuid, ${a.itemId}::bigint, ${a.workerId}::uuid, 'rework', 'pending', now(), ${a.annotationId}::bigint, ${a.comment})
      returning id, project_id, item_id, worker_id, status, created_at`
      .execute(db)
      .then((r) => r.rows[0]!);
  },

  setAnnotationStatus(db: Queryable, annotationId: number, status: AnnotationStatus) {
    return sql`update annotations set status = ${status}, decided_at = now() where id = ${annotationId}::bigint`.execute(db);
  },

  // ---- feed and screens -------------------------------------------------------------------

  /** How many answers the worker gave per tag, across every project (their experience). */
  historyByTag(db: Queryable, workerId: string) {
    return sql<{ tag: string; n: number }>`
      select t.tag, sum(h.n)::int as n
      from (select project_id, count(*)::int as n from annotations where worker_id = ${workerId}::uuid group by project_id) h
      join projects p on p.id = h.project_id
      cross join lateral unnest(p.tags) as t(tag)
      group by t.tag`
      .execute(db)
      .then((r) => r.rows);
  },

  /**
   * The active projects this worker may enter (level, not removed), or the one `projectId`, with
   * the figures the feed shows. `tasks_left` counts the items this worker could still get, stopping at `cap`.
   * The median task time is taken over the project's last 1,000 answers (recent and bounded).
   */
  feed(db: Queryable, p: { workerId: string; level: number; cap: number; projectId?: string }) {
    // One project (the labeling screen decides itself whether the worker may work there), or the
    // feed: active projects at the worker's level that did not remove them.
    const where = p.projectId
      ? sql`p.id = ${p.projectId}::uuid`
      : sql`p.status = 'active' and coalesce((p.settings->>'minLevel')::int, 1) <= ${p.level}::int
            and (pw.status is null or pw.status <> 'removed')`;
    return sql<
      ProjectForWorkerRow & {
        tasks_left: number;
        rework_waiting: number;
        live: number;
        recent_done: number;
        median_ms: number | null;
      }
    >`
      select p.id, p.org_id, p.name, p.instructions, p.template, p.settings, p.tags, p.status, p.status_reason,
             pw.status as pw_status, pw.reason as pw_reason,
             (select count(*)::int from (
                select 1 from items i
                where i.project_id = p.id and i.claimable
                  and (select 1 from assignments x where x.item_id = i.id and x.worker_id = ${p.workerId}::uuid and x.kind = 'new' limit 1) is null
                limit ${p.cap}::int) t) as tasks_left,
             (select count(*)::int from assignments r
               where r.worker_id = ${p.workerId}::uuid and r.project_id = p.id and r.status = 'pending') as rework_waiting,
             (select count(*)::int from assignments l
               where l.worker_id = ${p.workerId}::uuid and l.project_id = p.id and l.status = 'leased' and l.expires_at > now()) as live,
             m.n as recent_done, m.median_ms
      from projects p
      left join project_workers pw on pw.project_id = p.id and pw.worker_id = ${p.workerId}::uuid
      cross join lateral (
        select count(*)::int as n, percentile_cont(0.5) within group (order by s.duration_ms) as median_ms
        from (select duration_ms from annotations an where ${inProject(sql`an.project_id`, sql`p.id`)}
              order by an.project_id desc, an.id desc limit 1000) s
      ) m
      where ${where}`
      .execute(db)
      .then((r) => r.rows);
  },

  /** The worker's answers in a project since `since` (superseded reworks counted once). */
  countSince(db: Queryable, workerId: string, projectId: string, since: Date) {
    return sql<{ n: number }>`
      select count(*)::int as n from annotations
      where worker_id = ${workerId}::uuid and project_id = ${projectId}::uuid and created_at >= ${since}
        and status <> 'superseded'`
      .execute(db)
      .then((r) => r.rows[0]!.n);
  },

  history(db: Queryable, p: { workerId: string; projectId?: string; status?: string; before?: number; limit: number }) {
    const byProject = p.projectId ? sql`and an.project_id = ${p.projectId}::uuid` : sql``;
    const byStatus = p.status ? sql`and an.status = ${p.status}` : sql``;
    const before = p.before ? sql`and an.id < ${p.before}::bigint` : sql``;
    return sql<{
      id: number;
      project_id: string;
      project_name: string;
      item_id: number;
      data: Json;
      result: Json;
      status: AnnotationStatus;
      duration_ms: number;
      created_at: Date;
      rework_assignment_id: number | null;
      rework_status: string | null;
      rework_comment: string | null;
    }>`
      select an.id, an.project_id, p.name as project_name, an.item_id, i.data, an.result, an.status, an.duration_ms,
             an.created_at, rw.id as rework_assignment_id, rw.status as rework_status, rw.rework_comment
      from annotations an
      join projects p on p.id = an.project_id
      join items i on i.id = an.item_id
      left join lateral (
        select id, status, rework_comment from assignments x
        where x.previous_annotation_id = an.id and x.kind = 'rework' order by x.id desc limit 1
      ) rw on true
      where an.worker_id = ${p.workerId}::uuid ${byProject} ${byStatus} ${before}
      order by an.id desc
      limit ${p.limit}::int`
      .execute(db)
      .then((r) => r.rows);
  },

  /** Sets a worker's standing in a project (the quality module's entry point). */
  setProjectWorker(db: Queryable, projectId: string, workerId: string, status: ProjectWorkerStatus, reason: string | null) {
    return sql`
      insert into project_workers (project_id, worker_id, status, reason) values (${projectId}::uuid, ${workerId}::uuid, ${status}, ${reason})
      on conflict (project_id, worker_id) do update set status = excluded.status, reason = excluded.reason, updated_at = now()`.execute(db);
  },
};
