import { argmaxRow } from './math.ts';
import { type ItemFallback, PROB_CHUNK, PROB_MIN_Z, unrolledAccumulate, unrolledProbPass, unrolledTablePass } from './unrolled.ts';
import { AggregationInputError, type PreparedAnswers } from './prepare.ts';
import type { CategoricalMethod, CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * Convergence of the iterative methods. Converged when, between two iterations, both
 *  - the objective (Σ over items of the log marginal likelihood under the current parameters,
 *    or its variational counterpart) changes by at most `tolerance` × |objective|, and
 *  - the posterior probabilities move on average by at most 10 × `tolerance` per item,
 * or as soon as no posterior probability moves by more than SETTLED. Aggregate tests rather
 * than "every probability has stopped moving" are what make large inputs stop in tens rather
 * than hundreds of iterations: among 100,000 items a handful of near-ties keep creeping long
 * after every label and the likelihood have settled.
 */
export const DEFAULT_TOLERANCE = 1e-6;
export const SETTLED = 1e-6;

export class Convergence {
  private prev = NaN;
  constructor(
    private readonly tolerance: number,
    private readonly items: number,
  ) {}

  /** Feeds one iteration's objective, largest and summed posterior change; true once converged. */
  done(objective: number, maxDelta: number, sumDelta: number): boolean {
    const prev = this.prev;
    this.prev = objective;
    if (maxDelta < SETTLED) return true;
    if (!Number.isFinite(prev) || Math.abs(objective - prev) > this.tolerance * Math.abs(objective)) return false;
    return sumDelta / Math.max(1, this.items) <= 10 * this.tolerance;
  }
}

/** Vote shares per item (gold items one-hot on their gold label); rows of unanswered items are 0. */
export function voteShares(p: PreparedAnswers): Float64Array {
  const { nItems, K, itemStart, label, gold } = p;
  const post = new Float64Array(nItems * K);
  for (let i = 0; i < nItems; i++) {
    const off = i * K;
    if (gold[i] >= 0) {
      post[off + gold[i]] = 1;
      continue;
    }
    const s = itemStart[i];
    const e = itemStart[i + 1];
    if (e === s) continue;
    const inv = 1 / (e - s);
    for (let a = s; a < e; a++) post[off + label[a]] += inv;
  }
  return post;
}

/**
 * The starting posterior of the iterative methods: the vote shares, or `warmStart` where it
 * holds a distribution (gold rows stay one-hot, unanswered rows stay zero).
 */
export function initialPosterior(p: PreparedAnswers, warmStart?: Float64Array): Float64Array {
  const post = voteShares(p);
  if (!warmStart) return post;
  const { nItems, K, gold } = p;
  if (warmStart.length !== nItems * K)
    throw new AggregationInputError(`warmStart has length ${warmStart.length}, expected nItems × nLabels = ${nItems * K}`);
  for (let i = 0; i < nItems; i++) {
    if (gold[i] >= 0 || !isInformative(p, i)) continue;
    let s = 0;
    let ok = true;
    for (let k = 0; k < K; k++) {
      const v = warmStart[i * K + k];
      if (!(v >= 0 && v <= 1)) ok = false;
      s += v;
    }
    if (ok && Math.abs(s - 1) < 1e-6) for (let k = 0; k < K; k++) post[i * K + k] = warmStart[i * K + k];
  }
  return post;
}

/** True when the item takes part in inference (it has answers or is gold). */
export function isInformative(p: PreparedAnswers, i: number): boolean {
  return p.gold[i] >= 0 || p.itemStart[i + 1] > p.itemStart[i];
}

/**
 * The per-worker table of the "table" models (DS, one-coin, IBCC), whose answer likelihood
 * depends only on (worker, answered label, true class). For each (w, l) it holds 2K doubles:
 * first log P(l | k, w) for k = 0..K-1 (or its variational expectation), then the expected
 * count of w's answers l on items of true class k. Keeping the two side by side means an
 * answer touches one contiguous 16K-byte run of memory in a pass, not two far apart: the pass
 * is bound by cache misses on this table, which is a few MB for thousands of workers.
 */
export function newTable(p: PreparedAnswers): Float64Array {
  return new Float64Array(p.nWorkers * p.K * 2 * p.K);
}

/** Index of log P(l | k = 0, w) in a table; the counts of (w, l) start K further on. */
export function tabIndex(K: number, w: number, l: number): number {
  return (w * K + l) * 2 * K;
}

/**
 * Offset in a table of each answer's (worker, label) record: (worker·K + label)·stride. Costs
 * 4 bytes an answer and saves the passes two loads and a multiply-add per answer.
 */
export function recordOffsets(p: PreparedAnswers, stride: number): Int32Array {
  const { n, K, worker, label } = p;
  if (p.nWorkers * K * stride > 0x7fffffff) throw new RangeError('too many workers × labels for one table');
  const rec = new Int32Array(n);
  for (let a = 0; a < n; a++) rec[a] = (worker[a] * K + label[a]) * stride;
  return rec;
}

/** Fills the counts half of `tab` and classCount (Σ_items post[item][k]) from a posterior. */
export function accumulate(p: PreparedAnswers, rec: Int32Array, post: Float64Array, tab: Float64Array, classCount: Float64Array): void {
  const fast = unrolledAccumulate(p.K);
  if (fast) fast(p, rec, post, tab, classCount);
  else accumulateGeneric(p, rec, post, tab, classCount);
}

export function accumulateGeneric(p: PreparedAnswers, rec: Int32Array, post: Float64Array, tab: Float64Array, classCount: Float64Array): void {
  const { nItems, K, itemStart } = p;
  const K2 = 2 * K;
  for (let j = 0; j < tab.length; j += K2) for (let k = K; k < K2; k++) tab[j + k] = 0;
  classCount.fill(0);
  for (let i = 0; i < nItems; i++) {
    if (!isInformative(p, i)) continue;
    const off = i * K;
    for (let k = 0; k < K; k++) classCount[k] += post[off + k];
    for (let a = itemStart[i]; a < itemStart[i + 1]; a++) {
      const base = rec[a] + K;
      for (let k = 0; k < K; k++) tab[base + k] += post[off + k];
    }
  }
}

/**
 * One fused EM pass over a table model: computes every item's posterior from the log half of
 * `tab` and logPrior, and in the same sweep accumulates the statistics of the new posterior
 * into the counts half and classCount, ready for the next M-step. Writes the objective (Σ over
 * items of the log marginal likelihood) to stats[0], the largest change of any posterior
 * probability to stats[1] and the sum of all changes to stats[2].
 */
export function tablePass(
  p: PreparedAnswers,
  rec: Int32Array,
  tab: Float64Array,
  logPrior: Float64Array,
  post: Float64Array,
  classCount: Float64Array,
  scratch: Float64Array,
  stats: Float64Array,
): void {
  const fast = unrolledTablePass(p.K);
  if (fast) fast(p, rec, tab, logPrior, post, classCount, scratch, stats);
  else tablePassGeneric(p, rec, tab, logPrior, post, classCount, scratch, stats);
}

/** The reference implementation of the pass, for any K (see unrolled.ts for the fast one). */
export function tablePassGeneric(
  p: PreparedAnswers,
  rec: Int32Array,
  tab: Float64Array,
  logPrior: Float64Array,
  post: Float64Array,
  classCount: Float64Array,
  scratch: Float64Array,
  stats: Float64Array,
): void {
  const { nItems, K, itemStart, gold } = p;
  const K2 = 2 * K;
  for (let j = 0; j < tab.length; j += K2) for (let k = K; k < K2; k++) tab[j + k] = 0;
  classCount.fill(0);
  let maxDelta = 0;
  let sumDelta = 0;
  let ll = 0;
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i];
    const e = itemStart[i + 1];
    const off = i * K;
    const g = gold[i];
    if (g < 0 && e === s) continue;
    for (let k = 0; k < K; k++) scratch[k] = logPrior[k];
    for (let a = s; a < e; a++) {
      const base = rec[a];
      for (let k = 0; k < K; k++) scratch[k] += tab[base + k];
    }
    if (g >= 0) ll += scratch[g];
    else {
      let m = scratch[0];
      for (let k = 1; k < K; k++) if (scratch[k] > m) m = scratch[k];
      let z = 0;
      for (let k = 0; k < K; k++) {
        const v = Math.exp(scratch[k] - m);
        scratch[k] = v;
        z += v;
      }
      ll += m + Math.log(z);
      const inv = 1 / z;
      for (let k = 0; k < K; k++) {
        const v = scratch[k] * inv;
        const d = Math.abs(v - post[off + k]);
        if (d > maxDelta) maxDelta = d;
        sumDelta += d;
        post[off + k] = v;
      }
    }
    for (let k = 0; k < K; k++) classCount[k] += post[off + k];
    for (let a = s; a < e; a++) {
      const base = rec[a] + K;
      for (let k = 0; k < K; k++) tab[base + k] += post[off + k];
    }
  }
  stats[0] = ll;
  stats[1] = maxDelta;
  stats[2] = sumDelta;
}

