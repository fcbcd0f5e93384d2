/**
 * Every threshold of quality control in one object. The server builds its QualityService from
 * DEFAULT_QUALITY_RULES (overridable as a whole or in part through `resolveQualityRules`), so a
 * platform changes its policy in one place. Project-level knobs (minGoldAccuracy, reviewRate…)
 * stay in the project's settings; these are the platform's.
 */
export interface LevelRequirement {
  /** The level granted (2, 3, …; level 1 is where everyone starts). */
  level: number;
  /** Approved annotations, lifetime, across projects. */
  minApproved: number;
  /** Judged answers (gold answers + reviewed annotations) the accuracy must rest on. */
  minJudged: number;
  /** Accuracy over judged answers: (gold correct + review approvals) / judged. */
  minAccuracy: number;
}

export type Severity = 'low' | 'medium' | 'high';

export interface QualityRules {
  /** Ascending by level; a worker holds the highest level whose three requirements they meet. */
  levels: LevelRequirement[];
  reviewer: {
    /** Workers at or above this level (and this accuracy) may review. */
    minLevel: number;
    minAccuracy: number;
    /** Promote eligible workers to the reviewer role automatically (else the operator does it). */
    autoGrant: boolean;
  };
  gold: {
    /**
     * The most often a worker whose true gold accuracy meets the project's minGoldAccuracy may
     * ever be removed by the gold gate (see gold-gate.ts: a sequential test with this error bound).
     */
    falseRemovalRate: number;
  };
  demotion: {
    /** Judged answers since the last level change that a demotion must rest on ("sustained"). */
    window: number;
    /** Demote one level when accuracy over that window falls below the level's minAccuracy − margin. */
    margin: number;
  };
  review: {
    /** Share of reviews that a second reviewer judges. */
    crossReviewRate: number;
  };
  autoApprove: {
    /** 'agreement' mode: the item's inferred label must be at least this confident. */
    minConfidence: number;
  };
  abuse: {
    /** Severity at or above which a flag pauses the worker by itself. */
    autoPause: Severity;
    /** The signals of a worker in a project are computed on every this-many-th answer there. */
    checkEvery: number;
    /** How many recent answers the signals look at (the worker's; the crowd's is 10×). */
    recentAnswers: number;
    speed: { minTasks: number; minProjectTasks: number; ratioMedium: number; ratioHigh: number };
    sameAnswer: { minAnswers: number; minShare: number; pMedium: number; pHigh: number };
    agreement: { minCompared: number; relativeFloor: number; pMedium: number; pHigh: number };
    burst: { windowSeconds: number; medium: number; high: number };
    sharedAddress: { medium: number; high: number };
  };
}

export const DEFAULT_QUALITY_RULES: QualityRules = {
  levels: [
    { level: 2, minApproved: 50, minJudged: 20, minAccuracy: 0.8 },
    { level: 3, minApproved: 200, minJudged: 50, minAccuracy: 0.85 },
    { level: 4, minApproved: 1000, minJudged: 150, minAccuracy: 0.9 },
    { level: 5, minApproved: 5000, minJudged: 400, minAccuracy: 0.93 },
  ],
  reviewer: { minLevel: 3, minAccuracy: 0.9, autoGrant: true },
  gold: { falseRemovalRate: 0.05 },
  demotion: { window: 50, margin: 0.05 },
  review: { crossReviewRate: 0.1 },
  autoApprove: { minConfidence: 0.9 },
  abuse: {
    autoPause: 'high',
    checkEvery: 20,
    recentAnswers: 200,
    // median time per task against the project's median (other workers)
    speed: { minTasks: 10, minProjectTasks: 30, ratioMedium: 0.3, ratioHigh: 0.12 },
    // the modal answer against the crowd's share of it: Bonferroni-corrected binomial p-value
    sameAnswer: { minAnswers: 20, minShare: 0.5, pMedium: 1e-4, pHigh: 1e-8 },
    // agreement with inferred labels against relativeFloor × the crowd's agreement rate
    agreement: { minCompared: 20, relativeFloor: 0.7, pMedium: 1e-4, pHigh: 1e-8 },
    // task requests in any window of this length
    burst: { windowSeconds: 60, medium: 40, high: 120 },
    // distinct accounts working one project from one address
    sharedAddress: { medium: 2, high: 4 },
  },
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends Array<infer _> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type QualityRulesInput = DeepPartial<QualityRules>;

function merge<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (Array.isArray(base) || typeof base !== 'object' || base === null) return over as T;
  const out = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge(out[k], v);
  return out as T;
}

/** Overrides merged onto the defaults, then checked; throws with every problem found. */
export function resolveQualityRules(input: QualityRulesInput = {}, base: QualityRules = DEFAULT_QUALITY_RULES): QualityRules {
  const rules = merge(structuredClone(base), input);
  const problems: string[] = [];
  const share = (path: string, v: number) => (typeof v === 'number' && v >= 0 && v <= 1) || problems.push(`${path} must be between 0 and 1`);
  const count = (path: string, v: number) => (Number.isInteger(v) && v >= 0) || problems.push(`${path} must be a whole number ≥ 0`);
  let prev = 1;
  rules.levels.forEach((l, i) => {
    if (!Number.isInteger(l.level) || l.level !== prev + 1) problems.push(`levels/${i}/level must be ${prev + 1} (levels rise one at a time from 2)`);
    prev = l.level;
    count(`levels/${i}/minApproved`, l.minApproved);
    count(`levels/${i}/minJudged`, l.minJudged);
    share(`levels/${i}/minAccuracy`, l.minAccuracy);
  });
  count('reviewer/minLevel', rules.reviewer.minLevel);
  share('reviewer/minAccuracy', rules.reviewer.minAccuracy);
  if (!(rules.gold.falseRemovalRate > 0 && rules.gold.falseRemovalRate < 1)) problems.push('gold/falseRemovalRate must be between 0 and 1 (exclusive)');
  count('demotion/window', rules.demotion.window);
  share('demotion/margin', rules.demotion.margin);
  share('review/crossReviewRate', rules.review.crossReviewRate);
  share('autoApprove/minConfidence', rules.autoApprove.minConfidence);
  if (!(Number.isInteger(rules.abuse.checkEvery) && rules.abuse.checkEvery >= 1)) problems.push('abuse/checkEvery must be a whole number ≥ 1');
  if (!(Number.isInteger(rules.abuse.recentAnswers) && rules.abuse.recentAnswers >= 10)) problems.push('abuse/recentAnswers must be a whole number ≥ 10');
  if (!['low', 'medium', 'high'].includes(rules.abuse.autoPause)) problems.push('abuse/autoPause must be low, medium or high');
  const a = rules.abuse;
  if (!(a.speed.ratioHigh <= a.speed.ratioMedium)) problems.push('abuse/speed/ratioHigh must not exceed ratioMedium');
  if (!(a.sameAnswer.pHigh <= a.sameAnswer.pMedium)) problems.push('abuse/sameAnswer/pHigh must not exceed pMedium');
  if (!(a.agreement.pHigh <= a.agreement.pMedium)) problems.push('abuse/agreement/pHigh must not exceed pMedium');
  if (!(a.burst.medium <= a.burst.high)) problems.push('abuse/burst/medium must not exceed high');
  if (!(a.sharedAddress.medium >= 2 && a.sharedAddress.medium <= a.sharedAddress.high)) problems.push('abuse/sharedAddress: 2 ≤ medium ≤ high');
  if (problems.length) throw new Error(`invalid quality rules: ${problems.join('; ')}`);
  return rules;
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };
