import type { Problem } from '@core/templates/index.ts';
import type { TFunction } from 'i18next';

/**
 * Problems of a template by JSON pointer: `at(path)` those exactly there (shown under that
 * field), `under(path)` those at or below it (a card turns red), `all` for the list.
 */
export class ProblemIndex {
  private readonly byPath = new Map<string, Problem[]>();
  constructor(readonly all: readonly Problem[]) {
    for (const p of all) {
      const l = this.byPath.get(p.path);
      if (l) l.push(p);
      else this.byPath.set(p.path, [p]);
    }
  }
  at(path: string): Problem[] {
    return this.byPath.get(path) ?? [];
  }
  under(path: string): Problem[] {
    return this.all.filter((p) => p.path === path || p.path.startsWith(`${path}/`));
  }
}

const q = (s: string) => s.replace(/^"|"$/g, '');

const RULES: [RegExp, (m: RegExpExecArray, t: TFunction) => string][] = [
  [/^is required$/, (_m, t) => t('templateEditor.problem.required')],
  [/^is required \(a list, possibly empty\)$/, (_m, t) => t('templateEditor.problem.required')],
  [/^must not be empty$/, (_m, t) => t('templateEditor.problem.empty')],
  [/^(option|label|accepted type) must not be empty$/, (_m, t) => t('templateEditor.problem.empty')],
  [/^(option|label|accepted type) must not start or end with spaces$/, (_m, t) => t('templateEditor.problem.spaces')],
  [/^(option|label|accepted type) must be at most (\d+) characters$/, (m, t) => t('templateEditor.problem.tooLong', { max: m[2] })],
  [/^must be at most (\d+) characters$/, (m, t) => t('templateEditor.problem.tooLong', { max: m[1] })],
  [/^(option|label|accepted type) ("[^"]*") is already at \/.*\/(\d+)$/, (m, t) => t('templateEditor.problem.duplicateItem', { value: q(m[2]!), n: Number(m[3]) + 1 })],
  [/^must have at least (\d+) (option|label)s?$/, (m, t) => t('templateEditor.problem.minItems', { n: m[1] })],
  [/^must have at most (\d+) \w+$/, (m, t) => t('templateEditor.problem.maxItems', { n: m[1] })],
  [/^must have at least one control$/, (_m, t) => t('templateEditor.problem.noControls')],
  [/^must be a number$/, (_m, t) => t('templateEditor.problem.number')],
  [/^must be an integer$/, (_m, t) => t('templateEditor.problem.integer')],
  [/^must be at least (-?[\d.e+]+)$/, (m, t) => t('templateEditor.problem.min', { min: m[1] })],
  [/^must be at most (-?[\d.e+]+)$/, (m, t) => t('templateEditor.problem.max', { max: m[1] })],
  [/^must be greater than (-?[\d.e+]+)$/, (m, t) => t('templateEditor.problem.above', { min: m[1] })],
  [/^must not be less than (\w+) \((-?[\d.e+]+)\)$/, (m, t) => t('templateEditor.problem.order', { key: m[1], value: m[2] })],
  [/^must start with a letter or _ and hold only letters, digits and _$/, (_m, t) => t('templateEditor.problem.name')],
  [/^is reserved$/, (_m, t) => t('templateEditor.problem.reserved')],
  [/^is already the name of \/controls\/(\d+)$/, (m, t) => t('templateEditor.problem.duplicateName', { n: Number(m[1]) + 1 })],
  [/^shows the same field as \/display\/(\d+)$/, (m, t) => t('templateEditor.problem.duplicateDisplay', { n: Number(m[1]) + 1 })],
  [/^item field ("[^"]*") is not shown by any display entry/, (m, t) => t('templateEditor.problem.notShown', { field: q(m[1]!) })],
  [/^item field ("[^"]*") must be shown as (\w+) in \/display/, (m, t) => t('templateEditor.problem.shownAs', { field: q(m[1]!), type: m[2] })],
  [/^"_gold" holds gold answers and is never shown$/, (_m, t) => t('templateEditor.problem.gold')],
  [/^must differ from the first field$/, (_m, t) => t('templateEditor.problem.sameField')],
  [/^"equal" is reserved/, (_m, t) => t('templateEditor.problem.equalReserved')],
  [/^is not a valid regular expression/, (_m, t) => t('templateEditor.problem.regex')],
  [/is neither a MIME type/, (_m, t) => t('templateEditor.problem.accept')],
  [/^unknown property of/, (_m, t) => t('templateEditor.problem.unknown')],
  [/^must be true or false$/, (_m, t) => t('templateEditor.problem.boolean')],
];

/** A template problem in the editor's language where its form is known; the validator's English otherwise. */
export function templateProblemText(problem: string, t: TFunction): string {
  for (const [re, f] of RULES) {
    const m = re.exec(problem);
    if (m) return f(m, t);
  }
  return problem;
}

/** One field's problems as the text of its `error` (undefined when there are none). */
export function fieldError(list: readonly Problem[], t: TFunction): string | undefined {
  return list.length ? list.map((p) => templateProblemText(p.problem, t)).join(' ') : undefined;
}
