/**
 * Label Studio task JSON, both ways. Export: one task per item, `data` = the item's data (as
 * stored, so the file re-imports into Dure as the same items; `assetUrls` rewrites asset
 * references into URLs for Label Studio to load), `annotations[0]` = the final labels (Dure's
 * answer, `ground_truth` true for gold items; absent while the item has none), then — when raw annotations are asked for — one
 * annotation per worker answer. Result entries carry `from_name` (the control's name),
 * `to_name` (the display field it applies to), `type` and `value` as Label Studio writes them:
 *
 * | Dure control | type | value |
 * |---|---|---|
 * | single_choice, pairwise | choices | `{choices: [v]}` |
 * | multi_choice | choices | `{choices: [...]}` |
 * | text, email, file | textarea | `{text: [v]}` |
 * | number | number | `{number: v}` |
 * | rating | rating | `{rating: v}` |
 * | bbox | rectanglelabels | `{x, y, width, height, rotation: 0, rectanglelabels: [label]}` in percent of the image + `original_width/height` |
 * | span | labels | `{start, end, text, labels: [label]}` (UTF-16 offsets, as Dure's) |
 *
 * `labelStudioConfig(template)` writes the matching labeling config (XML) for a Label Studio
 * project; `fromLabelStudioResult` turns a task's annotation back into a Dure result.
 */
import { imageSize, isAssetRef, displayText, readField } from '../templates/media.ts';
import type { Control, ItemData, Template } from '../templates/types.ts';
import type { ExportContext, ExportFormat, ExportItem, TextWriter } from './types.ts';

export interface LsResult {
  id: string;
  from_name: string;
  to_name: string;
  type: string;
  value: Record<string, unknown>;
  origin?: string;
  original_width?: number;
  original_height?: number;
  image_rotation?: number;
}

/** Where a control's answers point: its image/text field, else the first displayed field. */
export function controlTarget(template: Template, c: Control): string {
  if (c.type === 'bbox') return c.imageField;
  if (c.type === 'span') return c.textField;
  if (c.type === 'pairwise') return c.fields[0];
  return template.display[0]?.field ?? 'data';
}

const pct = (v: number, of: number) => (v / of) * 100;

/** A Dure result (control name → value) as Label Studio result entries. */
export function toLabelStudioResult(template: Template, result: Record<string, unknown>, data: ItemData, idPrefix: string): LsResult[] {
  const out: LsResult[] = [];
  for (const c of template.controls) {
    if (!Object.hasOwn(result, c.name)) continue;
    const v = result[c.name];
    if (v === null || v === undefined) continue;
    const base = { from_name: c.name, to_name: controlTarget(template, c), origin: 'manual' };
    const id = (k = 0) => `${idPrefix}_${c.name}${k ? `_${k}` : ''}`;
    switch (c.type) {
      case 'single_choice':
      case 'pairwise':
        out.push({ id: id(), ...base, type: 'choices', value: { choices: [String(v)] } });
        break;
      case 'multi_choice':
        if (Array.isArray(v) && v.length) out.push({ id: id(), ...base, type: 'choices', value: { choices: v.map(String) } });
        break;
      case 'text':
      case 'email':
      case 'file':
        if (typeof v === 'string' && v !== '') out.push({ id: id(), ...base, type: 'textarea', value: { text: [v] } });
        break;
      case 'number':
        out.push({ id: id(), ...base, type: 'number', value: { number: v } });
        break;
      case 'rating':
        out.push({ id: id(), ...base, type: 'rating', value: { rating: v } });
        break;
      case 'bbox': {
        const size = imageSize(data, c.imageField);
        if (!size || !Array.isArray(v)) break;
        v.forEach((b: { x: number; y: number; width: number; height: number; label: string }, k) => {
          out.push({
            id: id(k + 1),
            ...base,
            type: 'rectanglelabels',
            original_width: size.width,
            original_height: size.height,
            image_rotation: 0,
            value: {
              x: pct(b.x, size.width),
              y: pct(b.y, size.height),
              width: pct(b.width, size.width),
              height: pct(b.height, size.height),
              rotation: 0,
              rectanglelabels: [b.label],
            },
          });
        });
        break;
      }
      case 'span': {
        if (!Array.isArray(v)) break;
        const text = displayText(readField(data, c.textField));
        v.forEach((s: { start: number; end: number; label: string }, k) => {
          out.push({ id: id(k + 1), ...base, type: 'labels', value: { start: s.start, end: s.end, text: text.slice(s.start, s.end), labels: [s.label] } });
        });
        break;
      }
    }
  }
  return out;
}

