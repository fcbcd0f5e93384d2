import { ActionIcon, Group, Stack, Text } from '@mantine/core';
import { controlOptionsForKeys, type Span, type SpanControl } from '@core/templates/index.ts';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { labelColor } from '../colors';
import { OptionButtons } from './OptionButtons';

export interface SpanPanelProps {
  control: SpanControl;
  text: string;
  spans: Span[];
  onChange?: (spans: Span[]) => void;
  /** The label buttons: tag the current selection with this label. */
  onLabel: (label: string) => void;
  label: string;
  /** A message after a refused tag (overlap, duplicate, nothing selected). */
  notice?: string | null;
  invalid?: boolean;
  describedBy?: string;
  onHover?: (i: number | null) => void;
  spanProblems?: Set<number>;
}

/** The control side of a span control: label buttons (with their number keys) and the spans list. */
export function SpanPanel({ control, text, spans, onChange, onLabel, label, notice, invalid, describedBy, onHover, spanProblems }: SpanPanelProps) {
  const { t } = useTranslation();
  const keys = controlOptionsForKeys(control);
  const readOnly = !onChange;
  if (text === '' && spans.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('labeling.span.noText')}
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {readOnly ? null : (
        <div
          // Pressing a label button must not clear the text selection it is meant to tag.
          onMouseDown={(e) => {
            if ((e.target as HTMLElement).closest('[role=radio]')) e.preventDefault();
          }}
        >
          <Text size="xs" c="dimmed" mb={4}>
            {t('labeling.span.hint')}
          </Text>
          <OptionButtons
            kind="radio"
            cols={3}
            label={t('labeling.span.labelGroup')}
            describedBy={describedBy}
            invalid={invalid}
            onPick={(i) => onLabel(control.labels[i]!)}
            options={control.labels.map((l, i) => ({
              id: l,
              keyHint: keys[i]?.key,
              checked: l === label,
              label: (
                <Group gap={6} wrap="nowrap" component="span">
                  <span className="dure-swatch" style={{ background: labelColor(control.labels, l) }} />
                  {l}
                </Group>
              ),
            }))}
          />
        </div>
      )}
      {notice ? (
        <Text size="sm" c="orange.8" role="status">
          {notice}
        </Text>
      ) : null}
      {spans.length === 0 ? (
        <Text size="sm" c="dimmed">
          {readOnly ? t('labeling.span.noneReadOnly') : t('labeling.span.none')}
        </Text>
      ) : (
        <Stack gap={4} data-testid={`span-list-${control.name}`}>
          {spans.map((s, i) => (
            <Group
              key={`${s.start}:${s.end}:${s.label}`}
              gap="xs"
              wrap="nowrap"
              className="dure-list-row"
              data-invalid={spanProblems?.has(i) || undefined}
              onMouseEnter={() => onHover?.(i)}
              onMouseLeave={() => onHover?.(null)}
            >
              <span className="dure-swatch" style={{ background: labelColor(control.labels, s.label) }} />
              <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
                {s.label}
              </Text>
              <Text size="sm" truncate style={{ flex: 1, minWidth: 0, whiteSpace: 'pre' }}>
                “{text.slice(s.start, s.end)}”
              </Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                {s.start}–{s.end}
              </Text>
              {readOnly ? null : (
                <ActionIcon variant="subtle" color="red" aria-label={t('labeling.span.remove', { label: s.label, text: text.slice(s.start, s.end) })} onClick={() => onChange?.(spans.filter((_, j) => j !== i))}>
                  <IconTrash size={16} />
                </ActionIcon>
              )}
            </Group>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
