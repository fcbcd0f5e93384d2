import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { Template } from '../../../core/templates/index.ts';
import { InferencePool } from './infer-pool.ts';
import { inferProject } from './project-inferrer.ts';

const template = {
  display: [{ type: 'text', field: 'text' }],
  controls: [
    { type: 'single_choice', name: 'label', options: ['pos', 'neg', 'neu'], allowOther: false },
    { type: 'number', name: 'count' },
    { type: 'text', name: 'note' },
  ],
} as unknown as Template;
const settings = { aggregationMethod: 'ds', dynamicOverlap: { enabled: true, targetConfidence: 0.8 } };
const worker = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** 300 items × 5 answers from 12 workers of varying care, in annotation id order. */
function answers() {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const labels = ['pos', 'neg', 'neu'];
  const rows = [];
  let id = 0;
  for (let item = 1; item <= 300; item++) {
    const truth = labels[item % 3]!;
    for (let k = 0; k < 5; k++) {
      const w = (item * 5 + k) % 12;
      const right = rnd() < 0.55 + w * 0.03;
      rows.push({
        id: ++id,
        item_id: item,
        worker_id: worker(w),
        result: { label: right ? truth : labels[Math.floor(rnd() * 3)]!, count: item + (right ? 0 : 3), note: right ? 'ok' : 'hmm' },
      });
    }
  }
  return rows;
}

describe('InferencePool (inference in a worker thread)', () => {
  const pool = new InferencePool();
  afterAll(() => pool.close());

  it('computes in another thread exactly what the inferrer computes in this one, page by page', async () => {
    const rows = answers();
    const gold = [{ id: 3, gold: { label: 'pos' } }];
    const job = pool.start(template, settings);
    for (let i = 0; i < rows.length; i += 250) job.add(rows.slice(i, i + 250));
    const r = await job.finish(gold);
    expect(r.threadId).not.toBe(threadId);
    const here = inferProject(template, settings, rows, gold);
    expect(r.answers).toBe(1500);
    expect(r.method).toBe('ds');
    expect([...r.labels.entries()]).toEqual([...here.labels.entries()]);
    expect([...r.confident].sort()).toEqual([...here.confident].sort());
    expect(r.quality).toEqual(here.quality);
    expect(r.labels.get(3)!.label!.value).toBe('pos'); // gold clamps
  });

  it('a job that fails says why, and the next one runs; a closed pool starts a new worker', async () => {
    const bad = pool.start({} as Template, settings);
    bad.add(answers().slice(0, 10));
    await expect(bad.finish([])).rejects.toThrow(/inference failed: /);

    const ok = pool.start(template, settings);
    ok.add(answers().slice(0, 50));
    expect((await ok.finish([])).labels.size).toBe(10);

    await pool.close();
    const again = pool.start(template, settings);
    again.add(answers().slice(0, 5));
    expect((await again.finish([])).labels.size).toBe(1);
  });

  it('an aborted job is dropped; jobs after it are unaffected', async () => {
    const dropped = pool.start(template, settings);
    dropped.add(answers().slice(0, 100));
    dropped.abort();
    const job = pool.start(template, settings);
    job.add(answers().slice(100, 150));
    const r = await job.finish([]);
    expect(r.answers).toBe(50);
    expect([...r.labels.keys()].sort((a, b) => a - b)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  });
});
