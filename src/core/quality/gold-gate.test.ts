import { describe, expect, it } from 'vitest';
import { goldGate, goldRemoves, logEvidenceBelow, ratioRule, removalProbability } from './gold-gate.ts';
import { mulberry32 } from './prng.ts';
import { binomialLowerTail } from './stats.ts';

const s = { minGoldAccuracy: 0.7, minGoldAnswers: 5 };
const ALPHA = 0.05;

/** ∫₀ᵗ (q/t)^c ((1−q)/(1−t))^(n−c) dq / t by the midpoint rule, to check the closed form. */
function evidenceNumerically(c: number, n: number, t: number): number {
  const steps = 200_000;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const q = ((i + 0.5) / steps) * t;
    sum += (q / t) ** c * ((1 - q) / (1 - t)) ** (n - c);
  }
  return sum / steps;
}

describe('goldGate', () => {
  it('waits for minGoldAnswers before judging', () => {
    expect(goldGate({ answered: 4, correct: 0 }, s, ALPHA)).toMatchObject({ decision: 'undecided', accuracy: 0 });
    expect(goldGate({ answered: 0, correct: 0 }, s, ALPHA)).toMatchObject({ decision: 'undecided', accuracy: null });
  });

  it('removes on strong evidence of accuracy below the threshold, with a message saying why', () => {
    const d = goldGate({ answered: 10, correct: 2 }, s, ALPHA);
    expect(d.decision).toBe('remove');
    expect(d.evidence).toBeGreaterThanOrEqual(1 / ALPHA);
    expect(d.message).toContain('2 of 10');
    expect(d.message).toContain('20%');
    expect(d.message).toContain('70%');
  });

  it('keeps a worker at or above the threshold whatever the count, and on thin evidence below it', () => {
    expect(goldGate({ answered: 10, correct: 7 }, s, ALPHA).decision).toBe('keep');
    expect(goldGate({ answered: 1000, correct: 700 }, s, ALPHA).decision).toBe('keep');
    // 3 of 5 is below 70% but a 70% worker gets ≤ 3 of 5 a third of the time
    expect(goldGate({ answered: 5, correct: 3 }, s, ALPHA).decision).toBe('keep');
    expect(goldGate({ answered: 1000, correct: 600 }, s, ALPHA).decision).toBe('remove');
  });

  it('the closed form of the evidence matches numerical integration', () => {
    for (const [c, n, t] of [
      [2, 10, 0.7],
      [0, 5, 0.7],
      [15, 30, 0.8],
      [7, 10, 0.7],
    ] as const) {
      expect(Math.exp(logEvidenceBelow(c, n, t))).toBeCloseTo(evidenceNumerically(c, n, t), 6);
    }
  });

  it('handles thresholds of 0 and 1', () => {
    expect(goldRemoves(0, 50, { minGoldAccuracy: 0, minGoldAnswers: 1 }, ALPHA)).toBe(false);
    expect(goldRemoves(9, 10, { minGoldAccuracy: 1, minGoldAnswers: 5 }, ALPHA)).toBe(true);
    expect(goldRemoves(10, 10, { minGoldAccuracy: 1, minGoldAnswers: 5 }, ALPHA)).toBe(false);
  });
});

describe('removalProbability', () => {
  it('of the ratio rule judged once equals the binomial tail', () => {
    // judged only at the 5th answer: removed iff correct ≤ 3
    expect(removalProbability(0.75, 5, ratioRule(s))).toBeCloseTo(binomialLowerTail(3, 5, 0.75), 12);
  });

  it('of the gate stays below α for workers at or above the threshold (Ville), however long they work', () => {
    const gate = (c: number, n: number) => goldRemoves(c, n, s, ALPHA);
    for (const p of [0.7, 0.75, 0.8, 0.9]) expect(removalProbability(p, 400, gate)).toBeLessThanOrEqual(ALPHA);
    expect(removalProbability(0.7, 400, gate)).toBeGreaterThan(removalProbability(0.8, 400, gate));
    expect(removalProbability(0.25, 40, gate)).toBeGreaterThan(0.999);
    // the ratio rule, for comparison, removes most 75% workers
    expect(removalProbability(0.75, 40, ratioRule(s))).toBeGreaterThan(0.5);
  });

  it('matches a Monte Carlo run of the gate', () => {
    const rand = mulberry32(7);
    const runs = 20000;
    const p = 0.45;
    let removed = 0;
    for (let r = 0; r < runs; r++) {
      let correct = 0;
      for (let n = 1; n <= 20; n++) {
        if (rand() < p) correct++;
        if (goldGate({ answered: n, correct }, s, ALPHA).decision === 'remove') {
          removed++;
          break;
        }
      }
    }
    const exact = removalProbability(p, 20, (c, n) => goldRemoves(c, n, s, ALPHA));
    expect(Math.abs(removed / runs - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / runs));
  });
});
