/**
 * fast-check generators of valid templates, item data and results — for property tests here
 * and in other modules (aggregation, exports). Test-only: imports fast-check, a dev dependency,
 * so nothing outside tests may import this file (index.ts does not export it).
 */
import fc from 'fast-check';
import { displayText } from './media.ts';
import { validateTemplate } from './validate-template.ts';
import {
  DISPLAY_TYPES,
  PAIRWISE_EQUAL,
  type BboxControl,
  type Box,
  type Control,
  type ControlInput,
  type DisplayField,
  type ItemData,
  type MultiChoiceControl,
  type NumberControl,
  type Result,
  type ResultValue,
  type Span,
  type SpanControl,
  type Template,
  type TextControl,
} from './types.ts';

const RESERVED_FIELDS = new Set(['_gold', 'width', 'height', PAIRWISE_EQUAL, '__proto__']);

/** A string that is non-empty and not padded with spaces: a valid option or label. */
export const arbWord = fc
  .string({ unit: fc.constantFrom(...'abcxyz019 -가나다라😀é'.split(/(?:)/u)), minLength: 1, maxLength: 8 })
  .filter((s) => s.trim() === s && s !== '');

export const arbControlName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)
  .filter((n) => n !== '__proto__');

const arbField = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
  .filter((s) => s.trim() !== '' && !RESERVED_FIELDS.has(s));

/** Sets a key only sometimes: exercises defaults. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const arbCommon = fc.record({
  label: maybe(arbWord),
  description: maybe(arbWord),
  required: maybe(fc.boolean()),
});

/** Patterns the generator knows how to satisfy, with a generator of matching strings. */
export const TEXT_PATTERNS: { pattern: string; matching: fc.Arbitrary<string> }[] = [
  { pattern: '[a-z]+', matching: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 12 }) },
  {
    pattern: '[0-9]{3}-[0-9]{4}',
    matching: fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 9999 })).map(
      ([a, b]) => `${String(a).padStart(3, '0')}-${String(b).padStart(4, '0')}`,
    ),
  },
  {
    pattern: '[가-힣]+(?: [가-힣]+)?',
    matching: fc
      .array(fc.string({ unit: fc.constantFrom(...'가나다라마바사아자차카타파하힣'), minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 })
      .map((ws) => ws.join(' ')),
  },
];

/** Quarter steps: exactly representable, so generated grids have no float error. */
const quarter = (min: number, max: number) => fc.integer({ min: min * 4, max: max * 4 }).map((n) => n / 4);

function arbControlFor(kind: Control['type'], shown: DisplayField[]): fc.Arbitrary<Omit<ControlInput, 'name'>> | null {
  const images = shown.filter((d) => d.type === 'image').map((d) => d.field);
  const texts = shown.filter((d) => d.type === 'text').map((d) => d.field);
  const fields = [...new Set(shown.map((d) => d.field))];
  const labels = (min: number) => fc.uniqueArray(arbWord, { minLength: min, maxLength: 6 });
  switch (kind) {
    case 'single_choice':
      return fc.record({ options: labels(2), allowOther: maybe(fc.boolean()) }).map((c) => ({ type: kind, ...c }));
    case 'multi_choice':
      return labels(1).chain((options) =>
        fc
          .record({
            minSelected: maybe(fc.integer({ min: 0, max: options.length })),
            maxSelected: maybe(fc.integer({ min: 1, max: options.length })),
          })
          .filter((c) => c.minSelected === undefined || c.maxSelected === undefined || c.minSelected <= c.maxSelected)
          .map((c) => ({ type: kind, options, ...c })),
      );
    case 'text':
      return fc
        .record({
          multiline: maybe(fc.boolean()),
          minLength: maybe(fc.integer({ min: 0, max: 3 })),
          maxLength: maybe(fc.integer({ min: 30, max: 60 })),
          pattern: maybe(fc.constantFrom(...TEXT_PATTERNS.map((p) => p.pattern))),
        })
        .map((c) => ({ type: kind, ...c }));
    case 'number':
      return fc.boolean().chain((integer) => {
        const value = integer ? fc.integer({ min: -1000, max: 1000 }) : quarter(-1000, 1000);
        const step = integer ? fc.integer({ min: 1, max: 10 }) : quarter(0.25, 10);
        return fc
          .record({ min: maybe(value), max: maybe(value), step: maybe(step), integer: fc.constantFrom(integer, undefined) })
          .filter((c) => c.min === undefined || c.max === undefined || c.min <= c.max)
          .filter((c) => !integer || c.integer === true)
          .map((c) => ({ type: kind, ...c }));
      });
    case 'rating':
      return fc.record({ scale: maybe(fc.integer({ min: 2, max: 10 })) }).map((c) => ({ type: kind, ...c }));
    case 'email':
      return fc.constant({ type: kind });
    case 'file':
      return fc
        .record({
          accept: maybe(fc.shuffledSubarray(['image/*', 'image/png', 'application/pdf', '.hwp', '.csv'])),
          maxBytes: maybe(fc.integer({ min: 1, max: 100_000_000 })),
        })
        .map((c) => ({ type: kind, ...c }));
    case 'bbox':
      if (images.length === 0) return null;
      return fc
        .record({
          labels: labels(1),
          imageField: fc.constantFrom(...images),
          minBoxes: maybe(fc.integer({ min: 0, max: 3 })),
          maxBoxes: maybe(fc.integer({ min: 3, max: 8 })),
        })
        .map((c) => ({ type: kind, ...c }));
    case 'span':
      if (texts.length === 0) return null;
      return fc
        .record({ labels: labels(1), textField: fc.constantFrom(...texts), allowOverlap: maybe(fc.boolean()) })
        .map((c) => ({ type: kind, ...c }));
    case 'pairwise':
      if (fields.length < 2) return null;
      return fc
        .record({ fields: fc.shuffledSubarray(fields, { minLength: 2, maxLength: 2 }), allowEqual: maybe(fc.boolean()) })
        .map((c) => ({ type: kind, ...c }));
  }
}

