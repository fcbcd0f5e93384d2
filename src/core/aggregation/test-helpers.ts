import { rng, TIE_EPS } from './math.ts';
import type { CategoricalAnswers, CategoricalResult } from './types.ts';

/** Builds CategoricalAnswers from [item, worker, label] triples (test helper). */
export function answersOf(
  triples: readonly (readonly [number, number, number])[],
  dims: { nItems?: number; nWorkers?: number; nLabels?: number } = {},
): CategoricalAnswers {
  let nItems = dims.nItems ?? 0;
  let nWorkers = dims.nWorkers ?? 0;
  let nLabels = dims.nLabels ?? 1;
  for (const [i, w, l] of triples) {
    nItems = Math.max(nItems, i + 1);
    nWorkers = Math.max(nWorkers, w + 1);
    nLabels = Math.max(nLabels, l + 1);
  }
  return {
    nItems,
    nWorkers,
    nLabels,
    item: Int32Array.from(triples.map((t) => t[0])),
    worker: Int32Array.from(triples.map((t) => t[1])),
    label: Int32Array.from(triples.map((t) => t[2])),
  };
}

/**
 * A small simulated crowd: `good` workers right with probability `acc`, `spammers` who always
 * answer label 0, `adversaries` who answer (truth + 1) mod K. Every worker answers every item.
 */
export function simulatedCrowd(opts: {
  items: number;
  K: number;
  good: number;
  acc: number;
  spammers?: number;
  adversaries?: number;
  seed?: number;
}): { answers: CategoricalAnswers; truth: Int32Array } {
  const r = rng(opts.seed ?? 7);
  const { items, K, good, acc } = opts;
  const spam = opts.spammers ?? 0;
  const adv = opts.adversaries ?? 0;
  const truth = new Int32Array(items);
  const t: [number, number, number][] = [];
  for (let i = 0; i < items; i++) {
    truth[i] = Math.floor(r() * K);
    for (let w = 0; w < good; w++) {
      let l = truth[i];
      if (r() > acc) l = (l + 1 + Math.floor(r() * (K - 1))) % K;
      t.push([i, w, l]);
    }
    for (let s = 0; s < spam; s++) t.push([i, good + s, 0]);
    for (let a = 0; a < adv; a++) t.push([i, good + spam + a, (truth[i] + 1) % K]);
  }
  return { answers: answersOf(t, { nItems: items, nWorkers: good + spam + adv, nLabels: K }), truth };
}

export function accuracy(label: Int32Array, truth: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (label[i] === truth[i]) ok++;
  return ok / truth.length;
}

/**
 * Expected accuracy with fractional credit for ties (how the published references score): an item
 * whose top posterior is shared by n labels counts 1/n when the truth is among them.
 * `truth` holds [item index, label index]; items the answers never mention (index < 0) score 0.
 */
export function expectedAccuracy(r: CategoricalResult, truth: [number, number][]): number {
  const K = r.nLabels;
  let score = 0;
  for (const [i, t] of truth) {
    if (i < 0) continue;
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, r.posterior[i * K + k]);
    const lim = m - TIE_EPS * Math.max(1, Math.abs(m));
    let ties = 0;
    for (let k = 0; k < K; k++) if (r.posterior[i * K + k] >= lim) ties++;
    if (r.posterior[i * K + t] >= lim) score += 1 / ties;
  }
  return score / truth.length;
}
