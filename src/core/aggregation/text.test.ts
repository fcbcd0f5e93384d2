import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateText, editDistance, normalizeText, textSimilarity } from './text.ts';

const cps = (s: string) => Array.from(s, (c) => c.codePointAt(0) as number);

describe('text similarity', () => {
  it('computes Levenshtein distance', () => {
    expect(editDistance(cps('kitten'), cps('sitting'))).toBe(3);
    expect(editDistance(cps(''), cps('abc'))).toBe(3);
    expect(editDistance(cps('고양이'), cps('고양'))).toBe(1);
  });

  it('is symmetric, 1 on equal texts and within 0..1', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const s = textSimilarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(textSimilarity(b, a)).toBeCloseTo(s, 12);
        expect(textSimilarity(a, a)).toBe(1);
      }),
    );
  });

  it('normalises case, width and whitespace; Jaccard compares word sets', () => {
    expect(normalizeText('  Hello\n  ＷＯＲＬＤ ')).toBe('hello world');
    expect(textSimilarity('the cat sat', 'sat the cat', 'jaccard')).toBe(1);
    expect(textSimilarity('a b', 'c d', 'jaccard')).toBe(0);
  });
});

describe('aggregateText', () => {
  it('picks the answer most similar to the others, verbatim', () => {
    const r = aggregateText([
      { worker: 1, text: 'The cat sat.' },
      { worker: 2, text: 'the cat sat' },
      { worker: 3, text: 'A dog barked' },
      { worker: 4, text: 'The cat  sat.' },
    ]);
    // Answers 0 and 3 normalise to the same text; the earlier one is returned as written.
    expect(r.text).toBe('The cat sat.');
    expect(r.index).toBe(0);
    expect(r.workers).toBe(4);
    expect(r.confidence).toBeGreaterThan(0.6);
    expect(r.confidence).toBeLessThan(1);
  });

  it('handles no answers, one answer, duplicates and weights', () => {
    expect(aggregateText([])).toEqual({ text: null, index: -1, confidence: 0, workers: 0 });
    expect(aggregateText([{ worker: 'x', text: 'only' }])).toMatchObject({ text: 'only', confidence: 1 });
    const dup = aggregateText([
      { worker: 1, text: 'red' },
      { worker: 2, text: 'blue' },
      { worker: 1, text: 'blue' },
    ]);
    expect(dup).toMatchObject({ text: 'blue', workers: 2, confidence: 1 });
    const weighted = aggregateText(
      [
        { worker: 'a', text: 'seoul' },
        { worker: 'b', text: 'busan' },
      ],
      { workerWeight: new Map([['b', 5]]) },
    );
    expect(weighted.text).toBe('busan');
  });
});
