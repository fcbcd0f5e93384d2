import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulate, accumulateGeneric, logSpaceItem, newTable, recordOffsets, tablePassGeneric, tablePassProbGeneric, voteShares } from './common.ts';
import { prepareAnswers } from './prepare.ts';
import { answersOf } from './test-helpers.ts';
import { UNROLL_MAX_K, unrolledAccumulate, unrolledProbPass, unrolledTablePass } from './unrolled.ts';

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

  it('in probability space is bit-identical to the generic probability pass, long items (rescaling) included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 39 }), fc.nat({ max: 6 })), { maxLength: 160 }),
        fc.array(fc.integer({ min: -1, max: 6 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.double({ min: 1e-12, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (K, raw, goldRaw, probs) => {
          const t = raw.map(([i, w, l]) => [i, w, l % K] as [number, number, number]);
          const gold = Int32Array.from(goldRaw.map((g) => (g < 0 ? -1 : g % K)));
          const p = prepareAnswers(answersOf(t, { nItems: 5, nWorkers: 40, nLabels: K }), { gold });
          const rec = recordOffsets(p, 2 * K);
          const prior = Float64Array.from({ length: K }, (_, k) => (k + 1) / ((K * (K + 1)) / 2));
          const runs = [0, 1].map(() => {
            const post = voteShares(p);
            const tab = newTable(p);
            const cc = new Float64Array(K);
            accumulate(p, rec, post, tab, cc);
            for (let j = 0; j < tab.length; j += 2 * K) for (let k = 0; k < K; k++) tab[j + k] = probs[(j / (2 * K) + k) % probs.length];
            return { post, tab, cc, stats: new Float64Array(3) };
          });
          const scratch = new Float64Array(K);
          const fb = (tab: Float64Array) => (i: number, out: Float64Array) => logSpaceItem(p, rec, tab, prior, i, out);
          tablePassProbGeneric(p, rec, runs[0].tab, prior, runs[0].post, runs[0].cc, scratch, runs[0].stats, fb(runs[0].tab));
          unrolledProbPass(K)?.(p, rec, runs[1].tab, prior, runs[1].post, runs[1].cc, scratch, runs[1].stats, fb(runs[1].tab));
          for (const key of ['post', 'tab', 'cc', 'stats'] as const) expect(Array.from(runs[1][key])).toEqual(Array.from(runs[0][key]));
          // And it is the log-space pass in other clothes: same posteriors and objective within 1e-9.
          const logTab = Float64Array.from(runs[0].tab, (v, j) => (j % (2 * K) < K ? Math.log(v) : v));
          const ref = { post: voteShares(p), cc: new Float64Array(K), stats: new Float64Array(3) };
          tablePassGeneric(p, rec, logTab, prior.map(Math.log), ref.post, ref.cc, scratch, ref.stats);
          for (let j = 0; j < ref.post.length; j++) expect(Math.abs(ref.post[j] - runs[0].post[j])).toBeLessThan(1e-9);
          expect(Math.abs(ref.stats[0] - runs[0].stats[0])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(ref.stats[0])));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('in probability space survives products that underflow (rescaling, then the log-space fallback)', () => {
    // One item with 400 answers of probability 1e-3 each: the raw product is 1e-1200.
    const K = 2;
    const t = Array.from({ length: 400 }, (_, w) => [0, w, 0] as [number, number, number]);
    const p = prepareAnswers(answersOf(t, { nItems: 1, nWorkers: 400, nLabels: K }));
    const rec = recordOffsets(p, 2 * K);
    const tab = newTable(p);
    for (let j = 0; j < tab.length; j += 2 * K) {
      tab[j] = 1e-3;
      tab[j + 1] = 2e-3;
    }
    const post = voteShares(p);
    const stats = new Float64Array(3);
    const prior = Float64Array.of(0.5, 0.5);
    unrolledProbPass(K)?.(p, rec, tab, prior, post, new Float64Array(K), new Float64Array(K), stats, (i, out) => logSpaceItem(p, rec, tab, prior, i, out));
    // log odds = 400 · log 2 ≈ 277: class 1 has posterior 1 − 2^-400, which is 1 in doubles.
    expect(post[1]).toBe(1);
    expect(post[0]).toBeLessThan(1e-100);
    expect(stats[0]).toBeCloseTo(Math.log(0.5) + 400 * Math.log(2e-3), 6);
    // Probabilities so small that even 16 at a time underflow: the item is redone in log space.
    for (let j = 0; j < tab.length; j += 2 * K) {
      tab[j] = 1e-30;
      tab[j + 1] = 1e-30;
    }
    unrolledProbPass(K)?.(p, rec, tab, prior, post, new Float64Array(K), new Float64Array(K), stats, (i, out) => logSpaceItem(p, rec, tab, prior, i, out));
    expect(post[0]).toBeCloseTo(0.5, 12);
    expect(stats[0]).toBeCloseTo(400 * Math.log(1e-30), 6);
  });

  it('is compiled once per K and not at all for large K', () => {
    expect(unrolledProbPass(3)).toBe(unrolledProbPass(3));
    expect(unrolledProbPass(UNROLL_MAX_K + 1)).toBeNull();
    expect(unrolledTablePass(3)).toBe(unrolledTablePass(3));
    expect(unrolledAccumulate(3)).toBe(unrolledAccumulate(3));
    expect(unrolledAccumulate(UNROLL_MAX_K + 1)).toBeNull();
    expect(unrolledTablePass(UNROLL_MAX_K + 1)).toBeNull();
    expect(unrolledTablePass(0)).toBeNull();
  });
});
