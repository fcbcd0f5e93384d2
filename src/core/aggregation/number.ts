import { AggregationInputError, prepareAnswers } from './prepare.ts';

/**
 * Numeric answers. `median`: the item's median. `weighted` (default): a robust, worker-weighted
 * estimate — alternately (1) each item's estimate is the weighted median of its answers and
 * (2) each worker's error scale is the root-mean-square of their residuals, each residual
 * measured in units of the item's own spread (1.4826 × MAD, floored at the agreement
 * tolerance) and clipped at ±NUMBER_CLIP, with one pseudo-residual of 1 as a prior; a worker's
 * weight is 1 / scale². Careless workers lose weight everywhere, not just where they are outliers.
 *
 * Confidence is the weighted share of the item's answers that lie within the agreement
 * tolerance of the estimate (max(absolute, relative × |estimate|)); a single answer agrees with
 * itself, so dynamic overlap on numbers needs minAnswers ≥ 2.
 */
export interface NumberAnswers {
  nItems: number;
  nWorkers: number;
  item: Int32Array;
  worker: Int32Array;
  value: Float64Array;
}

export type NumberMethod = 'median' | 'weighted';

export interface NumberOptions {
  method?: NumberMethod;
  /** Known values per item (length nItems), NaN where unknown. */
  gold?: Float64Array;
  /** Two answers agree when they differ by at most max(absolute, relative × |value|). */
  tolerance?: { absolute?: number; relative?: number };
  maxIterations?: number;
}

export interface NumberResult {
  /** Estimate per item; NaN when the item has no answers and no gold. */
  value: Float64Array;
  confidence: Float64Array;
  /** 1.4826 × median absolute deviation of the item's answers (a robust standard deviation). */
  spread: Float64Array;
  itemAnswers: Int32Array;
  /** Share of the worker's answers within tolerance of the estimate; NaN with no answers. */
  workerQuality: Float64Array;
  /** Worker's error scale in units of item spread (1 ≈ typical); NaN with no answers. */
  workerError: Float64Array;
  iterations: number;
}

export const NUMBER_CLIP = 10;
export const DEFAULT_NUMBER_TOLERANCE = { absolute: 1e-9, relative: 0.01 };

/** Weighted median of v[0..n) (lower median when weights split evenly). Sorts a copy. */
export function weightedMedian(v: Float64Array, w: Float64Array | null, n: number, idx: Int32Array): number {
  if (n === 0) return NaN;
  for (let j = 0; j < n; j++) idx[j] = j;
  const sub = idx.subarray(0, n);
  sub.sort((a, b) => v[a] - v[b]);
  if (!w) {
    const mid = n >> 1;
    return n % 2 ? v[sub[mid]] : (v[sub[mid - 1]] + v[sub[mid]]) / 2;
  }
  let tot = 0;
  for (let j = 0; j < n; j++) tot += w[j];
  let acc = 0;
  for (let j = 0; j < n; j++) {
    acc += w[sub[j]];
    if (acc >= tot / 2 - 1e-12 * tot) {
      // Exactly half the weight below: average with the next value, as an unweighted median does.
      if (Math.abs(acc - tot / 2) <= 1e-12 * tot && j + 1 < n) return (v[sub[j]] + v[sub[j + 1]]) / 2;
      return v[sub[j]];
    }
  }
  return v[sub[n - 1]];
}

