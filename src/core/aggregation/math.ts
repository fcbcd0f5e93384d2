/** Small numeric helpers shared by the methods. No allocation in the hot helpers. */

/** Digamma ψ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series. */
export function digamma(x: number): number {
  let r = 0;
  while (x < 6) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return (
    r +
    Math.log(x) -
    0.5 / x -
    f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))))
  );
}

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  a += 676.5203681218851 / (x + 1);
  a += -1259.1392167224028 / (x + 2);
  a += 771.32342877765313 / (x + 3);
  a += -176.61502916214059 / (x + 4);
  a += 12.507343278686905 / (x + 5);
  a += -0.13857109526572012 / (x + 6);
  a += 9.9843695780195716e-6 / (x + 7);
  a += 1.5056327351493116e-7 / (x + 8);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Seeded PRNG (mulberry32): uniform in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit integer hash, for deterministic per-item tie breaking. */
export function hash32(a: number, seed: number): number {
  let h = (a ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * In place: turn log-weights row[off..off+K) into probabilities. Returns the log normaliser
 * (log Σ exp), i.e. the row's log marginal likelihood.
 */
export function softmaxRow(row: Float64Array, off: number, K: number): number {
  let m = -Infinity;
  for (let k = 0; k < K; k++) if (row[off + k] > m) m = row[off + k];
  if (m === -Infinity) {
    for (let k = 0; k < K; k++) row[off + k] = 1 / K;
    return -Infinity;
  }
  let s = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(row[off + k] - m);
    row[off + k] = e;
    s += e;
  }
  const inv = 1 / s;
  for (let k = 0; k < K; k++) row[off + k] *= inv;
  return m + Math.log(s);
}

/** Relative tolerance within which two posteriors count as a tie. */
export const TIE_EPS = 1e-9;

/**
 * Index of the largest of row[off..off+K). Ties (within TIE_EPS) are broken by a hash of the
 * item index, so the choice is deterministic but not biased towards low label indices.
 */
export function argmaxRow(row: Float64Array, off: number, K: number, item: number, seed: number): number {
  let best = 0;
  let bv = row[off];
  for (let k = 1; k < K; k++) if (row[off + k] > bv) {
    bv = row[off + k];
    best = k;
  }
  let ties = 0;
  const lim = bv - TIE_EPS * Math.max(1, Math.abs(bv));
  for (let k = 0; k < K; k++) if (row[off + k] >= lim) ties++;
  if (ties === 1) return best;
  let pick = hash32(item, seed) % ties;
  for (let k = 0; k < K; k++) if (row[off + k] >= lim && pick-- === 0) return k;
  return best;
}
