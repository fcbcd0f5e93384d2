/** One rating: rater `rater` put unit `unit` in category `value`. */
export interface Rating {
  unit: string | number;
  rater: string | number;
  value: string | number | boolean;
}

/**
 * Ratings tallied per unit: `counts[u][c]` is how many raters put unit `u` in category `c`.
 * Rows may have different sums (raters per unit vary; missing data is simply not counted).
 */
export interface CountTable {
  categories: Array<string | number | boolean>;
  counts: number[][];
}

export interface AgreementResult {
  /** The coefficient, or null when it is undefined (no unit with two ratings, or no variation at all). */
  value: number | null;
  /** Observed agreement (Fleiss' P̄) or disagreement (Krippendorff's D_o). */
  observed: number | null;
  /** Agreement (P̄e) or disagreement (D_e) expected by chance. */
  expected: number | null;
  /** Units that entered the computation (those with at least two ratings). */
  units: number;
  /** Ratings that entered the computation (pairable values). */
  ratings: number;
}
