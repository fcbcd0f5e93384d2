import { describe, expect, it } from 'vitest';
import { evaluateLevel, type WorkerRecord } from './levels.ts';
import { DEFAULT_QUALITY_RULES, resolveQualityRules } from './rules.ts';

const rules = resolveQualityRules({
  levels: [
    { level: 2, minApproved: 10, minJudged: 10, minAccuracy: 0.8 },
    { level: 3, minApproved: 50, minJudged: 30, minAccuracy: 0.9 },
  ],
  reviewer: { minLevel: 3, minAccuracy: 0.9 },
  demotion: { window: 20, margin: 0.05 },
});

const rec = (over: Partial<WorkerRecord>): WorkerRecord => ({
  level: 1,
  approved: 0,
  goldAnswered: 0,
  goldCorrect: 0,
  reviewsApproved: 0,
  reviewsRejected: 0,
  sinceLevelChange: { judged: 0, correct: 0 },
  ...over,
});

describe('evaluateLevel', () => {
  it('starts at level 1 with progress toward level 2', () => {
    const d = evaluateLevel(rec({ approved: 5, goldAnswered: 4, goldCorrect: 4 }), rules);
    expect(d).toMatchObject({ level: 1, change: 'none', accuracy: 1, reviewerEligible: false });
    expect(d.progress).toMatchObject({ nextLevel: 2, approved: { have: 5, need: 10 }, judged: { have: 4, need: 10 }, accuracy: { have: 1, need: 0.8 } });
    expect(d.progress.fraction).toBeCloseTo(0.4, 12);
  });

  it('promotes when approved work, judged answers and accuracy (gold + review) all suffice', () => {
    const d = evaluateLevel(rec({ approved: 12, goldAnswered: 6, goldCorrect: 5, reviewsApproved: 4, reviewsRejected: 0 }), rules);
    expect(d).toMatchObject({ level: 2, change: 'promote' });
    expect(d.accuracy).toBeCloseTo(0.9, 12);
    expect(d.reason).toContain('level 2');
  });

  it('does not promote on approved work alone', () => {
    expect(evaluateLevel(rec({ approved: 100, goldAnswered: 10, goldCorrect: 7 }), rules).level).toBe(1);
    expect(evaluateLevel(rec({ approved: 100, goldAnswered: 3, goldCorrect: 3 }), rules).level).toBe(1);
  });

  it('may skip levels, and grants reviewer eligibility from the reviewer level up', () => {
    const d = evaluateLevel(rec({ approved: 60, goldAnswered: 40, goldCorrect: 38 }), rules);
    expect(d).toMatchObject({ level: 3, change: 'promote', reviewerEligible: true });
    expect(d.progress).toMatchObject({ nextLevel: null, fraction: 1 });
  });

  it('demotes one level only after a sustained window of low accuracy since the last change', () => {
    const strong = { approved: 60, goldAnswered: 40, goldCorrect: 38, level: 3 };
    expect(evaluateLevel(rec({ ...strong, sinceLevelChange: { judged: 19, correct: 0 } }), rules).change).toBe('none');
    const d = evaluateLevel(rec({ ...strong, sinceLevelChange: { judged: 20, correct: 16 } }), rules);
    expect(d).toMatchObject({ level: 2, change: 'demote' });
    expect(d.reason).toContain('80%');
    expect(evaluateLevel(rec({ ...strong, sinceLevelChange: { judged: 20, correct: 17 } }), rules).change).toBe('none');
  });

  it('never demotes below 1 and leaves a hand-set level alone while accuracy holds', () => {
    expect(evaluateLevel(rec({ level: 1, sinceLevelChange: { judged: 100, correct: 0 } }), rules)).toMatchObject({ level: 1, change: 'none' });
    expect(evaluateLevel(rec({ level: 3, approved: 0 }), rules)).toMatchObject({ level: 3, change: 'none' });
  });

  it('the defaults are valid', () => {
    expect(resolveQualityRules()).toEqual(DEFAULT_QUALITY_RULES);
  });
});

describe('resolveQualityRules', () => {
  it('merges overrides deeply and reports every problem', () => {
    expect(resolveQualityRules({ abuse: { burst: { high: 500 } } }).abuse.burst).toEqual({ windowSeconds: 60, medium: 40, high: 500 });
    expect(() => resolveQualityRules({ levels: [{ level: 3, minApproved: 1, minJudged: 1, minAccuracy: 2 }], review: { crossReviewRate: -1 } })).toThrow(
      /levels\/0\/level must be 2.*levels\/0\/minAccuracy.*crossReviewRate/,
    );
  });
});
