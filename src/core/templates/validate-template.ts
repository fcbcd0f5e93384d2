/**
 * Validates a labeling form as a requester wrote it, reporting every problem with its JSON
 * pointer, and returns it normalised (defaults filled in, unknown keys impossible).
 * Never throws, whatever the input.
 */
import { isAcceptEntry } from './media.ts';
import { pointer } from './pointer.ts';
import {
  CONTROL_NAME_RE,
  CONTROL_TYPES,
  DISPLAY_TYPES,
  GOLD_KEY,
  LAYOUTS,
  LIMITS,
  PAIRWISE_EQUAL,
  type Control,
  type ControlType,
  type DisplayField,
  type DisplayType,
  type Layout,
  type Problem,
  type Template,
} from './types.ts';

export type TemplateValidation = { ok: true; template: Template } | { ok: false; problems: Problem[] };

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
const quote = (s: string) => JSON.stringify(s);
/** A value as a problem message names it (never String() on an object: its toString may be anything). */
const named = (v: unknown): string =>
  typeof v === 'string' ? quote(v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v);
const list = (xs: readonly string[]) => xs.map(quote).join(', ');

/** Collects problems; the small readers below return undefined after reporting. */
class Problems {
  readonly all: Problem[] = [];
  add(path: string, problem: string): void {
    this.all.push({ path, problem });
  }
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

function unknownKeys(o: Obj, allowed: readonly string[], path: string, p: Problems, what: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) p.add(pointer(path, key), `unknown property of ${what}`);
  }
}

interface StringRules {
  required?: boolean;
  max: number;
}

