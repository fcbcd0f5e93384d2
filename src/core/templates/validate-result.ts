/**
 * Checks a result (a worker's answer, or a gold answer) against its template: shapes as
 * API.md gives them, options, ranges, boxes inside the image, spans inside the text.
 * Returns every problem with its JSON pointer into the result; [] means valid. Never throws.
 */
import { isAnswered } from './helpers.ts';
import { displayText, fileAccepts, imageSize, isAssetRef, readField, type AssetInfo } from './media.ts';
import { pointer } from './pointer.ts';
import {
  LIMITS,
  PAIRWISE_EQUAL,
  type BboxControl,
  type Control,
  type ControlOf,
  type ControlType,
  type ItemData,
  type Problem,
  type SpanControl,
  type Template,
} from './types.ts';

export interface ResultOptions {
  /**
   * Gold answers: controls may be left out (required is not enforced), but a control that is
   * given must be answered, and at least one must be.
   */
  partial?: boolean;
  /**
   * Looks up an uploaded asset (`file` controls). When given, an unknown reference is a
   * problem and the file's size and type are checked against the control; when not, only the
   * reference's form is checked. Use `resultAssetRefs` to know what to fetch beforehand.
   */
  assetInfo?: (ref: string) => AssetInfo | undefined;
}

/** Slack for float pixel coordinates at the image's edges (a canvas scaled back to natural size). */
const EDGE_EPSILON = 1e-6;

/** The WHATWG "valid e-mail address" rule: what the browser's `<input type=email>` accepts. */
const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function isEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.emailLength && EMAIL_RE.test(value);
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (s: string) => JSON.stringify(s);

function choiceList(values: readonly string[]): string {
  const shown = values.slice(0, 10).map(quote).join(', ');
  return values.length > 10 ? `${shown}, … (${values.length} in all)` : shown;
}

const patternCache = new Map<string, RegExp | null>();
function fullMatch(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      re = null;
    }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

interface Ctx {
  add(path: string, problem: string): void;
  itemData?: ItemData;
  opts: ResultOptions;
}

type Checker<T extends ControlType> = (c: ControlOf<T>, v: unknown, at: string, ctx: Ctx) => void;

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function checkCount(n: number, min: number | undefined, max: number | undefined, what: string, at: string, ctx: Ctx) {
  if (min !== undefined && n < min) ctx.add(at, `must have at least ${min} ${what} (has ${n})`);
  if (max !== undefined && n > max) ctx.add(at, `must have at most ${max} ${what} (has ${n})`);
}

function checkLabel(labels: readonly string[], v: unknown, at: string, ctx: Ctx): void {
  if (v === undefined) ctx.add(at, 'is required');
  else if (typeof v !== 'string') ctx.add(at, 'must be a string');
  else if (!labels.includes(v)) ctx.add(at, `${quote(v)} is not one of the labels: ${choiceList(labels)}`);
}

function unknownProps(o: Obj, allowed: readonly string[], at: string, what: string, ctx: Ctx): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) ctx.add(pointer(at, key), `unknown property of ${what}`);
}

const BOX_KEYS = ['x', 'y', 'width', 'height', 'label'] as const;

function checkBoxes(c: BboxControl, v: unknown, at: string, ctx: Ctx): void {
  if (!Array.isArray(v)) return ctx.add(at, 'must be a list of boxes [{x, y, width, height, label}]');
  const size = imageSize(ctx.itemData, c.imageField);
  v.forEach((box, i) => {
    const boxAt = pointer(at, i);
    if (!isObject(box)) return ctx.add(boxAt, 'must be a box {x, y, width, height, label}');
    unknownProps(box, BOX_KEYS, boxAt, 'a box', ctx);
    const num = (key: 'x' | 'y' | 'width' | 'height', positive: boolean): number | undefined => {
      const n = readField(box, key);
      const keyAt = pointer(boxAt, key);
      if (n === undefined) return void ctx.add(keyAt, 'is required');
      if (typeof n !== 'number' || !Number.isFinite(n)) return void ctx.add(keyAt, 'must be a number of pixels');
      if (positive ? n <= 0 : n < 0) return void ctx.add(keyAt, positive ? 'must be greater than 0' : 'must not be negative');
      return n;
    };
    const x = num('x', false);
    const y = num('y', false);
    const width = num('width', true);
    const height = num('height', true);
    checkLabel(c.labels, readField(box, 'label'), pointer(boxAt, 'label'), ctx);
    if (!size) return;
    const edge = (start: number | undefined, extent: number | undefined, limit: number, s: string, e: string, side: string) => {
      const slack = EDGE_EPSILON * Math.max(1, limit);
      if (start !== undefined && start >= limit) {
        ctx.add(pointer(boxAt, s), `lies past the ${side} edge of the image (${s} = ${start}, image ${e} ${limit})`);
      } else if (start !== undefined && extent !== undefined && start + extent > limit + slack) {
        ctx.add(
          pointer(boxAt, e),
          `box extends past the ${side} edge of the image (${s} + ${e} = ${start + extent}, image ${e} ${limit})`,
        );
      }
    };
    edge(x, width, size.width, 'x', 'width', 'right');
    edge(y, height, size.height, 'y', 'height', 'bottom');
  });
  checkCount(v.length, c.minBoxes, c.maxBoxes, 'boxes', at, ctx);
}

