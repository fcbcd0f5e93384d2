import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';

export interface ItemFilter {
  completedOnly: boolean;
  gold: 'exclude' | 'include' | 'only';
}

/**
 * Item and annotation data come as JSON *text* and times as ISO-8601 text made by the database:
 * most exports copy them into the output unchanged, so parsing them (and re-serialising) would
 * be most of the work. They are parsed only where a format looks inside.
 */
export interface ExportItemRow {
  id: number;
  data_json: string;
  gold: Record<string, unknown> | null;
  is_gold: boolean;
  state: string;
  label: Record<string, unknown> | null;
  confidence: number | null;
  completed_at: string | null;
}

export interface ExportAnnotationRow {
  id: number;
  item_id: number;
  worker_id: string;
  result_json: string;
  status: string;
  created_at: string;
}

/** `2026-11-23T08:00:00.000Z`, exactly as JavaScript's toISOString writes it. */
const iso = (col: string) => sql<string>`to_char(${sql.ref(col)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const ITEM_COLUMNS = [
  'id',
  sql<string>`data::text`.as('data_json'),
  'gold',
  'is_gold',
  'state',
  'label',
  'confidence',
  iso('completed_at').as('completed_at'),
] as const;

function filtered(db: Queryable, projectId: string, f: ItemFilter) {
  let q = db.selectFrom('items').where('project_id', '=', projectId);
  if (f.completedOnly) q = q.where('state', '=', 'complete');
  if (f.gold === 'exclude') q = q.where('is_gold', '=', false);
  if (f.gold === 'only') q = q.where('is_gold', '=', true);
  return q;
}

export const exportsRepo = {
  /** The next page of items after `afterId` (keyset on the primary key: every page costs the same). */
  itemPage(db: Queryable, projectId: string, f: ItemFilter, afterId: number, limit: number): Promise<ExportItemRow[]> {
    return filtered(db, projectId, f)
      .select(ITEM_COLUMNS)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<ExportItemRow[]>;
  },

  itemsByIds(db: Queryable, ids: number[]): Promise<ExportItemRow[]> {
    return db
      .selectFrom('items')
      .select(ITEM_COLUMNS)
      .where('id', 'in', ids)
      .orderBy('id')
      .execute() as Promise<ExportItemRow[]>;
  },

  countItems(db: Queryable, projectId: string, f: ItemFilter): Promise<number> {
    return filtered(db, projectId, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  },

  /** Annotations of these items, by item then submission order; `statuses` null = every status. */
  annotationsOf(db: Queryable, itemIds: number[], statuses: string[] | null): Promise<ExportAnnotationRow[]> {
    if (!itemIds.length) return Promise.resolve([]);
    let q = db
      .selectFrom('annotations')
      .select(['id', 'item_id', 'worker_id', sql<string>`result::text`.as('result_json'), 'status', iso('created_at').as('created_at')])
      .where('item_id', '=', sql<number>`any(${sql.val(itemIds)}::bigint[])`);
    if (statuses) q = q.where('status', 'in', statuses as never[]);
    return q.orderBy('item_id').orderBy('id').execute() as Promise<ExportAnnotationRow[]>;
  },

  /** MIME types of stored assets, by SHA-256. */
  async assetMimes(db: Queryable, shas: string[]): Promise<Map<string, string>> {
    if (!shas.length) return new Map();
    const rows = await db.selectFrom('assets').select(['sha256', 'mime']).where('sha256', 'in', shas).execute();
    return new Map(rows.map((r) => [r.sha256, r.mime]));
  },

  /** The project's pseudonym key, created on first use (concurrent first uses agree on one). */
  async pseudonymKey(db: Queryable, projectId: string): Promise<string> {
    const found = await db.selectFrom('project_pseudonym_keys').select('key').where('project_id', '=', projectId).executeTakeFirst();
    if (found) return found.key;
    await db
      .insertInto('project_pseudonym_keys')
      .values({ project_id: projectId, key: crypto.randomBytes(32).toString('hex') })
      .onConflict((oc) => oc.column('project_id').doNothing())
      .execute();
    const row = await db.selectFrom('project_pseudonym_keys').select('key').where('project_id', '=', projectId).executeTakeFirstOrThrow();
    return row.key;
  },
};
