/**
 * The form being edited ("draft"): the template JSON exactly as the requester has it now, valid
 * or not. The visual editor and the JSON tab both edit it; `validateTemplate` judges it; the
 * preview draws the last version that passed. Pure functions, no React.
 */
import { CONTROL_NAME_RE, type ControlType, type DisplayType } from '@core/templates/index.ts';

export type Obj = Record<string, unknown>;

/** A template draft the visual editor can work on: display and controls are lists of objects. */
export interface Draft {
  display: Obj[];
  controls: Obj[];
  layout?: unknown;
  [key: string]: unknown;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The draft when its shape is one the visual editor can show (else the JSON tab only). */
export function asDraft(v: unknown): Draft | null {
  if (!isObj(v)) return null;
  const display = v.display === undefined ? [] : v.display;
  const controls = v.controls === undefined ? [] : v.controls;
  if (!Array.isArray(display) || !display.every(isObj)) return null;
  if (!Array.isArray(controls) || !controls.every(isObj)) return null;
  return { ...v, display: display as Obj[], controls: controls as Obj[] };
}

export const blankDraft = (): Draft => ({ display: [], controls: [] });

/** Moves element `from` of a list to index `to` (a copy). */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (to < 0 || to >= out.length || from === to) return out;
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x!);
  return out;
}

/** A control name not used yet: `base`, `base_2`, `base_3`… */
export function uniqueName(base: string, taken: readonly unknown[]): string {
  const names = new Set(taken.filter((n): n is string => typeof n === 'string'));
  let clean = base.replace(/[^A-Za-z0-9_]/g, '_');
  if (!CONTROL_NAME_RE.test(clean)) clean = `c_${clean}`;
  if (!names.has(clean)) return clean;
  for (let i = 2; ; i++) if (!names.has(`${clean}_${i}`)) return `${clean}_${i}`;
}

/** Item fields the draft shows, with their display types (for the reference pickers). */
export function shownFields(d: Draft): { field: string; type: DisplayType }[] {
  const out: { field: string; type: DisplayType }[] = [];
  for (const e of d.display) if (typeof e.field === 'string' && e.field && typeof e.type === 'string') out.push({ field: e.field, type: e.type as DisplayType });
  return out;
}

/** Words the new-control defaults use, in the editor's language. */
export interface DefaultWords {
  option: (n: number) => string;
  label: (n: number) => string;
}

/** The properties only some control types have (dropped when the type changes). */
const TYPE_KEYS: Record<ControlType, string[]> = {
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
const COMMON_KEYS = ['type', 'name', 'label', 'description', 'required'];

/** The type-specific part of a new control of `type` in this draft. */
function typeDefaults(type: ControlType, d: Draft, w: DefaultWords, carry: Obj = {}): Obj {
  const fields = shownFields(d);
  const list = (k: 'options' | 'labels', n: (i: number) => string) =>
    Array.isArray(carry.options) ? [...(carry.options as unknown[])] : Array.isArray(carry.labels) ? [...(carry.labels as unknown[])] : [n(1), n(2)];
  switch (type) {
    case 'single_choice':
    case 'multi_choice':
      return { options: list('options', w.option) };
    case 'text':
      return { multiline: false };
    case 'number':
      return {};
    case 'rating':
      return { scale: 5 };
    case 'email':
      return {};
    case 'file':
      return { accept: [] };
    case 'bbox':
      return { labels: list('labels', w.label), imageField: fields.find((f) => f.type === 'image')?.field ?? '' };
    case 'span':
      return { labels: list('labels', w.label), textField: fields.find((f) => f.type === 'text')?.field ?? '' };
    case 'pairwise': {
      const two = fields.slice(-2).map((f) => f.field);
      return { fields: [two[0] ?? '', two[1] ?? ''], allowEqual: true };
    }
  }
}

/** A new control of `type`, named so it is unique. */
export function newControl(type: ControlType, d: Draft, w: DefaultWords): Obj {
  return { type, name: uniqueName(type === 'single_choice' ? 'label' : type, d.controls.map((c) => c.name)), ...typeDefaults(type, d, w) };
}

/** The control turned into another type: common properties kept, options ⇄ labels carried over. */
export function changeType(c: Obj, type: ControlType, d: Draft, w: DefaultWords): Obj {
  const kept: Obj = {};
  for (const k of COMMON_KEYS) if (c[k] !== undefined) kept[k] = c[k];
  kept.type = type;
  return { ...kept, ...typeDefaults(type, d, w, c) };
}

/** Keys a control of this type may have (the visual editor shows these; others stay in JSON). */
export const keysOf = (type: ControlType) => [...COMMON_KEYS, ...TYPE_KEYS[type]];

/** A new display entry showing an item field not shown yet. */
export function newDisplay(d: Draft, type: DisplayType = 'text'): Obj {
  const taken = new Set(d.display.map((e) => e.field));
  let field = type === 'image' ? 'image' : 'text';
  for (let i = 2; taken.has(field); i++) field = `${type === 'image' ? 'image' : 'text'}_${i}`;
  return { type, field };
}

/** Sets (or, with undefined, removes) one property of an object, as a copy. */
export function withProp(o: Obj, key: string, value: unknown): Obj {
  const out = { ...o };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}
