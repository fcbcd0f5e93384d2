import { describe, expect, it } from 'vitest';
import { validateGold, validateResult } from './validate-result.ts';
import { validateTemplate } from './validate-template.ts';
import type { AssetInfo } from './media.ts';
import type { ControlInput, ItemData, Template } from './types.ts';

const display = [
  { type: 'image', field: 'image' },
  { type: 'text', field: 'text' },
  { type: 'text', field: 'a' },
  { type: 'text', field: 'b' },
];

function template(...controls: ControlInput[]): Template {
  const r = validateTemplate({ display, controls });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.template;
}

/** `path problem` lines, for compact exact assertions. */
function check(t: Template, result: unknown, item?: ItemData, opts = {}): string[] {
  return validateResult(t, result, item, opts).map((p) => `${p.path} ${p.problem}`);
}
function pathsOf(t: Template, result: unknown, item?: ItemData, opts = {}): string[] {
  return validateResult(t, result, item, opts).map((p) => p.path);
}

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('validateResult: the result object', () => {
  const t = template({ type: 'single_choice', name: 'label', options: ['cat', 'dog'] });

  it('must be an object', () => {
    for (const r of [null, [], 'cat', 3, undefined]) {
      expect(validateResult(t, r)).toEqual([{ path: '', problem: 'must be an object keyed by control name' }]);
    }
  });

  it('rejects unknown keys, including prototype names', () => {
    expect(check(t, { label: 'cat', lable: 'dog' })).toEqual(['/lable no control of the template has this name']);
    expect(pathsOf(t, JSON.parse('{"label":"cat","__proto__":1,"constructor":2}'))).toEqual(['/__proto__', '/constructor']);
    expect(pathsOf(t, { label: 'cat', 'a/b~c': 1 })).toEqual(['/a~1b~0c']);
  });

  it('requires required controls, accepts optional ones missing or empty', () => {
    expect(check(t, {})).toEqual(['/label is required']);
    expect(check(t, { label: null })).toEqual(['/label is required']);
    expect(check(t, { label: '  ' })).toEqual(['/label is required']);
    const opt = template({ type: 'single_choice', name: 'label', options: ['cat', 'dog'], required: false });
    expect(check(opt, {})).toEqual([]);
    expect(check(opt, { label: null })).toEqual([]);
    expect(check(opt, { label: '' })).toEqual([]);
  });

  it('does not read inherited properties as answers', () => {
    const named = template({ type: 'text', name: 'constructor' }, { type: 'text', name: 'toString', required: false });
    expect(check(named, {})).toEqual(['/constructor is required']);
  });
});

describe('validateResult: single_choice', () => {
  const t = template({ type: 'single_choice', name: 'label', options: ['cat', 'dog'] });
  it('accepts an option', () => {
    expect(check(t, { label: 'dog' })).toEqual([]);
  });
  it('rejects other strings and other types', () => {
    expect(check(t, { label: 'cow' })).toEqual(['/label "cow" is not one of the options: "cat", "dog"']);
    expect(check(t, { label: ['cat'] })).toEqual(['/label must be one of the options (a string): "cat", "dog"']);
    expect(check(t, { label: 1 })).toEqual(['/label must be one of the options (a string): "cat", "dog"']);
    expect(check(t, { label: 'Cat' })).toEqual(['/label "Cat" is not one of the options: "cat", "dog"']);
  });
  it('accepts free "other" text when allowOther', () => {
    const o = template({ type: 'single_choice', name: 'label', options: ['cat', 'dog'], allowOther: true });
    expect(check(o, { label: 'hamster' })).toEqual([]);
    expect(check(o, { label: 'x'.repeat(1001) })).toEqual(['/label an "other" answer must be at most 1000 characters']);
  });
});

