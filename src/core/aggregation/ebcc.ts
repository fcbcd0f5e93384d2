import { Convergence, DEFAULT_TOLERANCE, diagMatrix, recordOffsets, empiricalClassPrior, initialPosterior, finish, isInformative, qualityFromConfusion, voteShares } from './common.ts';
import { digamma, lgamma, rng } from './math.ts';
import { IBCC_ALPHA, IBCC_DIAG, IBCC_OFF, ibccFit } from './ibcc.ts';
import type { PreparedAnswers } from './prepare.ts';
import type { CategoricalOptions, CategoricalResult } from './types.ts';

/**
 * Enhanced Bayesian Classifier Combination (Li, Rubinstein & Cohn, ICML 2019), mean-field
 * variational inference. Each true class k is a mixture of `EBCC_SUBTYPES` latent subtypes;
 * a worker's confusion depends on the subtype, which lets the model capture workers who err
 * together on the same kind of item (worker correlation) while staying independent given the
 * subtype. Priors are the paper's generic defaults, not fitted to any dataset:
 *   subtype weights π_k ~ Dirichlet(EBCC_A_PI / M, ...), class shares τ ~ Dirichlet(EBCC_ALPHA),
 *   confusion rows v_{w,k,m} ~ Dirichlet(EBCC_DIAG on the correct label, EBCC_OFF elsewhere).
 * Subtype responsibilities start at random, so inference is restarted `EBCC_RESTARTS` times
 * with different seeds and the run with the highest evidence lower bound (ELBO) is kept.
 */
export const EBCC_SUBTYPES = 10;
export const EBCC_A_PI = 0.1;
export const EBCC_ALPHA = 1;
export const EBCC_DIAG = 4;
export const EBCC_OFF = 1;
export const EBCC_RESTARTS = 5;

export interface EbccOptions extends CategoricalOptions {
  /** Class-share prior: 'empirical' = the vote-share counts (as in the paper's experiments), else flat. */
  classPrior?: 'empirical' | 'flat';
}

/** How a fit splits each item's class mass among the subtypes before the first iteration. */
type Init = { kind: 'random'; seed: number } | { kind: 'spectral' };

interface Run {
  zg: Float64Array;
  /** Per (worker, label): KM expected log-confusions, then KM expected counts. */
  tab: Float64Array;
  classCount: Float64Array;
  subCount: Float64Array;
  elbo: number;
  iterations: number;
  converged: boolean;
}

export function ebcc(p: PreparedAnswers, opts: EbccOptions = {}): CategoricalResult {
  const restarts = Math.max(1, opts.restarts ?? EBCC_RESTARTS);
  const M = Math.max(1, opts.subtypes ?? EBCC_SUBTYPES);
  const seed = opts.seed ?? 1;
  const { z0, alpha } = startingPoint(p, opts);
  let best: Run | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = runOnce(p, z0, alpha, M, { kind: 'random', seed: seed + r * 7919 }, opts);
    if (!best || run.elbo > best.elbo) best = run;
  }
  return resultOf('ebcc', p, best as Run, alpha, M, seed);
}

/**
 * Bayesian classifier combination with the number of subtypes per class chosen by the
 * evidence ("bcc"). Fits the EBCC model deterministically for M = 1, 2, 3, ... subtypes and
 * stops at the first M whose evidence lower bound (ELBO) does not improve on the best so far
 * (at most `subtypes`, default EBCC_SUBTYPES). M = 1 is exactly IBCC (one confusion matrix per
 * worker); a larger M is kept only when the data pay for the extra parameters, i.e. when
 * workers' errors are correlated across items strongly enough for the variational evidence to
 * prefer it. Every fit starts from the vote shares split among subtypes by `spectralSplit`
 * (no random start, no seed, no restarts), so the result depends on the answers alone.
 */
