import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';
import type { ProjectStatus } from '../../../db/tables/projects.ts';

export const projectsRepo = {
  insert(db: Queryable, p: { orgId: string; createdBy: string; name: string; instructions: string; template: unknown; settings: unknown; tags: string[] }) {
    return db
      .insertInto('projects')
      .values({
        org_id: p.orgId,
        created_by: p.createdBy,
        name: p.name,
        instructions: p.instructions,
        template: JSON.stringify(p.template),
        settings: JSON.stringify(p.settings),
        tags: p.tags,
        status_reason: null,
        published_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  findById(db: Queryable, id: string) {
    return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Locks the project row for the rest of the transaction (status changes, imports). */
  lockById(db: Queryable, id: string) {
    return db.selectFrom('projects').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  listForOrg(db: Queryable, orgId: string | null) {
    let q = db.selectFrom('projects').selectAll().orderBy('created_at', 'desc');
    if (orgId) q = q.where('org_id', '=', orgId);
    return q.execute();
  },

  update(
    db: Queryable,
    id: string,
    patch: Partial<{ name: string; instructions: string; template: unknown; settings: unknown; tags: string[]; status: ProjectStatus; statusReason: string | null; publishedAt: Date }>,
  ) {
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.instructions !== undefined) set.instructions = patch.instructions;
    if (patch.template !== undefined) set.template = JSON.stringify(patch.template);
    if (patch.settings !== undefined) set.settings = JSON.stringify(patch.settings);
    if (patch.tags !== undefined) set.tags = patch.tags;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.statusReason !== undefined) set.status_reason = patch.statusReason;
    if (patch.publishedAt !== undefined) set.published_at = patch.publishedAt;
    return db.updateTable('projects').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  /** Keeps each open item's answer target in step with the project's overlap. */
  retarget(db: Queryable, projectId: string, target: number) {
    return db.updateTable('items').set({ target }).where('project_id', '=', projectId).where('is_gold', '=', false).execute();
  },

  async counts(db: Queryable, projectId: string) {
    const items = await db
      .selectFrom('items')
      .select([
        sql<number>`count(*) filter (where not is_gold)`.as('items'),
        sql<number>`count(*) filter (where is_gold)`.as('gold_items'),
        sql<number>`count(*) filter (where not is_gold and state = 'complete')`.as('completed_items'),
      ])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const ann = await db
      .selectFrom('annotations')
      .select([
        sql<number>`count(*) filter (where status not in ('superseded'))`.as('annotations'),
        sql<number>`count(*) filter (where status = 'approved')`.as('approved'),
        sql<number>`count(*) filter (where status = 'rejected')`.as('rejected'),
        sql<number>`count(*) filter (where status = 'pending_review')`.as('pending_review'),
        sql<number>`count(*) filter (where status = 'rework')`.as('in_rework'),
        sql<number>`count(distinct worker_id)`.as('workers'),
        sql<number | null>`percentile_cont(0.5) within group (order by duration_ms) filter (where not is_gold)`.as('median_ms'),
      ])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const live = await db
      .selectFrom('assignments')
      .select(sql<number>`count(*)`.as('n'))
      .where('project_id', '=', projectId)
      .where('status', '=', 'leased')
      .where('expires_at', '>', new Date())
      .executeTakeFirstOrThrow();
    return { ...items, ...ann, live_leases: live.n };
  },

  countAnnotations(db: Queryable, projectId: string) {
    return db
      .selectFrom('annotations')
      .select(sql<number>`count(*)`.as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow()
      .then((r) => r.n);
  },

  listItems(db: Queryable, projectId: string, opts: { after: number; limit: number; gold?: boolean }) {
    let q = db
      .selectFrom('items')
      .select(['id', 'data', 'gold', 'is_gold', 'answers', 'target', 'state', 'label', 'confidence', 'created_at'])
      .where('project_id', '=', projectId)
      .where('id', '>', opts.after)
      .orderBy('id')
      .limit(opts.limit);
    if (opts.gold !== undefined) q = q.where('is_gold', '=', opts.gold);
    return q.execute();
  },
};
