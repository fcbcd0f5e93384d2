import { describe, expect, it } from 'vitest';
import type { Template } from '../../../core/templates/index.ts';
import { inferProject, methodOf } from './inference.service.ts';
import { DEFAULT_METHOD } from '../../../core/aggregation/index.ts';

const template = {
  display: [{ type: 'text', field: 'text' }],
  controls: [
    { type: 'single_choice', name: 'label', options: ['pos', 'neg'], allowOther: false },
    { type: 'rating', name: 'stars', scale: 5 },
    { type: 'multi_choice', name: 'tags', options: ['a', 'b', 'c'] },
    { type: 'number', name: 'count' },
    { type: 'text', name: 'note' },
    { type: 'bbox', name: 'boxes', imageField: 'image', labels: ['car'] },
    { type: 'span', name: 'spans', textField: 'text', labels: ['PER'] },
  ],
} as unknown as Template;

const off = { dynamicOverlap: { enabled: false, targetConfidence: 0.9 } };
let id = 0;
const row = (item: number, worker: string, result: Record<string, unknown>) => ({ id: ++id, item_id: item, worker_id: worker, result });
const W = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];

describe('inferProject', () => {
  it('infers every answer type into {control: {value, confidence}} with values of the right type', () => {
    const box = { x: 10, y: 10, width: 50, height: 40, label: 'car' };
    const answers = W.map((w, k) =>
      row(1, w, {
        label: k === 2 ? 'neg' : 'pos',
        stars: 4,
        tags: k === 2 ? ['a'] : ['a', 'b'],
        count: [10, 10, 11][k],
        note: ['the cat', 'the cat', 'a dog'][k],
        boxes: [{ ...box, x: box.x + k }],
        spans: [{ start: 0, end: 5, label: 'PER' }],
      }),
    );
    const r = inferProject(template, off, answers, []);
    const l = r.labels.get(1)!;
    expect(l.label!.value).toBe('pos');
    expect(l.stars!.value).toBe(4); // a number, as the rating's answers
    expect(l.tags!.value).toEqual(['a', 'b']);
    expect(l.count!.value).toBe(10);
    expect(l.note!.value).toBe('the cat');
    expect(l.boxes!.value).toEqual([{ x: 11, y: 10, width: 50, height: 40, label: 'car' }]);
    expect(l.spans!.value).toEqual([{ start: 0, end: 5, label: 'PER' }]);
    for (const v of Object.values(l)) {
      expect(v.confidence).toBeGreaterThan(0);
      expect(v.confidence).toBeLessThanOrEqual(1);
    }
    expect(r.method).toBe(DEFAULT_METHOD);
    expect(new Set(r.quality.map((q) => q.control))).toEqual(new Set(['label', 'stars', 'tags', 'count']));
    expect(r.confident.size).toBe(0); // dynamic overlap off
  });

  it('skips unanswered controls, gold-only items and malformed values; the last answer of a worker counts', () => {
    const answers = [
      row(1, W[0]!, { label: 'neg', tags: 'not-an-array' }),
      row(1, W[0]!, { label: 'pos' }),
      row(1, W[1]!, { label: 'pos', count: null }),
    ];
    const r = inferProject(template, off, answers, [{ id: 9, gold: { label: 'neg', tags: ['c'] } }]);
    expect([...r.labels.keys()]).toEqual([1]);
    expect(Object.keys(r.labels.get(1)!)).toEqual(['label']);
    expect(r.labels.get(1)!.label!.value).toBe('pos');
  });

  it('dynamic overlap: confident only when every categorical control reaches the target', () => {
    const simple = { display: [], controls: [template.controls[0], template.controls[2]] } as unknown as Template;
    const answers = [1, 2].flatMap((item) => W.map((w) => row(item, w, { label: 'pos', tags: item === 1 ? ['a'] : undefined })));
    const r = inferProject(simple, { aggregationMethod: 'mv', dynamicOverlap: { enabled: true, targetConfidence: 0.9 } }, answers, []);
    expect(r.method).toBe('mv');
    expect([...r.confident]).toEqual([1]); // item 2 has no multi_choice answer
  });

  it("methodOf: 'auto' and unknown names give the default", () => {
    expect(methodOf('auto')).toBe(DEFAULT_METHOD);
    expect(methodOf('nonsense')).toBe(DEFAULT_METHOD);
    expect(methodOf('ds')).toBe('ds');
  });
});
