import { aggregateCategorical, DEFAULT_METHOD } from './categorical.ts';
import { AggregationInputError } from './prepare.ts';
import type { CategoricalMethod, CategoricalOptions } from './types.ts';

/**
 * Multiple-choice answers: every answer is a set of options. Each option is inferred on its own
 * as a binary question ("is option o selected?") with a categorical method, so each worker gets
 * a separate 2×2 confusion per option (some workers tick too much, some too little).
 */
export interface MultiChoiceAnswers {
  nItems: number;
  nWorkers: number;
  nOptions: number;
  item: Int32Array;
  worker: Int32Array;
  /** Row-major answers × nOptions: 1 when the answer selected the option. */
  selected: Uint8Array;
}

export interface MultiChoiceOptions extends CategoricalOptions {
  method?: CategoricalMethod;
  /** Hides the categorical `gold`: here gold is nItems × nOptions, -1 unknown, else 0/1. */
  gold?: never;
  goldSelected?: Int8Array;
}

export interface MultiChoiceResult {
  /** nItems × nOptions: 1 when the option is in the consensus set. */
  selected: Uint8Array;
  /** nItems × nOptions: posterior probability that the option is selected. */
  probability: Float64Array;
  /** Per item: probability that the whole consensus set is right (product over options). */
  confidence: Float64Array;
  /** Per item: answers used. */
  itemAnswers: Int32Array;
  /** nWorkers × nOptions: estimated accuracy of the worker on each option (NaN: no answers). */
  workerOptionQuality: Float64Array;
  /** Per worker: mean accuracy over options. */
  workerQuality: Float64Array;
}

export function aggregateMultiChoice(a: MultiChoiceAnswers, opts: MultiChoiceOptions = {}): MultiChoiceResult {
  const { nItems, nWorkers, nOptions } = a;
  const n = a.item.length;
  if (a.selected.length !== n * nOptions)
    throw new AggregationInputError(`selected has length ${a.selected.length}, expected answers × nOptions = ${n * nOptions}`);
  if (opts.goldSelected && opts.goldSelected.length !== nItems * nOptions)
    throw new AggregationInputError(`goldSelected has length ${opts.goldSelected.length}, expected nItems × nOptions`);
  const selected = new Uint8Array(nItems * nOptions);
  const probability = new Float64Array(nItems * nOptions);
  const confidence = new Float64Array(nItems).fill(1);
  const workerOptionQuality = new Float64Array(nWorkers * nOptions);
  const workerQuality = new Float64Array(nWorkers);
  let itemAnswers: Int32Array = new Int32Array(nItems);
  const label = new Int32Array(n);
  const gold = new Int32Array(nItems);
  for (let o = 0; o < nOptions; o++) {
    for (let j = 0; j < n; j++) label[j] = a.selected[j * nOptions + o] ? 1 : 0;
    for (let i = 0; i < nItems; i++) gold[i] = opts.goldSelected ? opts.goldSelected[i * nOptions + o] : -1;
    const r = aggregateCategorical(
      { nItems, nWorkers, nLabels: 2, item: a.item, worker: a.worker, label },
      { ...opts, gold, method: opts.method ?? DEFAULT_METHOD },
    );
    itemAnswers = r.itemAnswers;
    for (let i = 0; i < nItems; i++) {
      const p1 = r.posterior[i * 2 + 1];
      probability[i * nOptions + o] = p1;
      const on = r.label[i] === 1;
      selected[i * nOptions + o] = on ? 1 : 0;
      confidence[i] *= r.label[i] < 0 ? 0 : on ? p1 : 1 - p1;
    }
    for (let w = 0; w < nWorkers; w++) {
      workerOptionQuality[w * nOptions + o] = r.workerQuality[w];
      workerQuality[w] += r.workerQuality[w] / nOptions;
    }
  }
  return { selected, probability, confidence, itemAnswers, workerOptionQuality, workerQuality };
}
