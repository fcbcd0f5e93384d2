import { Group, NumberInput, Text, Textarea, TextInput } from '@mantine/core';
import type { EmailControl, NumberControl, TextControl } from '@core/templates/index.ts';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format';
import type { ControlProps } from '../types';

/** Short or long text with a length counter (UTF-16 code units, as `maxlength` and the server count). */
export function TextAnswer({ control, value, onChange, readOnly, invalid, label, describedBy, inputId }: ControlProps<TextControl>) {
  const { t } = useTranslation();
  const text = typeof value === 'string' ? value : '';
  const short = control.minLength !== undefined && text.length < control.minLength;
  const counter = (
    <Group justify="flex-end" gap={6} mt={4}>
      {control.minLength !== undefined ? (
        <Text size="xs" c={short ? 'orange.8' : 'dimmed'}>
          {t('labeling.text.min', { min: formatNumber(control.minLength) })}
        </Text>
      ) : null}
      <Text size="xs" c={text.length > control.maxLength ? 'red' : 'dimmed'} data-testid={`counter-${control.name}`} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {formatNumber(text.length)} / {formatNumber(control.maxLength)}
      </Text>
    </Group>
  );
  const common = {
    id: inputId,
    'aria-label': label,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    value: text,
    readOnly,
    maxLength: control.maxLength,
    minLength: control.minLength,
    error: invalid || undefined,
    size: 'md' as const,
    'data-primary-focus': '',
    placeholder: readOnly ? undefined : t('labeling.text.placeholder'),
  };
  return (
    <>
      {control.multiline ? (
        <Textarea {...common} autosize minRows={3} maxRows={14} onChange={(e) => onChange?.(e.currentTarget.value)} />
      ) : (
        <TextInput {...common} autoComplete="off" onChange={(e) => onChange?.(e.currentTarget.value.replace(/[\r\n]+/g, ' '))} />
      )}
      {readOnly ? null : counter}
    </>
  );
}

export function NumberAnswer({ control, value, onChange, readOnly, invalid, label, describedBy, inputId }: ControlProps<NumberControl>) {
  const { t } = useTranslation();
  const n = typeof value === 'number' ? value : '';
  const range =
    control.min !== undefined && control.max !== undefined
      ? t('labeling.number.range', { min: formatNumber(control.min), max: formatNumber(control.max) })
      : control.min !== undefined
        ? t('labeling.number.atLeast', { min: formatNumber(control.min) })
        : control.max !== undefined
          ? t('labeling.number.atMost', { max: formatNumber(control.max) })
          : null;
  return (
    <>
      <NumberInput
        id={inputId}
        aria-label={label}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        error={invalid || undefined}
        data-primary-focus=""
        value={n}
        readOnly={readOnly}
        min={control.min}
        max={control.max}
        step={control.step ?? 1}
        allowDecimal={!control.integer}
        clampBehavior="none"
        inputMode={control.integer ? 'numeric' : 'decimal'}
        size="md"
        onChange={(v) => onChange?.(typeof v === 'number' && Number.isFinite(v) ? v : v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null)}
      />
      {range || control.step !== undefined ? (
        <Text size="xs" c="dimmed" mt={4}>
          {[range, control.step !== undefined ? t('labeling.number.step', { step: formatNumber(control.step) }) : null].filter(Boolean).join(' · ')}
        </Text>
      ) : null}
    </>
  );
}

export function EmailAnswer({ value, onChange, readOnly, invalid, label, describedBy, inputId }: ControlProps<EmailControl>) {
  return (
    <TextInput
      id={inputId}
      type="email"
      inputMode="email"
      autoComplete="off"
      aria-label={label}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      error={invalid || undefined}
      data-primary-focus=""
      placeholder="name@example.kr"
      value={typeof value === 'string' ? value : ''}
      readOnly={readOnly}
      maxLength={254}
      size="md"
      onChange={(e) => onChange?.(e.currentTarget.value.trim())}
    />
  );
}
