/**
 * Exact money arithmetic in integer won. Every rate is turned into basis points (1/100 of a
 * percent) once, and every product is taken in BigInt so no floating-point value ever touches an
 * amount. The rounding rule of each figure is part of its contract and is written next to it.
 */

/** A percentage (e.g. 10, 3.3, 12.5) as integer basis points (1000, 330, 1250). Finer rates round to the nearest basis point. */
export function toBasisPoints(percent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`rate must be 0..100 percent, got ${percent}`);
  return Math.round(percent * 100);
}

function won(n: number, what: string): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer number of won, got ${n}`);
  return BigInt(n);
}

const toNumber = (b: bigint): number => {
  const n = Number(b);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${b} exceeds the safe integer range`);
  return n;
};

/**
 * The platform fee on a payment of `amount` won at `feeBp` basis points, rounded half up to the
 * won (반올림): 10% of 55 = 5.5 → 6; 10% of 54 = 5.4 → 5. The fee is charged to the requester on
 * top of the worker's pay, never deducted from it.
 */
export function platformFee(amount: number, feeBp: number): number {
  const a = won(amount, 'amount');
  return toNumber((a * BigInt(feeBp) * 2n + 10_000n) / 20_000n);
}

/** What one paid unit of work costs the requester: the pay plus the fee on it. */
export function costWithFee(pay: number, feeBp: number): { pay: number; fee: number; total: number } {
  const fee = platformFee(pay, feeBp);
  return { pay, fee, total: pay + fee };
}

/**
 * Freelance income withholding (사업소득 원천징수, 3.3% = 3% income tax + 0.3% local income tax) on a
 * payout of `gross` won, truncated down to the 10 won as Korean tax amounts are (원 단위 절사):
 * 3.3% of 12,345 = 407.385 → 400. The worker receives `gross - withholding`.
 */
export function withholding(gross: number, withholdingBp: number): { gross: number; withholding: number; net: number } {
  const g = won(gross, 'gross');
  const w = toNumber(((g * BigInt(withholdingBp)) / 100_000n) * 10n);
  return { gross, withholding: w, net: gross - w };
}

/**
 * Effective hourly pay of a task paying `pay` won that takes `medianMs` of real work, rounded
 * down to the won (a worker is never promised more than they earn). Null when the time is unknown.
 */
export function effectiveHourlyPay(pay: number, medianMs: number | null): number | null {
  if (medianMs === null || !Number.isFinite(medianMs) || medianMs <= 0) return null;
  const ms = BigInt(Math.max(1, Math.round(medianMs)));
  return toNumber((won(pay, 'pay') * 3_600_000n) / ms);
}

export interface ProjectionInput {
  /** Ordinary answers still wanted and not yet leased: Σ max(0, target - reserved) over open items. */
  answersLeft: number;
  pay: number;
  payPerReview: number;
  feeBp: number;
  /** Share of tasks served from gold items (0 when the project has no gold items). */
  goldRate: number;
  reviewRate: number;
}

/**
 * What finishing the project will still cost, rounded up to the won: every ordinary answer left,
 * the gold tasks mixed in among them at `goldRate` (each also paid), and the reviews sampled at
 * `reviewRate`, each with the platform fee on top. An estimate — dynamic overlap may stop sooner.
 */
export function projectedCostToFinish(p: ProjectionInput): number {
  if (p.answersLeft <= 0) return 0;
  const taskCost = costWithFee(p.pay, p.feeBp).total;
  const reviewCost = costWithFee(p.payPerReview, p.feeBp).total;
  const gold = Math.min(Math.max(p.goldRate, 0), 0.9);
  // Work in millionths so the shares stay exact enough and the result is rounded up once.
  const SCALE = 1_000_000n;
  const tasks = (BigInt(p.answersLeft) * SCALE * SCALE) / BigInt(Math.round((1 - gold) * 1e6)); // tasks × SCALE
  const reviews = (BigInt(p.answersLeft) * BigInt(Math.round(Math.min(Math.max(p.reviewRate, 0), 1) * 1e6))); // reviews × SCALE
  const total = tasks * BigInt(taskCost) + reviews * BigInt(reviewCost);
  return toNumber((total + SCALE - 1n) / SCALE);
}