export function bcc(p: PreparedAnswers, opts: EbccOptions = {}): CategoricalResult {
  const maxM = Math.max(1, opts.subtypes ?? EBCC_SUBTYPES);
  const { z0, alpha } = startingPoint(p, opts);
  let best = oneSubtype(p, opts);
  let bestM = 1;
  for (let M = 2; M <= maxM; M++) {
    const run = runOnce(p, z0, alpha, M, { kind: 'spectral' }, opts);
    if (!(run.elbo > best.elbo)) break;
    best = run;
    bestM = M;
  }
  const r = resultOf('bcc', p, best, alpha, bestM, opts.seed ?? 1);
  r.subtypes = bestM;
  return r;
}

/**
 * The M = 1 fit through IBCC's table code (the same model, priors, start and stopping rule as
 * runOnce with one subtype, and several times faster), with its evidence lower bound.
 */
function oneSubtype(p: PreparedAnswers, opts: CategoricalOptions): Run {
  if (EBCC_DIAG !== IBCC_DIAG || EBCC_OFF !== IBCC_OFF || EBCC_ALPHA !== IBCC_ALPHA) throw new Error('BCC: IBCC and EBCC priors differ');
  const { run, alpha, beta } = ibccFit(p, opts);
  const subCount = Float64Array.from(run.classCount);
  return {
    zg: run.post,
    tab: run.tab,
    classCount: run.classCount,
    subCount,
    elbo: elbo(p, 1, run.post, run.tab, run.classCount, subCount, beta, alpha),
    iterations: run.iterations,
    converged: run.converged,
  };
}

function startingPoint(p: PreparedAnswers, opts: EbccOptions): { z0: Float64Array; alpha: Float64Array } {
  const votes = voteShares(p);
  const z0 = opts.warmStart ? initialPosterior(p, opts.warmStart) : votes;
  const alpha =
    (opts.classPrior ?? 'empirical') === 'empirical'
      ? empiricalClassPrior(p, votes, EBCC_ALPHA)
      : new Float64Array(p.K).fill(EBCC_ALPHA);
  return { z0, alpha };
}

function resultOf(method: 'ebcc' | 'bcc', p: PreparedAnswers, b: Run, alpha: Float64Array, M: number, seed: number): CategoricalResult {
  const { nItems, nWorkers, K } = p;
  const KM = K * M;
  const post = new Float64Array(nItems * K);
  for (let i = 0; i < nItems; i++)
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += b.zg[i * KM + k * M + m];
      post[i * K + k] = s;
    }
  const prior = new Float64Array(K);
  let tot = 0;
  for (let k = 0; k < K; k++) tot += b.classCount[k] + alpha[k];
  for (let k = 0; k < K; k++) prior[k] = (b.classCount[k] + alpha[k]) / tot;
  // Marginal confusion: subtype posterior-mean confusions weighted by the subtype shares.
  const beta = diagMatrix(K, EBCC_DIAG, EBCC_OFF);
  const confusion = new Float64Array(nWorkers * K * K);
  for (let k = 0; k < K; k++) {
    let sk = 0;
    for (let m = 0; m < M; m++) sk += b.subCount[k * M + m] + EBCC_A_PI / M;
    for (let m = 0; m < M; m++) {
      const wkm = (b.subCount[k * M + m] + EBCC_A_PI / M) / sk;
      for (let w = 0; w < nWorkers; w++) {
        let row = 0;
        for (let l = 0; l < K; l++) row += b.tab[(w * K + l) * 2 * KM + KM + k * M + m] + beta[k * K + l];
        for (let l = 0; l < K; l++)
          confusion[(w * K + k) * K + l] += (wkm * (b.tab[(w * K + l) * 2 * KM + KM + k * M + m] + beta[k * K + l])) / row;
      }
    }
  }
  return finish(method, p, post, prior, qualityFromConfusion(p, confusion, prior), {
    elbo: b.elbo,
    confusion,
    iterations: b.iterations,
    converged: b.converged,
  }, seed);
}

