import type { PreparedAnswers } from './prepare.ts';

/**
 * The fused EM pass of common.ts `tablePassGeneric`, specialised for one K: the class loops
 * unrolled and the item's K running sums held in local variables rather than a scratch array.
 * V8 then keeps them in registers; on 1,000,000 answers with K = 5 the pass runs ~3× faster.
 * The generated code performs the same floating-point operations in the same order as the
 * generic pass, so results are bit-identical (unrolled.test.ts checks it). Only the integer K
 * is spliced into the source; nothing from the data reaches it.
 */
export type TablePass = (
  p: PreparedAnswers,
  rec: Int32Array,
  tab: Float64Array,
  logPrior: Float64Array,
  post: Float64Array,
  classCount: Float64Array,
  scratch: Float64Array,
  stats: Float64Array,
) => void;

export const UNROLL_MAX_K = 16;

const cache = new Map<number, TablePass>();

function each(K: number, f: (k: number) => string, sep = '\n'): string {
  return Array.from({ length: K }, (_, k) => f(k)).join(sep);
}

function compile(K: number): TablePass {
  const K2 = 2 * K;
  const src = `
  const nItems = p.nItems, itemStart = p.itemStart, gold = p.gold;
  for (let j = 0; j < tab.length; j += ${K2}) { ${each(K, (k) => `tab[j + ${K + k}] = 0;`, ' ')} }
  ${each(K, (k) => `let c${k} = 0;`, ' ')}
  let maxDelta = 0, sumDelta = 0, ll = 0;
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i], e = itemStart[i + 1], off = i * ${K}, g = gold[i];
    if (g < 0 && e === s) continue;
    ${each(K, (k) => `let s${k} = logPrior[${k}];`, ' ')}
    for (let a = s; a < e; a++) { const b = rec[a]; ${each(K, (k) => `s${k} += tab[b + ${k}];`, ' ')} }
    if (g >= 0) { ${each(K, (k) => `scratch[${k}] = s${k};`, ' ')} ll += scratch[g]; }
    else {
      let m = s0; ${each(K, (k) => (k ? `if (s${k} > m) m = s${k};` : ''), ' ')}
      ${each(K, (k) => `s${k} = Math.exp(s${k} - m);`, ' ')}
      let z = 0; ${each(K, (k) => `z += s${k};`, ' ')}
      ll += m + Math.log(z);
      const inv = 1 / z;
      let v = 0, d = 0;
      ${each(K, (k) => `v = s${k} * inv; d = Math.abs(v - post[off + ${k}]); if (d > maxDelta) maxDelta = d; sumDelta += d; post[off + ${k}] = v;`)}
    }
    ${each(K, (k) => `const q${k} = post[off + ${k}]; c${k} += q${k};`, ' ')}
    for (let a = s; a < e; a++) { const b = rec[a] + ${K}; ${each(K, (k) => `tab[b + ${k}] += q${k};`, ' ')} }
  }
  ${each(K, (k) => `classCount[${k}] = c${k};`, ' ')}
  stats[0] = ll; stats[1] = maxDelta; stats[2] = sumDelta;`;
  return new Function('p', 'rec', 'tab', 'logPrior', 'post', 'classCount', 'scratch', 'stats', src) as TablePass;
}

/**
 * The same fused pass with the table in probability space (common.ts `tablePassProbGeneric`):
 * the first half of each (worker, label) record holds P(l | k, w) itself and `prior` the class
 * shares, so an item's unnormalised posterior is a product — no Math.exp per item and class,
 * and the M-step needs no Math.log per table entry. Every PROB_CHUNK answers the running
 * products are rescaled by their largest (and the log of the scale kept), so long items cannot
 * underflow; an item whose normaliser still falls below PROB_MIN_Z is redone in log space.
 */
export const PROB_CHUNK = 16;
export const PROB_MIN_Z = 1e-280;

/** Log-space fallback for one item: writes its normalised posterior to scratch, returns log Σ. */
export type ItemFallback = (i: number, scratch: Float64Array) => number;

export type ProbPass = (
  p: PreparedAnswers,
  rec: Int32Array,
  tab: Float64Array,
  prior: Float64Array,
  post: Float64Array,
  classCount: Float64Array,
  scratch: Float64Array,
  stats: Float64Array,
  fallback: ItemFallback,
) => void;

const probCache = new Map<number, ProbPass>();

