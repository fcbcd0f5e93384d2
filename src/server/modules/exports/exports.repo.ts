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
  /**
   * The item's annotations as a JSON array of `{id, worker, result, status, createdAt}` in
   * submission order, `worker` already a pseudonym; null when not asked for (see AnnotationSpec).
   */
  annotations_json: string | null;
}

/** Which annotations a page carries, and the HMAC pads that turn worker ids into pseudonyms. */
export interface AnnotationSpec {
  /** 'all': every item's; 'fallback': only items whose stored label lacks a control. */
  mode: 'all' | 'fallback';
  approvedOnly: boolean;
  /** Control names a stored label must hold for the item to skip its annotations in 'fallback' mode. */
  controls: string[];
  pads: { inner: Buffer; outer: Buffer };
}

/** `2026-11-23T08:00:00.000Z`, exactly as JavaScript's toISOString writes it. */
const iso = (col: string) => sql<string>`to_char(${sql.ref(col)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One SQL expression per item: its annotations as JSON text, built by the database (no row per
 * annotation reaches Node). The pseudonym is HMAC-SHA256 computed in SQL from the key's
 * precomputed pads — sha256(K⊕opad ‖ sha256(K⊕ipad ‖ worker id)) — so it equals
 * `pseudonymizer(key)` in pseudonym.ts bit for bit. string_agg (not json_agg, which puts
 * newlines between elements) keeps the text on one line.
 */
function annotationsJson(spec: AnnotationSpec | null) {
  if (!spec) return sql<string | null>`null::text`.as('annotations_json');
  const agg = sql<string>`(
    select '[' || coalesce(string_agg(json_build_object(
        'id', a.id,
        'worker', 'w_' || left(encode(sha256(${spec.pads.outer}::bytea || sha256(${spec.pads.inner}::bytea || convert_to(a.worker_id::text, 'UTF8'))), 'hex'), 16),
        'result', a.result,
        'status', a.status,
        'createdAt', to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text, ',' order by a.id), '') || ']'
    from annotations a
    where a.item_id = items.id ${spec.approvedOnly ? sql`and a.status = 'approved'` : sql``})`;
  if (spec.mode === 'all') return agg.as('annotations_json');
  return sql<string | null>`case when (items.is_gold and items.gold is not null)
      or (items.label is not null and items.label ?& ${sql.val(spec.controls)}::text[]) then null else ${agg} end`.as('annotations_json');
}

const itemColumns = (spec: AnnotationSpec | null) =>
  [
    'id',
    sql<string>`data::text`.as('data_json'),
    'gold',
    'is_gold',
    'state',
    'label',
    'confidence',
    iso('completed_at').as('completed_at'),
    annotationsJson(spec),
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
  itemPage(db: Queryable, projectId: string, f: ItemFilter, afterId: number, limit: number, spec: AnnotationSpec | null): Promise<ExportItemRow[]> {
    return filtered(db, projectId, f)
      .select(itemColumns(spec))
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<ExportItemRow[]>;
  },

  itemsByIds(db: Queryable, ids: number[], spec: AnnotationSpec | null): Promise<ExportItemRow[]> {
    return db
      .selectFrom('items')
      .select(itemColumns(spec))
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