const CONTROL_KINDS: Control['type'][] = [
  'single_choice',
  'multi_choice',
  'text',
  'number',
  'rating',
  'email',
  'file',
  'bbox',
  'span',
  'pairwise',
];

/** A template as a requester might write it (defaults sometimes omitted). Always valid. */
export const arbTemplateInput = fc
  .uniqueArray(fc.record({ field: arbField, type: fc.constantFrom(...DISPLAY_TYPES), label: maybe(arbWord) }), {
    maxLength: 6,
    selector: (d) => d.field,
  })
  .chain((rawDisplay) => {
    const display = rawDisplay.map((d) => strip(d) as DisplayField);
    const kinds = CONTROL_KINDS.map((k) => arbControlFor(k, display)).filter((a) => a !== null);
    return fc.record({
      display: fc.constant(display),
      controls: fc
        .uniqueArray(arbControlName, { minLength: 1, maxLength: 8 })
        .chain((names) =>
          fc.tuple(...names.map((name) => fc.tuple(fc.oneof(...kinds), arbCommon).map(([c, common]) => strip({ ...common, ...c, name }) as ControlInput))),
        ),
      layout: maybe(fc.constantFrom('stack' as const, 'columns' as const)),
    });
  })
  .map((t) => strip(t));

/** A normalised, valid template. */
export const arbTemplate: fc.Arbitrary<Template> = arbTemplateInput.map((input) => {
  const r = validateTemplate(input);
  if (!r.ok) throw new Error(`arbTemplate produced an invalid template: ${JSON.stringify(r.problems)}`);
  return r.template;
});

const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
export const arbAssetRef = hex64.map((h) => `asset:${h}`);

/** Item data for a template: every displayed field present; images with a known size. */
export function arbItemData(template: Template): fc.Arbitrary<ItemData> {
  const size = fc.record({ width: fc.integer({ min: 1, max: 4000 }), height: fc.integer({ min: 1, max: 4000 }) });
  const textValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.integer().map((n) => n as unknown),
  );
  return fc.record({ objectImages: fc.boolean(), shared: size }).chain(({ objectImages, shared }) => {
    const entries: [string, fc.Arbitrary<unknown>][] = [];
    for (const d of template.display) {
      if (d.type === 'image' && objectImages) entries.push([d.field, fc.record({ src: arbAssetRef, ...{ width: size.map((s) => s.width), height: size.map((s) => s.height) } })]);
      else if (d.type === 'image') entries.push([d.field, arbAssetRef]);
      else if (d.type === 'text') entries.push([d.field, textValue]);
      else entries.push([d.field, fc.jsonValue()]);
    }
    const base = objectImages ? {} : { width: shared.width, height: shared.height };
    return fc.tuple(...entries.map(([, arb]) => arb)).map((values) => {
      const data: ItemData = { ...base };
      entries.forEach(([field], i) => Object.defineProperty(data, field, { value: values[i], enumerable: true, writable: true, configurable: true }));
      return data;
    });
  });
}

function arbText(c: TextControl): fc.Arbitrary<string> {
  const min = Math.max(c.minLength ?? 0, 1);
  const source =
    c.pattern !== undefined
      ? TEXT_PATTERNS.find((p) => p.pattern === c.pattern)!.matching
      : fc.string({ unit: c.multiline ? fc.constantFrom(...'ab 가\n\r😀.'.split(/(?:)/u)) : 'grapheme', minLength: min, maxLength: 25 });
  return source.filter(
    (s) => s.length >= min && s.length <= c.maxLength && s.trim() !== '' && (c.multiline || !/[\r\n]/.test(s)),
  );
}

function arbNumber(c: NumberControl): fc.Arbitrary<number> {
  if (c.step !== undefined) {
    const base = c.min ?? 0;
    const kmax = c.max === undefined ? 1000 : Math.floor((c.max - base) / c.step);
    const kmin = c.min === undefined ? kmax - 1000 : 0;
    return fc.integer({ min: kmin, max: kmax }).map((k) => base + k * c.step!);
  }
  const lo = c.min ?? -1e6;
  const hi = c.max ?? 1e6;
  if (c.integer) return fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) });
  return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
}

