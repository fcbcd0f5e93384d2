/**
 * The gold gate: a worker whose accuracy on gold (control) items is below the project's
 * minGoldAccuracy, once they have answered at least minGoldAnswers of them, is removed from the
 * project.
 *
 * "Below" is judged on evidence, not on the raw ratio alone. A raw-ratio rule checked after every
 * gold answer removes honest workers all the time: a worker who is right 80% of the time, judged
 * against 70% from the 5th gold answer on, is removed within 30 gold answers with probability 0.47
 * (exact, `removalProbability`). So the gate removes when, in addition to the observed accuracy
 * being below the threshold, the gold answers are strong evidence against "true accuracy ≥ t":
 *
 *   L_n = ∫₀ᵗ (q/t)^c ((1−q)/(1−t))^(n−c) dq/t  ≥  1/α        (c correct of n)
 *
 * L_n is a mixture of likelihood ratios "accuracy q < t" against "accuracy t", each a
 * non-negative supermartingale for any worker whose true accuracy is ≥ t; so is the mixture,
 * and by Ville's inequality P(L_n ever reaches 1/α) ≤ α. That is: a worker at or above the
 * threshold is ever removed with probability at most α (rules.gold.falseRemovalRate), however long
 * they work, checked after every answer — while a random or constant answerer (accuracy ≈ 1/K)
 * is removed within a dozen or two gold answers. L_n ≥ 1/α > 1 implies c/n < t, so a removed
 * worker is always below the threshold in plain numbers too.
 *
 * Closed form: ∫₀ᵗ q^c (1−q)^(n−c) dq = B(c+1, n−c+1) · I_t(c+1, n−c+1) and
 * I_t(c+1, n−c+1) = P(Binomial(n+1, t) ≥ c+1), B(c+1, n−c+1) = 1/((n+1)·C(n, c)).
 */
import { binomialUpperTail, logChoose } from './stats.ts';

export interface GoldSettings {
  minGoldAccuracy: number;
  minGoldAnswers: number;
}

export interface GoldGateDecision {
  decision: 'keep' | 'remove' | 'undecided';
  answered: number;
  correct: number;
  accuracy: number | null;
  /** The evidence L_n against "accuracy ≥ threshold" (removal at 1/α). */
  evidence: number;
  /** Shown to the worker when removed; a progress note otherwise. */
  message: string;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** ln L_n for c correct of n at threshold t (see the file comment). */
export function logEvidenceBelow(correct: number, answered: number, t: number): number {
  const n = answered;
  const c = correct;
  if (n === 0 || t <= 0) return -Infinity;
  if (t >= 1) return c < n ? Infinity : -Infinity;
  const tail = binomialUpperTail(c + 1, n + 1, t);
  if (tail <= 0) return -Infinity;
  return Math.log(tail) - Math.log(n + 1) - logChoose(n, c) - Math.log(t) - c * Math.log(t) - (n - c) * Math.log1p(-t);
}

/** Whether the gate removes a worker with `correct` of `answered` gold answers. */
export function goldRemoves(correct: number, answered: number, s: GoldSettings, falseRemovalRate: number): boolean {
  if (answered < s.minGoldAnswers) return false;
  if (correct / answered >= s.minGoldAccuracy - 1e-12) return false;
  return logEvidenceBelow(correct, answered, s.minGoldAccuracy) >= -Math.log(falseRemovalRate);
}

export function goldGate(answers: { answered: number; correct: number }, s: GoldSettings, falseRemovalRate: number): GoldGateDecision {
  const { answered, correct } = answers;
  const accuracy = answered ? correct / answered : null;
  const evidence = Math.exp(logEvidenceBelow(correct, answered, s.minGoldAccuracy));
  const base = { answered, correct, accuracy, evidence };
  if (answered < s.minGoldAnswers) {
    return { ...base, decision: 'undecided', message: `${answered} of ${s.minGoldAnswers} control answers needed before accuracy is judged` };
  }
  if (goldRemoves(correct, answered, s, falseRemovalRate)) {
    return {
      ...base,
      decision: 'remove',
      message: `Removed from this project: you answered ${correct} of ${answered} control questions correctly (${pct(accuracy!)}); this project requires at least ${pct(s.minGoldAccuracy)}.`,
    };
  }
  return { ...base, decision: 'keep', message: `control accuracy ${pct(accuracy!)} (${correct} of ${answered})` };
}

/**
 * Exact probability that a worker answering each gold item correctly with probability `p`
 * (independently) is removed within `golds` gold answers, for any removal rule of (correct,
 * answered) — by default the gate's. Dynamic programming over the number correct among the paths
 * not yet removed: O(golds²) rule evaluations.
 */
export function removalProbability(
  p: number,
  golds: number,
  removes: (correct: number, answered: number) => boolean,
): number {
  let alive = [1]; // alive[k] = P(not removed yet, k correct so far)
  let removed = 0;
  for (let n = 1; n <= golds; n++) {
    const next = new Array<number>(n + 1).fill(0);
    alive.forEach((q, k) => {
      next[k + 1]! += q * p;
      next[k]! += q * (1 - p);
    });
    for (let k = 0; k <= n; k++) {
      if (next[k]! > 0 && removes(k, n)) {
        removed += next[k]!;
        next[k] = 0;
      }
    }
    alive = next;
  }
  return Math.min(1, removed);
}

/** The plain ratio rule (below t after m answers), for comparison: what the gate avoids. */
export const ratioRule = (s: GoldSettings) => (correct: number, answered: number) =>
  answered >= s.minGoldAnswers && correct / answered < s.minGoldAccuracy - 1e-12;
