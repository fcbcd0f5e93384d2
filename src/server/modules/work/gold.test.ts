import { describe, expect, it } from 'vitest';
import { validateTemplate } from '../../../core/templates/validate-template.ts';
import type { Template } from '../../../core/templates/types.ts';
import { gradeControl, gradeGold, iou } from './gold.ts';

function template(controls: unknown[]): Template {
  const t = validateTemplate({ display: [{ type: 'image', field: 'image' }, { type: 'text', field: 'text' }, { type: 'text', field: 'a' }, { type: 'text', field: 'b' }], controls });
  if (!t.ok) throw new Error(JSON.stringify(t.problems));
  return t.template;
}

const T = template([
  { type: 'single_choice', name: 'label', options: ['cat', 'dog'] },
  { type: 'multi_choice', name: 'tags', options: ['a', 'b', 'c'] },
  { type: 'number', name: 'count' },
  { type: 'text', name: 'note', required: false },
  { type: 'email', name: 'mail', required: false },
  { type: 'rating', name: 'stars' },
  { type: 'bbox', name: 'boxes', labels: ['car', 'person'], imageField: 'image' },
  { type: 'span', name: 'spans', labels: ['PER'], textField: 'text' },
  { type: 'pairwise', name: 'better', fields: ['a', 'b'] },
  { type: 'file', name: 'upload', required: false },
]);
const c = (name: string) => T.controls.find((x) => x.name === name)!;

describe('gold grading', () => {
  it('single choice, rating and pairwise are exact', () => {
    expect(gradeControl(c('label'), 'cat', 'cat')).toBe(true);
    expect(gradeControl(c('label'), 'dog', 'cat')).toBe(false);
    expect(gradeControl(c('stars'), 4, 4)).toBe(true);
    expect(gradeControl(c('stars'), 3, 4)).toBe(false);
    expect(gradeControl(c('better'), 'equal', 'a')).toBe(false);
  });

  it('multi choice compares sets, order ignored', () => {
    expect(gradeControl(c('tags'), ['b', 'a'], ['a', 'b'])).toBe(true);
    expect(gradeControl(c('tags'), ['a'], ['a', 'b'])).toBe(false);
    expect(gradeControl(c('tags'), ['a', 'b', 'c'], ['a', 'b'])).toBe(false);
  });

  it('numbers within float noise, text by whitespace-normalised equality, email case-insensitive', () => {
    expect(gradeControl(c('count'), 0.1 + 0.2, 0.3)).toBe(true);
    expect(gradeControl(c('count'), 3.01, 3)).toBe(false);
    expect(gradeControl(c('note'), '  고양이  한 마리 ', '고양이 한 마리')).toBe(true);
    expect(gradeControl(c('note'), 'Cat', 'cat')).toBe(false);
    expect(gradeControl(c('mail'), 'A@B.kr', 'a@b.kr')).toBe(true);
  });

  it('boxes match one-to-one by label with IoU ≥ 0.5', () => {
    const g = [{ x: 0, y: 0, width: 100, height: 100, label: 'car' }];
    expect(iou(g[0]!, { x: 10, y: 10, width: 100, height: 100, label: 'car' })).toBeGreaterThan(0.5);
    expect(gradeControl(c('boxes'), [{ x: 10, y: 10, width: 100, height: 100, label: 'car' }], g)).toBe(true);
    expect(gradeControl(c('boxes'), [{ x: 10, y: 10, width: 100, height: 100, label: 'person' }], g)).toBe(false);
    expect(gradeControl(c('boxes'), [{ x: 60, y: 60, width: 100, height: 100, label: 'car' }], g)).toBe(false);
    expect(gradeControl(c('boxes'), [...g, { x: 200, y: 0, width: 5, height: 5, label: 'car' }], g)).toBe(false);
    expect(gradeControl(c('boxes'), [], [])).toBe(true);
  });

  it('spans compare exact (start, end, label) sets', () => {
    expect(gradeControl(c('spans'), [{ start: 0, end: 2, label: 'PER' }], [{ start: 0, end: 2, label: 'PER' }])).toBe(true);
    expect(gradeControl(c('spans'), [{ start: 0, end: 3, label: 'PER' }], [{ start: 0, end: 2, label: 'PER' }])).toBe(false);
  });

  it('grades only the controls the gold gives; file is not gradable; null when nothing graded', () => {
    expect(gradeGold(T, { label: 'cat', count: 9 }, { label: 'cat' })).toBe(true);
    expect(gradeGold(T, { label: 'dog', count: 9 }, { label: 'cat' })).toBe(false);
    expect(gradeGold(T, { label: 'cat' }, { label: 'cat', count: 2 })).toBe(false);
    expect(gradeGold(T, { upload: 'asset:' + 'a'.repeat(64) }, { upload: 'asset:' + 'b'.repeat(64) })).toBeNull();
    expect(gradeGold(T, { label: 'cat' }, null)).toBeNull();
  });
});
