import type { LevelRequirement, QualityRules } from './rules.ts';

/** What levels are judged on. "Judged" answers are gold answers plus reviewed annotations. */
export interface WorkerRecord {
  level: number;
  approved: number;
  goldAnswered: number;
  goldCorrect: number;
  reviewsApproved: number;
  reviewsRejected: number;
  /** Judged answers (and how many were right) since the level last changed: demotion looks only here. */
  sinceLevelChange: { judged: number; correct: number };
}

export const judgedOf = (r: WorkerRecord) => r.goldAnswered + r.reviewsApproved + r.reviewsRejected;
export const correctOf = (r: WorkerRecord) => r.goldCorrect + r.reviewsApproved;
/** Accuracy over judged answers, or null before any. */
export const accuracyOf = (r: WorkerRecord): number | null => (judgedOf(r) ? correctOf(r) / judgedOf(r) : null);

export interface Progress {
  /** The next level, or null at the top. */
  nextLevel: number | null;
  approved: { have: number; need: number } | null;
  judged: { have: number; need: number } | null;
  accuracy: { have: number | null; need: number } | null;
  /** 0..1: the least-advanced of the three requirements (1 = ready). */
  fraction: number;
}

export interface LevelDecision {
  level: number;
  change: 'promote' | 'demote' | 'none';
  reason: string;
  accuracy: number | null;
  reviewerEligible: boolean;
  progress: Progress;
}

const meets = (r: WorkerRecord, req: LevelRequirement) => {
  const acc = accuracyOf(r);
  return r.approved >= req.minApproved && judgedOf(r) >= req.minJudged && acc !== null && acc >= req.minAccuracy;
};

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

function requirementFor(rules: QualityRules, level: number): LevelRequirement | undefined {
  return rules.levels.find((l) => l.level === level);
}

/**
 * Applies the level rules to one worker's record:
 * - promotion: to the highest level whose requirements (approved work, judged answers, accuracy)
 *   are all met, possibly several at once; never by accident of a level set by hand above them;
 * - demotion: one level down, only after `demotion.window` judged answers since the last change
 *   whose accuracy is below the current level's minAccuracy − margin (sustained, not one bad day);
 * - reviewer eligibility: level ≥ reviewer.minLevel and accuracy ≥ reviewer.minAccuracy.
 */
export function evaluateLevel(r: WorkerRecord, rules: QualityRules): LevelDecision {
  const accuracy = accuracyOf(r);
  let level = Math.max(1, r.level);
  let change: LevelDecision['change'] = 'none';
  let reason = '';

  let earned = 1;
  for (const req of rules.levels) if (meets(r, req)) earned = Math.max(earned, req.level);
  if (earned > level) {
    level = earned;
    change = 'promote';
    reason = `promoted to level ${level}: ${r.approved} approved answers and ${pct(accuracy!)} accuracy over ${judgedOf(r)} judged answers`;
  } else if (level > 1) {
    const req = requirementFor(rules, level);
    const since = r.sinceLevelChange;
    if (req && since.judged >= rules.demotion.window) {
      const recent = since.correct / since.judged;
      const floor = req.minAccuracy - rules.demotion.margin;
      if (recent < floor) {
        level -= 1;
        change = 'demote';
        reason = `moved down to level ${level}: ${pct(recent)} accuracy over your last ${since.judged} judged answers, below the ${pct(floor)} level ${level + 1} keeps`;
      }
    }
  }

  const reviewerEligible = level >= rules.reviewer.minLevel && accuracy !== null && accuracy >= rules.reviewer.minAccuracy;
  return { level, change, reason, accuracy, reviewerEligible, progress: progressTo(r, level, rules) };
}

function progressTo(r: WorkerRecord, level: number, rules: QualityRules): Progress {
  const next = requirementFor(rules, level + 1);
  if (!next) return { nextLevel: null, approved: null, judged: null, accuracy: null, fraction: 1 };
  const accuracy = accuracyOf(r);
  const part = (have: number, need: number) => (need <= 0 ? 1 : Math.min(1, have / need));
  const fraction = Math.min(part(r.approved, next.minApproved), part(judgedOf(r), next.minJudged), accuracy === null ? 0 : part(accuracy, next.minAccuracy));
  return {
    nextLevel: next.level,
    approved: { have: r.approved, need: next.minApproved },
    judged: { have: judgedOf(r), need: next.minJudged },
    accuracy: { have: accuracy, need: next.minAccuracy },
    fraction,
  };
}