/**
 * One item in log space from a probability-space table: the fallback of the probability pass
 * for an item whose product underflowed. Writes the normalised posterior to scratch and
 * returns the log of the item's marginal likelihood.
 */
export function logSpaceItem(p: PreparedAnswers, rec: Int32Array, tab: Float64Array, prior: Float64Array, i: number, scratch: Float64Array): number {
  const { K, itemStart } = p;
  for (let k = 0; k < K; k++) scratch[k] = Math.log(prior[k]);
  for (let a = itemStart[i]; a < itemStart[i + 1]; a++) for (let k = 0; k < K; k++) scratch[k] += Math.log(tab[rec[a] + k]);
  let m = scratch[0];
  for (let k = 1; k < K; k++) if (scratch[k] > m) m = scratch[k];
  let z = 0;
  for (let k = 0; k < K; k++) z += scratch[k] = Math.exp(scratch[k] - m);
  for (let k = 0; k < K; k++) scratch[k] /= z;
  return m + Math.log(z);
}

/**
 * The fused pass with the table in probability space (see unrolled.ts `compileProb`): the log
 * half of `tab` holds P(l | k, w) and `prior` the class shares. Same statistics as tablePass.
 */
export function tablePassProb(
  p: PreparedAnswers,
  rec: Int32Array,
  tab: Float64Array,
  prior: Float64Array,
  post: Float64Array,
  classCount: Float64Array,
  scratch: Float64Array,
  stats: Float64Array,
): void {
  const fallback: ItemFallback = (i, out) => logSpaceItem(p, rec, tab, prior, i, out);
  const fast = unrolledProbPass(p.K);
  if (fast) fast(p, rec, tab, prior, post, classCount, scratch, stats, fallback);
  else tablePassProbGeneric(p, rec, tab, prior, post, classCount, scratch, stats, fallback);
}

