import { ActionIcon, Group, NativeSelect, Stack, Text, UnstyledButton } from '@mantine/core';
import { controlOptionsForKeys, type BboxControl, type Box } from '@core/templates/index.ts';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { labelColor } from '../colors';
import { OptionButtons } from './OptionButtons';

export interface BboxPanelProps {
  control: BboxControl;
  boxes: Box[];
  onChange?: (boxes: Box[]) => void;
  selected: number | null;
  onSelect: (i: number | null) => void;
  label: string;
  onLabel: (label: string) => void;
  invalid?: boolean;
  describedBy?: string;
  /** Problems per box index, to mark the box's row. */
  boxProblems?: Set<number>;
}

/** Whole pixels in the list (the answer keeps 1/100 px). */
const fmt = (v: number) => String(Math.round(v));

/**
 * The control side of a bbox control: the label to draw with (number keys), and the list of
 * boxes (select, relabel, delete) for those who prefer lists — or use a phone.
 */
export function BboxPanel({ control, boxes, onChange, selected, onSelect, label, onLabel, invalid, describedBy, boxProblems }: BboxPanelProps) {
  const { t } = useTranslation();
  const keys = controlOptionsForKeys(control);
  const readOnly = !onChange;
  return (
    <Stack gap="sm">
      {readOnly ? null : (
        <div>
          <Text size="xs" c="dimmed" mb={4}>
            {selected !== null ? t('labeling.bbox.relabelHint') : t('labeling.bbox.drawHint')}
          </Text>
          <OptionButtons
            kind="radio"
            cols={3}
            label={t('labeling.bbox.labelGroup')}
            describedBy={describedBy}
            invalid={invalid}
            onPick={(i) => {
              const l = control.labels[i]!;
              onLabel(l);
              if (selected !== null && boxes[selected]) onChange?.(boxes.map((b, j) => (j === selected ? { ...b, label: l } : b)));
            }}
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
      {boxes.length === 0 ? (
        <Text size="sm" c="dimmed">
          {readOnly ? t('labeling.bbox.noneReadOnly') : t('labeling.bbox.none')}
        </Text>
      ) : (
        <Stack gap={4} data-testid={`bbox-list-${control.name}`}>
          {boxes.map((b, i) => (
            <Group
              key={i}
              gap="xs"
              wrap="nowrap"
              className="dure-list-row"
              data-selected={selected === i || undefined}
              data-invalid={boxProblems?.has(i) || undefined}
            >
              <UnstyledButton onClick={() => onSelect(selected === i ? null : i)} style={{ flex: 1, minWidth: 0 }} aria-pressed={selected === i}>
                <Group gap={8} wrap="nowrap">
                  <span className="dure-swatch" style={{ background: labelColor(control.labels, b.label) }} />
                  <Text size="sm" fw={600}>
                    {i + 1}
                  </Text>
                  {readOnly ? (
                    <Text size="sm">{b.label}</Text>
                  ) : null}
                  <Text size="xs" c="dimmed" truncate style={{ fontVariantNumeric: 'tabular-nums' }}>
                    {fmt(b.x)}, {fmt(b.y)} · {fmt(b.width)}×{fmt(b.height)}
                  </Text>
                </Group>
              </UnstyledButton>
              {readOnly ? null : (
                <>
                  <NativeSelect
                    size="xs"
                    aria-label={t('labeling.bbox.relabel', { n: i + 1 })}
                    value={b.label}
                    data={control.labels}
                    onChange={(e) => onChange?.(boxes.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)))}
                    w={110}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('labeling.bbox.delete', { n: i + 1 })}
                    onClick={() => {
                      onChange?.(boxes.filter((_, j) => j !== i));
                      onSelect(null);
                    }}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </>
              )}
            </Group>
          ))}
        </Stack>
      )}
      {control.minBoxes !== undefined || control.maxBoxes !== undefined ? (
        <Text size="xs" c="dimmed">
          {t('labeling.bbox.count', { n: boxes.length })}
          {control.minBoxes !== undefined ? ` · ${t('labeling.bbox.min', { min: control.minBoxes })}` : ''}
          {control.maxBoxes !== undefined ? ` · ${t('labeling.bbox.max', { max: control.maxBoxes })}` : ''}
        </Text>
      ) : null}
    </Stack>
  );
}
