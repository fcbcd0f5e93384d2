import { describe, expect, it } from 'vitest';
import { validateTemplate } from './validate-template.ts';
import type { Template } from './types.ts';

const display = [
  { type: 'image', field: 'image' },
  { type: 'text', field: 'text', label: 'Sentence' },
  { type: 'text', field: 'a' },
  { type: 'text', field: 'b' },
];

/** Validates one control beside the display above. */
function one(control: Record<string, unknown>) {
  return validateTemplate({ display, controls: [control] });
}

function ok(input: unknown): Template {
  const r = validateTemplate(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.template;
}

function paths(input: unknown): string[] {
  const r = validateTemplate(input);
  return r.ok ? [] : r.problems.map((p) => p.path);
}

function problemsOf(control: Record<string, unknown>) {
  const r = one(control);
  return r.ok ? [] : r.problems;
}

describe('validateTemplate: the template itself', () => {
  it('rejects non-objects at the root', () => {
    for (const input of [null, 1, 'x', [], true]) {
      expect(validateTemplate(input)).toEqual({ ok: false, problems: [{ path: '', problem: expect.any(String) }] });
    }
  });

  it('requires display and controls, rejects unknown keys and bad layouts', () => {
    expect(paths({})).toEqual(['/display', '/controls']);
    expect(paths({ display: [], controls: [], layout: 'grid', theme: 'dark' })).toEqual([
      '/theme',
      '/controls',
      '/layout',
    ]);
    expect(paths({ display: {}, controls: {} })).toEqual(['/display', '/controls']);
  });

  it('fills defaults: layout stack, required true', () => {
    const t = ok({ display: [], controls: [{ type: 'email', name: 'e' }] });
    expect(t).toEqual({ display: [], controls: [{ type: 'email', name: 'e', required: true }], layout: 'stack' });
    expect(ok({ display: [], controls: [{ type: 'email', name: 'e' }], layout: 'columns' }).layout).toBe('columns');
  });

  it('checks display entries with their paths', () => {
    const r = validateTemplate({
      display: [
        { type: 'html', field: 'x' },
        { field: 'x' },
        { type: 'text' },
        { type: 'text', field: '', label: 3 },
        { type: 'text', field: '_gold' },
        'text',
        { type: 'image', field: 'img', style: 'big' },
        { type: 'text', field: 't' },
        { type: 'text', field: 't', label: 'again' },
      ],
      controls: [{ type: 'email', name: 'e' }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { path: '/display/0/type', problem: expect.stringMatching(/unknown display type "html"/) },
      { path: '/display/1/type', problem: 'is required' },
      { path: '/display/2/field', problem: 'is required' },
      { path: '/display/3/field', problem: 'must not be empty' },
      { path: '/display/3/label', problem: 'must be a string' },
      { path: '/display/4/field', problem: expect.stringMatching(/gold/) },
      { path: '/display/5', problem: expect.any(String) },
      { path: '/display/6/style', problem: 'unknown property of a display field' },
      { path: '/display/8', problem: 'shows the same field as /display/7' },
    ]);
  });

  it('accepts every display type and keeps labels', () => {
    const types = ['text', 'image', 'audio', 'video', 'link', 'number'];
    const t = ok({
      display: types.map((type) => ({ type, field: 'f_' + type, label: type.toUpperCase() })),
      controls: [{ type: 'email', name: 'e' }],
    });
    expect(t.display.map((d) => d.type)).toEqual(types);
    expect(t.display[0]).toEqual({ type: 'text', field: 'f_text', label: 'TEXT' });
  });

  it('requires at least one control and names unknown control types', () => {
    expect(paths({ display: [], controls: [] })).toEqual(['/controls']);
    const r = validateTemplate({ display: [], controls: [{ type: 'radio', name: 'x' }, { name: 'y' }, 7] });
    expect(r).toEqual({
      ok: false,
      problems: [
        { path: '/controls/0/type', problem: expect.stringMatching(/^unknown control type "radio"; expected one of "single_choice"/) },
        { path: '/controls/1/type', problem: 'is required' },
        { path: '/controls/2', problem: expect.any(String) },
      ],
    });
  });

  it('names a type that is not a string without calling its toString (a property test found {toString: false} threw)', () => {
    const r = validateTemplate({
      display: [{ type: { toString: false }, field: 'f' }],
      controls: [{ type: ['single_choice'], name: 'x' }, { type: 3, name: 'y' }],
    });
    expect(r).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([
        { path: '/display/0/type', problem: expect.stringMatching(/^unknown display type an object; expected one of/) },
        { path: '/controls/0/type', problem: expect.stringMatching(/^unknown control type an array;/) },
        { path: '/controls/1/type', problem: expect.stringMatching(/^unknown control type 3;/) },
      ]),
    });
  });

  it('checks control names: required, form, uniqueness, reserved', () => {
    const r = validateTemplate({
      display: [],
      controls: [
        { type: 'email' },
        { type: 'email', name: '1abc' },
        { type: 'email', name: 'has space' },
        { type: 'email', name: 'ok' },
        { type: 'email', name: 'ok' },
        { type: 'email', name: '__proto__' },
        { type: 'email', name: 'x'.repeat(65) },
        { type: 'email', name: 'constructor' },
      ],
    });
    expect(r.ok ? [] : r.problems.map((p) => p.path + ' ' + p.problem)).toEqual([
      '/controls/0/name is required',
      '/controls/1/name must start with a letter or _ and hold only letters, digits and _',
      '/controls/2/name must start with a letter or _ and hold only letters, digits and _',
      '/controls/4/name is already the name of /controls/3',
      '/controls/5/name is reserved',
      '/controls/6/name must be at most 64 characters',
    ]);
  });

  it('checks common properties of every control', () => {
    expect(problemsOf({ type: 'email', name: 'e', required: 'yes', label: '', description: 5, extra: 1 })).toEqual([
      { path: '/controls/0/extra', problem: 'unknown property of an email control' },
      { path: '/controls/0/required', problem: 'must be true or false' },
      { path: '/controls/0/label', problem: 'must not be empty' },
      { path: '/controls/0/description', problem: 'must be a string' },
    ]);
  });

  it('reports every problem of several controls at once', () => {
    const r = validateTemplate({
      display: [],
      controls: [
        { type: 'single_choice', name: 'a', options: ['x'] },
        { type: 'rating', name: 'b', scale: 11 },
        { type: 'number', name: 'c', min: 5, max: 1 },
      ],
    });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual([
      '/controls/0/options',
      '/controls/1/scale',
      '/controls/2/max',
    ]);
  });
});

