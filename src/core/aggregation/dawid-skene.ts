import { confusionFromCounts, diagMatrix, finish, priorFromCounts, qualityFromConfusion, runTableModel, tabIndex } from './common.ts';
import type { PreparedAnswers } from './prepare.ts';
import type { CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * Dawid-Skene (1979): one full confusion matrix per worker, EM from the majority-vote
 * posterior. The M-step adds pseudo-answers to every confusion row — `DS_PRIOR_RIGHT` on the
 * correct label and `DS_PRIOR_WRONG` spread over the K − 1 wrong ones — i.e. a weak prior that
 * a worker without a track record is right 2/3 of the time, worth 1.5 answers. It keeps labels
 * nobody used away from log(0), and decides the otherwise unidentifiable case of a worker with
 * a single answer (plain maximum likelihood lets such a worker be "always right" or "always
 * wrong" equally well). Class shares get `DS_PRIOR_PSEUDO` pseudo-items each.
 */
export const DS_PRIOR_RIGHT = 1;
export const DS_PRIOR_WRONG = 0.5;
export const DS_PRIOR_PSEUDO = 0.01;

export function dawidSkene(p: PreparedAnswers, opts: CategoricalOptions = {}): CategoricalResult {
  const { nWorkers, K } = p;
  const smooth = diagMatrix(K, DS_PRIOR_RIGHT, K > 1 ? DS_PRIOR_WRONG / (K - 1) : 0);
  // The table holds the confusion probabilities themselves (runTableModel's 'prob' space): the
  // E-step multiplies them, so neither step takes a logarithm or an exponential per entry.
  const run = runTableModel(
    p,
    opts,
    (tab, classCount, prior) => {
      for (let w = 0; w < nWorkers; w++) {
        for (let k = 0; k < K; k++) {
          let row = 0;
          for (let l = 0; l < K; l++) row += tab[tabIndex(K, w, l) + K + k] + smooth[k * K + l];
          const inv = 1 / row;
          for (let l = 0; l < K; l++) {
            const t = tabIndex(K, w, l);
            tab[t + k] = (tab[t + K + k] + smooth[k * K + l]) * inv;
          }
        }
      }
      prior.set(priorFromCounts(classCount, DS_PRIOR_PSEUDO));
    },
    'prob',
  );
  const prior = priorFromCounts(run.classCount, DS_PRIOR_PSEUDO);
  const confusion = confusionFromCounts(p, run.tab, smooth);
  return finish('ds', p, run.post, prior, qualityFromConfusion(p, confusion, prior), {
    confusion,
    iterations: run.iterations,
    converged: run.converged,
  }, opts.seed ?? 1);
}
