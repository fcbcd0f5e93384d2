import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng.ts';
import { binomialLowerTail, binomialPmf, binomialUpperTail, logGamma, median } from './stats.ts';

describe('stats', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(21)).toBeCloseTo(Math.log(2432902008176640000), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('binomial pmf and tails match hand values', () => {
    expect(binomialPmf(2, 4, 0.5)).toBeCloseTo(6 / 16, 12);
    expect(binomialUpperTail(4, 5, 0.5)).toBeCloseTo(6 / 32, 12);
    expect(binomialLowerTail(3, 5, 0.75)).toBeCloseTo(1 - (0.75 ** 5 + 5 * 0.75 ** 4 * 0.25), 12);
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialLowerTail(10, 10, 0.3)).toBe(1);
    // far tails keep their precision: P(X ≥ 100 | 100, 0.1) = 1e-100
    expect(Math.log10(binomialUpperTail(100, 100, 0.1))).toBeCloseTo(-100, 8);
    let s = 0;
    for (let k = 0; k <= 30; k++) s += binomialPmf(k, 30, 0.37);
    expect(s).toBeCloseTo(1, 12);
  });

  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('the seeded generator is reproducible and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});