const SPAN_KEYS = ['start', 'end', 'label'] as const;

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
/** True when `offset` falls between the two halves of one character. */
function splitsPair(text: string, offset: number): boolean {
  return (
    offset > 0 &&
    offset < text.length &&
    isHighSurrogate(text.charCodeAt(offset - 1)) &&
    isLowSurrogate(text.charCodeAt(offset))
  );
}

function checkSpans(c: SpanControl, v: unknown, at: string, ctx: Ctx): void {
  if (!Array.isArray(v)) return ctx.add(at, 'must be a list of spans [{start, end, label}]');
  const text = ctx.itemData === undefined ? undefined : displayText(readField(ctx.itemData, c.textField));
  const valid: { start: number; end: number; label: string; i: number }[] = [];
  v.forEach((span, i) => {
    const spanAt = pointer(at, i);
    if (!isObject(span)) return ctx.add(spanAt, 'must be a span {start, end, label}');
    unknownProps(span, SPAN_KEYS, spanAt, 'a span', ctx);
    const startAt = pointer(spanAt, 'start');
    const endAt = pointer(spanAt, 'end');
    const rawStart = readField(span, 'start');
    const rawEnd = readField(span, 'end');
    let start: number | undefined;
    let end: number | undefined;
    if (rawStart === undefined) ctx.add(startAt, 'is required');
    else if (!isCount(rawStart) || rawStart < 0) ctx.add(startAt, 'must be an integer offset ≥ 0');
    else start = rawStart;
    if (rawEnd === undefined) ctx.add(endAt, 'is required');
    else if (!isCount(rawEnd) || rawEnd < 1) ctx.add(endAt, 'must be an integer offset ≥ 1');
    else end = rawEnd;
    if (start !== undefined && end !== undefined && end <= start) {
      ctx.add(endAt, `must be greater than start (${start}); end is exclusive`);
      end = undefined;
    }
    if (text !== undefined) {
      if (start !== undefined && start >= text.length) {
        ctx.add(startAt, `is past the end of the text (length ${text.length})`);
        start = undefined;
      } else if (end !== undefined && end > text.length) {
        ctx.add(endAt, `is past the end of the text (length ${text.length})`);
        end = undefined;
      }
      if (start !== undefined && splitsPair(text, start)) {
        ctx.add(startAt, 'falls inside a character (between the halves of a surrogate pair)');
        start = undefined;
      }
      if (end !== undefined && splitsPair(text, end)) {
        ctx.add(endAt, 'falls inside a character (between the halves of a surrogate pair)');
        end = undefined;
      }
    }
    const label = readField(span, 'label');
    checkLabel(c.labels, label, pointer(spanAt, 'label'), ctx);
    if (start !== undefined && end !== undefined && typeof label === 'string') valid.push({ start, end, label, i });
  });
  const sorted = [...valid].sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  const seen = new Map<string, number>();
  let furthest: (typeof sorted)[number] | undefined;
  for (const s of sorted) {
    const key = `${s.start}:${s.end}:${s.label}`;
    if (seen.has(key)) {
      ctx.add(pointer(at, s.i), `is the same span as ${pointer(at, seen.get(key)!)}`);
      continue;
    }
    seen.set(key, s.i);
    if (!c.allowOverlap && furthest && s.start < furthest.end) {
      ctx.add(pointer(at, s.i), `overlaps the span at ${pointer(at, furthest.i)}`);
    }
    if (!furthest || s.end > furthest.end) furthest = s;
  }
}

