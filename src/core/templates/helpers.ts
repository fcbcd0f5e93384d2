/**
 * Small functions the labeling screen, aggregation and exports share, so that "empty",
 * "answered" and keyboard mappings mean the same thing everywhere.
 */
import { isAssetRef } from './media.ts';
import { PAIRWISE_EQUAL, type Control, type Result, type ResultValue, type Template } from './types.ts';

/**
 * The value of an untouched control: `""` for text and email, `[]` for multi_choice, bbox and
 * span, `null` for the rest. `validateResult` accepts it for every optional control.
 */
export function emptyValue(control: Control): ResultValue {
  switch (control.type) {
    case 'text':
    case 'email':
      return '';
    case 'multi_choice':
    case 'bbox':
    case 'span':
      return [];
    default:
      return null;
  }
}

/** A fresh result holding every control's empty value: the labeling screen's starting state. */
export function defaultResult(template: Template): Result {
  return Object.fromEntries(template.controls.map((c) => [c.name, emptyValue(c)]));
}

/**
 * Whether a value counts as an answer. Not answered: absent, `null`, a blank string (only
 * spaces), or an empty multi_choice selection. An empty list of boxes or spans IS an answer
 * ("nothing to mark here"); ask for at least one with `minBoxes` where that matters.
 */
export function isAnswered(control: Control, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (control.type === 'multi_choice' && Array.isArray(value)) return value.length > 0;
  return true;
}

/** Drops the optional controls left unanswered (what a stored annotation may omit). */
export function compactResult(template: Template, result: Result): Result {
  const out: Result = {};
  for (const c of template.controls) {
    if (Object.hasOwn(result, c.name) && isAnswered(c, result[c.name])) out[c.name] = result[c.name];
  }
  return out;
}

export interface KeyOption {
  /** The key that picks it: "1".."9", then "0" for the tenth. */
  key: string;
  /** What pressing it sets (single_choice, rating, pairwise), toggles (multi_choice), or the
   * label to draw the next box/span with (bbox, span). */
  value: string | number;
  /** Text to show beside the key (the option; for pairwise the field name or "equal"). */
  label: string;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

/** Number keys for a control's choices: the first ten, in order; [] for free-entry controls. */
export function controlOptionsForKeys(control: Control): KeyOption[] {
  let values: (string | number)[];
  switch (control.type) {
    case 'single_choice':
    case 'multi_choice':
      values = control.options;
      break;
    case 'bbox':
    case 'span':
      values = control.labels;
      break;
    case 'rating':
      values = Array.from({ length: control.scale }, (_, i) => i + 1);
      break;
    case 'pairwise':
      values = control.allowEqual ? [...control.fields, PAIRWISE_EQUAL] : [...control.fields];
      break;
    default:
      values = [];
  }
  return values.slice(0, KEYS.length).map((value, i) => ({ key: KEYS[i], value, label: String(value) }));
}

export interface CategoricalControl {
  name: string;
  type: 'single_choice' | 'multi_choice' | 'rating' | 'pairwise';
  /** The closed set of answers: options, 1..scale, or the two fields (+ "equal"). */
  values: (string | number)[];
  /** multi_choice: an answer is a set of values (aggregate per value, e.g. as yes/no each). */
  multi: boolean;
  /** single_choice with allowOther: answers outside `values` occur (free "other" text). */
  open: boolean;
  /** rating: values are ordered numbers (agreement may weight by distance). */
  ordinal: boolean;
}

/**
 * The controls whose answers are categories, with their label sets: what truth inference and
 * agreement work on directly. text/number/email/file/bbox/span are not listed.
 */
export function categoricalControls(template: Template): CategoricalControl[] {
  const out: CategoricalControl[] = [];
  for (const c of template.controls) {
    const base = { name: c.name, multi: false, open: false, ordinal: false };
    if (c.type === 'single_choice') out.push({ ...base, type: c.type, values: [...c.options], open: c.allowOther });
    else if (c.type === 'multi_choice') out.push({ ...base, type: c.type, values: [...c.options], multi: true });
    else if (c.type === 'rating') {
      out.push({ ...base, type: c.type, values: Array.from({ length: c.scale }, (_, i) => i + 1), ordinal: true });
    } else if (c.type === 'pairwise') {
      out.push({ ...base, type: c.type, values: c.allowEqual ? [...c.fields, PAIRWISE_EQUAL] : [...c.fields] });
    }
  }
  return out;
}

/** Every item data key the template reads (display fields and fields controls point at). */
export function templateFields(template: Template): string[] {
  const fields = new Set<string>(template.display.map((d) => d.field));
  for (const c of template.controls) {
    if (c.type === 'bbox') fields.add(c.imageField);
    if (c.type === 'span') fields.add(c.textField);
    if (c.type === 'pairwise') c.fields.forEach((f) => fields.add(f));
  }
  return [...fields];
}

/** The asset references a result's `file` controls hold (to look them up before validating). */
export function resultAssetRefs(template: Template, result: unknown): string[] {
  if (typeof result !== 'object' || result === null) return [];
  const refs: string[] = [];
  for (const c of template.controls) {
    if (c.type !== 'file' || !Object.hasOwn(result, c.name)) continue;
    const v = (result as Record<string, unknown>)[c.name];
    if (isAssetRef(v)) refs.push(v);
  }
  return refs;
}