/** The reference implementation of the probability-space pass, for any K. */
export function tablePassProbGeneric(
  p: PreparedAnswers,
  rec: Int32Array,
  tab: Float64Array,
  prior: Float64Array,
  post: Float64Array,
  classCount: Float64Array,
  scratch: Float64Array,
  stats: Float64Array,
  fallback: ItemFallback,
): void {
  const { nItems, K, itemStart, gold } = p;
  const K2 = 2 * K;
  for (let j = 0; j < tab.length; j += K2) for (let k = K; k < K2; k++) tab[j + k] = 0;
  classCount.fill(0);
  let maxDelta = 0;
  let sumDelta = 0;
  let ll = 0;
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i];
    const e = itemStart[i + 1];
    const off = i * K;
    const g = gold[i];
    if (g < 0 && e === s) continue;
    for (let k = 0; k < K; k++) scratch[k] = prior[k];
    let lsc = 0;
    for (let a0 = s; a0 < e; a0 += PROB_CHUNK) {
      const e2 = a0 + PROB_CHUNK < e ? a0 + PROB_CHUNK : e;
      for (let a = a0; a < e2; a++) {
        const base = rec[a];
        for (let k = 0; k < K; k++) scratch[k] *= tab[base + k];
      }
      if (e2 < e) {
        let m = scratch[0];
        for (let k = 1; k < K; k++) if (scratch[k] > m) m = scratch[k];
        if (m > 0) {
          const im = 1 / m;
          for (let k = 0; k < K; k++) scratch[k] *= im;
          lsc += Math.log(m);
        }
      }
    }
    if (g >= 0) ll += Math.log(scratch[g]) + lsc;
    else {
      let z = 0;
      for (let k = 0; k < K; k++) z += scratch[k];
      if (z >= PROB_MIN_Z) {
        ll += Math.log(z) + lsc;
        const inv = 1 / z;
        for (let k = 0; k < K; k++) scratch[k] *= inv;
      } else ll += fallback(i, scratch);
      for (let k = 0; k < K; k++) {
        const d = Math.abs(scratch[k] - post[off + k]);
        if (d > maxDelta) maxDelta = d;
        sumDelta += d;
        post[off + k] = scratch[k];
      }
    }
    for (let k = 0; k < K; k++) classCount[k] += post[off + k];
    for (let a = s; a < e; a++) {
      const base = rec[a] + K;
      for (let k = 0; k < K; k++) tab[base + k] += post[off + k];
    }
  }
  stats[0] = ll;
  stats[1] = maxDelta;
  stats[2] = sumDelta;
}

