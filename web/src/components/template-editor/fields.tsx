import { ActionIcon, Button, Group, NumberInput, Stack, Switch, Text, TextInput, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconX } from '@tabler/icons-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { move } from './draft';
import { fieldError, type ProblemIndex } from './problems';

/** Data attribute the problem list uses to jump to a field (`data-path="/controls/0/options/1"`). */
export const pathAttr = (path: string) => ({ 'data-path': path });

/** An optional number property: empty input = property absent (the validator's default applies). */
export function OptionalNumber({
  label,
  description,
  value,
  onChange,
  path,
  problems,
  min,
  max,
  step,
  integer,
  disabled,
  placeholder,
  suffix,
}: {
  label: string;
  description?: string;
  value: unknown;
  onChange: (v: number | undefined) => void;
  path: string;
  problems: ProblemIndex;
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  disabled?: boolean;
  placeholder?: string;
  suffix?: string;
}) {
  const { t } = useTranslation();
  return (
    <NumberInput
      label={label}
      description={description}
      value={typeof value === 'number' ? value : ''}
      onChange={(v) => onChange(typeof v === 'number' && Number.isFinite(v) ? v : undefined)}
      error={fieldError(problems.at(path), t)}
      min={min}
      max={max}
      step={step}
      allowDecimal={!integer}
      clampBehavior="none"
      disabled={disabled}
      placeholder={placeholder}
      suffix={suffix}
      {...pathAttr(path)}
    />
  );
}

/** A boolean property shown as a switch; `fallback` is the validator's default when absent. */
export function BoolSwitch({ label, description, value, fallback, onChange, disabled }: { label: string; description?: string; value: unknown; fallback: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <Switch
      label={label}
      description={description}
      checked={typeof value === 'boolean' ? value : fallback}
      onChange={(e) => onChange(e.currentTarget.checked)}
      disabled={disabled}
    />
  );
}

/**
 * A list of strings (options, labels, accepted types): one input per entry with its problems
 * under it, move up/down, remove, add. Enter in an entry adds one after it.
 */
export function StringListEditor({
  label,
  itemLabel,
  addLabel,
  items,
  onChange,
  path,
  problems,
  disabled,
  description,
}: {
  label: string;
  itemLabel: (n: number) => string;
  addLabel: string;
  items: unknown;
  onChange: (next: string[]) => void;
  path: string;
  problems: ProblemIndex;
  disabled?: boolean;
  description?: ReactNode;
}) {
  const { t } = useTranslation();
  const list = Array.isArray(items) ? items.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
  const refs = useRef<(HTMLInputElement | null)[]>([]);
  const focusNext = useRef<number | null>(null);
  useEffect(() => {
    if (focusNext.current !== null) {
      refs.current[focusNext.current]?.focus();
      focusNext.current = null;
    }
  });
  const listError = fieldError(problems.at(path), t);
  const insert = (at: number) => {
    const next = [...list];
    next.splice(at, 0, '');
    focusNext.current = at;
    onChange(next);
  };
  return (
    <Stack gap={6} {...pathAttr(path)}>
      <div>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        {description ? (
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        ) : null}
      </div>
      {list.map((value, i) => {
        const at = `${path}/${i}`;
        return (
          <Group key={i} gap={4} align="flex-start" wrap="nowrap">
            <TextInput
              ref={(el) => {
                refs.current[i] = el;
              }}
              aria-label={itemLabel(i + 1)}
              leftSection={
                <Text size="xs" c="dimmed" aria-hidden>
                  {i + 1}
                </Text>
              }
              value={value}
              onChange={(e) => onChange(list.map((x, j) => (j === i ? e.currentTarget.value : x)))}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
                  e.preventDefault();
                  insert(i + 1);
                }
              }}
              error={fieldError(problems.at(at), t)}
              disabled={disabled}
              style={{ flex: 1, minWidth: 0 }}
              {...pathAttr(at)}
            />
            <Group gap={0} wrap="nowrap" mt={4}>
              <Tooltip label={t('templateEditor.moveUp')}>
                <ActionIcon variant="subtle" color="gray" aria-label={`${itemLabel(i + 1)}: ${t('templateEditor.moveUp')}`} disabled={disabled || i === 0} onClick={() => onChange(move(list, i, i - 1))}>
                  <IconArrowUp size={16} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label={t('templateEditor.moveDown')}>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`${itemLabel(i + 1)}: ${t('templateEditor.moveDown')}`}
                  disabled={disabled || i === list.length - 1}
                  onClick={() => onChange(move(list, i, i + 1))}
                >
                  <IconArrowDown size={16} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label={t('templateEditor.remove')}>
                <ActionIcon variant="subtle" color="red" aria-label={`${itemLabel(i + 1)}: ${t('templateEditor.remove')}`} disabled={disabled} onClick={() => onChange(list.filter((_, j) => j !== i))}>
                  <IconX size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
          </Group>
        );
      })}
      {listError ? (
        <Text size="xs" c="red.7" role="alert">
          {listError}
        </Text>
      ) : null}
      <Group>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => insert(list.length)} disabled={disabled}>
          {addLabel}
        </Button>
      </Group>
    </Stack>
  );
}