describe('validateResult: multi_choice', () => {
  const t = template({ type: 'multi_choice', name: 'tags', options: ['a', 'b', 'c', 'd'], minSelected: 2, maxSelected: 3 });
  it('accepts a set of options within bounds', () => {
    expect(check(t, { tags: ['a', 'c'] })).toEqual([]);
    expect(check(t, { tags: ['d', 'c', 'b'] })).toEqual([]);
  });
  it('rejects unknown, duplicate and non-string entries, and counts out of bounds', () => {
    expect(check(t, { tags: ['a', 'x', 'a', 3] })).toEqual([
      '/tags/1 "x" is not one of the options: "a", "b", "c", "d"',
      '/tags/2 "a" is already selected at /tags/0',
      '/tags/3 must be a string',
      '/tags must have at most 3 options selected (has 4)',
    ]);
    expect(check(t, { tags: ['a'] })).toEqual(['/tags must have at least 2 options selected (has 1)']);
    expect(check(t, { tags: 'a' })).toEqual(['/tags must be a list of options']);
    expect(check(t, { tags: [] })).toEqual(['/tags is required']);
  });
  it('optional: an empty selection is no answer', () => {
    const o = template({ type: 'multi_choice', name: 'tags', options: ['a', 'b'], minSelected: 2, required: false });
    expect(check(o, { tags: [] })).toEqual([]);
    expect(check(o, { tags: ['a'] })).toEqual(['/tags must have at least 2 options selected (has 1)']);
  });
});

describe('validateResult: text', () => {
  const t = template({ type: 'text', name: 'note', minLength: 2, maxLength: 5 });
  it('accepts a string within limits', () => {
    expect(check(t, { note: '안녕' })).toEqual([]);
    expect(check(t, { note: 'abcde' })).toEqual([]);
  });
  it('rejects wrong type, lengths and line breaks on a single line', () => {
    expect(check(t, { note: 5 })).toEqual(['/note must be a string']);
    expect(check(t, { note: 'a' })).toEqual(['/note must be at least 2 characters (is 1)']);
    expect(check(t, { note: 'abcdef' })).toEqual(['/note must be at most 5 characters (is 6)']);
    expect(check(t, { note: 'a\nb' })).toEqual(['/note must be a single line']);
  });
  it('counts UTF-16 code units, like the browser maxlength', () => {
    expect(check(t, { note: '😀😀😀' })).toEqual(['/note must be at most 5 characters (is 6)']);
  });
  it('multiline accepts line breaks', () => {
    const m = template({ type: 'text', name: 'note', multiline: true });
    expect(check(m, { note: 'line 1\r\nline 2' })).toEqual([]);
  });
  it('matches the whole answer against the pattern', () => {
    const p = template({ type: 'text', name: 'phone', pattern: '[0-9]{3}-[0-9]{4}' });
    expect(check(p, { phone: '123-4567' })).toEqual([]);
    expect(check(p, { phone: 'x123-4567' })).toEqual(['/phone does not match the required pattern [0-9]{3}-[0-9]{4}']);
    expect(check(p, { phone: '123-45678' }).map((s) => s.split(' ')[0])).toEqual(['/phone']);
    const alt = template({ type: 'text', name: 'yn', pattern: 'yes|no' });
    expect(check(alt, { yn: 'yesno' })).toHaveLength(1);
    expect(check(alt, { yn: 'no' })).toEqual([]);
  });
  it('a blank answer to a required text is no answer', () => {
    expect(check(t, { note: '   ' })).toEqual(['/note is required']);
  });
});