/**
 * EM (or variational Bayes) for a table model, from the vote-share posterior. `update` is the
 * M-step: from the counts half of `tab` and classCount it writes the log half and logPrior —
 * or, with `space: 'prob'`, the probabilities themselves and the class shares (no logs at
 * all; see tablePassProb). On return the counts half holds the statistics of the returned
 * posterior.
 */
export function runTableModel(
  p: PreparedAnswers,
  opts: CategoricalOptions,
  update: (tab: Float64Array, classCount: Float64Array, logPrior: Float64Array) => void,
  space: 'log' | 'prob' = 'log',
): { post: Float64Array; tab: Float64Array; classCount: Float64Array; iterations: number; converged: boolean } {
  const { K } = p;
  const conv = new Convergence(opts.tolerance ?? DEFAULT_TOLERANCE, p.nItems);
  const maxIt = opts.maxIterations ?? 500;
  const post = initialPosterior(p, opts.warmStart);
  const tab = newTable(p);
  const rec = recordOffsets(p, 2 * K);
  const classCount = new Float64Array(K);
  accumulate(p, rec, post, tab, classCount);
  const logPrior = new Float64Array(K);
  const scratch = new Float64Array(K);
  const stats = new Float64Array(3);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIt) {
    update(tab, classCount, logPrior);
    iterations++;
    if (space === 'prob') tablePassProb(p, rec, tab, logPrior, post, classCount, scratch, stats);
    else tablePass(p, rec, tab, logPrior, post, classCount, scratch, stats);
    if (conv.done(stats[0], stats[1], stats[2])) {
      converged = true;
      break;
    }
  }
  return { post, tab, classCount, iterations, converged };
}

/**
 * Normalised confusion matrices from the counts half of a table with additive smoothing
 * `smooth[k·K + l]`: confusion[(w·K + k)·K + l] = P(l | k, w).
 */
