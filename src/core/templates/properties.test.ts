/**
 * Property tests: random valid templates and results, random breakage of them, and arbitrary
 * JSON thrown at both validators.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCase, arbItemData, arbTemplate, arbTemplateInput } from './arbitraries.ts';
import { categoricalControls, defaultResult, isAnswered } from './helpers.ts';
import { displayText, imageSize, readField } from './media.ts';
import { escapeSegment, parsePointer } from './pointer.ts';
import { validateResult } from './validate-result.ts';
import { validateTemplate } from './validate-template.ts';
import type { Control, ItemData, Problem, Result, Template } from './types.ts';

const RUNS = { numRuns: 300 };

describe('random valid templates', () => {
  it('pass validateTemplate, and normalising is a fixed point', () => {
    fc.assert(
      fc.property(arbTemplateInput, (input) => {
        const r = validateTemplate(input);
        expect(r.ok ? [] : r.problems).toEqual([]);
        if (!r.ok) return;
        expect(validateTemplate(r.template)).toEqual(r);
        expect(validateTemplate(JSON.parse(JSON.stringify(r.template)))).toEqual(r);
      }),
      RUNS,
    );
  });

  it('accept the default (empty) result once every control is optional', () => {
    fc.assert(
      fc.property(arbTemplate, (t) => {
        const optional: Template = { ...t, controls: t.controls.map((c) => ({ ...c, required: false })) };
        expect(validateResult(optional, defaultResult(optional))).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('random valid results', () => {
  it('validateResult returns [] for them, with and without item data', () => {
    fc.assert(
      fc.property(arbCase, ({ template, data, result }) => {
        expect(validateResult(template, result, data)).toEqual([]);
        expect(validateResult(template, result)).toEqual([]);
        expect(validateResult(template, JSON.parse(JSON.stringify(result)), data)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('any non-empty part of a valid result is a valid gold answer', () => {
    fc.assert(
      fc.property(arbCase, fc.nat(), ({ template, data, result }, pick) => {
        const answered = template.controls.filter((c) => Object.hasOwn(result, c.name) && isAnswered(c, result[c.name]));
        fc.pre(answered.length > 0);
        const c = answered[pick % answered.length];
        expect(validateResult(template, { [c.name]: result[c.name] }, data, { partial: true })).toEqual([]);
      }),
      RUNS,
    );
  });

  it('categorical answers lie in the label sets categoricalControls gives', () => {
    fc.assert(
      fc.property(arbCase, ({ template, result }) => {
        for (const cat of categoricalControls(template)) {
          const v = result[cat.name];
          if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
          const values = cat.multi ? (v as string[]) : [v as string | number];
          for (const x of values) if (!cat.open) expect(cat.values).toContain(x);
        }
      }),
      RUNS,
    );
  });
});

/** A broken copy of a valid result and where the problem must be reported. */
interface Mutation {
  kind: string;
  result: Record<string, unknown>;
  path: string;
}

function mutations(template: Template, data: ItemData, result: Result): Mutation[] {
  const out: Mutation[] = [];
  const at = (...segs: (string | number)[]) => segs.map((s) => '/' + escapeSegment(s)).join('');
  const withValue = (c: Control, value: unknown) => ({ ...result, [c.name]: value });
  const names = new Set(template.controls.map((c) => c.name));
  let stranger = 'not_a_control';
  while (names.has(stranger)) stranger += '_';
  out.push({ kind: 'unknown key', result: { ...result, [stranger]: 1 }, path: at(stranger) });

  for (const c of template.controls) {
    const value = result[c.name];
    const p = at(c.name);
    if (c.required) {
      const { [c.name]: _dropped, ...rest } = result;
      out.push({ kind: 'missing required', result: rest, path: p });
    }
    switch (c.type) {
      case 'single_choice':
      case 'text':
      case 'email':
      case 'file':
      case 'pairwise':
        out.push({ kind: 'wrong type', result: withValue(c, 12345), path: p });
        break;
      case 'number':
      case 'rating':
        out.push({ kind: 'wrong type', result: withValue(c, '3'), path: p });
        break;
      default:
        out.push({ kind: 'wrong type', result: withValue(c, { length: 1 }), path: p });
    }
    switch (c.type) {
      case 'single_choice':
        if (!c.allowOther) out.push({ kind: 'unknown option', result: withValue(c, '\u0000nope'), path: p });
        break;
      case 'multi_choice': {
        const base = Array.isArray(value) ? value : [];
        out.push({ kind: 'unknown option', result: withValue(c, [...base, '\u0000nope']), path: at(c.name, base.length) });
        if (c.maxSelected !== undefined && c.maxSelected < c.options.length) {
          out.push({ kind: 'too many', result: withValue(c, [...c.options]), path: p });
        }
        break;
      }
      case 'text':
        out.push({ kind: 'too long', result: withValue(c, 'a'.repeat(c.maxLength + 1)), path: p });
        if (!c.multiline) out.push({ kind: 'line break', result: withValue(c, 'a\nb'.padEnd(c.minLength ?? 0, 'b')), path: p });
        break;
      case 'number':
        if (c.max !== undefined) out.push({ kind: 'above max', result: withValue(c, c.max + (c.step ?? 1)), path: p });
        if (c.min !== undefined) out.push({ kind: 'below min', result: withValue(c, c.min - (c.step ?? 1)), path: p });
        if (c.integer) out.push({ kind: 'fraction', result: withValue(c, (c.min ?? 0) + 0.5), path: p });
        break;
      case 'rating':
        out.push({ kind: 'above scale', result: withValue(c, c.scale + 1), path: p });
        out.push({ kind: 'zero rating', result: withValue(c, 0), path: p });
        break;
      case 'email':
        out.push({ kind: 'not an email', result: withValue(c, 'no-at-sign.kr'), path: p });
        break;
      case 'file':
        out.push({ kind: 'not an asset', result: withValue(c, 'asset:xyz'), path: p });
        break;
      case 'bbox': {
        const boxes = Array.isArray(value) ? value : [];
        const size = imageSize(data, c.imageField)!;
        const outside = { x: size.width / 2, y: 0, width: size.width, height: Math.min(1, size.height), label: c.labels[0] };
        out.push({ kind: 'box outside image', result: withValue(c, [...boxes, outside]), path: at(c.name, boxes.length) });
        const below = { x: 0, y: size.height, width: 1, height: 1, label: c.labels[0] };
        out.push({ kind: 'box below image', result: withValue(c, [...boxes, below]), path: at(c.name, boxes.length) });
        const badLabel = { x: 0, y: 0, width: 1, height: 1, label: '\u0000nope' };
        out.push({ kind: 'box label', result: withValue(c, [badLabel, ...boxes]), path: at(c.name, 0, 'label') });
        break;
      }
      case 'span': {
        const spans = Array.isArray(value) ? value : [];
        const length = displayText(readField(data, c.textField)).length;
        const past = { start: 0, end: length + 1, label: c.labels[0] };
        out.push({ kind: 'span past end', result: withValue(c, [...spans, past]), path: at(c.name, spans.length) });
        const empty = { start: 0, end: 0, label: c.labels[0] };
        out.push({ kind: 'empty span', result: withValue(c, [empty, ...spans]), path: at(c.name, 0) });
        break;
      }
      case 'pairwise':
        out.push({ kind: 'not a field', result: withValue(c, '\u0000neither'), path: p });
        if (!c.allowEqual) out.push({ kind: 'equal not allowed', result: withValue(c, 'equal'), path: p });
        break;
    }
  }
  return out;
}

