import { dawidSkene } from './dawid-skene.ts';
import { bcc, ebcc } from './ebcc.ts';
import { glad } from './glad.ts';
import { ibcc } from './ibcc.ts';
import { majorityVote, weightedMajorityVote } from './majority.ts';
import { oneCoin } from './one-coin.ts';
import { AggregationInputError, prepareAnswers, type PreparedAnswers } from './prepare.ts';
import { CATEGORICAL_METHODS, type CategoricalAnswers, type CategoricalMethod, type CategoricalOptions, type CategoricalResult } from './types.ts';

/**
 * The method used when none is named. Chosen by measured accuracy on the five public sets in
 * shared/datasets (see datasets.test.ts and this folder's README.md): BCC — IBCC, or EBCC with
 * more subtypes per class when the variational evidence prefers it — meets or beats the best
 * published figure on every set with one rule and no tuned constant, is deterministic (no
 * random start, no seed), and costs IBCC plus one extra fit whenever the evidence keeps M = 1.
 */
export const DEFAULT_METHOD: CategoricalMethod = 'bcc';

const RUNNERS: Record<CategoricalMethod, (p: PreparedAnswers, o: CategoricalOptions) => CategoricalResult> = {
  mv: majorityVote,
  wmv: weightedMajorityVote,
  ds: dawidSkene,
  onecoin: oneCoin,
  glad,
  ibcc,
  ebcc,
  bcc,
};

export function isCategoricalMethod(name: string): name is CategoricalMethod {
  return (CATEGORICAL_METHODS as readonly string[]).includes(name);
}

/**
 * Truth inference for single-choice answers. Pure and synchronous; O(answers) memory.
 * Duplicate answers by one worker on one item: the last in array order counts.
 */
export function aggregateCategorical(
  answers: CategoricalAnswers,
  options: CategoricalOptions & { method?: CategoricalMethod } = {},
): CategoricalResult {
  const method = options.method ?? DEFAULT_METHOD;
  const run = RUNNERS[method];
  if (!run) throw new AggregationInputError(`unknown method "${String(method)}" (one of ${CATEGORICAL_METHODS.join(', ')})`);
  return run(prepareAnswers(answers, options), options);
}
