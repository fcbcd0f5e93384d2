import type { AgreementResult, CountTable } from './types.ts';

/**
 * Fleiss' kappa (Fleiss 1971) over a unit × category count table.
 *
 * With the same number of raters n on every unit this is exactly Fleiss' statistic:
 * P_i = Σ_j n_ij(n_ij − 1) / (n(n − 1)), P̄ = mean P_i, p_j = share of all ratings in j,
 * P̄e = Σ p_j², κ = (P̄ − P̄e) / (1 − P̄e).
 * With varying raters per unit (missing data), each unit's P_i uses its own n_i and p_j pools
 * all ratings — the usual generalisation; units with fewer than two ratings carry no pair and
 * are left out. For missing data Krippendorff's alpha is the better-founded figure; both are
 * reported side by side.
 */
export function fleissKappa(table: CountTable | number[][]): AgreementResult {
  const counts = Array.isArray(table) ? table : table.counts;
  const k = counts.reduce((m, r) => Math.max(m, r.length), 0);
  const totals = new Array<number>(k).fill(0);
  let sumP = 0;
  let units = 0;
  let ratings = 0;
  for (const row of counts) {
    let n = 0;
    let pairs = 0;
    for (const c of row) {
      n += c;
      pairs += c * (c - 1);
    }
    if (n < 2) continue;
    units += 1;
    ratings += n;
    sumP += pairs / (n * (n - 1));
    row.forEach((c, j) => (totals[j]! += c));
  }
  if (units === 0) return { value: null, observed: null, expected: null, units: 0, ratings: 0 };
  const observed = sumP / units;
  let expected = 0;
  for (const t of totals) expected += (t / ratings) ** 2;
  // every rating in one category: chance agreement is 1 and kappa is 0/0
  const value = 1 - expected < 1e-12 ? null : (observed - expected) / (1 - expected);
  return { value, observed, expected, units, ratings };
}
