import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateCategorical, DEFAULT_METHOD, isCategoricalMethod } from './categorical.ts';
import { AggregationInputError } from './prepare.ts';
import { accuracy, answersOf, simulatedCrowd } from './test-helpers.ts';
import { CATEGORICAL_METHODS, type CategoricalMethod, type CategoricalResult } from './types.ts';

const METHODS = CATEGORICAL_METHODS;
/** Methods that learn worker quality from gold answers. */
const LEARNERS: CategoricalMethod[] = ['wmv', 'ds', 'onecoin', 'glad', 'ibcc', 'ebcc'];

function expectValid(r: CategoricalResult): void {
  const K = r.nLabels;
  for (let i = 0; i < r.nItems; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const v = r.posterior[i * K + k];
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      s += v;
    }
    expect(s).toBeCloseTo(1, 9);
    if (r.label[i] >= 0) {
      expect(r.label[i]).toBeLessThan(K);
      expect(r.confidence[i]).toBe(r.posterior[i * K + r.label[i]]);
      for (let k = 0; k < K; k++) expect(r.posterior[i * K + k]).toBeLessThanOrEqual(r.confidence[i] + 1e-9);
    } else {
      expect(r.label[i]).toBe(-1);
      expect(r.confidence[i]).toBe(0);
    }
  }
  for (let w = 0; w < r.nWorkers; w++) {
    const q = r.workerQuality[w];
    if (r.workerAnswers[w] === 0) expect(Number.isNaN(q)).toBe(true);
    else {
      expect(Number.isFinite(q)).toBe(true);
      expect(q).toBeGreaterThanOrEqual(0);
      expect(q).toBeLessThanOrEqual(1);
    }
  }
}

