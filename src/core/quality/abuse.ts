/**
 * Abuse signals. Each looks at one kind of evidence and returns a flag — kind, severity, a
 * sentence for people, and the numbers it rests on — or null when nothing is suspicious (or
 * there is too little data to say). Thresholds come from `rules.abuse`. Statistical signals
 * use exact binomial tails, so a severity means "this would happen by chance to an honest worker
 * less often than p" rather than a hunch.
 */
import { type QualityRules, SEVERITY_RANK, type Severity } from './rules.ts';
import { binomialLowerTail, binomialUpperTail, median } from './stats.ts';

export type AbuseKind = 'too_fast' | 'same_answer' | 'low_agreement' | 'burst' | 'shared_address';

export interface AbuseFlag {
  kind: AbuseKind;
  severity: Severity;
  message: string;
  evidence: Record<string, number | string>;
}

type Abuse = QualityRules['abuse'];

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const sci = (p: number) => (p < 1e-3 ? p.toExponential(1) : p.toFixed(4));

/** Answers much faster than the project's typical time (medians, so one slow task does not hide it). */
export function speedSignal(workerDurationsMs: readonly number[], projectMedianMs: number | null, projectTasks: number, rules: Abuse['speed']): AbuseFlag | null {
  if (workerDurationsMs.length < rules.minTasks || projectMedianMs === null || projectTasks < rules.minProjectTasks || projectMedianMs <= 0) return null;
  const workerMedian = median(workerDurationsMs)!;
  const ratio = workerMedian / projectMedianMs;
  if (ratio >= rules.ratioMedium) return null;
  const severity: Severity = ratio < rules.ratioHigh ? 'high' : 'medium';
  return {
    kind: 'too_fast',
    severity,
    message: `median ${(workerMedian / 1000).toFixed(1)} s per task against the project's ${(projectMedianMs / 1000).toFixed(1)} s (${pct(ratio)} of the typical time)`,
    evidence: { workerMedianMs: Math.round(workerMedian), projectMedianMs: Math.round(projectMedianMs), ratio: round(ratio), tasks: workerDurationsMs.length, projectTasks },
  };
}

/**
 * The same answer far more often than chance: the worker's most frequent answer against the
 * crowd's share of that answer (add-one smoothed), as a binomial upper tail, Bonferroni-corrected
 * for having picked the most frequent of K answers.
 */
export function sameAnswerSignal(workerCounts: Record<string, number>, crowdCounts: Record<string, number>, rules: Abuse['sameAnswer']): AbuseFlag | null {
  const n = Object.values(workerCounts).reduce((a, b) => a + b, 0);
  if (n < rules.minAnswers) return null;
  let top = '';
  let x = -1;
  for (const [label, c] of Object.entries(workerCounts)) if (c > x) [top, x] = [label, c];
  const labels = new Set([...Object.keys(crowdCounts), ...Object.keys(workerCounts)]);
  const k = labels.size;
  const crowdTotal = Object.values(crowdCounts).reduce((a, b) => a + b, 0);
  const crowdShare = ((crowdCounts[top] ?? 0) + 1) / (crowdTotal + k);
  const share = x / n;
  if (share < rules.minShare) return null;
  const pValue = Math.min(1, k * binomialUpperTail(x, n, crowdShare));
  if (pValue >= rules.pMedium) return null;
  return {
    kind: 'same_answer',
    severity: pValue < rules.pHigh ? 'high' : 'medium',
    message: `answered "${top}" ${x} of ${n} times (${pct(share)}) where the crowd answers it ${pct(crowdShare)} of the time (p = ${sci(pValue)})`,
    evidence: { answer: top, count: x, answers: n, share: round(share), crowdShare: round(crowdShare), pValue, labels: k },
  };
}

/**
 * Low agreement with inferred labels: the worker's agreement rate against a floor of
 * relativeFloor × the crowd's rate, as a binomial lower tail (how likely so few agreements
 * would be from a worker agreeing at the floor rate).
 */
export function agreementSignal(agreed: number, compared: number, crowdRate: number, rules: Abuse['agreement']): AbuseFlag | null {
  if (compared < rules.minCompared || !(crowdRate > 0)) return null;
  const floor = Math.min(0.999, rules.relativeFloor * crowdRate);
  const rate = agreed / compared;
  if (rate >= floor) return null;
  const pValue = binomialLowerTail(agreed, compared, floor);
  if (pValue >= rules.pMedium) return null;
  return {
    kind: 'low_agreement',
    severity: pValue < rules.pHigh ? 'high' : 'medium',
    message: `agrees with the inferred label on ${agreed} of ${compared} items (${pct(rate)}) where the crowd agrees ${pct(crowdRate)} of the time (p = ${sci(pValue)})`,
    evidence: { agreed, compared, rate: round(rate), crowdRate: round(crowdRate), floor: round(floor), pValue },
  };
}

/** Bursts of requests: the most task requests in any window of `windowSeconds` (timestamps in ms). */
export function burstSignal(requestTimesMs: readonly number[], rules: Abuse['burst']): AbuseFlag | null {
  if (requestTimesMs.length < rules.medium) return null;
  const t = [...requestTimesMs].sort((a, b) => a - b);
  const w = rules.windowSeconds * 1000;
  let best = 0;
  let bestStart = t[0]!;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= w) i++;
    if (j - i + 1 > best) [best, bestStart] = [j - i + 1, t[i]!];
  }
  if (best < rules.medium) return null;
  return {
    kind: 'burst',
    severity: best >= rules.high ? 'high' : 'medium',
    message: `${best} task requests within ${rules.windowSeconds} s`,
    evidence: { requests: best, windowSeconds: rules.windowSeconds, startedAt: new Date(bestStart).toISOString(), total: t.length },
  };
}

/** Several accounts working one project from one address. Returns one flag per account involved. */
export function sharedAddressSignal(address: string, workerIds: readonly string[], rules: Abuse['sharedAddress']): AbuseFlag | null {
  const accounts = new Set(workerIds).size;
  if (accounts < rules.medium) return null;
  return {
    kind: 'shared_address',
    severity: accounts >= rules.high ? 'high' : 'medium',
    message: `${accounts} accounts worked this project from the same address`,
    evidence: { address, accounts },
  };
}

/** Whether a flag of this severity pauses the worker by itself. */
export const pausesAutomatically = (flag: AbuseFlag, rules: QualityRules) => SEVERITY_RANK[flag.severity] >= SEVERITY_RANK[rules.abuse.autoPause];

function round(x: number) {
  return Math.round(x * 10000) / 10000;
}
