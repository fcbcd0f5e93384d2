import { sql } from 'kysely';
import { inProjectId } from '../../../db/in-project.ts';
import type { Queryable } from '../../../db/schema.ts';

/** Key space of the advisory locks held while a project's inference runs (first int of the pair). */
const LOCK_SPACE = 0x1f3e;

/** The statuses whose answers count towards inference (everything still standing). */
const COUNTED = sql.raw(`('excluded', 'superseded', 'rejected')`);

export interface AnswerRow {
  id: number;
  item_id: number;
  worker_id: string;
  result: Record<string, unknown> | null;
}

export interface LabelRow {
  id: number;
  label: Record<string, { value: unknown; confidence: number }>;
  confidence: number | null;
  /** Every categorical control reached the target confidence (dynamic overlap may complete it). */
  confident: boolean;
}

export interface QualityRow {
  worker: string;
  control: string;
  quality: number | null;
  answers: number;
}

export const inferenceRepo = {
  /**
   * Marks the project dirty from inside a submit transaction. The common case is one statement
   * that finds the mark and holds a FOR KEY SHARE lock on it until the submit commits: shared
   * locks never wait on each other, and the job's DELETE (which needs the row exclusively) waits
   * for the submit, so the job's later reads always see this answer. Otherwise insert the mark;
   * if a concurrent insert won, look again (it is committed by then).
   */
  async markDirty(trx: Queryable, projectId: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const found = await sql<{ one: number }>`
        select 1 as one from inference_dirty where project_id = ${projectId}::uuid for key share`.execute(trx);
      if (found.rows.length) return;
      const ins = await sql<{ project_id: string }>`
        insert into inference_dirty (project_id) values (${projectId}::uuid)
        on conflict (project_id) do nothing returning project_id`.execute(trx);
      if (ins.rows.length) return;
    }
  },

  /** Marks the project due at once (forced recompute). */
  async markDue(db: Queryable, projectId: string): Promise<void> {
    await sql`insert into inference_dirty (project_id, since) values (${projectId}::uuid, '-infinity')
      on conflict (project_id) do update set since = '-infinity'`.execute(db);
  },

  /**
   * Dirty projects whose first mark is at least `debounceMs` old, oldest first; with `restFactor`,
   * only those whose last run ended at least restFactor × its duration ago, or that a requester
   * asked to recompute now (markDue).
   */
  async dueProjects(db: Queryable, debounceMs: number, limit: number, restFactor = 0): Promise<string[]> {
    const r = await sql<{ project_id: string }>`
      select d.project_id from inference_dirty d
      left join inference_runs r on r.project_id = d.project_id
      where d.since <= now() - make_interval(secs => ${debounceMs / 1000}::float8)
        and (r.computed_at is null or d.since = '-infinity'
             or r.computed_at <= now() - make_interval(secs => r.duration_ms * ${restFactor}::float8 / 1000))
      order by d.since limit ${limit}`.execute(db);
    return r.rows.map((x) => x.project_id);
  },

  /** Session advisory lock: one process computes a project at a time. Use one connection. */
  async tryLock(conn: Queryable, projectId: string): Promise<boolean> {
    const r = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${LOCK_SPACE}, hashtext(${projectId})) as ok`.execute(conn);
    return r.rows[0]!.ok;
  },

  async unlock(conn: Queryable, projectId: string): Promise<void> {
    await sql`select pg_advisory_unlock(${LOCK_SPACE}, hashtext(${projectId}))`.execute(conn);
  },

  /** Takes the dirty mark (waits for submits holding it). False when another process took it. */
  async claim(db: Queryable, projectId: string): Promise<boolean> {
    const r = await sql<{ project_id: string }>`delete from inference_dirty where project_id = ${projectId}::uuid returning project_id`.execute(db);
    return r.rows.length > 0;
  },

  async project(db: Queryable, projectId: string) {
    const r = await sql<{ id: string; template: unknown; settings: Record<string, unknown> }>`
      select id, template, settings from projects where id = ${projectId}::uuid`.execute(db);
    return r.rows[0] ?? null;
  },

  /** One page of the project's standing answers, by id (keyset). */
  async answersPage(db: Queryable, projectId: string, after: number, limit: number): Promise<AnswerRow[]> {
    const r = await sql<AnswerRow>`
      select id::int as id, item_id::int as item_id, worker_id::text as worker_id, result from annotations
      where ${inProjectId(sql`project_id`, projectId)} and id > ${after} and status not in ${COUNTED}
      order by project_id, id limit ${limit}`.execute(db);
    return r.rows;
  },

  async goldItems(db: Queryable, projectId: string): Promise<{ id: number; gold: Record<string, unknown> | null }[]> {
    const r = await sql<{ id: number; gold: Record<string, unknown> | null }>`
      select id::int as id, gold from items where project_id = ${projectId}::uuid and is_gold and gold is not null`.execute(db);
    return r.rows;
  },

  /**
   * Writes one batch of labels in one statement. With dynamic overlap, an open item whose every
   * categorical control is confident and which has at least `minAnswers` answers completes:
   * its target drops to what it holds (answers, or the live leases that may still submit) so no
   * new claim takes it. An item whose label and confidence stand as stored is skipped (neither
   * written nor locked). Returns the items this batch completed and how many rows it wrote.
   */
  async writeLabels(db: Queryable, projectId: string, rows: LabelRow[], dyn: { enabled: boolean; minAnswers: number }): Promise<{ completed: number[]; written: number }> {
    if (!rows.length) return { completed: [], written: 0 };
    const r = await sql<{ id: number; done: boolean }>`
      with x as (
        select (e->>'id')::bigint as id, e->'label' as label, (e->>'confidence')::float8 as confidence,
               (${dyn.enabled}::boolean and (e->>'confident')::boolean) as confident
        from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) e
      )
      update items i set
        label = x.label,
        confidence = x.confidence,
        state = case when x.confident and i.state = 'open' and i.answers >= ${dyn.minAnswers} then 'complete' else i.state end,
        completed_at = case when x.confident and i.state = 'open' and i.answers >= ${dyn.minAnswers} then coalesce(i.completed_at, now()) else i.completed_at end,
        target = case when x.confident and i.state = 'open' and i.answers >= ${dyn.minAnswers} then greatest(i.answers, i.reserved) else i.target end
      from x
      where i.id = x.id and i.project_id = ${projectId}::uuid and not i.is_gold
        -- an item whose label stands as it was is neither written nor locked
        and (i.label is distinct from x.label or i.confidence is distinct from x.confidence
             or (x.confident and i.state = 'open' and i.answers >= ${dyn.minAnswers}))
      returning i.id, (x.confident and i.state = 'complete' and i.completed_at = now()) as done`.execute(db);
    return { completed: r.rows.filter((x) => x.done).map((x) => Number(x.id)), written: r.rows.length };
  },

  /** Clears stored labels of items that no longer have a standing answer. */
  async clearUnanswered(db: Queryable, projectId: string): Promise<void> {
    await sql`
      update items i set label = null, confidence = null
      where i.project_id = ${projectId}::uuid and not i.is_gold and i.label is not null
        and not exists (select 1 from annotations a where a.item_id = i.id and a.status not in ${COUNTED})`.execute(db);
  },

  async deleteWorkerQuality(db: Queryable, projectId: string): Promise<void> {
    await sql`delete from worker_inferred_quality where project_id = ${projectId}::uuid`.execute(db);
  },

  async insertWorkerQuality(db: Queryable, projectId: string, rows: QualityRow[]): Promise<void> {
    if (!rows.length) return;
    await sql`
      insert into worker_inferred_quality (project_id, worker_id, control, quality, answers)
      select ${projectId}::uuid, (e->>'worker')::uuid, e->>'control', (e->>'quality')::float8, (e->>'answers')::int
      from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) e
      on conflict (project_id, worker_id, control) do update set quality = excluded.quality, answers = excluded.answers, updated_at = now()`.execute(db);
  },

  async recordRun(db: Queryable, projectId: string, run: { durationMs: number; answers: number; items: number; completed: number; method: string }): Promise<void> {
    await sql`
      insert into inference_runs (project_id, computed_at, duration_ms, answers, items, completed, method)
      values (${projectId}::uuid, now(), ${run.durationMs}, ${run.answers}, ${run.items}, ${run.completed}, ${run.method})
      on conflict (project_id) do update set computed_at = now(), duration_ms = excluded.duration_ms, answers = excluded.answers,
        items = excluded.items, completed = excluded.completed, method = excluded.method`.execute(db);
  },

  async status(db: Queryable, projectId: string) {
    const r = await sql<{
      inferred_items: number;
      mean_confidence: number | null;
      dirty_since: Date | null;
      computed_at: Date | null;
      duration_ms: number | null;
      method: string | null;
    }>`
      select
        (select count(*)::int from items where project_id = ${projectId}::uuid and not is_gold and label is not null) as inferred_items,
        (select avg(confidence)::float8 from items where project_id = ${projectId}::uuid and not is_gold and label is not null) as mean_confidence,
        (select since from inference_dirty where project_id = ${projectId}::uuid) as dirty_since,
        r.computed_at, r.duration_ms, r.method
      from (select 1) one left join inference_runs r on r.project_id = ${projectId}::uuid`.execute(db);
    return r.rows[0]!;
  },
};