export function aggregateNumbers(a: NumberAnswers, opts: NumberOptions = {}): NumberResult {
  const { nItems, nWorkers } = a;
  const m = a.item.length;
  if (a.value.length !== m) throw new AggregationInputError(`value has length ${a.value.length}, expected ${m}`);
  for (let j = 0; j < m; j++)
    if (!Number.isFinite(a.value[j])) throw new AggregationInputError(`value[${j}] = ${a.value[j]} is not a finite number`);
  if (opts.gold && opts.gold.length !== nItems) throw new AggregationInputError(`gold has length ${opts.gold.length}, expected ${nItems}`);
  const p = prepareAnswers({ nItems, nWorkers, nLabels: 1, item: a.item, worker: a.worker, label: new Int32Array(m) });
  const { itemStart, worker, source } = p;
  const n = p.n;
  const x = new Float64Array(n);
  for (let q = 0; q < n; q++) x[q] = a.value[source[q]];
  const absTol = opts.tolerance?.absolute ?? DEFAULT_NUMBER_TOLERANCE.absolute;
  const relTol = opts.tolerance?.relative ?? DEFAULT_NUMBER_TOLERANCE.relative;
  const tolOf = (v: number): number => Math.max(absTol, relTol * Math.abs(v));
  const weighted = (opts.method ?? 'weighted') === 'weighted';
  const maxIt = opts.maxIterations ?? 20;

  let maxPer = 0;
  for (let i = 0; i < nItems; i++) maxPer = Math.max(maxPer, itemStart[i + 1] - itemStart[i]);
  const idx = new Int32Array(maxPer);
  const vals = new Float64Array(maxPer);
  const ws = new Float64Array(maxPer);
  const value = new Float64Array(nItems).fill(NaN);
  const spread = new Float64Array(nItems);
  const weight = new Float64Array(nWorkers).fill(1);
  const errSum = new Float64Array(nWorkers);
  const workerError = new Float64Array(nWorkers).fill(NaN);

  const estimate = (useWeights: boolean): boolean => {
    let changed = false;
    for (let i = 0; i < nItems; i++) {
      const s = itemStart[i];
      const c = itemStart[i + 1] - s;
      const g = opts.gold ? opts.gold[i] : NaN;
      let v: number;
      if (!Number.isNaN(g)) v = g;
      else if (c === 0) continue;
      else {
        for (let j = 0; j < c; j++) {
          vals[j] = x[s + j];
          ws[j] = weight[worker[s + j]];
        }
        v = weightedMedian(vals, useWeights ? ws : null, c, idx);
      }
      if (v !== value[i]) changed = true;
      value[i] = v;
    }
    return changed;
  };

  estimate(false);
  // Spreads are measured once around the plain median so that the unit of error is fixed.
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i];
    const c = itemStart[i + 1] - s;
    for (let j = 0; j < c; j++) vals[j] = Math.abs(x[s + j] - value[i]);
    spread[i] = c > 0 ? 1.4826 * weightedMedian(vals, null, c, idx) : 0;
  }
  let it = 0;
  if (weighted) {
    while (it < maxIt) {
      it++;
      errSum.fill(0);
      for (let i = 0; i < nItems; i++) {
        const unit = Math.max(spread[i], tolOf(value[i]));
        for (let q = itemStart[i]; q < itemStart[i + 1]; q++) {
          const r = Math.min(NUMBER_CLIP, Math.abs(x[q] - value[i]) / unit);
          errSum[worker[q]] += r * r;
        }
      }
      for (let w = 0; w < nWorkers; w++) {
        const e2 = (errSum[w] + 1) / (p.workerAnswers[w] + 1);
        weight[w] = 1 / e2;
        workerError[w] = p.workerAnswers[w] > 0 ? Math.sqrt(e2) : NaN;
      }
      if (!estimate(true)) break;
    }
  }

  const confidence = new Float64Array(nItems);
  const itemAnswers = new Int32Array(nItems);
  const agree = new Float64Array(nWorkers);
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i];
    const e = itemStart[i + 1];
    itemAnswers[i] = e - s;
    if (Number.isNaN(value[i])) continue;
    const gold = opts.gold && !Number.isNaN(opts.gold[i]);
    const tol = tolOf(value[i]);
    let tot = 0;
    let ok = 0;
    for (let q = s; q < e; q++) {
      const w = weighted ? weight[worker[q]] : 1;
      tot += w;
      if (Math.abs(x[q] - value[i]) <= tol) {
        ok += w;
        agree[worker[q]]++;
      }
    }
    confidence[i] = gold ? 1 : tot > 0 ? ok / tot : 0;
  }
  const workerQuality = new Float64Array(nWorkers);
  for (let w = 0; w < nWorkers; w++) workerQuality[w] = p.workerAnswers[w] > 0 ? agree[w] / p.workerAnswers[w] : NaN;
  return { value, confidence, spread, itemAnswers, workerQuality, workerError, iterations: it };
}