function compileProb(K: number): ProbPass {
  const K2 = 2 * K;
  const src = `
  const nItems = p.nItems, itemStart = p.itemStart, gold = p.gold;
  for (let j = 0; j < tab.length; j += ${K2}) { ${each(K, (k) => `tab[j + ${K + k}] = 0;`, ' ')} }
  ${each(K, (k) => `let c${k} = 0;`, ' ')}
  let maxDelta = 0, sumDelta = 0, ll = 0;
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i], e = itemStart[i + 1], off = i * ${K}, g = gold[i];
    if (g < 0 && e === s) continue;
    ${each(K, (k) => `let s${k} = prior[${k}];`, ' ')}
    let lsc = 0;
    for (let a0 = s; a0 < e; a0 += ${PROB_CHUNK}) {
      const e2 = a0 + ${PROB_CHUNK} < e ? a0 + ${PROB_CHUNK} : e;
      for (let a = a0; a < e2; a++) { const b = rec[a]; ${each(K, (k) => `s${k} *= tab[b + ${k}];`, ' ')} }
      if (e2 < e) {
        let m = s0; ${each(K, (k) => (k ? `if (s${k} > m) m = s${k};` : ''), ' ')}
        if (m > 0) { const im = 1 / m; ${each(K, (k) => `s${k} *= im;`, ' ')} lsc += Math.log(m); }
      }
    }
    if (g >= 0) { ${each(K, (k) => `scratch[${k}] = s${k};`, ' ')} ll += Math.log(scratch[g]) + lsc; }
    else {
      let z = 0; ${each(K, (k) => `z += s${k};`, ' ')}
      if (z >= ${PROB_MIN_Z}) {
        ll += Math.log(z) + lsc;
        const inv = 1 / z;
        ${each(K, (k) => `s${k} *= inv;`, ' ')}
      } else {
        ll += fallback(i, scratch);
        ${each(K, (k) => `s${k} = scratch[${k}];`, ' ')}
      }
      let d = 0;
      ${each(K, (k) => `d = Math.abs(s${k} - post[off + ${k}]); if (d > maxDelta) maxDelta = d; sumDelta += d; post[off + ${k}] = s${k};`)}
    }
    ${each(K, (k) => `const q${k} = post[off + ${k}]; c${k} += q${k};`, ' ')}
    for (let a = s; a < e; a++) { const b = rec[a] + ${K}; ${each(K, (k) => `tab[b + ${k}] += q${k};`, ' ')} }
  }
  ${each(K, (k) => `classCount[${k}] = c${k};`, ' ')}
  stats[0] = ll; stats[1] = maxDelta; stats[2] = sumDelta;`;
  return new Function('p', 'rec', 'tab', 'prior', 'post', 'classCount', 'scratch', 'stats', 'fallback', src) as ProbPass;
}

/** The unrolled probability-space pass for K classes, or null when K is too large. */
export function unrolledProbPass(K: number): ProbPass | null {
  if (!Number.isInteger(K) || K < 1 || K > UNROLL_MAX_K) return null;
  let f = probCache.get(K);
  if (!f) {
    f = compileProb(K);
    probCache.set(K, f);
  }
  return f;
}

export type Accumulate = (p: PreparedAnswers, rec: Int32Array, post: Float64Array, tab: Float64Array, classCount: Float64Array) => void;

const accCache = new Map<number, Accumulate>();

/** `accumulate` of common.ts, unrolled the same way (same operations, same order). */
export function unrolledAccumulate(K: number): Accumulate | null {
  if (!Number.isInteger(K) || K < 1 || K > UNROLL_MAX_K) return null;
  let f = accCache.get(K);
  if (!f) {
    const src = `
    const nItems = p.nItems, itemStart = p.itemStart, gold = p.gold;
    for (let j = 0; j < tab.length; j += ${2 * K}) { ${each(K, (k) => `tab[j + ${K + k}] = 0;`, ' ')} }
    ${each(K, (k) => `let c${k} = 0;`, ' ')}
    for (let i = 0; i < nItems; i++) {
      const s = itemStart[i], e = itemStart[i + 1], off = i * ${K};
      if (gold[i] < 0 && e === s) continue;
      ${each(K, (k) => `const q${k} = post[off + ${k}]; c${k} += q${k};`, ' ')}
      for (let a = s; a < e; a++) { const b = rec[a] + ${K}; ${each(K, (k) => `tab[b + ${k}] += q${k};`, ' ')} }
    }
    ${each(K, (k) => `classCount[${k}] = c${k};`, ' ')}`;
    f = new Function('p', 'rec', 'post', 'tab', 'classCount', src) as Accumulate;
    accCache.set(K, f);
  }
  return f;
}

/** The unrolled pass for K classes (compiled once per K), or null when K is too large. */
export function unrolledTablePass(K: number): TablePass | null {
  if (!Number.isInteger(K) || K < 1 || K > UNROLL_MAX_K) return null;
  let f = cache.get(K);
  if (!f) {
    f = compile(K);
    cache.set(K, f);
  }
  return f;
}
