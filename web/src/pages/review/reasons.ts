/** The ready-made rejection reasons, in the order of their number keys (1…6). Labels: review.reasons.* */
export const READY_REASONS = ['wrongLabel', 'guidelines', 'incomplete', 'boxes', 'spans', 'careless'] as const;
export type ReadyReason = (typeof READY_REASONS)[number];