describe('validateTemplate: single_choice', () => {
  it('accepts and normalises', () => {
    const t = ok({ display, controls: [{ type: 'single_choice', name: 'label', options: ['cat', 'dog'] }] });
    expect(t.controls[0]).toEqual({ type: 'single_choice', name: 'label', options: ['cat', 'dog'], allowOther: false, required: true });
    const t2 = ok({
      display,
      controls: [{ type: 'single_choice', name: 'l', options: ['고양이', '개'], allowOther: true, required: false, label: '무엇?', description: 'd' }],
    });
    expect(t2.controls[0]).toMatchObject({ allowOther: true, required: false, label: '무엇?', description: 'd' });
  });

  it('requires ≥2 unique, non-empty, trimmed options', () => {
    expect(problemsOf({ type: 'single_choice', name: 'l' })).toEqual([{ path: '/controls/0/options', problem: 'is required' }]);
    expect(problemsOf({ type: 'single_choice', name: 'l', options: 'cat,dog' }).map((p) => p.path)).toEqual(['/controls/0/options']);
    expect(problemsOf({ type: 'single_choice', name: 'l', options: ['cat'] })).toEqual([
      { path: '/controls/0/options', problem: 'must have at least 2 options' },
    ]);
    expect(
      problemsOf({ type: 'single_choice', name: 'l', options: ['cat', '', ' dog', 'cat', 3, 'x'.repeat(201)], allowOther: 'no' }),
    ).toEqual([
      { path: '/controls/0/options/1', problem: 'option must not be empty' },
      { path: '/controls/0/options/2', problem: 'option must not start or end with spaces' },
      { path: '/controls/0/options/3', problem: 'option "cat" is already at /controls/0/options/0' },
      { path: '/controls/0/options/4', problem: 'option must be a string' },
      { path: '/controls/0/options/5', problem: 'option must be at most 200 characters' },
      { path: '/controls/0/allowOther', problem: 'must be true or false' },
    ]);
  });
});

