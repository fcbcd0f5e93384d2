import { ActionIcon, Button, Group, NativeSelect, Paper, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { DISPLAY_TYPES, type DisplayType } from '@core/templates/index.ts';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { move, newDisplay, withProp, type Draft, type Obj } from './draft';
import { pathAttr } from './fields';
import { fieldError, type ProblemIndex } from './problems';

/** What the worker sees of an item: one row per display entry (type, item field, label). */
export function DisplayEditor({ draft, onChange, problems, disabled }: { draft: Draft; onChange: (display: Obj[]) => void; problems: ProblemIndex; disabled?: boolean }) {
  const { t } = useTranslation();
  const list = draft.display;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const listError = fieldError(problems.at('/display'), t);
  return (
    <Stack gap="sm" {...pathAttr('/display')}>
      {list.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('templateEditor.noDisplay')}
        </Text>
      ) : null}
      {list.map((e, i) => {
        const base = `/display/${i}`;
        const err = (k: string) => fieldError(problems.at(`${base}/${k}`), t);
        const invalid = problems.under(base).length > 0;
        const n = i + 1;
        return (
          <Paper
            key={i}
            withBorder
            p="sm"
            radius="md"
            data-testid={`display-editor-${i}`}
            style={invalid ? { borderColor: 'var(--mantine-color-red-5)' } : undefined}
            role="group"
            aria-label={t('templateEditor.displayN', { n })}
            {...pathAttr(base)}
          >
            <Group gap="xs" align="flex-start" wrap="wrap">
              <NativeSelect
                label={t('templateEditor.displayType')}
                value={str(e.type)}
                onChange={(ev) => onChange(list.map((x, j) => (j === i ? withProp(x, 'type', ev.currentTarget.value as DisplayType) : x)))}
                data={[...((DISPLAY_TYPES as readonly string[]).includes(str(e.type)) ? [] : [{ value: str(e.type), label: str(e.type) || '—' }]), ...DISPLAY_TYPES.map((ty) => ({ value: ty, label: t(`templateEditor.displayTypes.${ty}`) }))]}
                error={err('type')}
                disabled={disabled}
                w={130}
                {...pathAttr(`${base}/type`)}
              />
              <TextInput
                label={t('templateEditor.displayField')}
                value={str(e.field)}
                onChange={(ev) => onChange(list.map((x, j) => (j === i ? withProp(x, 'field', ev.currentTarget.value) : x)))}
                error={err('field') ?? fieldError(problems.at(base), t)}
                disabled={disabled}
                spellCheck={false}
                style={{ flex: '1 1 140px', minWidth: 120 }}
                {...pathAttr(`${base}/field`)}
              />
              <TextInput
                label={t('templateEditor.displayLabel')}
                value={str(e.label)}
                onChange={(ev) => onChange(list.map((x, j) => (j === i ? withProp(x, 'label', ev.currentTarget.value || undefined) : x)))}
                error={err('label')}
                disabled={disabled}
                style={{ flex: '1 1 140px', minWidth: 120 }}
                {...pathAttr(`${base}/label`)}
              />
              <Group gap={0} wrap="nowrap" mt={26}>
                <Tooltip label={t('templateEditor.moveUp')}>
                  <ActionIcon variant="subtle" color="gray" aria-label={`${t('templateEditor.displayN', { n })}: ${t('templateEditor.moveUp')}`} disabled={disabled || i === 0} onClick={() => onChange(move(list, i, i - 1))}>
                    <IconArrowUp size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label={t('templateEditor.moveDown')}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={`${t('templateEditor.displayN', { n })}: ${t('templateEditor.moveDown')}`}
                    disabled={disabled || i === list.length - 1}
                    onClick={() => onChange(move(list, i, i + 1))}
                  >
                    <IconArrowDown size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label={t('templateEditor.remove')}>
                  <ActionIcon variant="subtle" color="red" aria-label={`${t('templateEditor.displayN', { n })}: ${t('templateEditor.remove')}`} disabled={disabled} onClick={() => onChange(list.filter((_, j) => j !== i))}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            </Group>
          </Paper>
        );
      })}
      {listError ? (
        <Text size="sm" c="red.7" role="alert">
          {listError}
        </Text>
      ) : null}
      <Group>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...list, newDisplay(draft)])} disabled={disabled}>
          {t('templateEditor.addDisplay')}
        </Button>
      </Group>
    </Stack>
  );
}