const hits = (problems: Problem[], path: string) =>
  problems.some((p) => p.path === path || p.path.startsWith(path + '/'));

describe('random breakage of valid results', () => {
  it('is reported at the broken place', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbCase, fc.nat(), ({ template, data, result }, pick) => {
        const all = mutations(template, data, result);
        const m = all[pick % all.length];
        seen.add(m.kind);
        const problems = validateResult(template, m.result, data);
        if (!hits(problems, m.path)) {
          throw new Error(`${m.kind}: expected a problem at ${m.path}, got ${JSON.stringify(problems)}`);
        }
      }),
      { numRuns: 1000 },
    );
    // the generator must actually reach every kind of breakage
    expect([...seen].sort()).toEqual(
      [
        'above max', 'above scale', 'below min', 'box below image', 'box label', 'box outside image', 'empty span',
        'equal not allowed', 'fraction', 'line break', 'missing required', 'not a field', 'not an asset', 'not an email',
        'span past end', 'too long', 'too many', 'unknown key', 'unknown option', 'wrong type', 'zero rating',
      ].sort(),
    );
  });

  it('every breakage of one case is caught', () => {
    fc.assert(
      fc.property(arbCase, ({ template, data, result }) => {
        for (const m of mutations(template, data, result)) {
          const problems = validateResult(template, m.result, data);
          if (!hits(problems, m.path)) throw new Error(`${m.kind}: expected a problem at ${m.path}, got ${JSON.stringify(problems)}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Whether the parent of `path` exists in `doc` (a problem may name a missing key). */
function parentExists(doc: unknown, path: string): boolean {
  const segs = parsePointer(path);
  let node: unknown = doc;
  for (const seg of segs.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, seg)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
}

/** Every JSON pointer inside `doc`. */
function allPointers(doc: unknown, base = ''): string[] {
  const out = [base];
  if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) out.push(...allPointers(v, base + '/' + escapeSegment(k)));
  }
  return out;
}

function replaceAt(doc: unknown, path: string, value: unknown): unknown {
  const segs = parsePointer(path);
  if (segs.length === 0) return value;
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node = copy;
  for (const seg of segs.slice(0, -1)) node = node[seg] as Record<string, unknown>;
  node[segs[segs.length - 1]] = value;
  return copy;
}

describe('validators on arbitrary input', () => {
  it('validateTemplate never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const r = validateTemplate(input);
        if (!r.ok) expect(r.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('validateTemplate never throws on damaged valid templates, and points into them', () => {
    fc.assert(
      fc.property(arbTemplateInput, fc.nat(), fc.jsonValue(), (input, pick, junk) => {
        const pointers = allPointers(input);
        const damaged = replaceAt(input, pointers[pick % pointers.length], junk);
        const r = validateTemplate(damaged);
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) expect(parentExists(damaged, p.path), p.path).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('validateResult never throws on arbitrary results and item data', () => {
    fc.assert(
      fc.property(
        arbTemplate,
        fc.jsonValue(),
        fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
        (template, result, data) => {
          const problems = validateResult(template, result, data);
          for (const p of problems) expect(parentExists(result, p.path), p.path).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('validateResult never throws on damaged valid results, and points into them', () => {
    fc.assert(
      fc.property(arbCase, fc.nat(), fc.jsonValue(), ({ template, data, result }, pick, junk) => {
        const pointers = allPointers(result);
        const damaged = replaceAt(result, pointers[pick % pointers.length], junk);
        for (const p of validateResult(template, damaged, data)) expect(parentExists(damaged, p.path), p.path).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('item data generator gives each displayed field', () => {
    fc.assert(
      fc.property(arbTemplate.chain((t) => arbItemData(t).map((d) => ({ t, d }))), ({ t, d }) => {
        for (const f of t.display) expect(Object.hasOwn(d, f.field)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