function arbBoxes(c: BboxControl, data: ItemData, required: boolean): fc.Arbitrary<Box[]> {
  const raw = data[c.imageField];
  const size = typeof raw === 'object' && raw !== null ? (raw as { width: number; height: number }) : (data as { width: number; height: number });
  const box = fc
    .record({
      fx: fc.double({ min: 0, max: 0.95, noNaN: true }),
      fy: fc.double({ min: 0, max: 0.95, noNaN: true }),
      fw: fc.double({ min: 0.01, max: 1, noNaN: true }),
      fh: fc.double({ min: 0.01, max: 1, noNaN: true }),
      label: fc.constantFrom(...c.labels),
    })
    .map(({ fx, fy, fw, fh, label }) => {
      const x = fx * size.width;
      const y = fy * size.height;
      return { x, y, width: Math.max(fw * (size.width - x), Number.MIN_VALUE), height: Math.max(fh * (size.height - y), Number.MIN_VALUE), label };
    })
    .filter((b) => b.width > 0 && b.height > 0);
  const min = c.minBoxes ?? 0;
  return fc.array(box, { minLength: required ? min : 0, maxLength: c.maxBoxes ?? 8 }).filter((bs) => bs.length >= min || !required);
}

/** Code-unit offsets of `text` that do not split a surrogate pair. */
export function spanBoundaries(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i <= text.length; i++) {
    const prev = text.charCodeAt(i - 1);
    const next = text.charCodeAt(i);
    if (i > 0 && i < text.length && prev >= 0xd800 && prev <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) continue;
    out.push(i);
  }
  return out;
}

function arbSpans(c: SpanControl, data: ItemData): fc.Arbitrary<Span[]> {
  const text = displayText(Object.hasOwn(data, c.textField) ? data[c.textField] : undefined);
  const bounds = spanBoundaries(text);
  if (bounds.length < 2) return fc.constant([]);
  const label = fc.constantFrom(...c.labels);
  if (!c.allowOverlap) {
    return fc
      .uniqueArray(fc.constantFrom(...bounds), { maxLength: 8 })
      .map((bs) => bs.sort((a, b) => a - b))
      .chain((bs) => {
        const pairs: [number, number][] = [];
        for (let i = 0; i + 1 < bs.length; i += 2) pairs.push([bs[i], bs[i + 1]]);
        return fc.tuple(...pairs.map(([start, end]) => label.map((l) => ({ start, end, label: l }))));
      })
      .chain((spans) => fc.shuffledSubarray(spans, { minLength: spans.length, maxLength: spans.length }));
  }
  return fc.uniqueArray(
    fc
      .tuple(fc.constantFrom(...bounds), fc.constantFrom(...bounds), label)
      .filter(([a, b]) => a !== b)
      .map(([a, b, l]) => ({ start: Math.min(a, b), end: Math.max(a, b), label: l })),
    { maxLength: 6, selector: (s) => `${s.start}:${s.end}:${s.label}` },
  );
}

function arbEmail(): fc.Arbitrary<string> {
  return fc.emailAddress().filter((e) => e.length <= 254);
}

/** A value that answers `c` validly for `data`. */
export function arbAnswer(c: Control, data: ItemData): fc.Arbitrary<ResultValue> {
  switch (c.type) {
    case 'single_choice':
      return c.allowOther ? fc.oneof(fc.constantFrom(...c.options), arbWord) : fc.constantFrom(...c.options);
    case 'multi_choice': {
      const m = c as MultiChoiceControl;
      const min = Math.max(m.minSelected ?? 0, 1);
      return fc.shuffledSubarray(m.options, { minLength: min, maxLength: m.maxSelected ?? m.options.length });
    }
    case 'text':
      return arbText(c);
    case 'number':
      return arbNumber(c);
    case 'rating':
      return fc.integer({ min: 1, max: c.scale });
    case 'email':
      return arbEmail();
    case 'file':
      return arbAssetRef;
    case 'bbox':
      return arbBoxes(c, data, true);
    case 'span':
      return arbSpans(c, data);
    case 'pairwise':
      return fc.constantFrom(...c.fields, ...(c.allowEqual ? [PAIRWISE_EQUAL] : []));
  }
}

const OMIT = Symbol('omit');

/** A valid result for `template` and `data`: optional controls sometimes left out or empty. */
export function arbResult(template: Template, data: ItemData): fc.Arbitrary<Result> {
  const parts = template.controls.map((c) => {
    const answer = arbAnswer(c, data);
    if (c.required) return answer;
    const empty: ResultValue = c.type === 'text' || c.type === 'email' ? '' : c.type === 'multi_choice' ? [] : null;
    return fc.oneof(answer, fc.constant(empty), fc.constant(OMIT));
  });
  return fc.tuple(...parts).map((values) => {
    const result: Result = {};
    template.controls.forEach((c, i) => {
      if (values[i] !== OMIT) result[c.name] = values[i] as ResultValue;
    });
    return result;
  });
}

/** A template with item data and a valid result for them. */
export const arbCase = arbTemplate.chain((template) =>
  arbItemData(template).chain((data) => arbResult(template, data).map((result) => ({ template, data, result }))),
);