describe('validateTemplate: multi_choice', () => {
  it('accepts one or more options and selection bounds', () => {
    expect(ok({ display, controls: [{ type: 'multi_choice', name: 'm', options: ['agree'] }] }).controls[0]).toEqual({
      type: 'multi_choice',
      name: 'm',
      options: ['agree'],
      required: true,
    });
    expect(
      ok({ display, controls: [{ type: 'multi_choice', name: 'm', options: ['a', 'b', 'c'], minSelected: 0, maxSelected: 2 }] })
        .controls[0],
    ).toMatchObject({ minSelected: 0, maxSelected: 2 });
  });

  it('checks bounds against each other and the options', () => {
    expect(problemsOf({ type: 'multi_choice', name: 'm', options: [] })).toEqual([
      { path: '/controls/0/options', problem: 'must have at least 1 option' },
    ]);
    expect(problemsOf({ type: 'multi_choice', name: 'm', options: ['a', 'b'], minSelected: 3, maxSelected: 0 })).toEqual([
      { path: '/controls/0/minSelected', problem: 'must be at most 2' },
      { path: '/controls/0/maxSelected', problem: 'must be at least 1' },
    ]);
    expect(problemsOf({ type: 'multi_choice', name: 'm', options: ['a', 'b', 'c'], minSelected: 2, maxSelected: 1 })).toEqual([
      { path: '/controls/0/maxSelected', problem: 'must not be less than minSelected (2)' },
    ]);
    expect(problemsOf({ type: 'multi_choice', name: 'm', options: ['a', 'b'], minSelected: 1.5 })).toEqual([
      { path: '/controls/0/minSelected', problem: 'must be an integer' },
    ]);
  });
});

describe('validateTemplate: text', () => {
  it('defaults maxLength by single line / multiline, never below minLength', () => {
    expect(ok({ display, controls: [{ type: 'text', name: 't' }] }).controls[0]).toEqual({
      type: 'text',
      name: 't',
      required: true,
      multiline: false,
      maxLength: 1000,
    });
    expect(ok({ display, controls: [{ type: 'text', name: 't', multiline: true }] }).controls[0]).toMatchObject({ maxLength: 10000 });
    expect(ok({ display, controls: [{ type: 'text', name: 't', minLength: 5000 }] }).controls[0]).toMatchObject({
      minLength: 5000,
      maxLength: 5000,
    });
    expect(ok({ display, controls: [{ type: 'text', name: 't', pattern: '[0-9]{3}-[0-9]{4}', maxLength: 8 }] }).controls[0]).toMatchObject({
      pattern: '[0-9]{3}-[0-9]{4}',
      maxLength: 8,
    });
  });

  it('rejects bad lengths and patterns', () => {
    expect(problemsOf({ type: 'text', name: 't', minLength: -1, maxLength: 0, multiline: 1 })).toEqual([
      { path: '/controls/0/multiline', problem: 'must be true or false' },
      { path: '/controls/0/minLength', problem: 'must be at least 0' },
      { path: '/controls/0/maxLength', problem: 'must be at least 1' },
    ]);
    expect(problemsOf({ type: 'text', name: 't', minLength: 10, maxLength: 5 })).toEqual([
      { path: '/controls/0/maxLength', problem: 'must not be less than minLength (10)' },
    ]);
    expect(problemsOf({ type: 'text', name: 't', maxLength: 100_001 })).toEqual([
      { path: '/controls/0/maxLength', problem: 'must be at most 100000' },
    ]);
    expect(problemsOf({ type: 'text', name: 't', pattern: '([a-z' })).toEqual([
      { path: '/controls/0/pattern', problem: expect.stringMatching(/^is not a valid regular expression/) },
    ]);
    expect(problemsOf({ type: 'text', name: 't', pattern: 'x'.repeat(501) }).map((p) => p.path)).toEqual(['/controls/0/pattern']);
  });

  it('rejects patterns with nested repetition (catastrophic backtracking)', () => {
    for (const pattern of ['(a+)+', '(a*)*b', '(\\w+\\s?)*', '((ab)*c)+', '(x+){2,}', '(?:[a-z]+,)+', '(a{1,5})+']) {
      expect(problemsOf({ type: 'text', name: 't', pattern }), pattern).toEqual([
        { path: '/controls/0/pattern', problem: expect.stringMatching(/nested repetition/) },
      ]);
    }
    for (const pattern of ['[a-z]+', '(ab)+', '(a+)?', '(a+){2}', '[(a+)]+', '\\(a+\\)+', '[0-9]{3}-[0-9]{4}', '(?:[a-z]+)(,[a-z])*']) {
      expect(problemsOf({ type: 'text', name: 't', pattern }), pattern).toEqual([]);
    }
  });
});

