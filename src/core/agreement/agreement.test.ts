import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlAgreement, countTable, fleissKappa, krippendorffAlphaNominal, tableFromReliabilityData } from './index.ts';

const _ = null;

describe("Fleiss' kappa", () => {
  // Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
  const wikipedia = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];

  it('reproduces the worked example: P̄ = 0.378, P̄e = 0.213, κ = 0.210', () => {
    const r = fleissKappa(wikipedia);
    expect(r.observed).toBeCloseTo(0.378, 3);
    expect(r.expected).toBeCloseTo(0.213, 3);
    expect(r.value!).toBeCloseTo(0.21, 3);
    expect(Math.abs(r.value! - 0.21)).toBeLessThan(0.001);
    expect(r.units).toBe(10);
    expect(r.ratings).toBe(140);
  });

  it('is 1 under perfect agreement and undefined with no variation or no pairs', () => {
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]]).value).toBe(1);
    expect(fleissKappa([[3, 0], [3, 0]]).value).toBeNull();
    expect(fleissKappa([[1, 0], [0, 1]]).value).toBeNull();
    expect(fleissKappa([]).value).toBeNull();
  });

  it('skips units with fewer than two ratings', () => {
    const withSingles = [...wikipedia, [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]];
    expect(fleissKappa(withSingles).value).toBeCloseTo(fleissKappa(wikipedia).value!, 12);
  });
});

describe("Krippendorff's alpha (nominal)", () => {
  it('reproduces Krippendorff (2011) C: 4 observers, 12 units, missing values → α = 0.743', () => {
    const data = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
      [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
    ];
    const r = krippendorffAlphaNominal(tableFromReliabilityData(data));
    expect(Math.abs(r.value! - 0.743)).toBeLessThan(0.001);
    expect(r.ratings).toBe(40); // unit 12 has one value and is not pairable
    expect(r.units).toBe(11);
  });

  it('reproduces Krippendorff (2011) A: binary, 2 observers → α = 0.095', () => {
    const r = krippendorffAlphaNominal(tableFromReliabilityData([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]));
    expect(Math.abs(r.value! - 0.095)).toBeLessThan(0.001);
  });

  it('reproduces Krippendorff (2011) B: nominal, 2 observers → α = 0.692', () => {
    const r = krippendorffAlphaNominal(
      tableFromReliabilityData([
        ['a', 'a', 'b', 'b', 'd', 'c', 'c', 'c', 'e', 'd', 'd', 'a'],
        ['b', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'e', 'd', 'd', 'd'],
      ]),
    );
    expect(Math.abs(r.value! - 0.692)).toBeLessThan(0.001);
  });

  it("reproduces Wikipedia's example: 3 coders, 15 units, missing values → α = 0.691", () => {
    const r = krippendorffAlphaNominal(
      tableFromReliabilityData([
        [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
        [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
        [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
      ]),
    );
    expect(Math.abs(r.value! - 0.691)).toBeLessThan(0.001);
  });

  it('is undefined with no variation and 1 under perfect agreement', () => {
    expect(krippendorffAlphaNominal([[2, 0], [3, 0]]).value).toBeNull();
    expect(krippendorffAlphaNominal([[2, 0], [0, 3]]).value).toBe(1);
    expect(krippendorffAlphaNominal([[1, 0]]).value).toBeNull();
  });
});

const completeTable = fc
  .record({ raters: fc.integer({ min: 2, max: 8 }), cats: fc.integer({ min: 2, max: 5 }), units: fc.integer({ min: 1, max: 30 }) })
  .chain(({ raters, cats, units }) =>
    fc.array(fc.array(fc.integer({ min: 0, max: cats - 1 }), { minLength: raters, maxLength: raters }), { minLength: units, maxLength: units }).map((rows) =>
      rows.map((votes) => {
        const row = new Array<number>(cats).fill(0);
        for (const v of votes) row[v]! += 1;
        return row;
      }),
    ),
  );

describe('properties', () => {
  it('with complete data, α = 1 − (1 − κ)(n − 1)/n (n = all ratings)', () => {
    fc.assert(
      fc.property(completeTable, (t) => {
        const k = fleissKappa(t);
        const a = krippendorffAlphaNominal(t);
        if (k.value === null) return a.value === null;
        const n = k.ratings;
        return Math.abs(a.value! - (1 - ((1 - k.value) * (n - 1)) / n)) < 1e-9;
      }),
    );
  });

  it('does not depend on the order of units or of categories', () => {
    fc.assert(
      fc.property(completeTable, fc.integer(), (t, seed) => {
        const shuffledRows = [...t].sort((x, y) => ((x.join() + seed) < (y.join() + seed) ? -1 : 1));
        const reversedCats = t.map((r) => [...r].reverse());
        for (const f of [fleissKappa, krippendorffAlphaNominal]) {
          const base = f(t).value;
          for (const other of [f(shuffledRows).value, f(reversedCats).value]) {
            if ((base === null) !== (other === null)) return false;
            if (base !== null && Math.abs(base - other!) > 1e-9) return false;
          }
        }
        return true;
      }),
    );
  });

  it('alpha stays within [-1, 1] and kappa at most 1 for any table, missing data included', () => {
    const ragged = fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }), { maxLength: 20 });
    fc.assert(
      fc.property(ragged, (t) => {
        const a = krippendorffAlphaNominal(t).value;
        const k = fleissKappa(t).value;
        return (a === null || (a >= -1 - 1e-9 && a <= 1 + 1e-9)) && (k === null || k <= 1 + 1e-9);
      }),
    );
  });
});