describe('validateResult: number', () => {
  const t = template({ type: 'number', name: 'n', min: 1, max: 3, step: 0.5 });
  it('accepts values on the step grid within bounds', () => {
    for (const n of [1, 1.5, 2, 3]) expect(check(t, { n })).toEqual([]);
  });
  it('rejects strings, out of range and off-step values', () => {
    expect(check(t, { n: '2' })).toEqual(['/n must be a number']);
    expect(check(t, { n: 0.5 })).toEqual(['/n must be at least 1']);
    expect(check(t, { n: 3.5 })).toEqual(['/n must be at most 3']);
    expect(check(t, { n: 1.25 })).toEqual(['/n must be 1 plus a multiple of 0.5']);
  });
  it('tolerates float error on the step grid', () => {
    const d = template({ type: 'number', name: 'n', step: 0.1 });
    expect(check(d, { n: 0.1 + 0.2 })).toEqual([]);
    expect(check(d, { n: -0.7 })).toEqual([]);
  });
  it('integer controls reject fractions', () => {
    const i = template({ type: 'number', name: 'n', integer: true });
    expect(check(i, { n: 2 })).toEqual([]);
    expect(check(i, { n: 2.5 })).toEqual(['/n must be an integer']);
  });
  it('0 is an answer, null is none', () => {
    const o = template({ type: 'number', name: 'n' });
    expect(check(o, { n: 0 })).toEqual([]);
    expect(check(o, { n: null })).toEqual(['/n is required']);
  });
});

describe('validateResult: rating', () => {
  const t = template({ type: 'rating', name: 'r', scale: 4 });
  it('accepts integers 1..scale', () => {
    for (const r of [1, 2, 3, 4]) expect(check(t, { r })).toEqual([]);
  });
  it('rejects anything else', () => {
    for (const r of [0, 5, 2.5, '3', -1, true]) expect(check(t, { r })).toEqual(['/r must be an integer from 1 to 4']);
  });
});

describe('validateResult: email', () => {
  const t = template({ type: 'email', name: 'e' });
  it('accepts addresses the browser accepts', () => {
    for (const e of ['a@b.kr', 'first.last+tag@sub.example.co.kr', 'x@localhost']) expect(check(t, { e })).toEqual([]);
  });
  it('rejects non-addresses', () => {
    for (const e of ['a@', '@b.kr', 'a b@c.kr', 'a@b..kr', 'a@-b.kr', 42, `${'a'.repeat(250)}@b.kr`]) {
      expect(check(t, { e })).toEqual(['/e must be an email address like name@example.kr']);
    }
  });
});

describe('validateResult: file', () => {
  const t = template({ type: 'file', name: 'f', accept: ['image/*', '.pdf'], maxBytes: 1000 });
  const assets = new Map<string, AssetInfo>([
    [`asset:${HASH}`, { mimeType: 'image/jpeg', name: 'photo.jpg', bytes: 900 }],
    [`asset:${'1'.repeat(64)}`, { mimeType: 'application/octet-stream', name: 'report.PDF', bytes: 10 }],
    [`asset:${'2'.repeat(64)}`, { mimeType: 'text/plain', name: 'notes.txt', bytes: 5000 }],
  ]);
  const assetInfo = (ref: string) => assets.get(ref);

  it('accepts an asset reference (form only without a lookup)', () => {
    expect(check(t, { f: `asset:${HASH}` })).toEqual([]);
    expect(check(t, { f: `asset:${'2'.repeat(64)}` })).toEqual([]);
  });
  it('rejects anything that is not an asset reference', () => {
    for (const f of [HASH, `asset:${HASH.toUpperCase()}`, `asset:${HASH}0`, 'https://x/y.png', { asset: HASH }, 1]) {
      expect(pathsOf(t, { f })).toEqual(['/f']);
    }
  });
  it('with a lookup: unknown assets, size and type', () => {
    expect(check(t, { f: `asset:${HASH}` }, undefined, { assetInfo })).toEqual([]);
    expect(check(t, { f: `asset:${'1'.repeat(64)}` }, undefined, { assetInfo })).toEqual([]);
    expect(check(t, { f: `asset:${'3'.repeat(64)}` }, undefined, { assetInfo })).toEqual(['/f no uploaded file has this reference']);
    expect(check(t, { f: `asset:${'2'.repeat(64)}` }, undefined, { assetInfo })).toEqual([
      '/f file is 5000 bytes, more than the 1000 allowed',
      '/f file type is not accepted (accepted: image/*, .pdf)',
    ]);
  });
});