function readString(o: Obj, key: string, path: string, p: Problems, rules: StringRules): string | undefined {
  const v = own(o, key);
  const at = pointer(path, key);
  if (v === undefined) {
    if (rules.required) p.add(at, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') return void p.add(at, 'must be a string');
  if (v.trim() === '') return void p.add(at, 'must not be empty');
  if (v.length > rules.max) return void p.add(at, `must be at most ${rules.max} characters`);
  return v;
}

function readBoolean(o: Obj, key: string, path: string, p: Problems): boolean | undefined {
  const v = own(o, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') return void p.add(pointer(path, key), 'must be true or false');
  return v;
}

interface NumberRules {
  integer?: boolean;
  min?: number;
  max?: number;
  /** exclusive lower bound */
  above?: number;
}

function readNumber(o: Obj, key: string, path: string, p: Problems, rules: NumberRules = {}): number | undefined {
  const v = own(o, key);
  if (v === undefined) return undefined;
  const at = pointer(path, key);
  if (typeof v !== 'number' || !Number.isFinite(v)) return void p.add(at, 'must be a number');
  if (rules.integer && !Number.isSafeInteger(v)) return void p.add(at, 'must be an integer');
  if (rules.min !== undefined && v < rules.min) return void p.add(at, `must be at least ${rules.min}`);
  if (rules.max !== undefined && v > rules.max) return void p.add(at, `must be at most ${rules.max}`);
  if (rules.above !== undefined && v <= rules.above) return void p.add(at, `must be greater than ${rules.above}`);
  return v;
}

/** A list of distinct, non-empty, untrimmed-free strings (options, labels). */
function readStringList(
  o: Obj,
  key: string,
  path: string,
  p: Problems,
  rules: { min: number; max: number; itemMax: number; what: string },
): string[] | undefined {
  const v = own(o, key);
  const at = pointer(path, key);
  if (v === undefined) return void p.add(at, 'is required');
  if (!Array.isArray(v)) return void p.add(at, `must be a list of ${rules.what}s`);
  let ok = true;
  if (v.length < rules.min) {
    p.add(at, `must have at least ${rules.min} ${rules.what}${rules.min === 1 ? '' : 's'}`);
    ok = false;
  }
  if (v.length > rules.max) {
    p.add(at, `must have at most ${rules.max} ${rules.what}s`);
    ok = false;
  }
  const seen = new Map<string, number>();
  v.forEach((item, i) => {
    const itemAt = pointer(at, i);
    if (typeof item !== 'string') {
      p.add(itemAt, `${rules.what} must be a string`);
      ok = false;
    } else if (item.trim() === '') {
      p.add(itemAt, `${rules.what} must not be empty`);
      ok = false;
    } else if (item.trim() !== item) {
      p.add(itemAt, `${rules.what} must not start or end with spaces`);
      ok = false;
    } else if (item.length > rules.itemMax) {
      p.add(itemAt, `${rules.what} must be at most ${rules.itemMax} characters`);
      ok = false;
    } else if (seen.has(item)) {
      p.add(itemAt, `${rules.what} ${quote(item)} is already at ${pointer(at, seen.get(item)!)}`);
      ok = false;
    } else {
      seen.set(item, i);
    }
  });
  return ok ? [...(v as string[])] : undefined;
}

function checkOrder(
  lo: number | undefined,
  hi: number | undefined,
  hiPath: string,
  loName: string,
  p: Problems,
): void {
  if (lo !== undefined && hi !== undefined && lo > hi) p.add(hiPath, `must not be less than ${loName} (${lo})`);
}

/**
 * Whether a pattern repeats a group that itself repeats (`(a+)+`, `(\\w*)*`, `(x+){2,}`): the
 * shape behind catastrophic backtracking. Patterns run on the server against worker input, so
 * such a requester pattern could stall a server process. A heuristic (star height > 1, as
 * safe-regex uses): alternations of overlapping branches (`(a|a)*`) still pass.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: whether something inside repeats
  let inClass = false;
  const repeatsAt = (i: number): boolean => {
    const ch = pattern[i];
    if (ch === '*' || ch === '+') return true;
    if (ch !== '{') return false;
    const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
    return m !== null && m[1] !== undefined;
  };
  const markRepeat = () => {
    if (groups.length > 0) groups[groups.length - 1] = true;
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') groups.push(false);
    else if (ch === ')') {
      const inner = groups.pop() ?? false;
      const repeated = repeatsAt(i + 1);
      if (inner && repeated) return true;
      if (inner || repeated) markRepeat();
    } else if (repeatsAt(i)) markRepeat();
  }
  return false;
}

const COMMON_KEYS = ['type', 'name', 'label', 'description', 'required'] as const;

const TYPE_KEYS: Record<ControlType, readonly string[]> = {
  single_choice: ['options', 'allowOther'],
  multi_choice: ['options', 'minSelected', 'maxSelected'],
  text: ['multiline', 'minLength', 'maxLength', 'pattern'],
  number: ['min', 'max', 'step', 'integer'],
  rating: ['scale'],
  email: [],
  file: ['accept', 'maxBytes'],
  bbox: ['labels', 'imageField', 'minBoxes', 'maxBoxes'],
  span: ['labels', 'textField', 'allowOverlap'],
  pairwise: ['fields', 'allowEqual'],
};

/** Which display types show each item data key. */
type Shown = Map<string, Set<DisplayType>>;

function readDisplay(input: Obj, p: Problems): { display: DisplayField[]; shown: Shown } {
  const display: DisplayField[] = [];
  const shown: Shown = new Map();
  const v = own(input, 'display');
  if (v === undefined) {
    p.add('/display', 'is required (a list, possibly empty)');
    return { display, shown };
  }
  if (!Array.isArray(v)) {
    p.add('/display', 'must be a list of display fields');
    return { display, shown };
  }
  if (v.length > LIMITS.display) p.add('/display', `must have at most ${LIMITS.display} entries`);
  const seen = new Map<string, number>();
  v.forEach((entry, i) => {
    const at = pointer('/display', i);
    if (!isObject(entry)) return p.add(at, 'must be an object {type, field, label?}');
    unknownKeys(entry, ['type', 'field', 'label'], at, p, 'a display field');
    const type = own(entry, 'type');
    let okType: DisplayType | undefined;
    if (type === undefined) p.add(pointer(at, 'type'), 'is required');
    else if (typeof type !== 'string' || !(DISPLAY_TYPES as readonly string[]).includes(type)) {
      p.add(
        pointer(at, 'type'),
        `unknown display type ${named(type)}; expected one of ${list(DISPLAY_TYPES)}`,
      );
    } else okType = type as DisplayType;
    const field = readString(entry, 'field', at, p, { required: true, max: LIMITS.fieldLength });
    if (field === GOLD_KEY) p.add(pointer(at, 'field'), `${quote(GOLD_KEY)} holds gold answers and is never shown`);
    const label = readString(entry, 'label', at, p, { max: LIMITS.labelLength });
    if (okType && field !== undefined && field !== GOLD_KEY) {
      const key = `${okType}\u0000${field}`;
      if (seen.has(key)) {
        p.add(at, `shows the same field as ${pointer('/display', seen.get(key)!)}`);
        return;
      }
      seen.set(key, i);
      const entryOut: DisplayField = { type: okType, field };
      if (label !== undefined) entryOut.label = label;
      display.push(entryOut);
      if (!shown.has(field)) shown.set(field, new Set());
      shown.get(field)!.add(okType);
    }
  });
  return { display, shown };
}

function readControl(c: Obj, at: string, type: ControlType, shown: Shown, p: Problems): Control | undefined {
  const before = p.all.length;
  const name = own(c, 'name') as string;
  const required = readBoolean(c, 'required', at, p) ?? true;
  const label = readString(c, 'label', at, p, { max: LIMITS.labelLength });
  const description = readString(c, 'description', at, p, { max: LIMITS.descriptionLength });
  const base = {
    name,
    ...(label !== undefined ? { label } : {}),
    ...(description !== undefined ? { description } : {}),
    required,
  };
  const opt = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

  const mustShow = (fieldAt: string, field: string | undefined, as: DisplayType | null) => {
    if (field === undefined) return;
    const types = shown.get(field);
    if (!types) {
      p.add(fieldAt, `item field ${quote(field)} is not shown by any display entry; add it to /display`);
    } else if (as !== null && !types.has(as)) {
      p.add(fieldAt, `item field ${quote(field)} must be shown as ${as} in /display (it is shown as ${[...types].join(', ')})`);
    }
  };

  let control: Control | undefined;
  switch (type) {
    case 'single_choice': {
      const options = readStringList(c, 'options', at, p, {
        min: 2,
        max: LIMITS.options,
        itemMax: LIMITS.optionLength,
        what: 'option',
      });
      const allowOther = readBoolean(c, 'allowOther', at, p) ?? false;
      if (options) control = { type, ...base, options, allowOther };
      break;
    }
    case 'multi_choice': {
      const options = readStringList(c, 'options', at, p, {
        min: 1,
        max: LIMITS.options,
        itemMax: LIMITS.optionLength,
        what: 'option',
      });
      const n = options?.length ?? LIMITS.options;
      const minSelected = readNumber(c, 'minSelected', at, p, { integer: true, min: 0, max: n });
      const maxSelected = readNumber(c, 'maxSelected', at, p, { integer: true, min: 1, max: n });
      checkOrder(minSelected, maxSelected, pointer(at, 'maxSelected'), 'minSelected', p);
      if (options) control = { type, ...base, options, ...opt('minSelected', minSelected), ...opt('maxSelected', maxSelected) };
      break;
    }
    case 'text': {
      const multiline = readBoolean(c, 'multiline', at, p) ?? false;
      const minLength = readNumber(c, 'minLength', at, p, { integer: true, min: 0, max: LIMITS.textMaxLength });
      const givenMax = readNumber(c, 'maxLength', at, p, { integer: true, min: 1, max: LIMITS.textMaxLength });
      checkOrder(minLength, givenMax, pointer(at, 'maxLength'), 'minLength', p);
      const fallback = multiline ? LIMITS.textDefaultMaxLengthMultiline : LIMITS.textDefaultMaxLength;
      const maxLength = givenMax ?? Math.max(fallback, minLength ?? 0);
      const pattern = readString(c, 'pattern', at, p, { max: LIMITS.patternLength });
      if (pattern !== undefined) {
        try {
          new RegExp(pattern, 'u');
          if (hasNestedQuantifier(pattern)) {
            p.add(
              pointer(at, 'pattern'),
              'repeats a group that itself repeats, like (a+)+, which can take exponential time; write it without nested repetition',
            );
          }
        } catch (e) {
          p.add(pointer(at, 'pattern'), `is not a valid regular expression: ${(e as Error).message}`);
        }
      }
      control = { type, ...base, multiline, ...opt('minLength', minLength), maxLength, ...opt('pattern', pattern) };
      break;
    }
    case 'number': {
      const integer = readBoolean(c, 'integer', at, p) ?? false;
      const rules: NumberRules = integer ? { integer: true } : {};
      const min = readNumber(c, 'min', at, p, rules);
      const max = readNumber(c, 'max', at, p, rules);
      const step = readNumber(c, 'step', at, p, { ...rules, above: 0 });
      checkOrder(min, max, pointer(at, 'max'), 'min', p);
      control = { type, ...base, ...opt('min', min), ...opt('max', max), ...opt('step', step), integer };
      break;
    }
    case 'rating': {
      const scale =
        readNumber(c, 'scale', at, p, { integer: true, min: LIMITS.ratingMinScale, max: LIMITS.ratingMaxScale }) ??
        LIMITS.ratingDefaultScale;
      control = { type, ...base, scale };
      break;
    }
    case 'email':
      control = { type, ...base };
      break;
    case 'file': {
      let accept: string[] = [];
      const raw = own(c, 'accept');
      if (raw !== undefined) {
        const list = readStringList(c, 'accept', at, p, {
          min: 0,
          max: LIMITS.accept,
          itemMax: 100,
          what: 'accepted type',
        });
        if (list) {
          list.forEach((entry, i) => {
            if (!isAcceptEntry(entry)) {
              p.add(pointer(at, 'accept', i), `${quote(entry)} is neither a MIME type (image/png, image/*) nor an extension (.pdf)`);
            }
          });
          accept = list;
        }
      }
      const maxBytes =
        readNumber(c, 'maxBytes', at, p, { integer: true, min: 1 }) ?? LIMITS.fileDefaultMaxBytes;
      control = { type, ...base, accept, maxBytes };
      break;
    }
    case 'bbox': {
      const labels = readStringList(c, 'labels', at, p, {
        min: 1,
        max: LIMITS.labels,
        itemMax: LIMITS.optionLength,
        what: 'label',
      });
      const imageField = readString(c, 'imageField', at, p, { required: true, max: LIMITS.fieldLength });
      mustShow(pointer(at, 'imageField'), imageField, 'image');
      const minBoxes = readNumber(c, 'minBoxes', at, p, { integer: true, min: 0 });
      const maxBoxes = readNumber(c, 'maxBoxes', at, p, { integer: true, min: 1 });
      checkOrder(minBoxes, maxBoxes, pointer(at, 'maxBoxes'), 'minBoxes', p);
      if (labels && imageField !== undefined) {
        control = { type, ...base, labels, imageField, ...opt('minBoxes', minBoxes), ...opt('maxBoxes', maxBoxes) };
      }
      break;
    }
    case 'span': {
      const labels = readStringList(c, 'labels', at, p, {
        min: 1,
        max: LIMITS.labels,
        itemMax: LIMITS.optionLength,
        what: 'label',
      });
      const textField = readString(c, 'textField', at, p, { required: true, max: LIMITS.fieldLength });
      mustShow(pointer(at, 'textField'), textField, 'text');
      const allowOverlap = readBoolean(c, 'allowOverlap', at, p) ?? false;
      if (labels && textField !== undefined) control = { type, ...base, labels, textField, allowOverlap };
      break;
    }
    case 'pairwise': {
      const fields = own(c, 'fields');
      const fieldsAt = pointer(at, 'fields');
      let pair: [string, string] | undefined;
      if (fields === undefined) p.add(fieldsAt, 'is required');
      else if (!Array.isArray(fields) || fields.length !== 2) {
        p.add(fieldsAt, 'must be a list of exactly two item fields');
      } else {
        const holder = { 0: fields[0], 1: fields[1] } as Obj;
        const a = readString(holder, '0', fieldsAt, p, { required: true, max: LIMITS.fieldLength });
        const b = readString(holder, '1', fieldsAt, p, { required: true, max: LIMITS.fieldLength });
        [a, b].forEach((f, i) => {
          if (f === PAIRWISE_EQUAL) p.add(pointer(fieldsAt, i), `${quote(PAIRWISE_EQUAL)} is reserved for the "equal" answer`);
          else mustShow(pointer(fieldsAt, i), f, null);
        });
        if (a !== undefined && a === b) p.add(pointer(fieldsAt, 1), 'must differ from the first field');
        if (a !== undefined && b !== undefined) pair = [a, b];
      }
      const allowEqual = readBoolean(c, 'allowEqual', at, p) ?? true;
      if (pair) control = { type, ...base, fields: pair, allowEqual };
      break;
    }
  }
  return p.all.length === before ? control : undefined;
}

function readControls(input: Obj, shown: Shown, p: Problems): Control[] {
  const controls: Control[] = [];
  const v = own(input, 'controls');
  if (v === undefined) {
    p.add('/controls', 'is required');
    return controls;
  }
  if (!Array.isArray(v)) {
    p.add('/controls', 'must be a list of controls');
    return controls;
  }
  if (v.length === 0) p.add('/controls', 'must have at least one control');
  if (v.length > LIMITS.controls) p.add('/controls', `must have at most ${LIMITS.controls} controls`);
  const names = new Map<string, number>();
  v.forEach((c, i) => {
    const at = pointer('/controls', i);
    if (!isObject(c)) return p.add(at, 'must be an object {type, name, ...}');
    const before = p.all.length;
    const name = readString(c, 'name', at, p, { required: true, max: LIMITS.nameLength });
    if (name !== undefined) {
      if (!CONTROL_NAME_RE.test(name)) {
        p.add(pointer(at, 'name'), 'must start with a letter or _ and hold only letters, digits and _');
      } else if (name === '__proto__') {
        p.add(pointer(at, 'name'), 'is reserved');
      } else if (names.has(name)) {
        p.add(pointer(at, 'name'), `is already the name of ${pointer('/controls', names.get(name)!)}`);
      } else {
        names.set(name, i);
      }
    }
    const type = own(c, 'type');
    if (type === undefined) return p.add(pointer(at, 'type'), 'is required');
    if (typeof type !== 'string' || !(CONTROL_TYPES as readonly string[]).includes(type)) {
      return p.add(
        pointer(at, 'type'),
        `unknown control type ${named(type)}; expected one of ${list(CONTROL_TYPES)}`,
      );
    }
    const t = type as ControlType;
    unknownKeys(c, [...COMMON_KEYS, ...TYPE_KEYS[t]], at, p, article(`${t} control`));
    const control = readControl(c, at, t, shown, p);
    if (control && p.all.length === before) controls.push(control);
  });
  return controls;
}

/**
 * Checks a template as a requester wrote it. Every problem is reported with its JSON pointer
 * (`/controls/0/options`); prefix them (`prefixProblems`) when the template sits in a larger body.
 */
export function validateTemplate(input: unknown): TemplateValidation {
  const p = new Problems();
  if (!isObject(input)) {
    return { ok: false, problems: [{ path: '', problem: 'must be an object {display, controls, layout?}' }] };
  }
  unknownKeys(input, ['display', 'controls', 'layout'], '', p, 'a template');
  const { display, shown } = readDisplay(input, p);
  const controls = readControls(input, shown, p);
  let layout: Layout = 'stack';
  const rawLayout = own(input, 'layout');
  if (rawLayout !== undefined) {
    if (typeof rawLayout === 'string' && (LAYOUTS as readonly string[]).includes(rawLayout)) layout = rawLayout as Layout;
    else p.add('/layout', `must be one of ${list(LAYOUTS)}`);
  }
  if (p.all.length > 0) return { ok: false, problems: p.all };
  return { ok: true, template: { display, controls, layout } };
}