export function confusionFromCounts(p: PreparedAnswers, tab: Float64Array, smooth: Float64Array): Float64Array {
  const { nWorkers, K } = p;
  const conf = new Float64Array(nWorkers * K * K);
  for (let w = 0; w < nWorkers; w++) {
    for (let k = 0; k < K; k++) {
      let row = 0;
      for (let l = 0; l < K; l++) row += tab[tabIndex(K, w, l) + K + k] + smooth[k * K + l];
      const inv = row > 0 ? 1 / row : 0;
      for (let l = 0; l < K; l++) conf[(w * K + k) * K + l] = (tab[tabIndex(K, w, l) + K + k] + smooth[k * K + l]) * inv;
    }
  }
  return conf;
}

/** Expected accuracy of each worker, Σ_k prior_k · P(k | k, w); NaN for workers with no answers. */
export function qualityFromConfusion(p: PreparedAnswers, conf: Float64Array, prior: Float64Array): Float64Array {
  const { nWorkers, K } = p;
  const q = new Float64Array(nWorkers);
  for (let w = 0; w < nWorkers; w++) {
    if (p.workerAnswers[w] === 0) {
      q[w] = NaN;
      continue;
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += prior[k] * conf[(w * K + k) * K + k];
    q[w] = s;
  }
  return q;
}

/** Diagonal-dominant Dirichlet parameters: `diag` on k = l, `off` elsewhere, K × K row-major. */
export function diagMatrix(K: number, diag: number, off: number): Float64Array {
  const m = new Float64Array(K * K).fill(off);
  for (let k = 0; k < K; k++) m[k * K + k] = diag;
  return m;
}

/** Normalised class prior from class counts plus a pseudo-count. */
export function priorFromCounts(classCount: Float64Array, pseudo: number): Float64Array {
  const K = classCount.length;
  const prior = new Float64Array(K);
  let s = 0;
  for (let k = 0; k < K; k++) s += classCount[k] + pseudo;
  for (let k = 0; k < K; k++) prior[k] = s > 0 ? (classCount[k] + pseudo) / s : 1 / K;
  return prior;
}

/**
 * Builds the result: clamps gold rows, fills unanswered rows with the class prior, picks labels
 * (deterministic hash tie-break) and confidences.
 */
export function finish(
  method: CategoricalMethod,
  p: PreparedAnswers,
  post: Float64Array,
  classPrior: Float64Array,
  workerQuality: Float64Array,
  extra: Partial<CategoricalResult> & { iterations: number; converged: boolean },
  seed: number,
): CategoricalResult {
  const { nItems, K, gold } = p;
  const label = new Int32Array(nItems);
  const confidence = new Float64Array(nItems);
  const itemAnswers = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) itemAnswers[i] = p.itemStart[i + 1] - p.itemStart[i];
  for (let i = 0; i < nItems; i++) {
    const off = i * K;
    if (gold[i] >= 0) {
      for (let k = 0; k < K; k++) post[off + k] = 0;
      post[off + gold[i]] = 1;
    } else if (!isInformative(p, i)) {
      for (let k = 0; k < K; k++) post[off + k] = classPrior[k];
      label[i] = -1;
      confidence[i] = 0;
      continue;
    }
    const l = argmaxRow(post, off, K, i, seed);
    label[i] = l;
    confidence[i] = post[off + l];
  }
  return {
    method,
    nItems,
    nWorkers: p.nWorkers,
    nLabels: K,
    label,
    confidence,
    posterior: post,
    classPrior,
    workerQuality,
    workerAnswers: p.workerAnswers,
    itemAnswers,
    ...extra,
  };
}


/**
 * Empirical-Bayes Dirichlet prior on class shares: the vote-share counts of each class (the
 * setting of the EBCC reference experiments), floored at `floor` so that a label nobody chose
 * keeps a proper prior.
 */
export function empiricalClassPrior(p: PreparedAnswers, votes: Float64Array, floor: number): Float64Array {
  const alpha = new Float64Array(p.K);
  for (let j = 0; j < votes.length; j++) alpha[j % p.K] += votes[j];
  for (let k = 0; k < p.K; k++) alpha[k] = Math.max(alpha[k], floor);
  return alpha;
}
