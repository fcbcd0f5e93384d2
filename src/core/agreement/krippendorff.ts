import type { AgreementResult, CountTable } from './types.ts';

/**
 * Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability"), any number of coders, missing values allowed.
 *
 * Coincidences: every unit with m_u ≥ 2 values contributes, for each ordered pair of its values
 * from different coders, 1/(m_u − 1) to o_ck. n_c = Σ_k o_ck, n = Σ n_c (the pairable values).
 * D_o = Σ_{c≠k} o_ck / n, D_e = Σ_{c≠k} n_c n_k / (n(n − 1)), α = 1 − D_o / D_e.
 * For nominal data only the diagonal is needed: Σ_{c≠k} o_ck = n − Σ_c o_cc with
 * o_cc = Σ_u n_uc(n_uc − 1)/(m_u − 1).
 */
export function krippendorffAlphaNominal(table: CountTable | number[][]): AgreementResult {
  const counts = Array.isArray(table) ? table : table.counts;
  const k = counts.reduce((m, r) => Math.max(m, r.length), 0);
  const nc = new Array<number>(k).fill(0);
  let n = 0;
  let agree = 0; // Σ_c o_cc
  let units = 0;
  for (const row of counts) {
    let m = 0;
    for (const c of row) m += c;
    if (m < 2) continue;
    units += 1;
    n += m;
    let same = 0;
    row.forEach((c, j) => {
      nc[j]! += c;
      same += c * (c - 1);
    });
    agree += same / (m - 1);
  }
  if (units === 0 || n < 2) return { value: null, observed: null, expected: null, units, ratings: n };
  const observed = (n - agree) / n;
  let sq = 0;
  for (const c of nc) sq += c * c;
  const expected = (n * n - sq) / (n * (n - 1));
  // one value throughout: no variation, alpha is undefined (Krippendorff: 0/0)
  const value = expected < 1e-12 ? null : 1 - observed / expected;
  return { value, observed, expected, units, ratings: n };
}
