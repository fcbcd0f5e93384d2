import type { CountTable, Rating } from './types.ts';

/**
 * Tallies ratings into a unit × category table. A rater rating a unit twice counts once (the
 * last rating wins), so a resubmission never inflates agreement. Categories keep the order in
 * which they first appear unless `categories` fixes it (values outside that list are added).
 */
export function countTable(ratings: Iterable<Rating>, categories: Array<string | number | boolean> = []): CountTable {
  const cats = [...categories];
  const catIndex = new Map<string, number>();
  const key = (v: string | number | boolean) => `${typeof v}:${String(v)}`;
  cats.forEach((c, i) => catIndex.set(key(c), i));

  const byUnit = new Map<string, Map<string, number>>();
  for (const r of ratings) {
    const k = key(r.value);
    let ci = catIndex.get(k);
    if (ci === undefined) {
      ci = cats.length;
      cats.push(r.value);
      catIndex.set(k, ci);
    }
    const uk = key(r.unit);
    let raters = byUnit.get(uk);
    if (!raters) byUnit.set(uk, (raters = new Map()));
    raters.set(key(r.rater), ci);
  }

  const counts: number[][] = [];
  for (const raters of byUnit.values()) {
    const row = new Array<number>(cats.length).fill(0);
    for (const ci of raters.values()) row[ci]! += 1;
    counts.push(row);
  }
  // rows built before a later category appeared are shorter: pad them
  for (const row of counts) while (row.length < cats.length) row.push(0);
  return { categories: cats, counts };
}

/**
 * Builds a table from a coders × units matrix as reliability data is usually printed
 * (`null`/`undefined` = missing), e.g. Krippendorff's examples.
 */
export function tableFromReliabilityData(rows: Array<Array<string | number | null | undefined>>): CountTable {
  const ratings: Rating[] = [];
  rows.forEach((row, rater) =>
    row.forEach((value, unit) => {
      if (value !== null && value !== undefined) ratings.push({ unit, rater, value });
    }),
  );
  return countTable(ratings);
}
