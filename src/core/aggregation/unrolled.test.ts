import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulate, accumulateGeneric, newTable, recordOffsets, tablePassGeneric, voteShares } from './common.ts';
import { prepareAnswers } from './prepare.ts';
import { answersOf } from './test-helpers.ts';
import { UNROLL_MAX_K, unrolledAccumulate, unrolledTablePass } from './unrolled.ts';

describe('unrolled table pass', () => {
  it('is bit-identical to the generic pass, gold items and unanswered items included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.tuple(fc.nat({ max: 9 }), fc.nat({ max: 5 }), fc.nat({ max: 6 })), { maxLength: 80 }),
        fc.array(fc.integer({ min: -1, max: 6 }), { minLength: 10, maxLength: 10 }),
        fc.array(fc.double({ min: -6, max: 0, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (K, raw, goldRaw, logs) => {
          const t = raw.map(([i, w, l]) => [i, w, l % K] as [number, number, number]);
          const gold = Int32Array.from(goldRaw.map((g) => (g < 0 ? -1 : g % K)));
          const p = prepareAnswers(answersOf(t, { nItems: 10, nWorkers: 6, nLabels: K }), { gold });
          const rec = recordOffsets(p, 2 * K);
          const runs = [0, 1].map(() => {
            const post = voteShares(p);
            const tab = newTable(p);
            const cc = new Float64Array(K);
            accumulateGeneric(p, rec, post, tab, cc);
            const tab2 = newTable(p);
            const cc2 = new Float64Array(K);
            accumulate(p, rec, post, tab2, cc2);
            expect(Array.from(tab2)).toEqual(Array.from(tab));
            expect(Array.from(cc2)).toEqual(Array.from(cc));
            for (let j = 0; j < tab.length; j += 2 * K) for (let k = 0; k < K; k++) tab[j + k] = logs[(j / (2 * K) + k) % logs.length];
            const logPrior = Float64Array.from({ length: K }, (_, k) => Math.log((k + 1) / ((K * (K + 1)) / 2)));
            return { post, tab, cc, logPrior, stats: new Float64Array(3) };
          });
          const scratch = new Float64Array(K);
          tablePassGeneric(p, rec, runs[0].tab, runs[0].logPrior, runs[0].post, runs[0].cc, scratch, runs[0].stats);
          const fast = unrolledTablePass(K);
          expect(fast).not.toBeNull();
          fast?.(p, rec, runs[1].tab, runs[1].logPrior, runs[1].post, runs[1].cc, scratch, runs[1].stats);
          for (const key of ['post', 'tab', 'cc', 'stats'] as const) expect(Array.from(runs[1][key])).toEqual(Array.from(runs[0][key]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is compiled once per K and not at all for large K', () => {
    expect(unrolledTablePass(3)).toBe(unrolledTablePass(3));
    expect(unrolledAccumulate(3)).toBe(unrolledAccumulate(3));
    expect(unrolledAccumulate(UNROLL_MAX_K + 1)).toBeNull();
    expect(unrolledTablePass(UNROLL_MAX_K + 1)).toBeNull();
    expect(unrolledTablePass(0)).toBeNull();
  });
});
