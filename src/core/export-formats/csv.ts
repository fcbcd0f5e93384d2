import { stringify } from 'csv-stringify/sync';
import { templateFields } from '../templates/helpers.ts';
import { readField } from '../templates/media.ts';
import type { ExportContext, ExportFormat, ExportItem, TextWriter } from './types.ts';

/** A cell: strings and numbers as they are, lists and objects as JSON, nothing as empty. */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * Columns: `id`, the item fields the form reads (display and control fields), then per control
 * `<name>` (its final value) and `<name>_confidence`, then `confidence` (item), `answers`
 * (raw annotations exported, when asked for), `is_gold`, `state`. A data field whose name
 * collides with one of those is written as `data_<field>`.
 */
export function csvColumns(ctx: ExportContext): { header: string[]; row(item: ExportItem): string[] } {
  const controls = ctx.template.controls.map((c) => c.name);
  const reserved = new Set(['id', 'confidence', 'answers', 'is_gold', 'state', ...controls, ...controls.map((c) => `${c}_confidence`)]);
  const fields = templateFields(ctx.template);
  const header = [
    'id',
    ...fields.map((f) => (reserved.has(f) ? `data_${f}` : f)),
    ...controls.flatMap((c) => [c, `${c}_confidence`]),
    'confidence',
    ...(ctx.includeAnnotations ? ['answers'] : []),
    'is_gold',
    'state',
  ];
  return {
    header,
    row: (item) => [
      String(item.id),
      ...fields.map((f) => csvCell(readField(item.data, f))),
      ...controls.flatMap((c) => [csvCell(item.labels[c]?.value), csvCell(item.labels[c]?.confidence)]),
      csvCell(item.confidence),
      ...(ctx.includeAnnotations ? [String(item.annotations?.length ?? 0)] : []),
      item.isGold ? 'true' : 'false',
      item.state,
    ],
  };
}

export const csv: ExportFormat = {
  kind: 'text',
  name: 'csv',
  summary: 'One row per item, one column per control (+ its confidence)',
  extension: 'csv',
  contentType: 'text/csv; charset=utf-8',
  create: (ctx): TextWriter => {
    const cols = csvColumns(ctx);
    return {
      sections: 1,
      head: () => stringify([cols.header]),
      page: (items) => [items.length ? stringify(items.map(cols.row)) : ''],
      between: () => '',
      tail: () => '',
    };
  },
};
