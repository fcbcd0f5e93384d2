import { parsePointer, pointer } from '@core/templates/index.ts';
import type { TFunction } from 'i18next';

/** A problem of one control's answer: where inside the answer (`""` = the whole answer) and what. */
export interface ControlProblem {
  /** JSON pointer inside the control's value (`/1/width` = the second box's width), or `""`. */
  at: string;
  problem: string;
}

export type ProblemsByControl = Record<string, ControlProblem[]>;

/**
 * Sorts problems (paths relative to a result, as `validateResult` returns them, or as the
 * server's 400 details with `prefix` — `/result` — in front) by control name. Problems about
 * the result as a whole land under `""`.
 */
export function problemsByControl(problems: readonly { path?: string; problem: string }[], prefix = ''): ProblemsByControl {
  const out: ProblemsByControl = {};
  for (const p of problems) {
    let path = p.path ?? '';
    if (prefix) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) continue;
      path = path.slice(prefix.length);
    }
    const segments = path.startsWith('/') ? parsePointer(path) : [];
    const name = segments[0] ?? '';
    const rest = pointer('', ...segments.slice(1));
    (out[name] ??= []).push({ at: rest, problem: p.problem });
  }
  return out;
}

export const hasProblems = (p: ProblemsByControl) => Object.values(p).some((l) => l.length > 0);

const RULES: [RegExp, (m: RegExpExecArray, t: TFunction) => string][] = [
  [/^is required$/, (_m, t) => t('labeling.problem.required')],
  [/^must be at most (\d+) characters \(is (\d+)\)$/, (m, t) => t('labeling.problem.maxLength', { max: m[1], n: m[2] })],
  [/^must be at least (\d+) characters \(is (\d+)\)$/, (m, t) => t('labeling.problem.minLength', { min: m[1], n: m[2] })],
  [/^must be a single line$/, (_m, t) => t('labeling.problem.singleLine')],
  [/^does not match the required pattern/, (_m, t) => t('labeling.problem.pattern')],
  [/^must be a number$/, (_m, t) => t('labeling.problem.number')],
  [/^must be an integer$/, (_m, t) => t('labeling.problem.integer')],
  [/^must be at least (-?[\d.e+-]+)$/, (m, t) => t('labeling.problem.min', { min: m[1] })],
  [/^must be at most (-?[\d.e+-]+)$/, (m, t) => t('labeling.problem.max', { max: m[1] })],
  [/^must be (-?[\d.e+-]+) plus a multiple of ([\d.e+-]+)$/, (m, t) => t('labeling.problem.step', { base: m[1], step: m[2] })],
  [/^must be an email address/, (_m, t) => t('labeling.problem.email')],
  [/^must have at least (\d+) options selected/, (m, t) => t('labeling.problem.minSelected', { min: m[1] })],
  [/^must have at most (\d+) options selected/, (m, t) => t('labeling.problem.maxSelected', { max: m[1] })],
  [/^must have at least (\d+) boxes/, (m, t) => t('labeling.problem.minBoxes', { min: m[1] })],
  [/^must have at most (\d+) boxes/, (m, t) => t('labeling.problem.maxBoxes', { max: m[1] })],
  [/past the (right|bottom) edge of the image/, (_m, t) => t('labeling.problem.boxOutside')],
  [/^overlaps the span/, (_m, t) => t('labeling.problem.spanOverlap')],
  [/^is the same span as/, (_m, t) => t('labeling.problem.spanDuplicate')],
  [/^must be an integer from 1 to (\d+)$/, (m, t) => t('labeling.problem.rating', { scale: m[1] })],
  [/^file type is not accepted/, (_m, t) => t('labeling.problem.fileType')],
  [/^file is \d+ bytes, more than/, (_m, t) => t('labeling.problem.fileSize')],
];

/** A problem in the reader's language where we know its form; the validator's words otherwise. */
export function problemText(problem: string, t: TFunction): string {
  for (const [re, f] of RULES) {
    const m = re.exec(problem);
    if (m) return f(m, t);
  }
  return problem;
}
