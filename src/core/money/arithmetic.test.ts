import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costWithFee, effectiveHourlyPay, platformFee, projectedCostToFinish, toBasisPoints, withholding } from './arithmetic.ts';
import { checkLedger } from './invariants.ts';

describe('money arithmetic', () => {
  it('turns percentages into basis points exactly', () => {
    expect(toBasisPoints(10)).toBe(1000);
    expect(toBasisPoints(3.3)).toBe(330);
    expect(toBasisPoints(12.5)).toBe(1250);
    expect(toBasisPoints(0)).toBe(0);
    expect(() => toBasisPoints(101)).toThrow();
  });

  it('rounds the platform fee half up to the won', () => {
    expect(platformFee(50, 1000)).toBe(5);
    expect(platformFee(55, 1000)).toBe(6); // 5.5 → 6
    expect(platformFee(54, 1000)).toBe(5); // 5.4 → 5
    expect(platformFee(1, 1000)).toBe(0); // 0.1 → 0
    expect(platformFee(5, 1000)).toBe(1); // 0.5 → 1
    expect(platformFee(0, 1000)).toBe(0);
    expect(platformFee(333, 1250)).toBe(42); // 41.625 → 42
    expect(costWithFee(30, 1000)).toEqual({ pay: 30, fee: 3, total: 33 });
    expect(() => platformFee(1.5, 1000)).toThrow();
    expect(() => platformFee(-1, 1000)).toThrow();
  });

  it('fee is the exact half-up rounding of amount × rate for any amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 0, max: 10_000 }), (a, bp) => {
        const f = platformFee(a, bp);
        // f is the integer nearest a·bp/10000, ties up: 2·10000·f - 10000 ≤ 2·a·bp < 2·10000·f + 10000
        const twice = 2n * BigInt(a) * BigInt(bp);
        return 20_000n * BigInt(f) - 10_000n <= twice && twice < 20_000n * BigInt(f) + 10_000n;
      }),
    );
  });

  it('withholds 3.3% truncated to the 10 won', () => {
    expect(withholding(10_000, 330)).toEqual({ gross: 10_000, withholding: 330, net: 9_670 });
    expect(withholding(12_345, 330)).toEqual({ gross: 12_345, withholding: 400, net: 11_945 });
    expect(withholding(99_999, 330)).toEqual({ gross: 99_999, withholding: 3_290, net: 96_709 }); // 3299.967 → 3290
    expect(withholding(50_000, 0)).toEqual({ gross: 50_000, withholding: 0, net: 50_000 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (g, bp) => {
        const w = withholding(g, bp);
        const exact = (g * bp) / 10_000; // fine as a float for a bound check
        return w.withholding % 10 === 0 && w.withholding <= exact + 1e-6 && w.withholding > exact - 10 - 1e-6 && w.gross === w.net + w.withholding;
      }),
    );
  });

  it('computes effective hourly pay from the median task time, rounded down', () => {
    expect(effectiveHourlyPay(50, 10_000)).toBe(18_000); // 50 won per 10 s
    expect(effectiveHourlyPay(30, 12_345)).toBe(8_748); // 8748.48…
    expect(effectiveHourlyPay(30, null)).toBeNull();
    expect(effectiveHourlyPay(30, 0)).toBeNull();
    expect(effectiveHourlyPay(0, 5_000)).toBe(0);
  });

  it('projects the cost to finish with gold and review shares, rounded up', () => {
    expect(projectedCostToFinish({ answersLeft: 0, pay: 50, payPerReview: 10, feeBp: 1000, goldRate: 0.1, reviewRate: 0.1 })).toBe(0);
    // 100 answers × 55 won, no gold, no review
    expect(projectedCostToFinish({ answersLeft: 100, pay: 50, payPerReview: 10, feeBp: 1000, goldRate: 0, reviewRate: 0 })).toBe(5_500);
    // 90 ordinary answers at goldRate 0.1 → 100 tasks; 10% reviewed at 11 won → 9 reviews (of ordinary answers)
    expect(projectedCostToFinish({ answersLeft: 90, pay: 50, payPerReview: 10, feeBp: 1000, goldRate: 0.1, reviewRate: 0.1 })).toBe(5_500 + 99);
    expect(projectedCostToFinish({ answersLeft: 1, pay: 1, payPerReview: 0, feeBp: 0, goldRate: 1 / 3, reviewRate: 0 })).toBe(2); // 1.5 → 2
  });
});

describe('ledger invariants checker', () => {
  const base = {
    accounts: [
      { id: 1, kind: 'world', cached: null, derived: -100 },
      { id: 2, kind: 'org_funds', cached: 60, derived: 60 },
      { id: 3, kind: 'project_budget', cached: 40, derived: 40 },
    ],
    unbalanced: [],
    deposits: 100,
    outflows: 0,
  };
  it('accepts a consistent ledger', () => expect(checkLedger(base)).toEqual([]));
  it('finds each kind of violation', () => {
    const v = checkLedger({
      ...base,
      accounts: [...base.accounts.slice(0, 2), { id: 3, kind: 'project_budget', cached: 41, derived: -5 }],
      unbalanced: [{ txId: 9, sum: 1, entries: 1 }],
    });
    expect(v.map((x) => x.rule).sort()).toEqual(['balanced', 'cache', 'non_negative', 'reconciliation', 'reconciliation']);
  });
});