function runOnce(p: PreparedAnswers, z0: Float64Array, alpha: Float64Array, M: number, init: Init, opts: CategoricalOptions): Run {
  const { nItems, nWorkers, K, itemStart, gold } = p;
  const tol = opts.tolerance ?? DEFAULT_TOLERANCE;
  const maxIt = opts.maxIterations ?? 500;
  const KM = K * M;
  const beta = diagMatrix(K, EBCC_DIAG, EBCC_OFF);
  // q(z_i = k, g_i = m): the starting share z0 of k split among the subtypes.
  const zg = init.kind === 'spectral' ? spectralSplit(p, z0, M) : randomSplit(p, z0, M, init.seed);

  // One table per (worker, answered label): KM expected log-confusions E[log v] for every
  // (class, subtype), then the KM expected counts under q — side by side, so that an answer
  // touches one contiguous run of memory in a pass (see newTable in common.ts).
  const KM2 = 2 * KM;
  const tab = new Float64Array(nWorkers * K * KM2);
  const rec = recordOffsets(p, KM2);
  const classCount = new Float64Array(K);
  const subCount = new Float64Array(KM);
  const accumulateItem = (i: number): void => {
    const off = i * KM;
    for (let km = 0; km < KM; km++) subCount[km] += zg[off + km];
    for (let a = itemStart[i]; a < itemStart[i + 1]; a++) {
      const base = rec[a] + KM;
      for (let km = 0; km < KM; km++) tab[base + km] += zg[off + km];
    }
  };
  const finishCounts = (): void => {
    classCount.fill(0);
    for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) classCount[k] += subCount[k * M + m];
  };
  for (let i = 0; i < nItems; i++) if (isInformative(p, i)) accumulateItem(i);
  finishCounts();

  const elogPiTau = new Float64Array(KM);
  const scratch = new Float64Array(KM);
  const conv = new Convergence(tol, nItems);
  let it = 0;
  let converged = false;
  while (it < maxIt) {
    // Expected log parameters from the current statistics.
    for (let w = 0; w < nWorkers; w++) {
      if (p.workerAnswers[w] === 0) continue;
      for (let k = 0; k < K; k++)
        for (let m = 0; m < M; m++) {
          let row = 0;
          for (let l = 0; l < K; l++) row += tab[(w * K + l) * KM2 + KM + k * M + m] + beta[k * K + l];
          const dr = digamma(row);
          for (let l = 0; l < K; l++) {
            const idx = (w * K + l) * KM2 + k * M + m;
            tab[idx] = digamma(tab[idx + KM] + beta[k * K + l]) - dr;
          }
        }
    }
    let nuSum = 0;
    for (let k = 0; k < K; k++) nuSum += classCount[k] + alpha[k];
    const dNu = digamma(nuSum);
    for (let k = 0; k < K; k++) {
      const elogTau = digamma(classCount[k] + alpha[k]) - dNu;
      let etaSum = 0;
      for (let m = 0; m < M; m++) etaSum += subCount[k * M + m] + EBCC_A_PI / M;
      const dEta = digamma(etaSum);
      for (let m = 0; m < M; m++) elogPiTau[k * M + m] = elogTau + digamma(subCount[k * M + m] + EBCC_A_PI / M) - dEta;
    }
    it++;

    // Fused E-step and statistics of the new q.
    for (let j = 0; j < tab.length; j += KM2) for (let km = KM; km < KM2; km++) tab[j + km] = 0;
    subCount.fill(0);
    let maxDelta = 0;
    let sumDelta = 0;
    let objective = 0;
    for (let i = 0; i < nItems; i++) {
      const s = itemStart[i];
      const e = itemStart[i + 1];
      const g = gold[i];
      if (g < 0 && e === s) continue;
      for (let km = 0; km < KM; km++) scratch[km] = elogPiTau[km];
      for (let a = s; a < e; a++) {
        const base = rec[a];
        for (let km = 0; km < KM; km++) scratch[km] += tab[base + km];
      }
      if (g >= 0) for (let k = 0; k < K; k++) if (k !== g) for (let m = 0; m < M; m++) scratch[k * M + m] = -Infinity;
      let mx = -Infinity;
      for (let km = 0; km < KM; km++) if (scratch[km] > mx) mx = scratch[km];
      let tot = 0;
      for (let km = 0; km < KM; km++) tot += scratch[km] = Math.exp(scratch[km] - mx);
      objective += mx + Math.log(tot);
      const inv = 1 / tot;
      const off = i * KM;
      for (let k = 0; k < K; k++) {
        let oldZ = 0;
        let newZ = 0;
        for (let m = 0; m < M; m++) {
          const km = k * M + m;
          oldZ += zg[off + km];
          newZ += zg[off + km] = scratch[km] * inv;
        }
        const d = Math.abs(newZ - oldZ);
        if (d > maxDelta) maxDelta = d;
        sumDelta += d;
      }
      accumulateItem(i);
    }
    finishCounts();
    if (conv.done(objective, maxDelta, sumDelta)) {
      converged = true;
      break;
    }
  }
  return { zg, tab, classCount, subCount, elbo: elbo(p, M, zg, tab, classCount, subCount, beta, alpha), iterations: it, converged };
}

