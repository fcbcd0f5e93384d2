import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateNumbers, weightedMedian } from './number.ts';
import { rng } from './math.ts';

function build(rows: [number, number, number][]) {
  return {
    nItems: Math.max(...rows.map((r) => r[0])) + 1,
    nWorkers: Math.max(...rows.map((r) => r[1])) + 1,
    item: Int32Array.from(rows.map((r) => r[0])),
    worker: Int32Array.from(rows.map((r) => r[1])),
    value: Float64Array.from(rows.map((r) => r[2])),
  };
}

describe('weightedMedian', () => {
  it('equals the ordinary median with equal weights', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
        const v = Float64Array.from(xs);
        const s = [...xs].sort((a, b) => a - b);
        const n = s.length;
        const med = n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
        const idx = new Int32Array(n);
        expect(weightedMedian(v, null, n, idx)).toBe(med);
        expect(weightedMedian(v, new Float64Array(n).fill(2), n, idx)).toBeCloseTo(med, 6);
      }),
    );
  });
});

describe('aggregateNumbers', () => {
  it('median ignores an outlier and reports agreement as confidence', () => {
    const r = aggregateNumbers(build([[0, 0, 10], [0, 1, 10.02], [0, 2, 9.99], [0, 3, 1000]]), { method: 'median' });
    expect(r.value[0]).toBeCloseTo(10.01);
    expect(r.confidence[0]).toBe(0.75);
    expect(r.spread[0]).toBeGreaterThan(0);
  });

  it('weighted estimate learns which workers are careless', () => {
    const r0 = rng(3);
    const rows: [number, number, number][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = 100 + 50 * r0();
      truth.push(t);
      // Workers 0-1 are precise; 2-4 are careless (large errors).
      rows.push([i, 0, t + (r0() - 0.5) * 0.2], [i, 1, t + (r0() - 0.5) * 0.2]);
      for (let w = 2; w < 5; w++) rows.push([i, w, t + (r0() - 0.5) * 40]);
    }
    const a = build(rows);
    const med = aggregateNumbers(a, { method: 'median' });
    const wtd = aggregateNumbers(a);
    const err = (v: Float64Array) => truth.reduce((s, t, i) => s + Math.abs(v[i] - t), 0) / truth.length;
    expect(err(wtd.value)).toBeLessThan(err(med.value) / 5);
    expect(wtd.workerError[0]).toBeLessThan(wtd.workerError[2]);
    expect(wtd.workerQuality[0]).toBeGreaterThan(wtd.workerQuality[3]);
    expect(wtd.iterations).toBeGreaterThan(0);
  });

  it('clamps gold, skips unanswered items, keeps the last answer of a worker', () => {
    const a = build([[0, 0, 5], [0, 1, 6], [2, 0, 1], [2, 0, 3], [2, 1, 3]]);
    const r = aggregateNumbers(a, { gold: Float64Array.of(7, NaN, NaN) });
    expect(r.value[0]).toBe(7);
    expect(r.confidence[0]).toBe(1);
    expect(Number.isNaN(r.value[1])).toBe(true);
    expect(r.value[2]).toBe(3);
    expect(r.itemAnswers[2]).toBe(2);
  });

  it('rejects non-finite values', () => {
    expect(() => aggregateNumbers(build([[0, 0, Number.NaN]]))).toThrow(/not a finite number/);
  });
});