describe('validateResult: bbox', () => {
  const t = template({ type: 'bbox', name: 'boxes', labels: ['car', 'person'], imageField: 'image', maxBoxes: 3 });
  const item = { image: 'asset:' + HASH, width: 320, height: 240 };
  const box = (x: number, y: number, width: number, height: number, label = 'car') => ({ x, y, width, height, label });

  it('accepts boxes inside the image, touching its edges, in float pixels', () => {
    expect(check(t, { boxes: [box(0, 0, 320, 240), box(10.5, 20.25, 100.125, 50, 'person')] }, item)).toEqual([]);
    expect(check(t, { boxes: [box(300, 200, 20.000000001, 40)] }, item)).toEqual([]);
  });
  it('an empty list is an answer: nothing to box', () => {
    expect(check(t, { boxes: [] }, item)).toEqual([]);
  });
  it('rejects boxes outside the image with the offending coordinate', () => {
    expect(check(t, { boxes: [box(300, 0, 30, 10)] }, item)).toEqual([
      '/boxes/0/width box extends past the right edge of the image (x + width = 330, image width 320)',
    ]);
    expect(check(t, { boxes: [box(0, 200, 10, 41)] }, item)).toEqual([
      '/boxes/0/height box extends past the bottom edge of the image (y + height = 241, image height 240)',
    ]);
    expect(check(t, { boxes: [box(320, 240, 1, 1)] }, item)).toEqual([
      '/boxes/0/x lies past the right edge of the image (x = 320, image width 320)',
      '/boxes/0/y lies past the bottom edge of the image (y = 240, image height 240)',
    ]);
  });
  it('without a known image size, only checks non-negative coordinates', () => {
    expect(check(t, { boxes: [box(1000, 1000, 10, 10)] })).toEqual([]);
    expect(check(t, { boxes: [box(1000, 1000, 10, 10)] }, { image: 'x.png' })).toEqual([]);
    expect(check(t, { boxes: [box(-1, 0, 10, 10)] })).toEqual(['/boxes/0/x must not be negative']);
  });
  it('reads the size from an {src, width, height} image value first', () => {
    const obj = { image: { src: 'asset:' + HASH, width: 100, height: 50 }, width: 1000, height: 1000 };
    expect(pathsOf(t, { boxes: [box(0, 0, 101, 10)] }, obj)).toEqual(['/boxes/0/width']);
  });
  it('rejects malformed boxes, unknown labels and keys, and too many boxes', () => {
    expect(
      check(t, {
        boxes: [{ x: '1', y: 0, width: 0, label: 'cat', id: 7 }, 'box', box(0, 0, 1, 1), box(0, 0, 1, 1)],
      }, item),
    ).toEqual([
      '/boxes/0/id unknown property of a box',
      '/boxes/0/x must be a number of pixels',
      '/boxes/0/width must be greater than 0',
      '/boxes/0/height is required',
      '/boxes/0/label "cat" is not one of the labels: "car", "person"',
      '/boxes/1 must be a box {x, y, width, height, label}',
      '/boxes must have at most 3 boxes (has 4)',
    ]);
    expect(check(t, { boxes: { x: 1 } })).toEqual(['/boxes must be a list of boxes [{x, y, width, height, label}]']);
  });
  it('minBoxes asks for at least so many', () => {
    const m = template({ type: 'bbox', name: 'boxes', labels: ['car'], imageField: 'image', minBoxes: 1 });
    expect(check(m, { boxes: [] }, item)).toEqual(['/boxes must have at least 1 boxes (has 0)']);
  });
});