/** ln B(a) = Σ ln Γ(a_i) − ln Γ(Σ a_i), the log normaliser of a Dirichlet. */
function lnB(vals: Float64Array, off: number, n: number, stride: number): number {
  let s = 0;
  let t = 0;
  for (let j = 0; j < n; j++) {
    const v = vals[off + j * stride];
    s += lgamma(v);
    t += v;
  }
  return s - lgamma(t);
}

/**
 * Evidence lower bound when every Dirichlet's variational parameters equal prior + expected
 * counts under q(z, g): Σ_D [ln B(posterior_D) − ln B(prior_D)] + H(q(z, g)).
 */
function elbo(
  p: PreparedAnswers,
  M: number,
  zg: Float64Array,
  tab: Float64Array,
  classCount: Float64Array,
  subCount: Float64Array,
  beta: Float64Array,
  alpha: Float64Array,
): number {
  const { nItems, nWorkers, K } = p;
  const KM = K * M;
  let v = 0;
  const tmp = new Float64Array(Math.max(K, M));
  const pri = new Float64Array(Math.max(K, M));
  for (let k = 0; k < K; k++) {
    tmp[k] = classCount[k] + alpha[k];
    pri[k] = alpha[k];
  }
  v += lnB(tmp, 0, K, 1) - lnB(pri, 0, K, 1);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      tmp[m] = subCount[k * M + m] + EBCC_A_PI / M;
      pri[m] = EBCC_A_PI / M;
    }
    v += lnB(tmp, 0, M, 1) - lnB(pri, 0, M, 1);
  }
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) pri[l] = beta[k * K + l];
    const lnPrior = lnB(pri, 0, K, 1);
    for (let w = 0; w < nWorkers; w++) {
      if (p.workerAnswers[w] === 0) continue;
      for (let m = 0; m < M; m++) {
        for (let l = 0; l < K; l++) tmp[l] = tab[(w * K + l) * 2 * KM + KM + k * M + m] + beta[k * K + l];
        v += lnB(tmp, 0, K, 1) - lnPrior;
      }
    }
  }
  for (let j = 0; j < nItems * KM; j++) {
    const q = zg[j];
    if (q > 0) v -= q * Math.log(q);
  }
  return v;
}

/** The paper's start: the share of k split among subtypes by a random Dirichlet(1) draw. */
function randomSplit(p: PreparedAnswers, z0: Float64Array, M: number, seed: number): Float64Array {
  const { nItems, K } = p;
  const KM = K * M;
  const random = rng(seed);
  const zg = new Float64Array(nItems * KM);
  for (let i = 0; i < nItems; i++)
    for (let k = 0; k < K; k++) {
      const zk = z0[i * K + k];
      if (zk === 0) continue;
      let s = 0;
      const off = i * KM + k * M;
      for (let m = 0; m < M; m++) s += zg[off + m] = -Math.log(1 - random());
      for (let m = 0; m < M; m++) zg[off + m] *= zk / s;
    }
  return zg;
}

/** Power iterations of the spectral start, at most (each is two passes over the answers) ... */
const SPECTRAL_ITERATIONS = 100;
/** ... or once the direction turns by less than this (1 − |cos|): it only orders the items. */
const SPECTRAL_SETTLED = 1e-8;

