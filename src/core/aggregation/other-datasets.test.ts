/**
 * A check on public crowdsourcing sets that are NOT the five in ../shared/datasets, so that the
 * default method is not judged only on the sets it was chosen on. The data are copied verbatim
 * into test/fixtures/crowd-datasets (see the README there for sources and publications). Nothing
 * here was tuned: every method runs with its documented generic defaults, and the contract below
 * was written as "what a user may rely on", then the figures were measured against it.
 *
 * Accuracy is expected accuracy with fractional credit for ties, as in datasets.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregateCategorical, DEFAULT_METHOD } from './categorical.ts';
import { AnswerEncoder } from './encoder.ts';
import { expectedAccuracy } from './test-helpers.ts';
import type { CategoricalMethod } from './types.ts';

const DIR = path.resolve(process.cwd(), 'test/fixtures/crowd-datasets');
const SETS = ['cf', 'ms', 'face'];
/** Run on every set; the contract uses mv, ds, ibcc and the default, the others are for the table. */
const METHODS: CategoricalMethod[] = ['mv', 'wmv', 'ds', 'onecoin', 'glad', 'ibcc', DEFAULT_METHOD];

interface Loaded {
  enc: AnswerEncoder;
  truth: [number, number][];
  answers: number;
}

function load(name: string): Loaded {
  const rows = parse(readFileSync(path.join(DIR, name, 'answers.csv')), { columns: true }) as { item: string; worker: string; label: string }[];
  const truthRows = parse(readFileSync(path.join(DIR, name, 'truth.csv')), { columns: true }) as { item: string; truth: string }[];
  // The label set is every label that occurs in the answers or the truth (the form's options).
  const labels = [...new Set([...rows.map((r) => r.label), ...truthRows.map((r) => r.truth)])].sort((a, b) => Number(a) - Number(b));
  const enc = new AnswerEncoder({ labels });
  for (const r of rows) enc.add(r.item, r.worker, r.label);
  const truth = truthRows.map((r) => [enc.items.get(r.item), enc.labels.get(r.truth)] as [number, number]);
  return { enc, truth, answers: rows.length };
}

describe('accuracy on other public crowdsourcing sets (not used to choose anything)', () => {
  const acc: Record<string, Record<string, number>> = {};

  beforeAll(() => {
    const lines: string[] = [];
    for (const name of SETS) {
      const { enc, truth, answers } = load(name);
      const a = enc.answers();
      acc[name] = {};
      let subtypes = '';
      for (const method of METHODS) {
        const r = aggregateCategorical(a, { method });
        acc[name][method] = expectedAccuracy(r, truth);
        if (method === DEFAULT_METHOD && r.subtypes) subtypes = ` (M = ${r.subtypes})`;
      }
      lines.push(
        `${name.padEnd(5)} ${String(a.nItems).padStart(4)} items ${String(a.nWorkers).padStart(3)} workers ${String(answers).padStart(5)} answers K=${a.nLabels}  ` +
          METHODS.map((m) => `${m}=${acc[name][m].toFixed(4)}`).join(' ') +
          subtypes,
      );
    }
    console.log(`other public sets, expected accuracy:\n${lines.join('\n')}`);
  });

  for (const name of SETS) {
    describe(name, () => {
      it('the default is never worse than majority vote by more than 1 point', () => {
        expect(acc[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual(acc[name].mv - 0.01);
      });

      it('the default is within 1 point of the best of mv, ds and ibcc', () => {
        const best = Math.max(acc[name].mv, acc[name].ds, acc[name].ibcc);
        expect(acc[name][DEFAULT_METHOD]).toBeGreaterThanOrEqual(best - 0.01);
      });
    });
  }
});
