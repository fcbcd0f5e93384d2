/**
 * Accuracy on the five real crowdsourcing sets in ../shared/datasets (see its README for the
 * published figures). Accuracy here is *expected* accuracy under random tie-breaking: an item
 * whose posterior ties k labels (within 1e-9) scores 1/k if the truth is among them, exactly as
 * the reference notebooks score it. Nothing here tunes anything: methods run with their
 * documented generic defaults.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregateCategorical, DEFAULT_METHOD } from './categorical.ts';
import { AnswerEncoder } from './encoder.ts';
import { expectedAccuracy } from './test-helpers.ts';
import type { CategoricalMethod, CategoricalResult } from './types.ts';

const DIR = path.resolve(process.cwd(), '../shared/datasets');

interface Loaded {
  enc: AnswerEncoder;
  truth: [number, number][];
}

function load(name: string): Loaded {
  const enc = new AnswerEncoder();
  const rows = parse(readFileSync(path.join(DIR, name, 'answers.csv')), { columns: true }) as { item: string; worker: string; label: string }[];
  for (const r of rows) enc.add(r.item, r.worker, r.label);
  const truth = (parse(readFileSync(path.join(DIR, name, 'truth.csv')), { columns: true }) as { item: string; truth: string }[]).map(
    (r) => [enc.items.get(r.item), enc.labels.index(r.truth)] as [number, number],
  );
  return { enc, truth };
}

/** Plain accuracy of the deterministic labels (ties broken by the item hash). */
function labelAccuracy(r: CategoricalResult, truth: [number, number][]): number {
  return truth.filter(([i, t]) => r.label[i] === t).length / truth.length;
}

// Published figures (README table). `ds` figures given as "~0.90" are read as 0.90.
const PUBLISHED: Record<string, { mv: number; ds: number; best?: number }> = {
  sentiment: { mv: 0.9331, ds: 0.96, best: 0.961 },
  duck: { mv: 0.76, ds: 0.9, best: 0.8889 },
  rte: { mv: 0.9, ds: 0.93, best: 0.9313 },
  temp: { mv: 0.94, ds: 0.94 },
  wsd: { mv: 0.99, ds: 0.99 },
};
// GLAD, one-coin and EBCC are measured in README.md (EBCC alone would take seconds here).
const METHODS: CategoricalMethod[] = ['mv', 'wmv', 'ds', 'ibcc', 'bcc'];
/** Published figures are rounded to 4 decimals (0.8889 = 96/108, 0.9313 = 745/800). */
const ROUNDING = 0.00005;

describe('accuracy on the public datasets', () => {
  const measured: Record<string, Record<string, number>> = {};
  const labelled: Record<string, Record<string, number>> = {};

  beforeAll(() => {
    for (const name of Object.keys(PUBLISHED)) {
      const { enc, truth } = load(name);
      const answers = enc.answers();
      measured[name] = {};
      labelled[name] = {};
      for (const method of METHODS) {
        const r = aggregateCategorical(answers, { method });
        measured[name][method] = expectedAccuracy(r, truth);
        labelled[name][method] = labelAccuracy(r, truth);
      }
    }
    const rows = Object.entries(measured).map(([n, m]) => `${n.padEnd(10)} ` + METHODS.map((k) => `${k}=${m[k].toFixed(4)}`).join(' '));
    console.log(`expected accuracy (ties = fractional credit):\n${rows.join('\n')}`);
  });

  for (const [name, pub] of Object.entries(PUBLISHED)) {
    describe(name, () => {
      it(`majority vote reproduces the published ${pub.mv} within 0.5 points`, () => {
        expect(Math.abs(measured[name].mv - pub.mv)).toBeLessThanOrEqual(0.005);
      });

      it(`Dawid-Skene reproduces the published ${pub.ds} within 0.5 points`, () => {
        expect(Math.abs(measured[name].ds - pub.ds)).toBeLessThanOrEqual(0.005);
      });

      it(`the default method (${DEFAULT_METHOD}) is at least as accurate as majority vote`, () => {
        expect(measured[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual(measured[name].mv);
        expect(measured[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual(pub.mv);
        // Deterministic tie-breaking does not change the picture.
        expect(labelled[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual(labelled[name].mv);
      });

      if (pub.best !== undefined) {
        it(`the default method meets the best published figure ${pub.best}`, () => {
          expect(measured[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual((pub.best as number) - ROUNDING);
          expect(labelled[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual((pub.best as number) - ROUNDING);
        });
      }
    });
  }

  // BCC keeps one subtype per class (IBCC) except on sentiment, where the evidence prefers two
  // (ELBO −9205.0 against −9235.3) and the extra subtype is what clears EBCC's 0.961 there.
  // The margin that keeps duck at IBCC is small (M = 2: −2079.8 against −2077.7): if a change
  // to the start or the priors flips it, duck falls to ~0.84 and this test says so.
  it('the default equals IBCC where the evidence keeps one subtype, and beats it on sentiment', () => {
    expect(measured.sentiment[DEFAULT_METHOD]).toBeGreaterThan(measured.sentiment.ibcc);
    for (const name of ['duck', 'rte', 'temp', 'wsd']) expect(measured[name][DEFAULT_METHOD]).toBe(measured[name].ibcc);
  });
});