/** Six decimals: undoes the float noise of pixels → percent → pixels. */
const px = (percent: number, of: number) => Math.round(((percent * of) / 100) * 1e6) / 1e6;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A Label Studio annotation's `result` as a Dure result for `template`. Entries are matched to
 * controls by `from_name`; unknown names and types are ignored. A bbox or span control with no
 * region in the annotation becomes `[]` (the annotator marked nothing); other controls without
 * an entry are left out. Percent boxes become pixels by the entry's `original_width/height`,
 * else by the item's image size (`data`); without either the box cannot be placed and is dropped.
 */
export function fromLabelStudioResult(template: Template, result: unknown, data: ItemData): Record<string, unknown> {
  const entries = Array.isArray(result) ? result.filter(isObj) : [];
  const out: Record<string, unknown> = {};
  for (const c of template.controls) {
    const mine = entries.filter((e) => e.from_name === c.name && isObj(e.value));
    const values = mine.map((e) => e.value as Record<string, unknown>);
    switch (c.type) {
      case 'single_choice':
      case 'pairwise': {
        const ch = values.find((v) => Array.isArray(v.choices))?.choices as unknown[] | undefined;
        if (ch?.length) out[c.name] = ch[0];
        break;
      }
      case 'multi_choice': {
        const ch = values.find((v) => Array.isArray(v.choices))?.choices as unknown[] | undefined;
        if (ch) out[c.name] = ch;
        break;
      }
      case 'text':
      case 'email':
      case 'file': {
        const t = values.find((v) => Array.isArray(v.text))?.text as unknown[] | undefined;
        if (t?.length) out[c.name] = t.map(String).join('\n');
        break;
      }
      case 'number': {
        const n = values.find((v) => v.number !== undefined)?.number;
        if (n !== undefined) out[c.name] = n;
        break;
      }
      case 'rating': {
        const n = values.find((v) => v.rating !== undefined)?.rating;
        if (n !== undefined) out[c.name] = n;
        break;
      }
      case 'bbox': {
        const size = imageSize(data, c.imageField);
        const boxes: unknown[] = [];
        for (const e of mine) {
          const v = e.value as Record<string, unknown>;
          const w = typeof e.original_width === 'number' ? e.original_width : size?.width;
          const h = typeof e.original_height === 'number' ? e.original_height : size?.height;
          const labels = v.rectanglelabels ?? v.labels;
          if (!w || !h || !Array.isArray(labels) || !labels.length) continue;
          boxes.push({ x: px(Number(v.x), w), y: px(Number(v.y), h), width: px(Number(v.width), w), height: px(Number(v.height), h), label: labels[0] });
        }
        out[c.name] = boxes;
        break;
      }
      case 'span': {
        const spans: unknown[] = [];
        for (const v of values) {
          if (!Array.isArray(v.labels) || !v.labels.length) continue;
          spans.push({ start: v.start, end: v.end, label: v.labels[0] });
        }
        out[c.name] = spans;
        break;
      }
    }
  }
  return out;
}

/** The annotation of a task that holds its answer: the ground-truth one, else the first. */
export function labelStudioAnswer(task: Record<string, unknown>): unknown[] | null {
  const anns = Array.isArray(task.annotations) ? task.annotations.filter(isObj) : [];
  const usable = anns.filter((a) => a.was_cancelled !== true && Array.isArray(a.result));
  const chosen = usable.find((a) => a.ground_truth === true) ?? usable[0];
  return chosen ? (chosen.result as unknown[]) : null;
}

function labelsOnly(item: ExportItem): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item.labels)) if (v.value !== null) r[k] = v.value;
  return r;
}

function withAssetUrls(data: ItemData, ctx: ExportContext): ItemData {
  const out: ItemData = {};
  for (const [k, v] of Object.entries(data)) out[k] = isAssetRef(v) ? ctx.assetUrl(v) : v;
  return out;
}