describe('validateTemplate: number', () => {
  it('accepts bounds, step and integer', () => {
    expect(ok({ display, controls: [{ type: 'number', name: 'n' }] }).controls[0]).toEqual({
      type: 'number',
      name: 'n',
      required: true,
      integer: false,
    });
    expect(ok({ display, controls: [{ type: 'number', name: 'n', min: -1.5, max: 2.5, step: 0.5 }] }).controls[0]).toMatchObject({
      min: -1.5,
      max: 2.5,
      step: 0.5,
    });
  });

  it('rejects inverted bounds, bad steps and non-integers for integer controls', () => {
    expect(problemsOf({ type: 'number', name: 'n', min: 3, max: 1, step: 0 })).toEqual([
      { path: '/controls/0/step', problem: 'must be greater than 0' },
      { path: '/controls/0/max', problem: 'must not be less than min (3)' },
    ]);
    expect(problemsOf({ type: 'number', name: 'n', min: '1', integer: true, max: 2.5, step: 0.5 })).toEqual([
      { path: '/controls/0/min', problem: 'must be a number' },
      { path: '/controls/0/max', problem: 'must be an integer' },
      { path: '/controls/0/step', problem: 'must be an integer' },
    ]);
  });
});

describe('validateTemplate: rating and email', () => {
  it('defaults the scale to 5 and bounds it to 2..10', () => {
    expect(ok({ display, controls: [{ type: 'rating', name: 'r' }] }).controls[0]).toEqual({
      type: 'rating',
      name: 'r',
      required: true,
      scale: 5,
    });
    expect(ok({ display, controls: [{ type: 'rating', name: 'r', scale: 10 }] }).controls[0]).toMatchObject({ scale: 10 });
    expect(problemsOf({ type: 'rating', name: 'r', scale: 1 })).toEqual([{ path: '/controls/0/scale', problem: 'must be at least 2' }]);
    expect(problemsOf({ type: 'rating', name: 'r', scale: 11 })).toEqual([{ path: '/controls/0/scale', problem: 'must be at most 10' }]);
    expect(problemsOf({ type: 'rating', name: 'r', scale: 4.5 })).toEqual([{ path: '/controls/0/scale', problem: 'must be an integer' }]);
  });

  it('email takes only the common properties', () => {
    expect(problemsOf({ type: 'email', name: 'e', pattern: '.*' })).toEqual([
      { path: '/controls/0/pattern', problem: 'unknown property of an email control' },
    ]);
  });
});

describe('validateTemplate: file', () => {
  it('defaults to any type, 10 MiB', () => {
    expect(ok({ display, controls: [{ type: 'file', name: 'f' }] }).controls[0]).toEqual({
      type: 'file',
      name: 'f',
      required: true,
      accept: [],
      maxBytes: 10 * 1024 * 1024,
    });
    expect(
      ok({ display, controls: [{ type: 'file', name: 'f', accept: ['image/*', 'application/pdf', '.hwp'], maxBytes: 1000 }] })
        .controls[0],
    ).toMatchObject({ accept: ['image/*', 'application/pdf', '.hwp'], maxBytes: 1000 });
  });

  it('rejects malformed accept entries and sizes', () => {
    expect(problemsOf({ type: 'file', name: 'f', accept: ['image', 'pdf', '.', 'image/png', 'image/png'], maxBytes: 0 })).toEqual([
      { path: '/controls/0/accept/4', problem: 'accepted type "image/png" is already at /controls/0/accept/3' },
      { path: '/controls/0/maxBytes', problem: 'must be at least 1' },
    ]);
    expect(problemsOf({ type: 'file', name: 'f', accept: ['image', 'pdf', '.'] })).toEqual([
      { path: '/controls/0/accept/0', problem: expect.stringMatching(/neither a MIME type/) },
      { path: '/controls/0/accept/1', problem: expect.stringMatching(/neither a MIME type/) },
      { path: '/controls/0/accept/2', problem: expect.stringMatching(/neither a MIME type/) },
    ]);
    expect(problemsOf({ type: 'file', name: 'f', accept: 'image/*' }).map((p) => p.path)).toEqual(['/controls/0/accept']);
  });
});

