import { describe, expect, it } from 'vitest';
import { agreementVerdict, crossReviewed, reviewReason, reviewerAgreement } from './review-policy.ts';
import { qualificationState, retryAt } from './qualification.ts';

const s = { reviewRate: 0.2, reviewFirstK: 3 };

describe('reviewReason', () => {
  it('reviews the first K, reworks always, gold never, and a share of the rest', () => {
    expect(reviewReason({ isGold: false, isRework: false, priorAnswers: 0 }, s, 0.99)).toBe('first_k');
    expect(reviewReason({ isGold: false, isRework: false, priorAnswers: 2 }, s, 0.99)).toBe('first_k');
    expect(reviewReason({ isGold: false, isRework: false, priorAnswers: 3 }, s, 0.99)).toBeNull();
    expect(reviewReason({ isGold: false, isRework: false, priorAnswers: 3 }, s, 0.1)).toBe('sampled');
    expect(reviewReason({ isGold: false, isRework: true, priorAnswers: 50 }, s, 0.99)).toBe('rework');
    expect(reviewReason({ isGold: true, isRework: false, priorAnswers: 0 }, s, 0)).toBeNull();
  });
  it('samples about reviewRate of the annotations', () => {
    let n = 0;
    for (let i = 0; i < 1000; i++) if (reviewReason({ isGold: false, isRework: false, priorAnswers: 10 }, s, (i + 0.5) / 1000)) n++;
    expect(n).toBe(200);
    expect(crossReviewed(0.1, 0.05)).toBe(true);
    expect(crossReviewed(0.1, 0.5)).toBe(false);
    expect(reviewerAgreement(9, 10)).toBe(0.9);
    expect(reviewerAgreement(0, 0)).toBeNull();
  });
});

describe('agreementVerdict', () => {
  const controls = [
    { name: 'animal', type: 'single_choice' as const, values: ['cat', 'dog'], multi: false, open: false, ordinal: false },
    { name: 'tags', type: 'multi_choice' as const, values: ['x', 'y'], multi: true, open: false, ordinal: false },
  ];
  it('agrees, disagrees or waits on confidence', () => {
    expect(agreementVerdict({ animal: 'cat' }, { animal: { value: 'cat', confidence: 0.95 } }, controls, 0.9)).toBe('agree');
    expect(agreementVerdict({ animal: 'dog' }, { animal: { value: 'cat', confidence: 0.95 } }, controls, 0.9)).toBe('disagree');
    expect(agreementVerdict({ animal: 'cat' }, { animal: { value: 'cat', confidence: 0.6 } }, controls, 0.9)).toBe('unknown');
    expect(agreementVerdict({ animal: 'cat' }, null, controls, 0.9)).toBe('unknown');
    expect(agreementVerdict({ note: 'hi' }, { animal: { value: 'cat', confidence: 1 } }, controls, 0.9)).toBe('unknown');
  });
  it('compares multiple choices as sets and needs every control confident', () => {
    const labels = { animal: { value: 'cat', confidence: 0.99 }, tags: { value: ['y', 'x'], confidence: 0.97 } };
    expect(agreementVerdict({ animal: 'cat', tags: ['x', 'y'] }, labels, controls, 0.9)).toBe('agree');
    expect(agreementVerdict({ animal: 'cat', tags: ['x'] }, labels, controls, 0.9)).toBe('disagree');
    expect(agreementVerdict({ animal: 'cat', tags: ['x', 'y'] }, { ...labels, tags: { value: ['x', 'y'], confidence: 0.5 } }, controls, 0.9)).toBe('unknown');
  });
});

describe('qualificationState', () => {
  const q = { goldCount: 5, passMark: 0.8, cooldownHours: 24 };
  it('is in progress until every test item is answered, then passes or fails', () => {
    expect(qualificationState({ answered: 2, correct: 2 }, q)).toMatchObject({ status: 'in_progress', remaining: 3, score: 1 });
    expect(qualificationState({ answered: 5, correct: 4 }, q)).toMatchObject({ status: 'passed', score: 0.8 });
    expect(qualificationState({ answered: 5, correct: 3 }, q)).toMatchObject({ status: 'failed', score: 0.6 });
    expect(qualificationState({ answered: 0, correct: 0 }, q)).toMatchObject({ status: 'in_progress', score: null });
  });
  it('allows a retry after the cool-down', () => {
    expect(retryAt(new Date('2026-11-23T00:00:00Z'), q).toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
});
