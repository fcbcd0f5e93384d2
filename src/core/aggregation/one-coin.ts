import { finish, priorFromCounts, runTableModel, tabIndex } from './common.ts';
import type { PreparedAnswers } from './prepare.ts';
import type { CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * One-coin Dawid-Skene: each worker is right with probability p_w and otherwise picks one of
 * the K − 1 wrong labels uniformly. EM from the majority vote; p_w is the posterior mean under
 * a Beta(ONE_COIN_A, ONE_COIN_B) prior: a worker without a track record is taken to be right
 * 2/3 of the time, worth 1.5 answers (the same weak prior as Dawid-Skene).
 *
 * The class prior is held uniform. A one-coin model cannot express a worker's bias towards one
 * label, so when it also learns class shares, a crowd that over-uses one label drags the prior
 * towards it and EM runs away (measured: on the bluebird set the learned prior went to 97/3 and
 * accuracy fell below majority vote). The reported `classPrior` is the posterior class share.
 */
export const ONE_COIN_A = 1;
export const ONE_COIN_B = 0.5;

export function oneCoin(p: PreparedAnswers, opts: CategoricalOptions = {}): CategoricalResult {
  const { nWorkers, K } = p;
  const skill = new Float64Array(nWorkers);
  const skills = (tab: Float64Array): void => {
    for (let w = 0; w < nWorkers; w++) {
      let right = 0;
      for (let k = 0; k < K; k++) right += tab[tabIndex(K, w, k) + K + k];
      skill[w] = (right + ONE_COIN_A) / (p.workerAnswers[w] + ONE_COIN_A + ONE_COIN_B);
    }
  };
  const run = runTableModel(p, opts, (tab, _classCount, logPrior) => {
    skills(tab);
    for (let w = 0; w < nWorkers; w++) {
      const right = Math.log(skill[w]);
      const wrong = K > 1 ? Math.log((1 - skill[w]) / (K - 1)) : 0;
      for (let l = 0; l < K; l++) {
        const t = tabIndex(K, w, l);
        for (let k = 0; k < K; k++) tab[t + k] = l === k ? right : wrong;
      }
    }
    logPrior.fill(-Math.log(K));
  });
  skills(run.tab);
  const confusion = new Float64Array(nWorkers * K * K);
  const quality = new Float64Array(nWorkers);
  for (let w = 0; w < nWorkers; w++) {
    quality[w] = p.workerAnswers[w] > 0 ? skill[w] : NaN;
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) confusion[(w * K + k) * K + l] = k === l ? skill[w] : (1 - skill[w]) / (K - 1);
  }
  return finish('onecoin', p, run.post, priorFromCounts(run.classCount, 0), quality, {
    confusion,
    iterations: run.iterations,
    converged: run.converged,
  }, opts.seed ?? 1);
}
