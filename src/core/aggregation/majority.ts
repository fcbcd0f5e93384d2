import { finish, isInformative, voteShares } from './common.ts';
import { argmaxRow } from './math.ts';
import type { PreparedAnswers } from './prepare.ts';
import type { CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * Majority vote. The posterior is the vote share; a worker's quality is the share of their
 * answers that agree with the winning label.
 */
export function majorityVote(p: PreparedAnswers, opts: CategoricalOptions = {}): CategoricalResult {
  const seed = opts.seed ?? 1;
  const post = voteShares(p);
  const prior = classShares(p, post);
  const winner = winners(p, post, seed);
  const quality = agreement(p, winner);
  return finish('mv', p, post, prior, quality, { iterations: 1, converged: true }, seed);
}

/**
 * Weighted majority vote by gold accuracy. Each worker gets the weight
 * w = log((K − 1) · acc / (1 − acc)), the log-odds of a correct answer under a "one-coin" model,
 * clipped at 0 so that workers at or below chance carry no vote. `acc` is the share of the
 * worker's gold answers that were right, shrunk towards the mean gold accuracy of all workers
 * with `WMV_SHRINK` pseudo-answers (so one lucky gold answer is not a perfect score). Without
 * any gold, accuracy is measured against the leave-one-out majority of the other workers
 * instead. The posterior is the one-coin posterior under those fixed accuracies.
 */
export const WMV_SHRINK = 2;

export function weightedMajorityVote(p: PreparedAnswers, opts: CategoricalOptions = {}): CategoricalResult {
  const { nItems, nWorkers, K, itemStart, worker, label, gold } = p;
  const seed = opts.seed ?? 1;
  const right = new Float64Array(nWorkers);
  const seen = new Float64Array(nWorkers);
  let anyGold = false;
  for (let i = 0; i < nItems; i++) {
    const g = gold[i];
    if (g < 0) continue;
    for (let a = itemStart[i]; a < itemStart[i + 1]; a++) {
      anyGold = true;
      seen[worker[a]]++;
      if (label[a] === g) right[worker[a]]++;
    }
  }
  if (!anyGold) leaveOneOutAgreement(p, right, seen);
  let totRight = 0;
  let totSeen = 0;
  for (let w = 0; w < nWorkers; w++) {
    totRight += right[w];
    totSeen += seen[w];
  }
  const chance = K > 1 ? 1 / K : 0.5;
  const mean = totSeen > 0 ? totRight / totSeen : Math.min(0.99, chance + 0.25);
  const acc = new Float64Array(nWorkers);
  const weight = new Float64Array(nWorkers);
  for (let w = 0; w < nWorkers; w++) {
    const a = Math.min(1 - 1e-3, Math.max(1e-3, (right[w] + WMV_SHRINK * mean) / (seen[w] + WMV_SHRINK)));
    acc[w] = p.workerAnswers[w] > 0 ? a : NaN;
    weight[w] = K > 1 ? Math.max(0, Math.log(((K - 1) * a) / (1 - a))) : 0;
  }
  const post = new Float64Array(nItems * K);
  for (let i = 0; i < nItems; i++) {
    if (!isInformative(p, i) || gold[i] >= 0) continue;
    const off = i * K;
    let tot = 0;
    for (let a = itemStart[i]; a < itemStart[i + 1]; a++) {
      post[off + label[a]] += weight[worker[a]];
      tot += weight[worker[a]];
    }
    if (tot === 0) {
      // Every answer came from a worker with no weight: fall back to the plain vote.
      for (let a = itemStart[i]; a < itemStart[i + 1]; a++) post[off + label[a]] += 1;
    }
    let m = -Infinity;
    for (let k = 0; k < K; k++) if (post[off + k] > m) m = post[off + k];
    let s = 0;
    for (let k = 0; k < K; k++) s += post[off + k] = Math.exp(post[off + k] - m);
    for (let k = 0; k < K; k++) post[off + k] /= s;
  }
  const confusion = new Float64Array(nWorkers * K * K);
  for (let w = 0; w < nWorkers; w++) {
    const a = Number.isNaN(acc[w]) ? mean : acc[w];
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) confusion[(w * K + k) * K + l] = K === 1 ? 1 : k === l ? a : (1 - a) / (K - 1);
  }
  const gp = voteShares(p);
  for (let i = 0; i < nItems; i++) if (gold[i] >= 0) for (let k = 0; k < K; k++) post[i * K + k] = gp[i * K + k];
  return finish('wmv', p, post, classShares(p, post), acc, { confusion, iterations: 1, converged: true }, seed);
}

/** Agreement of each answer with the majority of the *other* answers on the item (ties: share). */
function leaveOneOutAgreement(p: PreparedAnswers, right: Float64Array, seen: Float64Array): void {
  const { nItems, K, itemStart, worker, label } = p;
  const votes = new Float64Array(K);
  for (let i = 0; i < nItems; i++) {
    const s = itemStart[i];
    const e = itemStart[i + 1];
    if (e - s < 2) continue;
    votes.fill(0);
    for (let a = s; a < e; a++) votes[label[a]]++;
    for (let a = s; a < e; a++) {
      votes[label[a]]--;
      let m = 0;
      for (let k = 0; k < K; k++) if (votes[k] > m) m = votes[k];
      let ties = 0;
      for (let k = 0; k < K; k++) if (votes[k] === m) ties++;
      seen[worker[a]]++;
      if (votes[label[a]] === m) right[worker[a]] += 1 / ties;
      votes[label[a]]++;
    }
  }
}

function classShares(p: PreparedAnswers, post: Float64Array): Float64Array {
  const { nItems, K } = p;
  const prior = new Float64Array(K);
  let n = 0;
  for (let i = 0; i < nItems; i++) {
    if (!isInformative(p, i)) continue;
    n++;
    for (let k = 0; k < K; k++) prior[k] += post[i * K + k];
  }
  for (let k = 0; k < K; k++) prior[k] = n > 0 ? prior[k] / n : 1 / K;
  return prior;
}

function winners(p: PreparedAnswers, post: Float64Array, seed: number): Int32Array {
  const win = new Int32Array(p.nItems).fill(-1);
  for (let i = 0; i < p.nItems; i++) if (isInformative(p, i)) win[i] = argmaxRow(post, i * p.K, p.K, i, seed);
  return win;
}

function agreement(p: PreparedAnswers, win: Int32Array): Float64Array {
  const { nItems, nWorkers, itemStart, worker, label } = p;
  const agree = new Float64Array(nWorkers);
  for (let i = 0; i < nItems; i++)
    for (let a = itemStart[i]; a < itemStart[i + 1]; a++) if (label[a] === win[i]) agree[worker[a]]++;
  for (let w = 0; w < nWorkers; w++) agree[w] = p.workerAnswers[w] > 0 ? agree[w] / p.workerAnswers[w] : NaN;
  return agree;
}
