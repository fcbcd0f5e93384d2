import { TextInput } from '@mantine/core';
import {
  controlOptionsForKeys,
  PAIRWISE_EQUAL,
  type MultiChoiceControl,
  type PairwiseControl,
  type RatingControl,
  type SingleChoiceControl,
} from '@core/templates/index.ts';
import { useTranslation } from 'react-i18next';
import type { ControlProps } from '../types';
import { OptionButtons } from './OptionButtons';

const keyOf = (control: Parameters<typeof controlOptionsForKeys>[0], index: number) => controlOptionsForKeys(control)[index]?.key;

export function SingleChoiceInput({ control, value, onChange, readOnly, invalid, label, describedBy }: ControlProps<SingleChoiceControl>) {
  const { t } = useTranslation();
  const chosen = typeof value === 'string' ? value : null;
  const other = chosen !== null && !control.options.includes(chosen) ? chosen : null;
  const pick = (i: number) => {
    const o = control.options[i]!;
    // An optional choice can be cleared by picking it again.
    onChange?.(chosen === o && !control.required ? null : o);
  };
  return (
    <>
      <OptionButtons
        kind="radio"
        label={label}
        invalid={invalid}
        readOnly={readOnly}
        describedBy={describedBy}
        onPick={pick}
        options={control.options.map((o, i) => ({ id: o, label: o, keyHint: keyOf(control, i), checked: chosen === o }))}
      />
      {control.allowOther ? (
        <TextInput
          mt="xs"
          label={t('labeling.choice.other')}
          placeholder={t('labeling.choice.otherPlaceholder')}
          value={other ?? ''}
          readOnly={readOnly}
          maxLength={1000}
          onChange={(e) => onChange?.(e.currentTarget.value === '' ? null : e.currentTarget.value)}
          size="md"
        />
      ) : null}
    </>
  );
}

export function MultiChoiceInput({ control, value, onChange, readOnly, invalid, label, describedBy }: ControlProps<MultiChoiceControl>) {
  const selected = Array.isArray(value) ? (value as string[]) : [];
  const toggle = (i: number) => {
    const o = control.options[i]!;
    // Keep the template's option order whatever order they were clicked in.
    const next = selected.includes(o) ? selected.filter((s) => s !== o) : control.options.filter((x) => x === o || selected.includes(x));
    onChange?.(next);
  };
  return (
    <OptionButtons
      kind="checkbox"
      label={label}
      invalid={invalid}
      readOnly={readOnly}
      describedBy={describedBy}
      onPick={toggle}
      options={control.options.map((o, i) => ({ id: o, label: o, keyHint: keyOf(control, i), checked: selected.includes(o) }))}
    />
  );
}

/** Toggles one option of a multi choice as its number key does. */
export function toggleMulti(control: MultiChoiceControl, value: unknown, option: string): string[] {
  const selected = Array.isArray(value) ? (value as string[]) : [];
  return selected.includes(option) ? selected.filter((s) => s !== option) : control.options.filter((x) => x === option || selected.includes(x));
}

export function RatingInput({ control, value, onChange, readOnly, invalid, label, describedBy }: ControlProps<RatingControl>) {
  const n = typeof value === 'number' ? value : null;
  return (
    <OptionButtons
      kind="radio"
      inline
      label={label}
      invalid={invalid}
      readOnly={readOnly}
      describedBy={describedBy}
      onPick={(i) => onChange?.(i + 1)}
      options={Array.from({ length: control.scale }, (_, i) => ({
        id: String(i + 1),
        label: String(i + 1),
        keyHint: control.scale <= 10 ? keyOf(control, i) : undefined,
        checked: n !== null && i + 1 === n,
      }))}
    />
  );
}

/** The letter keys of a pairwise choice: a = first field, b = second, e = equal. */
export const PAIRWISE_LETTERS = ['a', 'b', 'e'] as const;

export function PairwiseInput({ control, value, onChange, readOnly, invalid, label, describedBy }: ControlProps<PairwiseControl>) {
  const { t } = useTranslation();
  const values = control.allowEqual ? [...control.fields, PAIRWISE_EQUAL] : [...control.fields];
  const names = [t('labeling.pairwise.a'), t('labeling.pairwise.b'), t('labeling.pairwise.equal')];
  return (
    <OptionButtons
      kind="radio"
      cols={values.length}
      minCellWidth={150}
      label={label}
      invalid={invalid}
      readOnly={readOnly}
      describedBy={describedBy}
      onPick={(i) => onChange?.(values[i]!)}
      options={values.map((v, i) => ({
        id: v,
        label: names[i],
        keyHint: `${PAIRWISE_LETTERS[i]!.toUpperCase()}`,
        checked: value === v,
      }))}
    />
  );
}
