/**
 * Which annotations are reviewed, which reviews are cross-reviewed, and when an unreviewed
 * annotation is approved by agreement. Randomness comes in as a number in [0, 1) so callers
 * (and tests) choose their source.
 */
import type { CategoricalControl } from '../templates/index.ts';

export interface ReviewSettings {
  reviewRate: number;
  reviewFirstK: number;
}

export type ReviewReason = 'first_k' | 'sampled' | 'rework';

/**
 * - every resubmitted rework is reviewed again (it was rejected once; someone must confirm the fix);
 * - every annotation among the worker's first `reviewFirstK` in the project;
 * - otherwise a `reviewRate` share, drawn at random;
 * - gold answers never: the gold gate grades them already.
 */
export function reviewReason(
  a: { isGold: boolean; isRework: boolean; priorAnswers: number },
  s: ReviewSettings,
  random: number,
): ReviewReason | null {
  if (a.isGold) return null;
  if (a.isRework) return 'rework';
  if (a.priorAnswers < s.reviewFirstK) return 'first_k';
  return random < s.reviewRate ? 'sampled' : null;
}

export const crossReviewed = (crossReviewRate: number, random: number) => random < crossReviewRate;

/** One inferred label per control, as stored on items.label. */
export type ItemLabels = Record<string, { value: unknown; confidence: number } | undefined>;

const sameValue = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) {
    const sa = new Set(a.map((x) => JSON.stringify(x)));
    const sb = new Set(b.map((x) => JSON.stringify(x)));
    return sa.size === sb.size && [...sa].every((x) => sb.has(x));
  }
  return a === b;
};

/**
 * 'agreement' auto-approval: compares the answer with the item's inferred labels on every
 * categorical control the answer gives.
 * - 'agree': every such control has a label at least `minConfidence` sure, equal to the answer;
 * - 'disagree': some control has such a confident label and the answer differs;
 * - 'unknown': no confident label yet (or no categorical control) — wait, or fall back to the window.
 */
export function agreementVerdict(
  result: Record<string, unknown>,
  labels: ItemLabels | null,
  controls: CategoricalControl[],
  minConfidence: number,
): 'agree' | 'disagree' | 'unknown' {
  if (!labels) return 'unknown';
  let checked = 0;
  for (const c of controls) {
    if (!Object.hasOwn(result, c.name)) continue;
    const v = result[c.name];
    if (v === null || v === undefined) continue;
    const label = Object.hasOwn(labels, c.name) ? labels[c.name] : undefined;
    if (!label || typeof label.confidence !== 'number' || label.confidence < minConfidence) return 'unknown';
    if (!sameValue(v, label.value)) return 'disagree';
    checked++;
  }
  return checked > 0 ? 'agree' : 'unknown';
}

/** A reviewer's agreement rate from cross-reviews (their verdicts upheld by a second reviewer). */
export const reviewerAgreement = (upheld: number, crossReviewed: number): number | null => (crossReviewed ? upheld / crossReviewed : null);
