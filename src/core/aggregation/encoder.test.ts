import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnswerEncoder, IdEncoder } from './encoder.ts';
import { AggregationInputError, prepareAnswers } from './prepare.ts';
import { answersOf } from './test-helpers.ts';

describe('IdEncoder', () => {
  it('assigns dense indices in order of first appearance', () => {
    const e = new IdEncoder(['a']);
    expect(e.index('b')).toBe(1);
    expect(e.index('a')).toBe(0);
    expect(e.get('zzz')).toBe(-1);
    expect(e.id(1)).toBe('b');
    expect(e.size).toBe(2);
  });
});

describe('AnswerEncoder', () => {
  it('builds typed arrays, keeps declared labels nobody used, and maps gold', () => {
    const enc = new AnswerEncoder({ labels: ['cat', 'dog', 'bird'] });
    for (let j = 0; j < 3000; j++) enc.add(`i${j % 7}`, `w${j % 11}`, j % 2 ? 'dog' : 'cat');
    enc.addGold('i3', 'dog');
    enc.addGold('i3', 'cat');
    enc.addGold('new-item', 'fish');
    const a = enc.answers();
    expect(a.item).toBeInstanceOf(Int32Array);
    expect(a.item.length).toBe(3000);
    expect(enc.answerCount).toBe(3000);
    expect(a.nLabels).toBe(4);
    expect(a.nItems).toBe(8);
    const g = enc.gold();
    expect(g[enc.items.get('i3')]).toBe(enc.labels.get('cat'));
    expect(g[enc.items.get('new-item')]).toBe(enc.labels.get('fish'));
    expect(g[enc.items.get('i0')]).toBe(-1);
  });
});

describe('prepareAnswers', () => {
  it('groups by item and keeps the last answer of a worker on an item', () => {
    const p = prepareAnswers(answersOf([[1, 0, 0], [0, 0, 1], [1, 0, 2], [1, 1, 1], [0, 0, 0]]));
    expect(p.n).toBe(3);
    expect(Array.from(p.itemStart)).toEqual([0, 1, 3]);
    expect(Array.from(p.label.subarray(0, 1))).toEqual([0]);
    // Item 1: worker 0's second answer (2) and worker 1's answer, in arrival order.
    expect(Array.from(p.worker.subarray(1))).toEqual([0, 1]);
    expect(Array.from(p.label.subarray(1))).toEqual([2, 1]);
    expect(Array.from(p.source)).toEqual([4, 2, 3]);
    expect(Array.from(p.workerAnswers)).toEqual([2, 1]);
  });

  it('names the offending entry', () => {
    expect(() => prepareAnswers({ ...answersOf([[0, 0, 0]]), worker: Int32Array.of(3) })).toThrow(/worker\[0\] = 3/);
    expect(() => prepareAnswers({ ...answersOf([[0, 0, 0]]), label: new Int32Array(2) })).toThrow(AggregationInputError);
    expect(() => prepareAnswers({ ...answersOf([[0, 0, 0]]), nLabels: 0 })).toThrow(/nLabels/);
  });

  it('property: matches a Map-based "last answer wins" reference', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 3 }), fc.nat({ max: 2 })), { maxLength: 60 }), (t) => {
        const p = prepareAnswers(answersOf(t, { nItems: 5, nWorkers: 4, nLabels: 3 }));
        const last = new Map<string, number>();
        t.forEach(([i, w, l]) => last.set(`${i}/${w}`, l));
        expect(p.n).toBe(last.size);
        for (let i = 0; i < 5; i++)
          for (let a = p.itemStart[i]; a < p.itemStart[i + 1]; a++) expect(last.get(`${i}/${p.worker[a]}`)).toBe(p.label[a]);
      }),
    );
  });
});
