import { describe, expect, it } from 'vitest';
import { aggregateBoxes, aggregateSpans, iou } from './regions.ts';

const box = (x: number, y: number, width: number, height: number, label = 'car') => ({ x, y, width, height, label });

describe('iou', () => {
  it('is 1 for identical, 0 for disjoint, and handles zero-size regions', () => {
    expect(iou({ lo: [0, 0], hi: [2, 2], label: '' }, { lo: [0, 0], hi: [2, 2], label: '' })).toBe(1);
    expect(iou({ lo: [0, 0], hi: [1, 1], label: '' }, { lo: [2, 2], hi: [3, 3], label: '' })).toBe(0);
    expect(iou({ lo: [0, 0], hi: [2, 2], label: '' }, { lo: [1, 0], hi: [3, 2], label: '' })).toBeCloseTo(1 / 3);
    expect(iou({ lo: [1], hi: [1], label: '' }, { lo: [1], hi: [1], label: '' })).toBe(1);
  });
});

describe('aggregateBoxes', () => {
  it('clusters boxes by IoU into consensus boxes with support and confidence', () => {
    const r = aggregateBoxes([
      { worker: 'a', boxes: [box(10, 10, 100, 50), box(300, 300, 20, 20, 'person')] },
      { worker: 'b', boxes: [box(12, 9, 98, 52)] },
      { worker: 'c', boxes: [box(11, 11, 100, 49), box(500, 0, 10, 10)] },
    ]);
    expect(r.workers).toBe(3);
    expect(r.regions).toHaveLength(1);
    const b = r.regions[0];
    // Each edge is the median of the members' edges: left 11, top 10, right 110, bottom 60.
    expect(b).toMatchObject({ x: 11, y: 10, width: 99, height: 50, label: 'car', votes: 3, support: 1 });
    expect(b.confidence).toBeGreaterThan(0.9);
    // Two stray boxes drawn by one worker in three: the item is 2/3 decided.
    expect(r.confidence).toBeCloseTo(2 / 3);
  });

  it('keeps labels apart, counts an empty answer as "nothing here", and the last answer per worker', () => {
    const r = aggregateBoxes([
      { worker: 1, boxes: [box(0, 0, 10, 10, 'cat')] },
      { worker: 2, boxes: [box(0, 0, 10, 10, 'dog')] },
      { worker: 3, boxes: [] },
      { worker: 1, boxes: [box(0, 0, 10, 10, 'dog')] },
    ]);
    expect(r.workers).toBe(3);
    expect(r.regions).toHaveLength(1);
    expect(r.regions[0].label).toBe('dog');
    expect(r.regions[0].support).toBeCloseTo(2 / 3);
  });

  it('uses worker weights', () => {
    const answers = [
      { worker: 'good', boxes: [box(0, 0, 10, 10)] },
      { worker: 'bad1', boxes: [] },
      { worker: 'bad2', boxes: [] },
    ];
    expect(aggregateBoxes(answers).regions).toHaveLength(0);
    const r = aggregateBoxes(answers, { workerWeight: new Map([['good', 3]]) });
    expect(r.regions).toHaveLength(1);
    expect(r.regions[0].support).toBeCloseTo(0.6);
  });

  it('is certain when nobody drew anything, and has no confidence without answers', () => {
    expect(aggregateBoxes([{ worker: 1, boxes: [] }, { worker: 2, boxes: [] }]).confidence).toBe(1);
    expect(aggregateBoxes([]).confidence).toBe(0);
    expect(() => aggregateBoxes([{ worker: 1, boxes: [box(0, 0, -1, 1)] }])).toThrow(/width/);
  });
});

describe('aggregateSpans', () => {
  it('builds consensus spans with integer offsets, sorted', () => {
    const r = aggregateSpans([
      { worker: 'a', spans: [{ start: 10, end: 15, label: 'PER' }, { start: 0, end: 4, label: 'ORG' }] },
      { worker: 'b', spans: [{ start: 10, end: 16, label: 'PER' }, { start: 0, end: 4, label: 'ORG' }] },
      { worker: 'c', spans: [{ start: 11, end: 15, label: 'PER' }] },
    ]);
    expect(r.regions.map((s) => [s.start, s.end, s.label, s.votes])).toEqual([
      [0, 4, 'ORG', 2],
      [10, 15, 'PER', 3],
    ]);
    expect(r.confidence).toBeCloseTo(2 / 3);
    expect(() => aggregateSpans([{ worker: 1, spans: [{ start: 5, end: 4, label: 'X' }] }])).toThrow(/end/);
  });
});
