import { describe, expect, it } from 'vitest';
import { aggregateMultiChoice } from './multi-choice.ts';

/** answers: [item, worker, selected option indices] */
function build(rows: [number, number, number[]][], nOptions: number) {
  const nItems = Math.max(...rows.map((r) => r[0])) + 1;
  const nWorkers = Math.max(...rows.map((r) => r[1])) + 1;
  const selected = new Uint8Array(rows.length * nOptions);
  rows.forEach(([, , opts], j) => opts.forEach((o) => (selected[j * nOptions + o] = 1)));
  return { nItems, nWorkers, nOptions, item: Int32Array.from(rows.map((r) => r[0])), worker: Int32Array.from(rows.map((r) => r[1])), selected };
}

describe('aggregateMultiChoice', () => {
  it('decides every option on its own', () => {
    const a = build(
      [
        [0, 0, [0, 2]], [0, 1, [0]], [0, 2, [0, 2]],
        [1, 0, []], [1, 1, [1]], [1, 2, []],
      ],
      3,
    );
    const r = aggregateMultiChoice(a, { method: 'mv' });
    expect(Array.from(r.selected)).toEqual([1, 0, 1, 0, 0, 0]);
    expect(r.probability[2]).toBeCloseTo(2 / 3);
    expect(r.confidence[0]).toBeCloseTo(1 * 1 * (2 / 3));
    expect(Array.from(r.itemAnswers)).toEqual([3, 3]);
  });

  it('runs the default method per option, with gold per option, and the last answer of a worker counts', () => {
    const rows: [number, number, number[]][] = [];
    for (let i = 0; i < 10; i++) {
      rows.push([i, 0, i % 2 ? [0] : [1]], [i, 1, i % 2 ? [0] : [1]], [i, 2, [0, 1]]);
    }
    rows.push([0, 2, [1]]); // worker 2 corrects item 0
    const a = build(rows, 2);
    const goldSelected = new Int8Array(20).fill(-1);
    goldSelected[2] = 1; // item 1, option 0
    goldSelected[3] = 0; // item 1, option 1
    const r = aggregateMultiChoice(a, { goldSelected });
    expect(r.selected[2]).toBe(1);
    expect(r.selected[3]).toBe(0);
    expect(r.probability[2]).toBe(1);
    expect(r.itemAnswers[0]).toBe(3);
    // Worker 2 ticks everything: worse on the options it should not have ticked.
    expect(r.workerQuality[2]).toBeLessThan(r.workerQuality[0]);
    for (let i = 0; i < 10; i++) expect(Array.from(r.selected.subarray(i * 2, i * 2 + 2))).toEqual(i % 2 ? [1, 0] : [0, 1]);
  });

  it('rejects mismatched shapes', () => {
    const a = build([[0, 0, [0]]], 2);
    expect(() => aggregateMultiChoice({ ...a, selected: new Uint8Array(3) })).toThrow(/selected has length/);
    expect(() => aggregateMultiChoice(a, { goldSelected: new Int8Array(1) })).toThrow(/goldSelected/);
  });
});
