import { confusionFromCounts, diagMatrix, empiricalClassPrior, finish, qualityFromConfusion, runTableModel, tabIndex, voteShares } from './common.ts';
import { digamma } from './math.ts';
import type { PreparedAnswers } from './prepare.ts';
import type { CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * Independent Bayesian Classifier Combination (Kim & Ghahramani 2012), variational inference.
 * Each worker's confusion row for true class k has a Dirichlet prior with `IBCC_DIAG`
 * pseudo-answers on the correct label and `IBCC_OFF` on each wrong one (a weak belief that
 * workers are better than chance: the same generic values as the EBCC paper). Class shares
 * have an empirical-Bayes Dirichlet prior whose parameters are the vote-share counts (floored at
 * `IBCC_ALPHA`), as in the EBCC reference experiments; IBCC is then exactly EBCC with a single
 * subtype per class. The E-step uses E[log θ] = ψ(count + prior) − ψ(row).
 */
export const IBCC_DIAG = 4;
export const IBCC_OFF = 1;
export const IBCC_ALPHA = 1;

export function ibcc(p: PreparedAnswers, opts: CategoricalOptions = {}): CategoricalResult {
  const { K } = p;
  const fit = ibccFit(p, opts);
  const { run, alpha, beta } = fit;
  const prior = new Float64Array(K);
  let tot = 0;
  for (let k = 0; k < K; k++) tot += run.classCount[k] + alpha[k];
  for (let k = 0; k < K; k++) prior[k] = (run.classCount[k] + alpha[k]) / tot;
  const confusion = confusionFromCounts(p, run.tab, beta);
  return finish('ibcc', p, run.post, prior, qualityFromConfusion(p, confusion, prior), {
    confusion,
    iterations: run.iterations,
    converged: run.converged,
  }, opts.seed ?? 1);
}

/**
 * The variational fit behind `ibcc`, also used by BCC (ebcc.ts) as its one-subtype model: the
 * posterior, the table (its counts half holds the statistics of that posterior, laid out as
 * EBCC's table with one subtype), and the priors.
 */
export function ibccFit(p: PreparedAnswers, opts: CategoricalOptions = {}): { run: ReturnType<typeof runTableModel>; alpha: Float64Array; beta: Float64Array } {
  const { nWorkers, K } = p;
  const beta = diagMatrix(K, IBCC_DIAG, IBCC_OFF);
  const alpha = empiricalClassPrior(p, voteShares(p), IBCC_ALPHA);
  const run = runTableModel(p, opts, (tab, classCount, logPrior) => {
    for (let w = 0; w < nWorkers; w++) {
      if (p.workerAnswers[w] === 0) continue;
      for (let k = 0; k < K; k++) {
        let row = 0;
        for (let l = 0; l < K; l++) row += tab[tabIndex(K, w, l) + K + k] + beta[k * K + l];
        const dr = digamma(row);
        for (let l = 0; l < K; l++) {
          const t = tabIndex(K, w, l);
          tab[t + k] = digamma(tab[t + K + k] + beta[k * K + l]) - dr;
        }
      }
    }
    let total = 0;
    for (let k = 0; k < K; k++) total += classCount[k] + alpha[k];
    const dt = digamma(total);
    for (let k = 0; k < K; k++) logPrior[k] = digamma(classCount[k] + alpha[k]) - dt;
  });
  return { run, alpha, beta };
}
