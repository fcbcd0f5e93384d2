/**
 * Dynamic overlap: stop asking for more answers on an item once its aggregated answer is
 * confident enough. Works with the confidence of any answer type (categorical posterior,
 * number agreement, box support, text similarity).
 */
export interface OverlapPolicy {
  /** Never complete an item with fewer answers than this (≥ 1). */
  minAnswers: number;
  /** Always complete an item once it has this many answers. */
  maxAnswers: number;
  /** Complete as soon as the confidence reaches this (0..1). */
  targetConfidence: number;
}

export type OverlapDecision = 'need_more' | 'confident' | 'max_answers';

export function validateOverlapPolicy(p: OverlapPolicy): string | null {
  if (!Number.isInteger(p.minAnswers) || p.minAnswers < 1) return 'minAnswers must be an integer ≥ 1';
  if (!Number.isInteger(p.maxAnswers) || p.maxAnswers < p.minAnswers) return 'maxAnswers must be an integer ≥ minAnswers';
  if (!(p.targetConfidence >= 0 && p.targetConfidence <= 1)) return 'targetConfidence must be within 0..1';
  return null;
}

/** Whether an item with `answers` answers and aggregated `confidence` needs more answers. */
export function overlapDecision(answers: number, confidence: number, policy: OverlapPolicy): OverlapDecision {
  if (answers >= policy.maxAnswers) return 'max_answers';
  if (answers < policy.minAnswers) return 'need_more';
  return confidence >= policy.targetConfidence ? 'confident' : 'need_more';
}

export function isItemComplete(answers: number, confidence: number, policy: OverlapPolicy): boolean {
  return overlapDecision(answers, confidence, policy) !== 'need_more';
}

/**
 * Completion flags for every item of a result (anything with per-item answer counts and
 * confidences, e.g. a CategoricalResult). Gold items have confidence 1 and so complete at
 * `minAnswers`; a caller that keeps serving gold items to check workers should ignore the flag
 * for them.
 */
export function completeItems(
  result: { itemAnswers: Int32Array; confidence: Float64Array },
  policy: OverlapPolicy,
): Uint8Array {
  const n = result.itemAnswers.length;
  const done = new Uint8Array(n);
  for (let i = 0; i < n; i++) done[i] = isItemComplete(result.itemAnswers[i], result.confidence[i], policy) ? 1 : 0;
  return done;
}
