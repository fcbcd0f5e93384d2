import { Kbd, SimpleGrid, Text, UnstyledButton } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface OptionButton {
  /** Stable identity (the option string, the rating number…). */
  id: string;
  label: ReactNode;
  /** The key that picks it ("1", "a"…), shown as a hint. */
  keyHint?: string;
  checked: boolean;
}

export interface OptionButtonsProps {
  options: OptionButton[];
  /** radio: one at a time (single choice, rating, pairwise); checkbox: toggles (multi choice). */
  kind: 'radio' | 'checkbox';
  onPick?: (index: number) => void;
  readOnly?: boolean;
  /** Accessible name of the group (the control's label). */
  label: string;
  invalid?: boolean;
  /** Columns from small screens up (phones always get one column of big buttons, unless `inline`). */
  cols?: number;
  /** Lay the buttons in one row at every size (ratings). */
  inline?: boolean;
  /**
   * Columns follow the group's own width instead of the screen's: `cols` only where each button
   * gets at least this many pixels, else one column (the form panel beside a wide item can be
   * narrower than a phone).
   */
  minCellWidth?: number;
  describedBy?: string;
}

/**
 * A group of large buttons, each a radio or a checkbox for assistive technology, with a roving
 * tab stop (Tab enters the group once; arrow keys move; Space picks). Number keys are handled by
 * the labeling form, not here.
 */
export function OptionButtons({ options, kind, onPick, readOnly, label, invalid, cols = 2, inline, minCellWidth, describedBy }: OptionButtonsProps) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const columns = Math.min(cols, options.length);
  const checkedIndex = options.findIndex((o) => o.checked);
  const tabStop = checkedIndex >= 0 ? checkedIndex : 0;

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const n = options.length;
    let to: number | null = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') to = (i + 1) % n;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') to = (i - 1 + n) % n;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = n - 1;
    if (to !== null) {
      e.preventDefault();
      refs.current[to]?.focus();
      // Radio groups select as focus moves (the ARIA pattern); checkboxes only move.
      if (kind === 'radio' && !readOnly) onPick?.(to);
    }
  };

  const cells = options.map((o, i) => (
    <UnstyledButton
      key={o.id}
      ref={(el) => {
        refs.current[i] = el;
      }}
      role={kind}
      aria-checked={o.checked}
      aria-disabled={readOnly || undefined}
      tabIndex={i === tabStop ? 0 : -1}
      data-primary-focus={i === tabStop ? '' : undefined}
      className="dure-option"
      data-checked={o.checked || undefined}
      data-readonly={readOnly || undefined}
      onClick={() => !readOnly && onPick?.(i)}
      onKeyDown={(e) => onKeyDown(e, i)}
    >
      {o.keyHint && !readOnly ? (
        <Kbd size="sm" className="dure-option-key">
          {o.keyHint}
        </Kbd>
      ) : null}
      <Text component="span" className="dure-option-label">
        {o.label}
      </Text>
      {o.checked ? <IconCheck size={18} className="dure-option-check" aria-hidden /> : null}
    </UnstyledButton>
  ));

  return (
    <div role={kind === 'radio' ? 'radiogroup' : 'group'} aria-label={label} aria-invalid={invalid || undefined} aria-describedby={describedBy}>
      {inline ? (
        <div className="dure-option-row">{cells}</div>
      ) : (
        minCellWidth ? (
          <SimpleGrid type="container" cols={{ base: 1, [`${minCellWidth * columns + 8 * (columns - 1)}px`]: columns }} spacing={8} verticalSpacing={8}>
            {cells}
          </SimpleGrid>
        ) : (
          <SimpleGrid cols={{ base: 1, xs: columns }} spacing={8} verticalSpacing={8}>
            {cells}
          </SimpleGrid>
        )
      )}
    </div>
  );
}