describe('validateResult: span', () => {
  const t = template({ type: 'span', name: 'ents', labels: ['PER', 'LOC'], textField: 'text' });
  const item = { text: '이순신은 서울에서 태어났다.' };
  it('accepts spans inside the text', () => {
    expect(check(t, { ents: [{ start: 0, end: 3, label: 'PER' }, { start: 5, end: 7, label: 'LOC' }] }, item)).toEqual([]);
    expect(check(t, { ents: [{ start: 14, end: 15, label: 'LOC' }] }, item)).toEqual([]);
    expect(check(t, { ents: [] }, item)).toEqual([]);
  });
  it('rejects spans past the end, empty or reversed spans and bad labels', () => {
    expect(check(t, { ents: [{ start: 10, end: 16, label: 'PER' }] }, item)).toEqual([
      '/ents/0/end is past the end of the text (length 15)',
    ]);
    expect(check(t, { ents: [{ start: 15, end: 16, label: 'PER' }] }, item)).toEqual([
      '/ents/0/start is past the end of the text (length 15)',
    ]);
    expect(check(t, { ents: [{ start: 3, end: 3, label: 'PER' }] }, item)).toEqual([
      '/ents/0/end must be greater than start (3); end is exclusive',
    ]);
    expect(check(t, { ents: [{ start: -1, end: 0.5, label: 'ORG', text: '이' }, [1, 2]] }, item)).toEqual([
      '/ents/0/text unknown property of a span',
      '/ents/0/start must be an integer offset ≥ 0',
      '/ents/0/end must be an integer offset ≥ 1',
      '/ents/0/label "ORG" is not one of the labels: "PER", "LOC"',
      '/ents/1 must be a span {start, end, label}',
    ]);
    expect(check(t, { ents: 'PER' })).toEqual(['/ents must be a list of spans [{start, end, label}]']);
  });
  it('offsets are UTF-16 code units and may not split a surrogate pair', () => {
    const emoji = { text: 'a😀b' }; // 'a', '\ud83d', '\ude00', 'b'
    expect(check(t, { ents: [{ start: 1, end: 3, label: 'PER' }] }, emoji)).toEqual([]);
    expect(check(t, { ents: [{ start: 2, end: 4, label: 'PER' }] }, emoji)).toEqual([
      '/ents/0/start falls inside a character (between the halves of a surrogate pair)',
    ]);
    expect(check(t, { ents: [{ start: 0, end: 2, label: 'PER' }] }, emoji)).toEqual([
      '/ents/0/end falls inside a character (between the halves of a surrogate pair)',
    ]);
  });
  it('rejects overlaps unless allowed, and duplicates always', () => {
    const spans = [{ start: 0, end: 4, label: 'PER' }, { start: 3, end: 6, label: 'LOC' }];
    expect(check(t, { ents: spans }, item)).toEqual(['/ents/1 overlaps the span at /ents/0']);
    expect(check(t, { ents: [spans[1], spans[0]] }, item)).toEqual(['/ents/0 overlaps the span at /ents/1']);
    const nested = [{ start: 0, end: 10, label: 'PER' }, { start: 2, end: 3, label: 'LOC' }, { start: 5, end: 6, label: 'LOC' }];
    expect(pathsOf(t, { ents: nested }, item)).toEqual(['/ents/1', '/ents/2']);
    const o = template({ type: 'span', name: 'ents', labels: ['PER', 'LOC'], textField: 'text', allowOverlap: true });
    expect(check(o, { ents: spans }, item)).toEqual([]);
    expect(check(o, { ents: [spans[0], spans[0]] }, item)).toEqual(['/ents/1 is the same span as /ents/0']);
    // adjacent spans do not overlap (end is exclusive)
    expect(check(t, { ents: [{ start: 0, end: 3, label: 'PER' }, { start: 3, end: 5, label: 'LOC' }] }, item)).toEqual([]);
  });
  it('without item data, skips the text-length bound; non-string text is shown as a string', () => {
    expect(check(t, { ents: [{ start: 100, end: 200, label: 'PER' }] })).toEqual([]);
    expect(check(t, { ents: [{ start: 0, end: 5, label: 'PER' }] }, { text: 12345 })).toEqual([]);
    expect(pathsOf(t, { ents: [{ start: 0, end: 1, label: 'PER' }] }, {})).toEqual(['/ents/0/start']);
  });
});

