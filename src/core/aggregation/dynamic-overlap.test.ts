import { describe, expect, it } from 'vitest';
import { aggregateCategorical } from './categorical.ts';
import { completeItems, isItemComplete, overlapDecision, validateOverlapPolicy } from './dynamic-overlap.ts';
import { answersOf } from './test-helpers.ts';

const policy = { minAnswers: 2, maxAnswers: 5, targetConfidence: 0.9 };

describe('dynamic overlap', () => {
  it('asks for more until the minimum, stops at the maximum, and in between on confidence', () => {
    expect(overlapDecision(1, 0.99, policy)).toBe('need_more');
    expect(overlapDecision(2, 0.95, policy)).toBe('confident');
    expect(overlapDecision(3, 0.6, policy)).toBe('need_more');
    expect(overlapDecision(5, 0.6, policy)).toBe('max_answers');
    expect(isItemComplete(4, 0.9, policy)).toBe(true);
  });

  it('validates policies', () => {
    expect(validateOverlapPolicy(policy)).toBeNull();
    expect(validateOverlapPolicy({ ...policy, minAnswers: 0 })).toMatch(/minAnswers/);
    expect(validateOverlapPolicy({ ...policy, maxAnswers: 1 })).toMatch(/maxAnswers/);
    expect(validateOverlapPolicy({ ...policy, targetConfidence: 1.5 })).toMatch(/targetConfidence/);
  });

  it('works on a categorical result: agreement completes early, disagreement asks for more', () => {
    const t: [number, number, number][] = [];
    // Calibrate workers 0-3 on 20 items they agree on.
    for (let i = 0; i < 20; i++) for (let w = 0; w < 4; w++) t.push([i, w, i % 2]);
    t.push([20, 0, 1], [20, 1, 1]); // two reliable workers agree
    t.push([21, 0, 1], [21, 1, 0]); // two reliable workers disagree
    t.push([22, 0, 1]); // one answer only
    const r = aggregateCategorical(answersOf(t), { method: 'ds' });
    const done = completeItems(r, policy);
    expect(done[20]).toBe(1);
    expect(done[21]).toBe(0);
    expect(done[22]).toBe(0);
  });
});