describe('validateTemplate: bbox', () => {
  it('accepts labels on a displayed image', () => {
    expect(ok({ display, controls: [{ type: 'bbox', name: 'b', labels: ['car'], imageField: 'image', minBoxes: 1, maxBoxes: 5 }] }).controls[0]).toEqual({
      type: 'bbox',
      name: 'b',
      required: true,
      labels: ['car'],
      imageField: 'image',
      minBoxes: 1,
      maxBoxes: 5,
    });
  });

  it('requires the image field to be displayed as an image', () => {
    expect(problemsOf({ type: 'bbox', name: 'b', labels: ['car'], imageField: 'photo' })).toEqual([
      { path: '/controls/0/imageField', problem: expect.stringMatching(/"photo" is not shown by any display entry/) },
    ]);
    expect(problemsOf({ type: 'bbox', name: 'b', labels: ['car'], imageField: 'text' })).toEqual([
      { path: '/controls/0/imageField', problem: expect.stringMatching(/must be shown as image/) },
    ]);
    expect(problemsOf({ type: 'bbox', name: 'b', labels: ['car', 'car'], minBoxes: 3, maxBoxes: 2 })).toEqual([
      { path: '/controls/0/labels/1', problem: 'label "car" is already at /controls/0/labels/0' },
      { path: '/controls/0/imageField', problem: 'is required' },
      { path: '/controls/0/maxBoxes', problem: 'must not be less than minBoxes (3)' },
    ]);
  });
});

describe('validateTemplate: span', () => {
  it('accepts labels over a displayed text', () => {
    expect(ok({ display, controls: [{ type: 'span', name: 's', labels: ['PER', 'LOC'], textField: 'text' }] }).controls[0]).toEqual({
      type: 'span',
      name: 's',
      required: true,
      labels: ['PER', 'LOC'],
      textField: 'text',
      allowOverlap: false,
    });
  });

  it('requires the text field to be displayed as text', () => {
    expect(problemsOf({ type: 'span', name: 's', labels: [], textField: 'image', allowOverlap: 'yes' })).toEqual([
      { path: '/controls/0/labels', problem: 'must have at least 1 label' },
      { path: '/controls/0/textField', problem: expect.stringMatching(/must be shown as text in \/display \(it is shown as image\)/) },
      { path: '/controls/0/allowOverlap', problem: 'must be true or false' },
    ]);
  });
});

describe('validateTemplate: pairwise', () => {
  it('accepts two displayed fields, allowEqual defaulting to true', () => {
    expect(ok({ display, controls: [{ type: 'pairwise', name: 'p', fields: ['a', 'b'] }] }).controls[0]).toEqual({
      type: 'pairwise',
      name: 'p',
      required: true,
      fields: ['a', 'b'],
      allowEqual: true,
    });
    // any display type will do: images can be compared too
    expect(ok({ display, controls: [{ type: 'pairwise', name: 'p', fields: ['image', 'text'], allowEqual: false }] }).controls[0]).toMatchObject({
      allowEqual: false,
    });
  });

  it('rejects anything but two distinct displayed fields', () => {
    expect(problemsOf({ type: 'pairwise', name: 'p' })).toEqual([{ path: '/controls/0/fields', problem: 'is required' }]);
    expect(problemsOf({ type: 'pairwise', name: 'p', fields: ['a'] })).toEqual([
      { path: '/controls/0/fields', problem: 'must be a list of exactly two item fields' },
    ]);
    expect(problemsOf({ type: 'pairwise', name: 'p', fields: ['a', 'a'] })).toEqual([
      { path: '/controls/0/fields/1', problem: 'must differ from the first field' },
    ]);
    expect(problemsOf({ type: 'pairwise', name: 'p', fields: [1, 'missing'] })).toEqual([
      { path: '/controls/0/fields/0', problem: 'must be a string' },
      { path: '/controls/0/fields/1', problem: expect.stringMatching(/"missing" is not shown/) },
    ]);
    expect(
      validateTemplate({ display: [{ type: 'text', field: 'equal' }, ...display], controls: [{ type: 'pairwise', name: 'p', fields: ['equal', 'a'] }] }),
    ).toEqual({ ok: false, problems: [{ path: '/controls/0/fields/0', problem: expect.stringMatching(/reserved/) }] });
  });
});

describe('validateTemplate: normalised output', () => {
  it('is a fixed point: validating the normalised template gives it back', () => {
    const t = ok({
      display,
      layout: 'columns',
      controls: [
        { type: 'single_choice', name: 'a', options: ['x', 'y'] },
        { type: 'text', name: 'b', multiline: true },
        { type: 'bbox', name: 'c', labels: ['car'], imageField: 'image' },
      ],
    });
    expect(ok(t)).toEqual(t);
  });

  it('shares no object or array with the input', () => {
    const input = { display, controls: [{ type: 'single_choice', name: 'a', options: ['x', 'y'] }] };
    const t = ok(input);
    expect(t.controls[0]).not.toBe(input.controls[0]);
    expect((t.controls[0] as { options: string[] }).options).not.toBe(input.controls[0].options);
    expect(t.display[0]).not.toBe(display[0]);
  });
});
