/**
 * Grading an answer to a gold item against its known answer. Pure; no I/O.
 *
 * Only the controls the gold answer gives are graded (a gold answer may be partial). Per type:
 * - single_choice, pairwise, rating: exact equality;
 * - multi_choice: the same set of options (order ignored);
 * - number: equal within 1e-9 relative (floating-point noise only);
 * - text, email: equal after trimming, collapsing inner whitespace and (email only) lower-casing;
 *   text is case-sensitive, since case can matter to a label;
 * - bbox: as many boxes as the gold, each gold box matched one-to-one to a box of the same label
 *   with intersection-over-union ≥ 0.5 (the usual detection threshold);
 * - span: the same set of (start, end, label) triples;
 * - file: not gradable (a fresh upload never equals a stored one); ignored.
 * The answer is correct when every graded control is; `null` when nothing could be graded.
 */
import type { Box, Control, Span, Template } from '../../../core/templates/types.ts';

export const BOX_IOU_THRESHOLD = 0.5;

const normSpace = (s: string) => s.trim().replace(/\s+/g, ' ');

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy one-to-one matching by best IoU; enough for the handful of boxes an item holds. */
function boxesMatch(answer: Box[], gold: Box[]): boolean {
  if (answer.length !== gold.length) return false;
  const pairs: { i: number; j: number; v: number }[] = [];
  gold.forEach((g, i) =>
    answer.forEach((a, j) => {
      if (a.label !== g.label) return;
      const v = iou(a, g);
      if (v >= BOX_IOU_THRESHOLD) pairs.push({ i, j, v });
    }),
  );
  pairs.sort((p, q) => q.v - p.v);
  const usedG = new Set<number>();
  const usedA = new Set<number>();
  for (const p of pairs) {
    if (usedG.has(p.i) || usedA.has(p.j)) continue;
    usedG.add(p.i);
    usedA.add(p.j);
  }
  return usedG.size === gold.length;
}

const spanKey = (s: Span) => `${s.start}:${s.end}:${s.label}`;

/** Whether `answer` equals `gold` for one control; `null` when this control cannot be graded. */
export function gradeControl(control: Control, answer: unknown, gold: unknown): boolean | null {
  switch (control.type) {
    case 'single_choice':
    case 'pairwise':
    case 'rating':
      return answer === gold;
    case 'multi_choice': {
      if (!Array.isArray(answer) || !Array.isArray(gold)) return false;
      const a = new Set(answer);
      const g = new Set(gold);
      return a.size === g.size && [...g].every((x) => a.has(x));
    }
    case 'number':
      return typeof answer === 'number' && typeof gold === 'number' && Math.abs(answer - gold) <= 1e-9 * Math.max(1, Math.abs(gold));
    case 'text':
      return typeof answer === 'string' && typeof gold === 'string' && normSpace(answer) === normSpace(gold);
    case 'email':
      return typeof answer === 'string' && typeof gold === 'string' && normSpace(answer).toLowerCase() === normSpace(gold).toLowerCase();
    case 'bbox':
      return Array.isArray(answer) && Array.isArray(gold) && boxesMatch(answer as Box[], gold as Box[]);
    case 'span': {
      if (!Array.isArray(answer) || !Array.isArray(gold)) return false;
      const a = new Set((answer as Span[]).map(spanKey));
      const g = new Set((gold as Span[]).map(spanKey));
      return a.size === g.size && [...g].every((x) => a.has(x));
    }
    case 'file':
      return null;
  }
}

/** Grades a whole result against a gold answer (see the file comment for the rules). */
export function gradeGold(template: Template, result: Record<string, unknown>, gold: Record<string, unknown> | null): boolean | null {
  if (!gold) return null;
  let graded = 0;
  for (const control of template.controls) {
    if (!Object.hasOwn(gold, control.name)) continue;
    const ok = gradeControl(control, Object.hasOwn(result, control.name) ? result[control.name] : undefined, gold[control.name]);
    if (ok === null) continue;
    if (!ok) return false;
    graded++;
  }
  return graded > 0 ? true : null;
}
