/**
 * The labeling-form ("template") model: what a worker sees of an item (`display`) and what
 * they answer (`controls`). Pure data; shared by the server, the web app and exports.
 *
 * The types below are the *normalised* shapes `validateTemplate` returns (defaults filled in).
 * `TemplateInput` is what a requester may write (defaults optional).
 */

/** Where a validation problem is (a JSON pointer, RFC 6901) and what it is. */
export interface Problem {
  path: string;
  problem: string;
}

export const DISPLAY_TYPES = ['text', 'image', 'audio', 'video', 'link', 'number'] as const;
export type DisplayType = (typeof DISPLAY_TYPES)[number];

/** One piece of the item shown to the worker: `field` is a key of the item's data. */
export interface DisplayField {
  type: DisplayType;
  field: string;
  label?: string;
}

/** `stack`: display entries one under another; `columns`: side by side on wide screens. */
export const LAYOUTS = ['stack', 'columns'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const CONTROL_TYPES = [
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
] as const;
export type ControlType = (typeof CONTROL_TYPES)[number];

interface ControlBase {
  /** Key of this control's answer in a result; unique in the template. */
  name: string;
  label?: string;
  description?: string;
  /** Default true. A required control must be answered (see `isAnswered`). */
  required: boolean;
}

export interface SingleChoiceControl extends ControlBase {
  type: 'single_choice';
  options: string[];
  /** When true any non-empty string is accepted; one not among `options` is the "other" text. */
  allowOther: boolean;
}

export interface MultiChoiceControl extends ControlBase {
  type: 'multi_choice';
  options: string[];
  minSelected?: number;
  maxSelected?: number;
}

export interface TextControl extends ControlBase {
  type: 'text';
  multiline: boolean;
  /** Lengths count UTF-16 code units, as the browser's `maxlength` does. */
  minLength?: number;
  /** Default 1,000 (single line) or 10,000 (multiline); never above 100,000. */
  maxLength: number;
  /** A JavaScript regular expression (compiled with the `u` flag) the whole answer must match. */
  pattern?: string;
}

export interface NumberControl extends ControlBase {
  type: 'number';
  min?: number;
  max?: number;
  /** Allowed values are base + k·step, base = `min` if given, else 0 (as HTML's `step`). */
  step?: number;
  integer: boolean;
}

export interface RatingControl extends ControlBase {
  type: 'rating';
  /** 2..10, default 5; the answer is an integer 1..scale. */
  scale: number;
}

export interface EmailControl extends ControlBase {
  type: 'email';
}

export interface FileControl extends ControlBase {
  type: 'file';
  /** MIME types (`image/png`, `image/*`) or extensions (`.pdf`); empty = any type. */
  accept: string[];
  /** Default 10 MiB. */
  maxBytes: number;
}

export interface BboxControl extends ControlBase {
  type: 'bbox';
  labels: string[];
  /** Item data key of an image the template displays (`display` entry of type `image`). */
  imageField: string;
  minBoxes?: number;
  maxBoxes?: number;
}

export interface SpanControl extends ControlBase {
  type: 'span';
  labels: string[];
  /** Item data key of a text the template displays (`display` entry of type `text`). */
  textField: string;
  /** Default false: spans may not overlap (what BIO/CoNLL exports need). */
  allowOverlap: boolean;
}

export interface PairwiseControl extends ControlBase {
  type: 'pairwise';
  /** Two distinct item data keys, both displayed by the template. */
  fields: [string, string];
  /** Default true: `"equal"` is an accepted answer. */
  allowEqual: boolean;
}

export type Control =
  | SingleChoiceControl
  | MultiChoiceControl
  | TextControl
  | NumberControl
  | RatingControl
  | EmailControl
  | FileControl
  | BboxControl
  | SpanControl
  | PairwiseControl;

export type ControlOf<T extends ControlType> = Extract<Control, { type: T }>;

export interface Template {
  display: DisplayField[];
  controls: Control[];
  layout: Layout;
}

type WithOptional<C, K extends keyof C> = Omit<C, K> & Partial<Pick<C, K>>;

/** What a requester may write: every defaulted property optional. */
export type ControlInput =
  | WithOptional<SingleChoiceControl, 'required' | 'allowOther'>
  | WithOptional<MultiChoiceControl, 'required'>
  | WithOptional<TextControl, 'required' | 'multiline' | 'maxLength'>
  | WithOptional<NumberControl, 'required' | 'integer'>
  | WithOptional<RatingControl, 'required' | 'scale'>
  | WithOptional<EmailControl, 'required'>
  | WithOptional<FileControl, 'required' | 'accept' | 'maxBytes'>
  | WithOptional<BboxControl, 'required'>
  | WithOptional<SpanControl, 'required' | 'allowOverlap'>
  | WithOptional<PairwiseControl, 'required' | 'allowEqual'>;

export interface TemplateInput {
  display: DisplayField[];
  controls: ControlInput[];
  layout?: Layout;
}

/** A bounding box in pixels of the image's natural size, origin top-left. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

/** A labeled range of UTF-16 code units, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** The value of one control in a result; `null` = not answered. */
export type ResultValue = string | number | string[] | Box[] | Span[] | null;

/** A worker's answer (or a gold answer): control name → value. */
export type Result = Record<string, ResultValue>;

/** Item data: whatever keys the import brought. */
export type ItemData = Record<string, unknown>;

export const LIMITS = {
  controls: 50,
  display: 20,
  options: 500,
  labels: 100,
  accept: 50,
  nameLength: 64,
  fieldLength: 200,
  optionLength: 200,
  labelLength: 200,
  descriptionLength: 2000,
  patternLength: 500,
  textMaxLength: 100_000,
  textDefaultMaxLength: 1_000,
  textDefaultMaxLengthMultiline: 10_000,
  /** Length cap of a free "other" answer to a single_choice with allowOther. */
  otherLength: 1_000,
  emailLength: 254,
  ratingMinScale: 2,
  ratingMaxScale: 10,
  ratingDefaultScale: 5,
  fileDefaultMaxBytes: 10 * 1024 * 1024,
} as const;

export const CONTROL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Item data key that carries a gold item's answers; never displayed. */
export const GOLD_KEY = '_gold';

/** The pairwise answer meaning "both are as good". */
export const PAIRWISE_EQUAL = 'equal';