describe('countTable', () => {
  it('counts a rater once per unit (the last rating wins) and keeps the category order given', () => {
    const t = countTable(
      [
        { unit: 1, rater: 'a', value: 'x' },
        { unit: 1, rater: 'a', value: 'y' },
        { unit: 1, rater: 'b', value: 'y' },
        { unit: 2, rater: 'a', value: 'z' },
      ],
      ['y', 'x'],
    );
    expect(t.categories).toEqual(['y', 'x', 'z']);
    expect(t.counts).toEqual([
      [2, 0, 0],
      [0, 0, 1],
    ]);
  });

  it('keeps 1 and "1" apart', () => {
    const t = countTable([
      { unit: 1, rater: 'a', value: 1 },
      { unit: 1, rater: 'b', value: '1' },
    ]);
    expect(t.counts).toEqual([[1, 1]]);
  });
});

describe('controlAgreement', () => {
  const controls = [
    { name: 'animal', type: 'single_choice' as const, values: ['cat', 'dog'], multi: false, open: false, ordinal: false },
    { name: 'tags', type: 'multi_choice' as const, values: ['indoor', 'outdoor'], multi: true, open: false, ordinal: false },
  ];

  it('computes both coefficients per control, nominal and per option', () => {
    const answers = [
      { itemId: 1, workerId: 'w1', result: { animal: 'cat', tags: ['indoor'] } },
      { itemId: 1, workerId: 'w2', result: { animal: 'cat', tags: ['indoor'] } },
      { itemId: 2, workerId: 'w1', result: { animal: 'dog', tags: ['outdoor'] } },
      { itemId: 2, workerId: 'w2', result: { animal: 'dog', tags: ['outdoor'] } },
      { itemId: 3, workerId: 'w1', result: { animal: 'dog' } },
    ];
    const [animal, tags] = controlAgreement(controls, answers);
    expect(animal).toMatchObject({ control: 'animal', scale: 'nominal', fleissKappa: 1, krippendorffAlpha: 1, items: 2, answers: 5 });
    expect(tags).toMatchObject({ control: 'tags', scale: 'binary_per_option', fleissKappa: 1, krippendorffAlpha: 1, items: 2, answers: 4 });
  });

  it('matches the table functions on ordinary answers', () => {
    const answers = [
      { itemId: 1, workerId: 'a', result: { animal: 'cat' } },
      { itemId: 1, workerId: 'b', result: { animal: 'dog' } },
      { itemId: 1, workerId: 'c', result: { animal: 'cat' } },
      { itemId: 2, workerId: 'a', result: { animal: 'dog' } },
      { itemId: 2, workerId: 'b', result: { animal: 'dog' } },
    ];
    const [animal] = controlAgreement(controls, answers);
    const t = [
      [2, 1],
      [0, 2],
    ];
    expect(animal!.fleissKappa).toBeCloseTo(fleissKappa(t).value!, 12);
    expect(animal!.krippendorffAlpha).toBeCloseTo(krippendorffAlphaNominal(t).value!, 12);
  });

  it('reports null when nothing can be computed', () => {
    const [animal] = controlAgreement(controls, [{ itemId: 1, workerId: 'a', result: { animal: 'cat' } }]);
    expect(animal).toMatchObject({ fleissKappa: null, krippendorffAlpha: null, items: 0, answers: 1 });
  });
});