export function labelStudioTask(item: ExportItem, ctx: ExportContext): Record<string, unknown> {
  const annotations: Record<string, unknown>[] = [];
  const final = labelsOnly(item);
  // No final answer yet → no annotation (an empty one would read as "nothing to mark").
  if (Object.keys(final).length) {
    annotations.push({ result: toLabelStudioResult(ctx.template, final, item.data, `${item.id}`), ground_truth: item.isGold, was_cancelled: false });
  }
  for (const a of item.annotations ?? []) {
    annotations.push({
      result: toLabelStudioResult(ctx.template, a.result, item.data, `${item.id}_a${a.id}`),
      ground_truth: false,
      was_cancelled: false,
      created_at: a.createdAt,
    });
  }
  return {
    id: item.id,
    data: ctx.assetUrls ? withAssetUrls(item.data, ctx) : item.data,
    annotations,
    meta: { dure: { itemId: item.id, confidence: item.confidence, isGold: item.isGold } },
  };
}

export const labelstudio: ExportFormat = {
  kind: 'text',
  name: 'labelstudio',
  summary: 'Label Studio task JSON (data + annotations[].result with from_name/to_name/type/value)',
  extension: 'json',
  contentType: 'application/json; charset=utf-8',
  create: (ctx): TextWriter => {
    let first = true;
    return {
      sections: 1,
      head: () => '[',
      page: (items) => {
        let s = '';
        for (const i of items) {
          s += `${first ? '\n' : ',\n'}${JSON.stringify(labelStudioTask(i, ctx))}`;
          first = false;
        }
        return [s];
      },
      between: () => '',
      tail: () => (first ? ']\n' : '\n]\n'),
    };
  },
};

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const OBJECT_TAG: Record<string, string> = { text: 'Text', image: 'Image', audio: 'Audio', video: 'Video', link: 'HyperText', number: 'Text' };

/** A Label Studio labeling config (XML) with the same objects and controls as the template. */
export function labelStudioConfig(template: Template): string {
  const lines = ['<View>'];
  const seen = new Set<string>();
  for (const d of template.display) {
    if (seen.has(d.field)) continue;
    seen.add(d.field);
    if (d.label) lines.push(`  <Header value="${xml(d.label)}"/>`);
    lines.push(`  <${OBJECT_TAG[d.type] ?? 'Text'} name="${xml(d.field)}" value="$${xml(d.field)}"/>`);
  }
  for (const c of template.controls) {
    const to = xml(controlTarget(template, c));
    const name = xml(c.name);
    const req = c.required ? ' required="true"' : '';
    if (c.label) lines.push(`  <Header value="${xml(c.label)}"/>`);
    const opts = (vals: string[], tag = 'Choice') => vals.map((v) => `    <${tag} value="${xml(v)}"/>`);
    switch (c.type) {
      case 'single_choice':
      case 'multi_choice':
        lines.push(`  <Choices name="${name}" toName="${to}" choice="${c.type === 'single_choice' ? 'single' : 'multiple'}"${req}>`, ...opts(c.options), '  </Choices>');
        break;
      case 'pairwise':
        lines.push(`  <Choices name="${name}" toName="${to}" choice="single"${req}>`, ...opts(c.allowEqual ? [...c.fields, 'equal'] : [...c.fields]), '  </Choices>');
        break;
      case 'text':
      case 'email':
      case 'file':
        lines.push(`  <TextArea name="${name}" toName="${to}" maxSubmissions="1" rows="${c.type === 'text' && c.multiline ? 4 : 1}"${req}/>`);
        break;
      case 'number': {
        const attrs = [c.min !== undefined ? ` min="${c.min}"` : '', c.max !== undefined ? ` max="${c.max}"` : '', c.step !== undefined ? ` step="${c.step}"` : ''].join('');
        lines.push(`  <Number name="${name}" toName="${to}"${attrs}${req}/>`);
        break;
      }
      case 'rating':
        lines.push(`  <Rating name="${name}" toName="${to}" maxRating="${c.scale}"${req}/>`);
        break;
      case 'bbox':
        lines.push(`  <RectangleLabels name="${name}" toName="${to}">`, ...opts(c.labels, 'Label'), '  </RectangleLabels>');
        break;
      case 'span':
        lines.push(`  <Labels name="${name}" toName="${to}">`, ...opts(c.labels, 'Label'), '  </Labels>');
        break;
    }
  }
  lines.push('</View>');
  return `${lines.join('\n')}\n`;
}
