import { templateFields } from '../templates/helpers.ts';
import { imageSize, isAssetRef, readField } from '../templates/media.ts';
import type { Control, Template } from '../templates/types.ts';
import type { ExportContext, ExportFormat, ExportItem, TextWriter } from './types.ts';

/**
 * The column a control becomes, with a value of one type on every row (Arrow needs that):
 * single_choice/pairwise/text/email/file string, multi_choice list of strings, number float,
 * rating integer, bbox `{bbox: [[x, y, w, h], …], category: [label, …]}` (the layout of Hugging
 * Face object-detection sets, pixels), span list of `{start, end, label}`. Unanswered: null
 * (bbox and span: empty lists).
 */
function hfValue(c: Control, v: unknown): unknown {
  switch (c.type) {
    case 'bbox': {
      const boxes = Array.isArray(v) ? (v as { x: number; y: number; width: number; height: number; label: string }[]) : [];
      return { bbox: boxes.map((b) => [b.x, b.y, b.width, b.height]), category: boxes.map((b) => b.label) };
    }
    case 'span': {
      const spans = Array.isArray(v) ? (v as { start: number; end: number; label: string }[]) : [];
      return spans.map((s) => ({ start: s.start, end: s.end, label: s.label }));
    }
    case 'multi_choice':
      return Array.isArray(v) ? v.map(String) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'rating':
      return typeof v === 'number' ? Math.round(v) : null;
    default:
      return v === null || v === undefined ? null : String(v);
  }
}

/** Column names: `id`, the form's fields, per control `<name>` and `<name>_confidence`. */
export function hfRow(item: ExportItem, ctx: ExportContext, fields: string[], hasBoxes: boolean, t: Template): Record<string, unknown> {
  const row: Record<string, unknown> = { id: item.id };
  for (const f of fields) {
    const v = readField(item.data, f);
    row[f] = isAssetRef(v) ? ctx.assetUrl(v) : v === undefined ? null : v;
  }
  if (hasBoxes) {
    const first = t.controls.find((c) => c.type === 'bbox');
    const size = first && first.type === 'bbox' ? imageSize(item.data, first.imageField) : null;
    row.width = size?.width ?? null;
    row.height = size?.height ?? null;
  }
  for (const c of t.controls) {
    const l = item.labels[c.name];
    row[c.name] = hfValue(c, l?.value ?? null);
    row[`${c.name}_confidence`] = l?.confidence ?? null;
  }
  return row;
}

/**
 * JSONL for `datasets.load_dataset("json", data_files=…)`: one flat row per item with the same
 * keys and types on every row. Images stored in Dure become absolute URLs of /api/assets
 * (fetch them with the API token, or use the yolo zip for local files); `width`/`height` are
 * added when the form has boxes.
 */
export const hf: ExportFormat = {
  kind: 'text',
  name: 'hf',
  summary: 'Hugging Face datasets JSONL: id, text/image fields, one label column per control',
  extension: 'jsonl',
  contentType: 'application/x-ndjson; charset=utf-8',
  create: (ctx): TextWriter => {
    const taken = new Set(['id', ...ctx.template.controls.flatMap((c) => [c.name, `${c.name}_confidence`])]);
    const hasBoxes = ctx.template.controls.some((c) => c.type === 'bbox');
    if (hasBoxes) taken.add('width').add('height');
    // Fields named like a label column are left out rather than overwritten (the label wins).
    const fields = templateFields(ctx.template).filter((f) => !taken.has(f));
    return {
      sections: 1,
      head: () => '',
      page: (items) => [items.map((i) => `${JSON.stringify(hfRow(i, ctx, fields, hasBoxes, ctx.template))}\n`).join('')],
      between: () => '',
      tail: () => '',
    };
  },
};
