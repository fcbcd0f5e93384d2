import { dawidSkene } from './dawid-skene.ts';
import { ebcc } from './ebcc.ts';
import { glad } from './glad.ts';
import { ibcc } from './ibcc.ts';
import { majorityVote, weightedMajorityVote } from './majority.ts';
import { oneCoin } from './one-coin.ts';
import { AggregationInputError, prepareAnswers, type PreparedAnswers } from './prepare.ts';
import { CATEGORICAL_METHODS, type CategoricalAnswers, type CategoricalMethod, type CategoricalOptions, type CategoricalResult } from './types.ts';

/**
 * The method used when none is named. Chosen by measured accuracy on the five public sets in
 * shared/datasets (see datasets.test.ts and this folder's README.md): IBCC with the empirical
 * class prior had the best accuracy averaged over sets among the deterministic methods, is as
 * fast as Dawid-Skene, and needs no random restarts. EBCC ties or beats it on some sets but
 * depends on its random initialisation (on the bluebird set its accuracy ranges 0.84-0.89 with
 * the seed) and costs 10-50× the time.
 */
export const DEFAULT_METHOD: CategoricalMethod = 'ibcc';

const RUNNERS: Record<CategoricalMethod, (p: PreparedAnswers, o: CategoricalOptions) => CategoricalResult> = {
  mv: majorityVote,
  wmv: weightedMajorityVote,
  ds: dawidSkene,
  onecoin: oneCoin,
  glad,
  ibcc,
  ebcc,
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
