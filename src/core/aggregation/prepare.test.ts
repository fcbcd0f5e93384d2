import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AggregationInputError, prepareAnswers } from './prepare.ts';
import { answersOf } from './test-helpers.ts';

describe('prepareAnswers', () => {
  it('gives the same CSR whether or not the input arrives grouped by item (fast path), duplicates included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 7 }), fc.nat({ max: 4 }), fc.nat({ max: 2 })), { maxLength: 60 }), (t) => {
        const dims = { nItems: 8, nWorkers: 5, nLabels: 3 };
        const a = prepareAnswers(answersOf(t, dims));
        // A stable sort by item keeps each item's arrival order, so "last answer wins" is unchanged.
        const order = t.map((_, j) => j).sort((x, y) => t[x][0] - t[y][0] || x - y);
        const b = prepareAnswers(answersOf(order.map((j) => t[j]), dims));
        for (const key of ['itemStart', 'worker', 'label', 'workerAnswers'] as const) expect(Array.from(b[key])).toEqual(Array.from(a[key]));
        expect(Array.from(b.source, (j) => order[j])).toEqual(Array.from(a.source));
        expect(b.n).toBe(a.n);
      }),
      { numRuns: 200 },
    );
  });

  it('names the first bad entry, item array first', () => {
    const bad = answersOf([[0, 0, 0], [1, 1, 1]], { nItems: 2, nWorkers: 2, nLabels: 2 });
    bad.label[1] = 5;
    bad.item[1] = 9;
    expect(() => prepareAnswers(bad)).toThrow(new AggregationInputError('item[1] = 9 is not a valid item index (0..1)'));
    bad.item[1] = 1;
    expect(() => prepareAnswers(bad)).toThrow(new AggregationInputError('label[1] = 5 is not a valid label index (0..1)'));
  });
});
