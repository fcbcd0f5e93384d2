import type { Span, SpanControl } from '@core/templates/index.ts';
import { memo, useMemo, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { labelColor, withAlpha } from '../colors';
import { segments } from './spanText';

export interface SpanEditorProps {
  control: SpanControl;
  /** Exactly `displayText(item[control.textField])`: offsets index into this string. */
  text: string;
  spans: Span[];
  /** Absent → read-only (highlights only). */
  onChange?: (spans: Span[]) => void;
  rootRef?: Ref<HTMLDivElement>;
  /** The person selected (mouse up / key up) or clicked in the text. */
  onActivate?: () => void;
  /** Span index to outline (hovered in the list). */
  highlight?: number | null;
}

/**
 * The text of a span control with its spans highlighted in their label's colour, the label
 * written after each span. Select text and press a label's number key (or click the label) to
 * tag it; click a highlighted span to remove it. Plain text in `white-space: pre-wrap`, never HTML.
 */
export const SpanEditor = memo(function SpanEditor({ control, text, spans, onChange, rootRef, onActivate, highlight }: SpanEditorProps) {
  const { t } = useTranslation();
  const segs = useMemo(() => segments(text.length, spans), [text.length, spans]);
  const endsAt = useMemo(() => {
    const m = new Map<number, string[]>();
    for (const s of spans) m.set(s.end, [...(m.get(s.end) ?? []), s.label]);
    return m;
  }, [spans]);

  const remove = (index: number) => {
    if (!onChange) return;
    // A click that ends a drag-selection is a selection, not a removal.
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return;
    onChange(spans.filter((_, i) => i !== index));
  };

  return (
    <div
      ref={rootRef}
      className="dure-item-text dure-span-text"
      data-testid={`span-text-${control.name}`}
      data-readonly={!onChange || undefined}
      onMouseUp={onActivate}
      onKeyUp={onActivate}
      onTouchEnd={onActivate}
      aria-label={t('labeling.span.textLabel')}
    >
      {segs.map((seg) => {
        const piece = text.slice(seg.start, seg.end);
        if (seg.covering.length === 0) {
          return (
            <span key={seg.start} data-s={seg.start} data-e={seg.end}>
              {piece}
            </span>
          );
        }
        const inner = seg.covering[seg.covering.length - 1]!;
        const span = spans[inner]!;
        const color = labelColor(control.labels, span.label);
        const labels = endsAt.get(seg.end);
        const outerColors = seg.covering.slice(0, -1).map((j) => labelColor(control.labels, spans[j]!.label));
        return (
          <span
            key={seg.start}
            data-s={seg.start}
            data-e={seg.end}
            data-span={inner}
            data-label={labels ? labels.join(' · ') : undefined}
            className="dure-span"
            data-highlight={highlight !== undefined && highlight !== null && seg.covering.includes(highlight) ? '' : undefined}
            title={onChange ? t('labeling.span.clickToRemove', { label: span.label }) : span.label}
            onClick={() => remove(inner)}
            style={
              {
                background: withAlpha(color, 0.22),
                boxShadow: [`inset 0 -2px 0 ${color}`, ...outerColors.map((c, k) => `0 ${2 + 2 * (k + 1)}px 0 ${c}`)].join(', '),
                '--dure-span-color': color,
              } as React.CSSProperties
            }
          >
            {piece}
          </span>
        );
      })}
    </div>
  );
});
