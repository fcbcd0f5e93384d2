/**
 * The final label of an item per control, as exports show it. Truth inference (src/core/
 * aggregation, wired by the work/aggregation modules) stores `items.label` as
 * `{<control name>: {value, confidence}}`; this module reads that. Until an item has a stored
 * label — and for controls the stored label lacks — `fallbackLabels` computes a plain consensus
 * from the counted answers. Replace `fallbackLabels` (one function) when every item carries its
 * inferred label.
 */
import type { Control, Template } from '../templates/types.ts';
import type { Labels, LabelValue } from './types.ts';

export interface LabelInput {
  isGold: boolean;
  gold: Record<string, unknown> | null;
  /** `items.label` as stored. */
  label: Record<string, unknown> | null;
  /** `items.confidence` as stored. */
  confidence: number | null;
}

/** A counted answer: one worker's result (the caller passes them in submission order). */
export interface CountedAnswer {
  worker: string;
  result: Record<string, unknown>;
}

/** Labels and item-level confidence. Gold items carry their known answers with confidence 1. */
export function itemLabels(template: Template, item: LabelInput, answers: readonly CountedAnswer[]): { labels: Labels; confidence: number | null } {
  const labels: Labels = {};
  const missing: Control[] = [];
  for (const c of template.controls) {
    if (item.isGold && item.gold && Object.hasOwn(item.gold, c.name)) {
      labels[c.name] = { value: item.gold[c.name], confidence: 1 };
      continue;
    }
    const stored = item.label && Object.hasOwn(item.label, c.name) ? asLabelValue(item.label[c.name]) : null;
    if (stored) labels[c.name] = stored;
    else missing.push(c);
  }
  if (missing.length) {
    const computed = fallbackLabels(missing, answers);
    for (const c of missing) labels[c.name] = computed[c.name]!;
  }
  let confidence = item.isGold && item.gold ? 1 : item.confidence;
  if (confidence === null || confidence === undefined) {
    let min: number | null = null;
    for (const c of template.controls) {
      const v = labels[c.name]!;
      if (v.value === null || v.confidence === null) continue;
      min = min === null ? v.confidence : Math.min(min, v.confidence);
    }
    confidence = min;
  }
  return { labels, confidence };
}

function asLabelValue(x: unknown): LabelValue | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || !Object.hasOwn(x, 'value')) return null;
  const o = x as { value: unknown; confidence?: unknown };
  return { value: o.value ?? null, confidence: typeof o.confidence === 'number' && Number.isFinite(o.confidence) ? o.confidence : null };
}

/**
 * A plain consensus per control from the answers (the last answer of each worker counts):
 * single_choice/rating/pairwise by majority vote (confidence = vote share; a tie goes to the
 * answer given first); multi_choice per option by majority (confidence = mean share agreeing
 * with the decision per option); number by median (confidence = share within 1% of it); text,
 * email, file, bbox and span by the most frequent identical answer (confidence = its share).
 * Unanswered → `{value: null, confidence: null}`.
 */
export function fallbackLabels(controls: readonly Control[], answers: readonly CountedAnswer[]): Labels {
  const last = new Map<string, Record<string, unknown>>();
  for (const a of answers) {
    last.delete(a.worker);
    last.set(a.worker, a.result);
  }
  const results = [...last.values()];
  const out: Labels = {};
  for (const c of controls) {
    const values = results.map((r) => (Object.hasOwn(r, c.name) ? r[c.name] : undefined)).filter((v) => v !== undefined && v !== null && v !== '');
    if (values.length === 0) {
      out[c.name] = { value: null, confidence: null };
      continue;
    }
    switch (c.type) {
      case 'multi_choice':
        out[c.name] = multiMajority(c.options, values);
        break;
      case 'number':
        out[c.name] = median(values.filter((v): v is number => typeof v === 'number'));
        break;
      default:
        out[c.name] = mode(values);
    }
  }
  return out;
}

/** Most frequent value by JSON identity; ties to the first given. */
function mode(values: unknown[]): LabelValue {
  const counts = new Map<string, { value: unknown; n: number }>();
  for (const v of values) {
    const k = JSON.stringify(v);
    const e = counts.get(k);
    if (e) e.n++;
    else counts.set(k, { value: v, n: 1 });
  }
  let best: { value: unknown; n: number } | null = null;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return { value: best!.value, confidence: best!.n / values.length };
}

function multiMajority(options: readonly string[], values: unknown[]): LabelValue {
  const sets = values.filter(Array.isArray).map((v) => new Set(v as unknown[]));
  if (!sets.length) return { value: null, confidence: null };
  const chosen: string[] = [];
  let agree = 0;
  const seen = new Set<unknown>(options);
  const all = [...options, ...sets.flatMap((s) => [...s]).filter((o) => !seen.has(o) && (seen.add(o), true))] as string[];
  for (const o of all) {
    const yes = sets.filter((s) => s.has(o)).length;
    if (yes * 2 > sets.length) chosen.push(o);
    agree += Math.max(yes, sets.length - yes) / sets.length;
  }
  return { value: chosen, confidence: all.length ? agree / all.length : 1 };
}

function median(nums: number[]): LabelValue {
  if (!nums.length) return { value: null, confidence: null };
  const s = [...nums].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const tol = Math.max(1e-9, Math.abs(m) * 0.01);
  return { value: m, confidence: s.filter((v) => Math.abs(v - m) <= tol).length / s.length };
}
