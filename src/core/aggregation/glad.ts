import { Convergence, DEFAULT_TOLERANCE, finish, initialPosterior, isInformative, priorFromCounts } from './common.ts';
import { softmaxRow } from './math.ts';
import type { PreparedAnswers } from './prepare.ts';
import type { CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * GLAD (Whitehill et al. 2009): worker w with ability α_w answers item i correctly with
 * probability σ(α_w · β_i), where β_i > 0 is the item's easiness; wrong answers are uniform over
 * the other K − 1 labels. EM: the E-step is exact; the M-step takes Newton (Fisher scoring)
 * steps on every α_w and on log β_i with Gaussian priors α ~ N(GLAD_ALPHA_MEAN, 1) and
 * log β ~ N(0, 1), which keep the estimates of workers and items with one answer finite.
 * As in the original paper the class prior is fixed (uniform): see one-coin.ts for why a
 * symmetric-error model should not learn it.
 */
export const GLAD_ALPHA_MEAN = 1;
const PRIOR_PSEUDO = 0.01;
const MAX_STEP = 2;


export function glad(p: PreparedAnswers, opts: CategoricalOptions = {}): CategoricalResult {
  const { nItems, nWorkers, K, itemStart, worker, label, gold } = p;
  const tol = opts.tolerance ?? DEFAULT_TOLERANCE;
  const maxIt = opts.maxIterations ?? 200;
  const lwK = Math.log(Math.max(1, K - 1));
  const post = initialPosterior(p, opts.warmStart);
  const alpha = new Float64Array(nWorkers).fill(GLAD_ALPHA_MEAN);
  const logBeta = new Float64Array(nItems);
  const beta = new Float64Array(nItems).fill(1);
  const gA = new Float64Array(nWorkers);
  const hA = new Float64Array(nWorkers);
  const classCount = new Float64Array(K);
  const logPrior = new Float64Array(K).fill(-Math.log(K));
  const scratch = new Float64Array(K);
  const conv = new Convergence(tol, nItems);
  let it = 0;
  let converged = false;

  const mStep = (): void => {
    // Abilities, with easiness fixed.
    gA.fill(0);
    hA.fill(0);
    for (let i = 0; i < nItems; i++) {
      const b = beta[i];
      const off = i * K;
      for (let a = itemStart[i]; a < itemStart[i + 1]; a++) {
        const w = worker[a];
        const s = 1 / (1 + Math.exp(-alpha[w] * b));
        gA[w] += (post[off + label[a]] - s) * b;
        hA[w] += s * (1 - s) * b * b;
      }
    }
    for (let w = 0; w < nWorkers; w++) {
      const g = gA[w] - (alpha[w] - GLAD_ALPHA_MEAN);
      const h = hA[w] + 1;
      alpha[w] += Math.max(-MAX_STEP, Math.min(MAX_STEP, g / h));
    }
    // Easiness, with abilities fixed.
    for (let i = 0; i < nItems; i++) {
      const s0 = itemStart[i];
      const e0 = itemStart[i + 1];
      if (s0 === e0) continue;
      const b = beta[i];
      const off = i * K;
      let g = -logBeta[i];
      let h = 1;
      for (let a = s0; a < e0; a++) {
        const al = alpha[worker[a]];
        const z = al * b;
        const s = 1 / (1 + Math.exp(-z));
        g += (post[off + label[a]] - s) * z;
        h += s * (1 - s) * z * z;
      }
      logBeta[i] += Math.max(-MAX_STEP, Math.min(MAX_STEP, g / h));
      beta[i] = Math.exp(logBeta[i]);
    }
    
  };

  while (it < maxIt) {
    mStep();
    it++;
    let maxDelta = 0;
    let sumDelta = 0;
    let objective = 0;
    for (let i = 0; i < nItems; i++) {
      const s0 = itemStart[i];
      const e0 = itemStart[i + 1];
      if (gold[i] >= 0 || s0 === e0) continue;
      const off = i * K;
      const b = beta[i];
      let base = 0;
      for (let k = 0; k < K; k++) scratch[k] = logPrior[k];
      for (let a = s0; a < e0; a++) {
        const z = alpha[worker[a]] * b;
        // log σ(z) and log σ(−z) share one exp and one log1p.
        const l1 = Math.log1p(Math.exp(-Math.abs(z)));
        const right = -(z < 0 ? -z : 0) - l1;
        const wrong = -(z > 0 ? z : 0) - l1 - lwK;
        base += wrong;
        scratch[label[a]] += right - wrong;
      }
      for (let k = 0; k < K; k++) scratch[k] += base;
      objective += softmaxRow(scratch, 0, K);
      for (let k = 0; k < K; k++) {
        const d = Math.abs(scratch[k] - post[off + k]);
        if (d > maxDelta) maxDelta = d;
        sumDelta += d;
        post[off + k] = scratch[k];
      }
    }
    if (conv.done(objective, maxDelta, sumDelta)) {
      converged = true;
      break;
    }
  }

  for (let i = 0; i < nItems; i++) if (isInformative(p, i)) for (let k = 0; k < K; k++) classCount[k] += post[i * K + k];
  const quality = new Float64Array(nWorkers);
  for (let i = 0; i < nItems; i++)
    for (let a = itemStart[i]; a < itemStart[i + 1]; a++) quality[worker[a]] += 1 / (1 + Math.exp(-alpha[worker[a]] * beta[i]));
  for (let w = 0; w < nWorkers; w++) quality[w] = p.workerAnswers[w] > 0 ? quality[w] / p.workerAnswers[w] : NaN;
  return finish('glad', p, post, priorFromCounts(classCount, PRIOR_PSEUDO), quality, {
    workerSkill: alpha,
    itemEasiness: beta,
    iterations: it,
    converged,
  }, opts.seed ?? 1);
}
