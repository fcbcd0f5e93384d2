import { describe, expect, it } from 'vitest';
import {
  categoricalControls,
  compactResult,
  controlOptionsForKeys,
  defaultResult,
  emptyValue,
  isAnswered,
  resultAssetRefs,
  templateFields,
} from './helpers.ts';
import { validateResult } from './validate-result.ts';
import { validateTemplate } from './validate-template.ts';
import type { Control, Template } from './types.ts';

function template(input: unknown): Template {
  const r = validateTemplate(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.template;
}

const all = template({
  display: [
    { type: 'image', field: 'image' },
    { type: 'text', field: 'text' },
    { type: 'text', field: 'a' },
    { type: 'text', field: 'b' },
    { type: 'link', field: 'source' },
  ],
  controls: [
    { type: 'single_choice', name: 'sc', options: ['x', 'y'], allowOther: true },
    { type: 'multi_choice', name: 'mc', options: ['p', 'q', 'r'] },
    { type: 'text', name: 'tx' },
    { type: 'number', name: 'nu' },
    { type: 'rating', name: 'ra', scale: 10 },
    { type: 'email', name: 'em' },
    { type: 'file', name: 'fi' },
    { type: 'bbox', name: 'bb', labels: ['car', 'person'], imageField: 'image' },
    { type: 'span', name: 'sp', labels: ['PER'], textField: 'text' },
    { type: 'pairwise', name: 'pw', fields: ['a', 'b'] },
  ],
});
const byName = (name: string) => all.controls.find((c) => c.name === name) as Control;

describe('emptyValue and defaultResult', () => {
  it('gives each control its untouched value', () => {
    expect(defaultResult(all)).toEqual({
      sc: null,
      mc: [],
      tx: '',
      nu: null,
      ra: null,
      em: '',
      fi: null,
      bb: [],
      sp: [],
      pw: null,
    });
    expect(emptyValue(byName('bb'))).not.toBe(emptyValue(byName('bb')));
  });

  it('is valid for an all-optional template, and "required" for required non-list controls', () => {
    const optional = { ...all, controls: all.controls.map((c) => ({ ...c, required: false })) };
    expect(validateResult(optional, defaultResult(optional))).toEqual([]);
    expect(validateResult(all, defaultResult(all)).map((p) => p.path)).toEqual([
      '/sc',
      '/mc',
      '/tx',
      '/nu',
      '/ra',
      '/em',
      '/fi',
      '/pw',
    ]);
  });

  it('holds the key __proto__ as data, never as a prototype', () => {
    // names are validated so this cannot arise from a template; defaultResult must still be safe
    const odd = { ...all, controls: [{ type: 'email', name: '__proto__', required: true } as Control] };
    const r = defaultResult(odd);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.hasOwn(r, '__proto__')).toBe(true);
  });
});

describe('isAnswered and compactResult', () => {
  it('treats null, blank strings and empty selections as unanswered; empty box/span lists as answers', () => {
    expect(isAnswered(byName('tx'), undefined)).toBe(false);
    expect(isAnswered(byName('tx'), ' \n ')).toBe(false);
    expect(isAnswered(byName('tx'), 'a')).toBe(true);
    expect(isAnswered(byName('nu'), 0)).toBe(true);
    expect(isAnswered(byName('mc'), [])).toBe(false);
    expect(isAnswered(byName('bb'), [])).toBe(true);
    expect(isAnswered(byName('sp'), [])).toBe(true);
  });
  it('compactResult drops unanswered controls and unknown keys', () => {
    expect(compactResult(all, { ...defaultResult(all), tx: 'hi', nu: 0, zz: 'x' } as never)).toEqual({ tx: 'hi', nu: 0, bb: [], sp: [] });
  });
});

describe('controlOptionsForKeys', () => {
  it('maps number keys to options, labels, ratings and pairwise choices', () => {
    expect(controlOptionsForKeys(byName('sc'))).toEqual([
      { key: '1', value: 'x', label: 'x' },
      { key: '2', value: 'y', label: 'y' },
    ]);
    expect(controlOptionsForKeys(byName('bb')).map((k) => [k.key, k.value])).toEqual([
      ['1', 'car'],
      ['2', 'person'],
    ]);
    expect(controlOptionsForKeys(byName('ra')).map((k) => k.key)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']);
    expect(controlOptionsForKeys(byName('ra'))[9]).toEqual({ key: '0', value: 10, label: '10' });
    expect(controlOptionsForKeys(byName('pw')).map((k) => k.value)).toEqual(['a', 'b', 'equal']);
    for (const name of ['tx', 'nu', 'em', 'fi']) expect(controlOptionsForKeys(byName(name))).toEqual([]);
  });
  it('stops at ten keys', () => {
    const many = template({
      display: [],
      controls: [{ type: 'single_choice', name: 'x', options: Array.from({ length: 12 }, (_, i) => `o${i}`) }],
    });
    expect(controlOptionsForKeys(many.controls[0])).toHaveLength(10);
  });
});

describe('categoricalControls', () => {
  it('lists choice, rating and pairwise controls with their label sets', () => {
    expect(categoricalControls(all)).toEqual([
      { name: 'sc', type: 'single_choice', values: ['x', 'y'], multi: false, open: true, ordinal: false },
      { name: 'mc', type: 'multi_choice', values: ['p', 'q', 'r'], multi: true, open: false, ordinal: false },
      { name: 'ra', type: 'rating', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], multi: false, open: false, ordinal: true },
      { name: 'pw', type: 'pairwise', values: ['a', 'b', 'equal'], multi: false, open: false, ordinal: false },
    ]);
  });
});

describe('templateFields and resultAssetRefs', () => {
  it('lists the item keys the template reads', () => {
    expect(templateFields(all).sort()).toEqual(['a', 'b', 'image', 'source', 'text']);
  });
  it('collects asset references of file controls only', () => {
    const ref = 'asset:' + 'ab'.repeat(32);
    expect(resultAssetRefs(all, { fi: ref, tx: ref })).toEqual([ref]);
    expect(resultAssetRefs(all, { fi: 'nope' })).toEqual([]);
    expect(resultAssetRefs(all, null)).toEqual([]);
  });
});
