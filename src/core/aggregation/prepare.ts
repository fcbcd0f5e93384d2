import type { CategoricalAnswers, CategoricalOptions } from './types.ts';

/**
 * Answers grouped by item (CSR), one answer per (item, worker): when a worker answered the same
 * item more than once, only the last answer in arrival order is kept.
 */
export interface PreparedAnswers {
  nItems: number;
  nWorkers: number;
  K: number;
  /** Answers of item i are at [itemStart[i], itemStart[i+1]). */
  itemStart: Int32Array;
  worker: Int32Array;
  label: Int32Array;
  /** Index in the input arrays of each kept answer (to carry extra per-answer data along). */
  source: Int32Array;
  /** gold[i] = label index or -1. */
  gold: Int32Array;
  workerAnswers: Int32Array;
  /** Number of answers (after deduplication). */
  n: number;
}

export class AggregationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AggregationInputError';
  }
}

function checkIndexArray(name: string, a: Int32Array, n: number, bound: number, what: string): void {
  if (a.length !== n) throw new AggregationInputError(`${name} has length ${a.length}, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v < 0 || v >= bound) throw new AggregationInputError(`${name}[${i}] = ${v} is not a valid ${what} index (0..${bound - 1})`);
  }
}

/** Validates, deduplicates (last answer wins) and groups answers by item. O(answers + items + workers). */
export function prepareAnswers(a: CategoricalAnswers, opts: CategoricalOptions = {}): PreparedAnswers {
  const { nItems, nWorkers, nLabels: K } = a;
  if (!(Number.isInteger(nItems) && nItems >= 0)) throw new AggregationInputError('nItems must be a non-negative integer');
  if (!(Number.isInteger(nWorkers) && nWorkers >= 0)) throw new AggregationInputError('nWorkers must be a non-negative integer');
  if (!(Number.isInteger(K) && K >= 1)) throw new AggregationInputError('nLabels must be a positive integer');
  const m = a.item.length;
  const item = a.item;
  const aw = a.worker;
  const al = a.label;
  // One pass validates all three index arrays, counts answers per item and notes whether the
  // input already arrives grouped by item (then the sort below is the identity and is skipped).
  // On a bad entry the per-array checks run to report the first one with the usual message.
  if (aw.length !== m || al.length !== m) {
    checkIndexArray('item', item, m, nItems, 'item');
    checkIndexArray('worker', aw, m, nWorkers, 'worker');
    checkIndexArray('label', al, m, K, 'label');
  }
  const start = new Int32Array(nItems + 1);
  let sorted = true;
  let bad = false;
  let prev = 0;
  for (let j = 0; j < m; j++) {
    const i = item[j];
    const w = aw[j];
    const l = al[j];
    if (!(i >= 0 && i < nItems && w >= 0 && w < nWorkers && l >= 0 && l < K)) {
      bad = true;
      break;
    }
    if (i < prev) sorted = false;
    prev = i;
    start[i + 1]++;
  }
  if (bad) {
    checkIndexArray('item', item, m, nItems, 'item');
    checkIndexArray('worker', aw, m, nWorkers, 'worker');
    checkIndexArray('label', al, m, K, 'label');
  }
  const gold = new Int32Array(nItems).fill(-1);
  if (opts.gold) {
    if (opts.gold.length !== nItems) throw new AggregationInputError(`gold has length ${opts.gold.length}, expected ${nItems}`);
    for (let i = 0; i < nItems; i++) {
      const g = opts.gold[i];
      if (g < -1 || g >= K) throw new AggregationInputError(`gold[${i}] = ${g} is not -1 or a label index (0..${K - 1})`);
      gold[i] = g;
    }
  }

  // Stable counting sort by item keeps arrival order within each item (identity when sorted).
  for (let i = 0; i < nItems; i++) start[i + 1] += start[i];
  let order: Int32Array | null = null;
  if (!sorted) {
    const fill = start.slice(0, nItems);
    order = new Int32Array(m);
    for (let j = 0; j < m; j++) order[fill[item[j]]++] = j;
  }

  // Walk each item's answers newest first; a worker already seen for this item is an older duplicate.
  const seen = new Int32Array(nWorkers).fill(-1);
  const keep = new Uint8Array(m);
  let n = 0;
  for (let i = 0; i < nItems; i++) {
    for (let p = start[i + 1] - 1; p >= start[i]; p--) {
      const w = aw[order ? order[p] : p];
      if (seen[w] !== i) {
        seen[w] = i;
        keep[p] = 1;
        n++;
      }
    }
  }
  const worker = new Int32Array(n);
  const label = new Int32Array(n);
  const source = new Int32Array(n);
  const workerAnswers = new Int32Array(nWorkers);
  let itemStart: Int32Array;
  if (!order && n === m) {
    // Grouped by item and no duplicates: the CSR arrays are copies of the input.
    itemStart = start;
    worker.set(aw);
    label.set(al);
    for (let j = 0; j < m; j++) {
      source[j] = j;
      workerAnswers[aw[j]]++;
    }
  } else {
    itemStart = new Int32Array(nItems + 1);
    let q = 0;
    for (let i = 0; i < nItems; i++) {
      itemStart[i] = q;
      for (let p = start[i]; p < start[i + 1]; p++) {
        if (!keep[p]) continue;
        const j = order ? order[p] : p;
        worker[q] = aw[j];
        label[q] = al[j];
        source[q] = j;
        workerAnswers[aw[j]]++;
        q++;
      }
    }
    itemStart[nItems] = q;
  }
  return { nItems, nWorkers, K, itemStart, worker, label, source, gold, workerAnswers, n };
}
