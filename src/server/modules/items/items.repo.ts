import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';

export interface NewItem {
  data: Record<string, unknown>;
  gold: Record<string, unknown> | null;
}

export const itemsRepo = {
  /** Inserts a batch in one statement: the rows travel as one JSON parameter. */
  async insertBatch(db: Queryable, projectId: string, target: number, batch: NewItem[]): Promise<void> {
    if (!batch.length) return;
    const payload = JSON.stringify(batch.map((b) => ({ d: b.data, g: b.gold })));
    await sql`
      insert into items (project_id, data, gold, is_gold, target)
      select ${projectId}::uuid, e->'d', nullif(e->'g', 'null'::jsonb), jsonb_typeof(e->'g') = 'object', ${target}
      from jsonb_array_elements(${payload}::jsonb) as e`.execute(db);
  },

  upsertAsset(db: Queryable, a: { sha256: string; mime: string; size: number; width: number | null; height: number | null }) {
    return db.insertInto('assets').values(a).onConflict((oc) => oc.column('sha256').doNothing()).execute();
  },

  linkAsset(db: Queryable, projectId: string, sha256: string) {
    return db
      .insertInto('project_assets')
      .values({ project_id: projectId, sha256 })
      .onConflict((oc) => oc.columns(['project_id', 'sha256']).doNothing())
      .execute();
  },

  findAsset(db: Queryable, sha256: string) {
    return db.selectFrom('assets').selectAll().where('sha256', '=', sha256).executeTakeFirst();
  },

  /** Projects that hold this asset, with their organisation and status (for access checks). */
  projectsOfAsset(db: Queryable, sha256: string) {
    return db
      .selectFrom('project_assets')
      .innerJoin('projects', 'projects.id', 'project_assets.project_id')
      .select(['projects.id', 'projects.org_id', 'projects.status'])
      .where('project_assets.sha256', '=', sha256)
      .execute();
  },

  /** Whether the user has ever been handed work or review in one of these projects. */
  async workedOnAny(db: Queryable, userId: string, projectIds: string[]): Promise<boolean> {
    if (!projectIds.length) return false;
    const a = await db
      .selectFrom('assignments')
      .select('id')
      .where('worker_id', '=', userId)
      .where('project_id', 'in', projectIds)
      .limit(1)
      .executeTakeFirst();
    return a !== undefined;
  },

  findAssignment(db: Queryable, id: number) {
    return db.selectFrom('assignments').select(['project_id', 'worker_id', 'status', 'expires_at']).where('id', '=', id).executeTakeFirst();
  },
};
