import type { CategoricalControl } from '../templates/index.ts';
import { fleissKappa } from './fleiss.ts';
import { krippendorffAlphaNominal } from './krippendorff.ts';
import { countTable } from './table.ts';
import type { Rating } from './types.ts';

export interface AnswerForAgreement {
  itemId: string | number;
  workerId: string;
  result: unknown;
}

export interface ControlAgreement {
  control: string;
  type: CategoricalControl['type'];
  /** How the answers were read: nominal categories, or yes/no per option for multi_choice. */
  scale: 'nominal' | 'binary_per_option';
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  /** Items that had at least two answers for this control (only those carry agreement). */
  items: number;
  answers: number;
}

const valueOf = (result: unknown, name: string): unknown =>
  result && typeof result === 'object' && !Array.isArray(result) && Object.prototype.hasOwnProperty.call(result, name)
    ? (result as Record<string, unknown>)[name]
    : undefined;

/**
 * Fleiss' kappa and Krippendorff's alpha (nominal) per categorical control.
 *
 * - single_choice, pairwise and rating are read as nominal categories (a rating of 4 against 5
 *   counts as disagreement, like 1 against 5; ordinal weighting is a possible refinement).
 * - multi_choice: every (item, option) is a unit answered yes/no by each worker who answered the
 *   item, so agreement is over the individual option decisions, pooled across options.
 * Unanswered (missing or null) values are missing data, not a category.
 */
export function controlAgreement(controls: CategoricalControl[], answers: AnswerForAgreement[]): ControlAgreement[] {
  return controls.map((control) => {
    const ratings: Rating[] = [];
    for (const a of answers) {
      const v = valueOf(a.result, control.name);
      if (v === undefined || v === null) continue;
      if (control.multi) {
        if (!Array.isArray(v)) continue;
        const chosen = new Set(v.map(String));
        for (const option of control.values) {
          ratings.push({ unit: `${a.itemId}\u0000${option}`, rater: a.workerId, value: chosen.has(String(option)) });
        }
      } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        ratings.push({ unit: String(a.itemId), rater: a.workerId, value: v });
      }
    }
    const table = countTable(ratings, control.multi ? [true, false] : control.values);
    const kappa = fleissKappa(table);
    const alpha = krippendorffAlphaNominal(table);
    const items = new Set<string>();
    const answered = new Map<string, number>();
    for (const r of ratings) {
      const item = String(r.unit).split('\u0000')[0]!;
      answered.set(`${item}\u0000${r.rater}`, 1);
      items.add(item);
    }
    const perItem = new Map<string, number>();
    for (const k of answered.keys()) {
      const item = k.split('\u0000')[0]!;
      perItem.set(item, (perItem.get(item) ?? 0) + 1);
    }
    return {
      control: control.name,
      type: control.type,
      scale: control.multi ? 'binary_per_option' : 'nominal',
      fleissKappa: kappa.value,
      krippendorffAlpha: alpha.value,
      items: [...perItem.values()].filter((n) => n >= 2).length,
      answers: answered.size,
    };
  });
}