describe('validateResult: pairwise', () => {
  const t = template({ type: 'pairwise', name: 'pref', fields: ['a', 'b'] });
  it('accepts either field or "equal"', () => {
    for (const pref of ['a', 'b', 'equal']) expect(check(t, { pref })).toEqual([]);
  });
  it('rejects anything else, and "equal" when not allowed', () => {
    expect(check(t, { pref: 'c' })).toEqual(['/pref must be "a", "b" or "equal"']);
    expect(check(t, { pref: 0 })).toEqual(['/pref must be "a", "b" or "equal"']);
    const strict = template({ type: 'pairwise', name: 'pref', fields: ['a', 'b'], allowEqual: false });
    expect(check(strict, { pref: 'equal' })).toEqual(['/pref must be "a" or "b"']);
  });
});

describe('validateResult: every problem at once', () => {
  it('reports problems of several controls together', () => {
    const t = template(
      { type: 'single_choice', name: 'label', options: ['cat', 'dog'] },
      { type: 'rating', name: 'r' },
      { type: 'email', name: 'e', required: false },
    );
    expect(pathsOf(t, { label: 'cow', r: 9, e: 'nope', x: 1 })).toEqual(['/x', '/label', '/r', '/e']);
  });
});

describe('validateGold (partial answers)', () => {
  const t = template(
    { type: 'single_choice', name: 'label', options: ['cat', 'dog'] },
    { type: 'bbox', name: 'boxes', labels: ['car'], imageField: 'image' },
    { type: 'text', name: 'note' },
  );
  const item = { image: 'x.png', width: 10, height: 10 };
  it('allows leaving required controls out', () => {
    expect(validateGold(t, { label: 'cat' }, item)).toEqual([]);
    expect(validateGold(t, { boxes: [] }, item)).toEqual([]);
  });
  it('still checks the values given, against the item', () => {
    expect(validateGold(t, { label: 'cow', boxes: [{ x: 0, y: 0, width: 11, height: 1, label: 'car' }] }, item).map((p) => p.path)).toEqual([
      '/label',
      '/boxes/0/width',
    ]);
    expect(validateResult(t, { zzz: 1 }, item, { partial: true }).map((p) => p.path)).toEqual(['/zzz']);
  });
  it('rejects empty answers and empty gold', () => {
    expect(validateGold(t, { label: 'cat', note: '' })).toEqual([
      { path: '/note', problem: 'a gold answer must not be empty; leave the control out instead' },
    ]);
    expect(validateGold(t, {})).toEqual([{ path: '', problem: 'a gold answer must answer at least one control' }]);
  });
});

describe('validateResult: optional list controls', () => {
  it('accept an empty list even with a minimum (none, or at least so many)', () => {
    const t = template(
      { type: 'bbox', name: 'boxes', labels: ['car'], imageField: 'image', minBoxes: 2, required: false },
      { type: 'multi_choice', name: 'tags', options: ['a', 'b', 'c'], minSelected: 2, required: false },
    );
    expect(check(t, { boxes: [], tags: [] })).toEqual([]);
    expect(check(t, { boxes: [{ x: 0, y: 0, width: 1, height: 1, label: 'car' }], tags: ['a'] })).toEqual([
      '/boxes must have at least 2 boxes (has 1)',
      '/tags must have at least 2 options selected (has 1)',
    ]);
  });
});

describe('validateResult: templates stored without defaults', () => {
  it('reads omitted defaults as the defaults', () => {
    const raw = {
      display: [{ type: 'text', field: 'a' }, { type: 'text', field: 'b' }],
      layout: 'stack',
      controls: [
        { type: 'rating', name: 'r' },
        { type: 'file', name: 'f' },
        { type: 'pairwise', name: 'p', fields: ['a', 'b'] },
        { type: 'text', name: 't' },
      ],
    } as unknown as Template;
    const assetInfo = () => ({ bytes: 11 * 1024 * 1024, mimeType: 'image/png' });
    expect(check(raw, { r: 6, f: `asset:${HASH}`, p: 'equal', t: 'x'.repeat(100_001) }, undefined, { assetInfo })).toEqual([
      '/r must be an integer from 1 to 5',
      '/f file is 11534336 bytes, more than the 10485760 allowed',
      '/t must be at most 100000 characters (is 100001)',
    ]);
  });
});