const CHECKERS: { [T in ControlType]: Checker<T> } = {
  single_choice(c, v, at, ctx) {
    if (typeof v !== 'string') return ctx.add(at, `must be one of the options (a string): ${choiceList(c.options)}`);
    if (c.options.includes(v)) return;
    if (!c.allowOther) return ctx.add(at, `${quote(v)} is not one of the options: ${choiceList(c.options)}`);
    if (v.length > LIMITS.otherLength) ctx.add(at, `an "other" answer must be at most ${LIMITS.otherLength} characters`);
  },
  multi_choice(c, v, at, ctx) {
    if (!Array.isArray(v)) return ctx.add(at, 'must be a list of options');
    const seen = new Map<string, number>();
    v.forEach((o, i) => {
      const oAt = pointer(at, i);
      if (typeof o !== 'string') ctx.add(oAt, 'must be a string');
      else if (!c.options.includes(o)) ctx.add(oAt, `${quote(o)} is not one of the options: ${choiceList(c.options)}`);
      else if (seen.has(o)) ctx.add(oAt, `${quote(o)} is already selected at ${pointer(at, seen.get(o)!)}`);
      else seen.set(o, i);
    });
    checkCount(v.length, c.minSelected, c.maxSelected, 'options selected', at, ctx);
  },
  text(c, v, at, ctx) {
    if (typeof v !== 'string') return ctx.add(at, 'must be a string');
    const maxLength = c.maxLength ?? LIMITS.textMaxLength;
    if (v.length > maxLength) return ctx.add(at, `must be at most ${maxLength} characters (is ${v.length})`);
    if (c.minLength !== undefined && v.length < c.minLength) {
      ctx.add(at, `must be at least ${c.minLength} characters (is ${v.length})`);
    }
    if (!c.multiline && /[\r\n]/.test(v)) ctx.add(at, 'must be a single line');
    if (c.pattern !== undefined) {
      const re = fullMatch(c.pattern);
      if (re && !re.test(v)) ctx.add(at, `does not match the required pattern ${c.pattern}`);
    }
  },
  number(c, v, at, ctx) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return ctx.add(at, 'must be a number');
    if (c.integer && !Number.isInteger(v)) return ctx.add(at, 'must be an integer');
    if (c.min !== undefined && v < c.min) ctx.add(at, `must be at least ${c.min}`);
    if (c.max !== undefined && v > c.max) ctx.add(at, `must be at most ${c.max}`);
    if (c.step !== undefined) {
      const base = c.min ?? 0;
      const k = (v - base) / c.step;
      if (Math.abs(k - Math.round(k)) > 1e-9 * Math.max(1, Math.abs(k))) {
        ctx.add(at, `must be ${base} plus a multiple of ${c.step}`);
      }
    }
  },
  rating(c, v, at, ctx) {
    const scale = c.scale ?? LIMITS.ratingDefaultScale;
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > scale) {
      ctx.add(at, `must be an integer from 1 to ${scale}`);
    }
  },
  email(_c, v, at, ctx) {
    if (!isEmail(v)) ctx.add(at, 'must be an email address like name@example.kr');
  },
  file(c, v, at, ctx) {
    if (!isAssetRef(v)) {
      return ctx.add(at, 'must be an asset reference "asset:<sha256 hex>" as the upload endpoint returns');
    }
    if (!ctx.opts.assetInfo) return;
    const info = ctx.opts.assetInfo(v);
    if (!info) return ctx.add(at, 'no uploaded file has this reference');
    const maxBytes = c.maxBytes ?? LIMITS.fileDefaultMaxBytes;
    const accept = c.accept ?? [];
    if (info.bytes !== undefined && info.bytes > maxBytes) {
      ctx.add(at, `file is ${info.bytes} bytes, more than the ${maxBytes} allowed`);
    }
    if (!fileAccepts(accept, info)) ctx.add(at, `file type is not accepted (accepted: ${accept.join(', ')})`);
  },
  bbox: checkBoxes,
  span: checkSpans,
  pairwise(c, v, at, ctx) {
    const allowed: string[] = c.allowEqual === false ? [...c.fields] : [...c.fields, PAIRWISE_EQUAL];
    if (typeof v !== 'string' || !allowed.includes(v)) {
      ctx.add(at, `must be ${allowed.slice(0, -1).map(quote).join(', ')} or ${quote(allowed[allowed.length - 1])}`);
    }
  },
};

function checkValue(control: Control, value: unknown, at: string, ctx: Ctx): void {
  (CHECKERS[control.type] as Checker<ControlType>)(control as never, value, at, ctx);
}

/**
 * Validates `result` against `template` (a normalised template, as `validateTemplate` returns
 * and as stored; omitted defaults are read as their defaults all the same). `itemData` (the item's data, without `_gold`) lets
 * boxes be checked against the image size and spans against the text; without it those two
 * bounds are skipped. Paths point into the result (`/boxes/0/width`); prefix them for a body.
 */
export function validateResult(
  template: Template,
  result: unknown,
  itemData?: ItemData,
  opts: ResultOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  const ctx: Ctx = { add: (path, problem) => void problems.push({ path, problem }), itemData, opts };
  if (!isObject(result)) {
    return [{ path: '', problem: 'must be an object keyed by control name' }];
  }
  const byName = new Map(template.controls.map((c) => [c.name, c]));
  for (const key of Object.keys(result)) {
    if (!byName.has(key)) ctx.add(pointer('', key), 'no control of the template has this name');
  }
  let answered = 0;
  for (const control of template.controls) {
    const at = pointer('', control.name);
    const present = Object.hasOwn(result, control.name);
    const value = present ? result[control.name] : undefined;
    if (!isAnswered(control, value)) {
      if (opts.partial) {
        if (present) ctx.add(at, 'a gold answer must not be empty; leave the control out instead');
      } else if (control.required !== false) {
        ctx.add(at, 'is required');
      }
      continue;
    }
    answered++;
    // An optional control's empty value is always accepted: an untouched optional box or span
    // list passes even under minBoxes (which then means "none, or at least so many").
    if (control.required === false && Array.isArray(value) && value.length === 0) continue;
    checkValue(control, value, at, ctx);
  }
  if (opts.partial && answered === 0 && problems.length === 0) {
    ctx.add('', 'a gold answer must answer at least one control');
  }
  return problems;
}

/** `validateResult` for an item's `_gold`: partial answers allowed. */
export function validateGold(template: Template, gold: unknown, itemData?: ItemData, opts: ResultOptions = {}): Problem[] {
  return validateResult(template, gold, itemData, { ...opts, partial: true });
}