describe('aggregateCategorical', () => {
  it('knows its methods and defaults to BCC', () => {
    expect(DEFAULT_METHOD).toBe('bcc');
    expect(isCategoricalMethod('ds')).toBe(true);
    expect(isCategoricalMethod('nope')).toBe(false);
    expect(() => aggregateCategorical(answersOf([[0, 0, 0]]), { method: 'nope' as CategoricalMethod })).toThrow(/unknown method/);
  });

  it('rejects indices out of range', () => {
    const a = answersOf([[0, 0, 1]]);
    expect(() => aggregateCategorical({ ...a, nLabels: 1 })).toThrow(AggregationInputError);
    expect(() => aggregateCategorical({ ...a, item: Int32Array.of(-1) })).toThrow(/item\[0\] = -1/);
    expect(() => aggregateCategorical(a, { gold: Int32Array.of(5) })).toThrow(/gold\[0\]/);
    expect(() => aggregateCategorical(a, { gold: new Int32Array(3) })).toThrow(/gold has length/);
  });

  for (const method of METHODS) {
    describe(method, () => {
      it('follows a unanimous crowd', () => {
        const r = aggregateCategorical(
          answersOf([
            [0, 0, 1], [0, 1, 1], [0, 2, 1],
            [1, 0, 0], [1, 1, 0], [1, 2, 0],
            [2, 0, 2], [2, 1, 2], [2, 2, 2],
          ]),
          { method },
        );
        expectValid(r);
        expect(Array.from(r.label)).toEqual([1, 0, 2]);
        for (const c of r.confidence) expect(c).toBeGreaterThan(0.5);
        expect(r.method).toBe(method);
      });

      it('handles no answers at all and items nobody answered', () => {
        const empty = aggregateCategorical({ nItems: 0, nWorkers: 0, nLabels: 2, item: new Int32Array(), worker: new Int32Array(), label: new Int32Array() }, { method });
        expect(empty.label.length).toBe(0);
        const r = aggregateCategorical(answersOf([[1, 0, 1], [1, 1, 1]], { nItems: 3, nWorkers: 3 }), { method });
        expectValid(r);
        expect(r.label[0]).toBe(-1);
        expect(r.label[2]).toBe(-1);
        expect(r.label[1]).toBe(1);
        expect(Number.isNaN(r.workerQuality[2])).toBe(true);
        expect(Array.from(r.itemAnswers)).toEqual([0, 2, 0]);
      });

      it('handles a single possible label', () => {
        const r = aggregateCategorical(answersOf([[0, 0, 0], [0, 1, 0], [1, 1, 0]]), { method });
        expectValid(r);
        expect(Array.from(r.label)).toEqual([0, 0]);
        expect(Array.from(r.confidence)).toEqual([1, 1]);
      });

      it('clamps gold items to their known answer', () => {
        const a = answersOf([[0, 0, 1], [0, 1, 1], [0, 2, 1], [1, 0, 0], [1, 1, 0]]);
        const r = aggregateCategorical(a, { method, gold: Int32Array.of(0, -1) });
        expectValid(r);
        expect(r.label[0]).toBe(0);
        expect(r.confidence[0]).toBe(1);
        expect(r.posterior[1]).toBe(0);
        // A gold item nobody answered still carries its label.
        const g = aggregateCategorical(answersOf([[0, 0, 1]], { nItems: 2 }), { method, gold: Int32Array.of(-1, 1) });
        expect(g.label[1]).toBe(1);
        expect(g.confidence[1]).toBe(1);
      });

      it('gives a worker with one answer and an item with one answer finite, sane estimates', () => {
        const { answers } = simulatedCrowd({ items: 30, K: 2, good: 5, acc: 0.8, seed: 3 });
        const t = Array.from({ length: answers.item.length }, (_, j) => [answers.item[j], answers.worker[j], answers.label[j]] as [number, number, number]);
        t.push([30, 5, 1]); // a new worker with one answer, on a new item with one answer
        t.push([0, 6, 1]); // another new worker with one answer on a busy item
        const r = aggregateCategorical(answersOf(t, { nLabels: 2 }), { method });
        expectValid(r);
        expect(r.workerAnswers[5]).toBe(1);
        expect(r.itemAnswers[30]).toBe(1);
        // The lone answer is evidence for its label (the class prior may still outweigh it) ...
        expect(r.posterior[30 * 2 + 1]).toBeGreaterThan(r.classPrior[1]);
        // ... but only a vote share is ever certain of it.
        if (method !== 'mv') expect(r.confidence[30]).toBeLessThan(1);
      });

      it('never picks a label nobody used, and keeps it finite', () => {
        const r = aggregateCategorical(answersOf([[0, 0, 0], [0, 1, 0], [1, 0, 1], [1, 1, 1], [2, 0, 0], [2, 1, 1]], { nLabels: 4 }), { method });
        expectValid(r);
        for (const l of r.label) expect(l).toBeLessThan(2);
        for (let i = 0; i < 3; i++) expect(r.posterior[i * 4 + 3]).toBeLessThan(0.25);
      });

      it('counts only the last of duplicate answers by one worker on one item', () => {
        const base: [number, number, number][] = [[0, 0, 1], [0, 1, 1], [0, 2, 0], [1, 0, 0], [1, 1, 0], [1, 2, 0], [2, 0, 1], [2, 1, 0], [2, 2, 1]];
        const once = aggregateCategorical(answersOf(base), { method });
        // Worker 2 first said 1 on item 0 and then changed to 0; worker 0 repeated an answer.
        const dup = aggregateCategorical(answersOf([[0, 2, 1], [1, 0, 0], ...base, [1, 0, 0]]), { method });
        expect(Array.from(dup.label)).toEqual(Array.from(once.label));
        // Equal up to the order of floating-point sums.
        dup.posterior.forEach((v, j) => expect(v).toBeCloseTo(once.posterior[j], 12));
        expect(Array.from(dup.workerAnswers)).toEqual([3, 3, 3]);
      });

      it('is deterministic', () => {
        const { answers } = simulatedCrowd({ items: 40, K: 3, good: 4, acc: 0.6, spammers: 1, seed: 11 });
        const a = aggregateCategorical(answers, { method });
        const b = aggregateCategorical(answers, { method });
        expect(Array.from(a.posterior)).toEqual(Array.from(b.posterior));
      });
    });
  }

  it('breaks exact ties by item, not always towards the first label', () => {
    const t: [number, number, number][] = [];
    for (let i = 0; i < 40; i++) t.push([i, 0, 0], [i, 1, 1]);
    const r = aggregateCategorical(answersOf(t), { method: 'mv' });
    const ones = Array.from(r.label).filter((l) => l === 1).length;
    expect(ones).toBeGreaterThan(5);
    expect(ones).toBeLessThan(35);
    expect(Array.from(r.confidence).every((c) => c === 0.5)).toBe(true);
  });

  for (const method of LEARNERS) {
    it(`${method} learns from gold that a worker is unreliable`, () => {
      // Workers 0-1 are right on every gold item; worker 2 is always wrong there.
      const t: [number, number, number][] = [];
      const gold = new Int32Array(30).fill(-1);
      for (let i = 0; i < 20; i++) {
        gold[i] = i % 2;
        t.push([i, 0, i % 2], [i, 1, i % 2], [i, 2, 1 - (i % 2)]);
      }
      for (let i = 20; i < 30; i++) t.push([i, 0, i % 2], [i, 2, 1 - (i % 2)]);
      const r = aggregateCategorical(answersOf(t), { method, gold });
      expectValid(r);
      expect(r.workerQuality[2]).toBeLessThan(r.workerQuality[0]);
      for (let i = 20; i < 30; i++) expect(r.label[i]).toBe(i % 2);
    });
  }

  it('confusion-matrix methods see through a spammer who always gives the same label', () => {
    const { answers, truth } = simulatedCrowd({ items: 300, K: 3, good: 3, acc: 0.75, spammers: 1, seed: 5 });
    const mv = accuracy(aggregateCategorical(answers, { method: 'mv' }).label, truth);
    for (const method of ['ds', 'ibcc', 'ebcc'] as const) {
      const acc = accuracy(aggregateCategorical(answers, { method, restarts: 2 }).label, truth);
      expect(acc).toBeGreaterThan(mv + 0.03);
    }
  });

  it('Dawid-Skene survives a crowd where half the workers spam one label', () => {
    // Measured limits, kept as a regression guard: with 3 of 6 workers always answering 0,
    // MV scores 0.50, DS 0.86; IBCC (0.70) and EBCC (0.58) are pulled down by their
    // empirical class prior, which takes the spam-inflated vote shares at face value.
    const { answers, truth } = simulatedCrowd({ items: 300, K: 3, good: 3, acc: 0.75, spammers: 3, seed: 5 });
    const mv = accuracy(aggregateCategorical(answers, { method: 'mv' }).label, truth);
    expect(accuracy(aggregateCategorical(answers, { method: 'ds' }).label, truth)).toBeGreaterThan(mv + 0.3);
    expect(accuracy(aggregateCategorical(answers, { method: 'ibcc' }).label, truth)).toBeGreaterThan(mv + 0.15);
    expect(accuracy(aggregateCategorical(answers, { method: 'bcc' }).label, truth)).toBeGreaterThan(mv + 0.15);
  });

  it('BCC is IBCC when one subtype per class explains the answers', () => {
    const { answers } = simulatedCrowd({ items: 200, K: 3, good: 5, acc: 0.7, spammers: 1, seed: 17 });
    const b = aggregateCategorical(answers, { method: 'bcc' });
    const i = aggregateCategorical(answers, { method: 'ibcc' });
    expect(b.subtypes).toBe(1);
    expect(b.method).toBe('bcc');
    expect(Array.from(b.label)).toEqual(Array.from(i.label));
    b.posterior.forEach((v, j) => expect(v).toBeCloseTo(i.posterior[j], 12));
    expect(Number.isFinite(b.elbo)).toBe(true);
  });

  it('BCC depends on the answers, not on their order or a seed', () => {
    const { answers } = simulatedCrowd({ items: 150, K: 2, good: 6, acc: 0.7, seed: 23 });
    const n = answers.item.length;
    const perm = Array.from({ length: n }, (_, j) => (j * 7919) % n); // n is not a multiple of 7919
    const shuffled = {
      ...answers,
      item: Int32Array.from(perm, (j) => answers.item[j]),
      worker: Int32Array.from(perm, (j) => answers.worker[j]),
      label: Int32Array.from(perm, (j) => answers.label[j]),
    };
    const a = aggregateCategorical(answers, { method: 'bcc', subtypes: 3 });
    const b = aggregateCategorical(shuffled, { method: 'bcc', subtypes: 3, seed: 99 });
    expect(b.subtypes).toBe(a.subtypes);
    expect(b.elbo as number).toBeCloseTo(a.elbo as number, 6);
    b.posterior.forEach((v, j) => expect(v).toBeCloseTo(a.posterior[j], 9));
  });

  for (const method of ['ds', 'onecoin', 'glad', 'ibcc'] as const) {
    it(`${method} resumes from a previous posterior (warm start) in fewer iterations`, () => {
      const { answers } = simulatedCrowd({ items: 400, K: 3, good: 5, acc: 0.65, spammers: 1, seed: 21 });
      const cold = aggregateCategorical(answers, { method });
      // One more item arrives; its row in the old posterior is absent (zeros).
      const more = answersOf([[400, 0, 2], [400, 1, 2]], { nItems: 401, nWorkers: answers.nWorkers, nLabels: 3 });
      const grown = {
        ...answers,
        nItems: 401,
        item: Int32Array.from([...answers.item, ...more.item]),
        worker: Int32Array.from([...answers.worker, ...more.worker]),
        label: Int32Array.from([...answers.label, ...more.label]),
      };
      const warmStart = new Float64Array(401 * 3);
      warmStart.set(cold.posterior);
      const warm = aggregateCategorical(grown, { method, warmStart });
      const fresh = aggregateCategorical(grown, { method });
      expect(warm.iterations).toBeLessThan(fresh.iterations);
      let same = 0;
      for (let i = 0; i < 401; i++) if (warm.label[i] === fresh.label[i]) same++;
      expect(same).toBeGreaterThanOrEqual(399);
      expect(warm.label[400]).toBe(2);
      expect(() => aggregateCategorical(grown, { method, warmStart: new Float64Array(3) })).toThrow(/warmStart has length/);
    });
  }

  it('Dawid-Skene turns a consistent adversary into evidence', () => {
    const { answers, truth } = simulatedCrowd({ items: 300, K: 2, good: 3, acc: 0.7, adversaries: 1, seed: 9 });
    const mv = accuracy(aggregateCategorical(answers, { method: 'mv' }).label, truth);
    const r = aggregateCategorical(answers, { method: 'ds' });
    expect(accuracy(r.label, truth)).toBeGreaterThan(mv + 0.05);
    const conf = r.confusion as Float64Array;
    // The adversary (worker 3) answers 1 when the truth is 0, and 0 when it is 1.
    expect(conf[(3 * 2 + 0) * 2 + 1]).toBeGreaterThan(0.9);
    expect(conf[(3 * 2 + 1) * 2 + 0]).toBeGreaterThan(0.9);
  });

  it('property: any answer set gives a valid result, and earlier duplicates change nothing', () => {
    const triple = fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 4 }), fc.nat({ max: 2 }));
    fc.assert(
      fc.property(fc.array(triple, { maxLength: 40 }), fc.array(triple, { maxLength: 6 }), fc.constantFrom(...METHODS), (base, extra, method) => {
        const dims = { nItems: 6, nWorkers: 5, nLabels: 3 };
        const r = aggregateCategorical(answersOf(base, dims), { method });
        expectValid(r);
        const withDup = aggregateCategorical(answersOf([...extra, ...base], dims), { method });
        // Only extra answers that some later answer supersedes are ignored.
        const superseded = extra.every(([i, w]) => base.some(([j, v]) => i === j && w === v));
        if (superseded) expect(Array.from(withDup.label)).toEqual(Array.from(r.label));
      }),
      { numRuns: 80 },
    );
  });
});
