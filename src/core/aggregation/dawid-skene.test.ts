import { describe, expect, it } from 'vitest';
import { diagMatrix, priorFromCounts, runTableModel, tabIndex } from './common.ts';
import { dawidSkene, DS_PRIOR_PSEUDO, DS_PRIOR_RIGHT, DS_PRIOR_WRONG } from './dawid-skene.ts';
import { prepareAnswers, type PreparedAnswers } from './prepare.ts';
import { simulatedCrowd } from './test-helpers.ts';

/** Dawid-Skene as it was written first: the table in log space, Math.log per entry. */
function logSpaceDs(p: PreparedAnswers) {
  const { nWorkers, K } = p;
  const smooth = diagMatrix(K, DS_PRIOR_RIGHT, K > 1 ? DS_PRIOR_WRONG / (K - 1) : 0);
  return runTableModel(p, {}, (tab, classCount, logPrior) => {
    for (let w = 0; w < nWorkers; w++)
      for (let k = 0; k < K; k++) {
        let row = 0;
        for (let l = 0; l < K; l++) row += tab[tabIndex(K, w, l) + K + k] + smooth[k * K + l];
        const lr = Math.log(row);
        for (let l = 0; l < K; l++) tab[tabIndex(K, w, l) + k] = Math.log(tab[tabIndex(K, w, l) + K + k] + smooth[k * K + l]) - lr;
      }
    const prior = priorFromCounts(classCount, DS_PRIOR_PSEUDO);
    for (let k = 0; k < K; k++) logPrior[k] = Math.log(prior[k]);
  });
}

describe('Dawid-Skene in probability space', () => {
  it('gives the log-space posteriors within 1e-9, in the same number of iterations', () => {
    for (const [K, good, spammers, seed] of [
      [2, 7, 2, 1],
      [3, 5, 1, 2],
      [5, 9, 3, 3],
      [17, 6, 1, 4], // above UNROLL_MAX_K: the generic passes
    ]) {
      const { answers } = simulatedCrowd({ items: 300, K, good, acc: 0.7, spammers, seed });
      const p = prepareAnswers(answers);
      const ref = logSpaceDs(p);
      const r = dawidSkene(p);
      expect(r.iterations).toBe(ref.iterations);
      let max = 0;
      for (let j = 0; j < ref.post.length; j++) max = Math.max(max, Math.abs(ref.post[j] - r.posterior[j]));
      expect(max).toBeLessThan(1e-9);
    }
  });
});