/**
 * A deterministic start for M subtypes, from the data alone. For each class k, the items are
 * weighted by their starting share u_i = z0[i][k] and described by their answers (one
 * indicator per (worker, label)); the leading principal component of that weighted, centred
 * indicator matrix is the main direction along which the items of class k differ in who
 * answered what — which is what subtypes model. Items are ordered by their score on it and cut
 * into M groups of equal weight; item i's share of k goes to its group. (The component is found
 * by power iteration from the "agrees with k" direction, never forming the matrix; with no
 * variation at all the order is the item index.) M = 1 puts the whole share in the one subtype.
 */
function spectralSplit(p: PreparedAnswers, z0: Float64Array, M: number): Float64Array {
  const { nItems, nWorkers, K, itemStart, worker, label } = p;
  const KM = K * M;
  const zg = new Float64Array(nItems * KM);
  if (M === 1) {
    for (let i = 0; i < nItems; i++) for (let k = 0; k < K; k++) zg[i * K + k] = z0[i * K + k];
    return zg;
  }
  const D = nWorkers * K;
  const col = new Int32Array(itemStart[nItems]);
  for (let a = 0; a < col.length; a++) col[a] = worker[a] * K + label[a];
  const u = new Float64Array(nItems);
  const score = new Float64Array(nItems);
  const mu = new Float64Array(D);
  let v = new Float64Array(D);
  let nv = new Float64Array(D);
  for (let k = 0; k < K; k++) {
    let U = 0;
    for (let i = 0; i < nItems; i++) U += u[i] = z0[i * K + k];
    if (!(U > 0)) continue;
    mu.fill(0);
    for (let i = 0; i < nItems; i++) {
      if (u[i] === 0) continue;
      const wi = u[i] / U;
      for (let a = itemStart[i]; a < itemStart[i + 1]; a++) mu[col[a]] += wi;
    }
    for (let j = 0; j < D; j++) v[j] = j % K === k ? 1 : -1;
    normalise(v);
    for (let it = 0; it < SPECTRAL_ITERATIONS; it++) {
      // score_i = (x_i − μ)·v;  nv = Σ_i u_i score_i (x_i − μ)
      let muv = 0;
      for (let j = 0; j < D; j++) muv += mu[j] * v[j];
      let sum = 0;
      nv.fill(0);
      for (let i = 0; i < nItems; i++) {
        if (u[i] === 0) continue;
        let x = -muv;
        for (let a = itemStart[i]; a < itemStart[i + 1]; a++) x += v[col[a]];
        score[i] = x;
        const ux = u[i] * x;
        sum += ux;
        for (let a = itemStart[i]; a < itemStart[i + 1]; a++) nv[col[a]] += ux;
      }
      for (let j = 0; j < D; j++) nv[j] -= sum * mu[j];
      if (!(normalise(nv) > 0)) break;
      let dot = 0;
      for (let j = 0; j < D; j++) dot += nv[j] * v[j];
      [v, nv] = [nv, v];
      if (1 - Math.abs(dot) < SPECTRAL_SETTLED) break;
    }
    // Final scores on the settled direction, then equal-weight groups along it.
    let muv = 0;
    for (let j = 0; j < D; j++) muv += mu[j] * v[j];
    let n = 0;
    for (let i = 0; i < nItems; i++) {
      if (u[i] === 0) continue;
      let x = -muv;
      for (let a = itemStart[i]; a < itemStart[i + 1]; a++) x += v[col[a]];
      score[i] = x;
      n++;
    }
    const order = new Int32Array(n);
    n = 0;
    for (let i = 0; i < nItems; i++) if (u[i] !== 0) order[n++] = i;
    order.sort((a, b) => score[a] - score[b] || a - b);
    let acc = 0;
    for (let r = 0; r < n; r++) {
      const i = order[r];
      const m = Math.min(M - 1, Math.floor(((acc + u[i] / 2) / U) * M));
      acc += u[i];
      zg[i * KM + k * M + m] = u[i];
    }
  }
  return zg;
}

/** Scales v to unit length in place; returns its former length. */
function normalise(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  const n = Math.sqrt(s);
  if (n > 0) for (let j = 0; j < v.length; j++) v[j] /= n;
  return n;
}
