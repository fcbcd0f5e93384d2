import { ActionIcon, Badge, Group, NativeSelect, NumberInput, Paper, Select, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { CONTROL_TYPES, LIMITS, type ControlType } from '@core/templates/index.ts';
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { changeType, shownFields, withProp, type DefaultWords, type Draft, type Obj } from './draft';
import { BoolSwitch, OptionalNumber, pathAttr, StringListEditor } from './fields';
import { fieldError, type ProblemIndex } from './problems';

const MIB = 1024 * 1024;

export interface ControlEditorProps {
  draft: Draft;
  control: Obj;
  index: number;
  count: number;
  problems: ProblemIndex;
  words: DefaultWords;
  disabled?: boolean;
  onChange: (next: Obj) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}

/** One control of the form: its type, name, label, required, and the settings of its type. */
export function ControlEditor({ draft, control: c, index, count, problems, words, disabled, onChange, onMove, onRemove }: ControlEditorProps) {
  const { t } = useTranslation();
  const base = `/controls/${index}`;
  const p = (key: string) => `${base}/${key}`;
  const err = (key: string) => fieldError(problems.at(p(key)), t);
  const set = (key: string, v: unknown) => onChange(withProp(c, key, v));
  const type = (CONTROL_TYPES as readonly string[]).includes(c.type as string) ? (c.type as ControlType) : null;
  const title = (typeof c.label === 'string' && c.label) || (typeof c.name === 'string' && c.name) || t('templateEditor.controlN', { n: index + 1 });
  const invalid = problems.under(base).length > 0;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const fields = shownFields(draft);
  const fieldChoices = (only: string | null, current: unknown) => {
    const list = fields.filter((f) => only === null || f.type === only).map((f) => f.field);
    const cur = str(current);
    if (cur && !list.includes(cur)) list.push(cur);
    return [...new Set(list)];
  };
  const typeLabel = (ty: ControlType) => t(`templateEditor.types.${ty}`);

  return (
    <Paper
      withBorder
      p={{ base: 'sm', sm: 'md' }}
      radius="md"
      data-testid={`control-editor-${index}`}
      data-invalid={invalid || undefined}
      style={invalid ? { borderColor: 'var(--mantine-color-red-5)' } : undefined}
      role="group"
      aria-label={`${t('templateEditor.controlN', { n: index + 1 })}: ${title}`}
      {...pathAttr(base)}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Text fw={700} c="dimmed">
              {index + 1}.
            </Text>
            <Text fw={700} truncate>
              {title}
            </Text>
            {type ? (
              <Badge variant="light" size="sm" style={{ flexShrink: 0 }}>
                {typeLabel(type)}
              </Badge>
            ) : null}
          </Group>
          <Group gap={0} wrap="nowrap">
            <Tooltip label={t('templateEditor.moveUp')}>
              <ActionIcon variant="subtle" color="gray" aria-label={`${title}: ${t('templateEditor.moveUp')}`} disabled={disabled || index === 0} onClick={() => onMove(index - 1)}>
                <IconArrowUp size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t('templateEditor.moveDown')}>
              <ActionIcon variant="subtle" color="gray" aria-label={`${title}: ${t('templateEditor.moveDown')}`} disabled={disabled || index === count - 1} onClick={() => onMove(index + 1)}>
                <IconArrowDown size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t('templateEditor.removeControl')}>
              <ActionIcon variant="subtle" color="red" aria-label={`${title}: ${t('templateEditor.removeControl')}`} disabled={disabled} onClick={onRemove}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
        {fieldError(problems.at(base), t) ? (
          <Text size="sm" c="red.7" role="alert">
            {fieldError(problems.at(base), t)}
          </Text>
        ) : null}

        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="sm">
          <NativeSelect
            label={t('templateEditor.controlType')}
            value={type ?? ''}
            onChange={(e) => onChange(changeType(c, e.currentTarget.value as ControlType, draft, words))}
            data={[...(type ? [] : [{ value: '', label: String(c.type ?? '?') }]), ...CONTROL_TYPES.map((ty) => ({ value: ty, label: typeLabel(ty) }))]}
            error={err('type')}
            disabled={disabled}
            {...pathAttr(p('type'))}
          />
          <TextInput
            label={t('templateEditor.controlName')}
            description={t('templateEditor.controlNameHint')}
            value={str(c.name)}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={err('name')}
            maxLength={LIMITS.nameLength}
            disabled={disabled}
            spellCheck={false}
            {...pathAttr(p('name'))}
          />
        </SimpleGrid>
        <TextInput
          label={t('templateEditor.controlLabel')}
          description={t('templateEditor.controlLabelHint')}
          value={str(c.label)}
          onChange={(e) => set('label', e.currentTarget.value || undefined)}
          error={err('label')}
          disabled={disabled}
          {...pathAttr(p('label'))}
        />
        <Textarea
          label={t('templateEditor.controlDescription')}
          value={str(c.description)}
          onChange={(e) => set('description', e.currentTarget.value || undefined)}
          error={err('description')}
          autosize
          minRows={1}
          maxRows={4}
          disabled={disabled}
          {...pathAttr(p('description'))}
        />
        <BoolSwitch label={t('templateEditor.required')} description={t('templateEditor.requiredHint')} value={c.required} fallback onChange={(v) => set('required', v)} disabled={disabled} />

        {type === 'single_choice' || type === 'multi_choice' ? (
          <StringListEditor
            label={t('templateEditor.options')}
            itemLabel={(n) => t('templateEditor.optionN', { n })}
            addLabel={t('templateEditor.addOption')}
            items={c.options}
            onChange={(v) => set('options', v)}
            path={p('options')}
            problems={problems}
            disabled={disabled}
            description={t('templateEditor.optionsHint')}
          />
        ) : null}
        {type === 'single_choice' ? (
          <BoolSwitch label={t('templateEditor.allowOther')} description={t('templateEditor.allowOtherHint')} value={c.allowOther} fallback={false} onChange={(v) => set('allowOther', v)} disabled={disabled} />
        ) : null}
        {type === 'multi_choice' ? (
          <SimpleGrid cols={2} spacing="sm">
            <OptionalNumber label={t('templateEditor.minSelected')} value={c.minSelected} onChange={(v) => set('minSelected', v)} path={p('minSelected')} problems={problems} min={0} integer disabled={disabled} />
            <OptionalNumber label={t('templateEditor.maxSelected')} value={c.maxSelected} onChange={(v) => set('maxSelected', v)} path={p('maxSelected')} problems={problems} min={1} integer disabled={disabled} />
          </SimpleGrid>
        ) : null}

        {type === 'text' ? (
          <>
            <BoolSwitch label={t('templateEditor.multiline')} description={t('templateEditor.multilineHint')} value={c.multiline} fallback={false} onChange={(v) => set('multiline', v)} disabled={disabled} />
            <SimpleGrid cols={2} spacing="sm">
              <OptionalNumber label={t('templateEditor.minLength')} value={c.minLength} onChange={(v) => set('minLength', v)} path={p('minLength')} problems={problems} min={0} integer disabled={disabled} />
              <OptionalNumber
                label={t('templateEditor.maxLength')}
                value={c.maxLength}
                onChange={(v) => set('maxLength', v)}
                path={p('maxLength')}
                problems={problems}
                min={1}
                max={LIMITS.textMaxLength}
                integer
                disabled={disabled}
                placeholder={String(c.multiline === true ? LIMITS.textDefaultMaxLengthMultiline : LIMITS.textDefaultMaxLength)}
              />
            </SimpleGrid>
            <TextInput
              label={t('templateEditor.pattern')}
              description={t('templateEditor.patternHint')}
              value={str(c.pattern)}
              onChange={(e) => set('pattern', e.currentTarget.value || undefined)}
              error={err('pattern')}
              spellCheck={false}
              ff="monospace"
              disabled={disabled}
              {...pathAttr(p('pattern'))}
            />
          </>
        ) : null}

        {type === 'number' ? (
          <>
            <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
              <OptionalNumber label={t('templateEditor.min')} value={c.min} onChange={(v) => set('min', v)} path={p('min')} problems={problems} disabled={disabled} />
              <OptionalNumber label={t('templateEditor.max')} value={c.max} onChange={(v) => set('max', v)} path={p('max')} problems={problems} disabled={disabled} />
              <OptionalNumber label={t('templateEditor.step')} value={c.step} onChange={(v) => set('step', v)} path={p('step')} problems={problems} disabled={disabled} />
            </SimpleGrid>
            <BoolSwitch label={t('templateEditor.integer')} value={c.integer} fallback={false} onChange={(v) => set('integer', v)} disabled={disabled} />
          </>
        ) : null}

        {type === 'rating' ? (
          <OptionalNumber
            label={t('templateEditor.scale')}
            description={t('templateEditor.scaleHint', { min: LIMITS.ratingMinScale, max: LIMITS.ratingMaxScale })}
            value={c.scale}
            onChange={(v) => set('scale', v)}
            path={p('scale')}
            problems={problems}
            min={LIMITS.ratingMinScale}
            max={LIMITS.ratingMaxScale}
            integer
            disabled={disabled}
            placeholder={String(LIMITS.ratingDefaultScale)}
          />
        ) : null}

        {type === 'file' ? (
          <>
            <TagsInput
              label={t('templateEditor.accept')}
              description={t('templateEditor.acceptHint')}
              value={Array.isArray(c.accept) ? (c.accept as unknown[]).map(String) : []}
              onChange={(v) => set('accept', v)}
              error={fieldError(problems.under(p('accept')), t)}
              disabled={disabled}
              {...pathAttr(p('accept'))}
            />
            <NumberInput
              label={t('templateEditor.maxMegabytes')}
              value={typeof c.maxBytes === 'number' ? Math.round((c.maxBytes / MIB) * 100) / 100 : ''}
              placeholder={String(LIMITS.fileDefaultMaxBytes / MIB)}
              onChange={(v) => set('maxBytes', typeof v === 'number' && v > 0 ? Math.round(v * MIB) : undefined)}
              min={0}
              decimalScale={2}
              suffix=" MB"
              error={err('maxBytes')}
              disabled={disabled}
              {...pathAttr(p('maxBytes'))}
            />
          </>
        ) : null}

        {type === 'bbox' || type === 'span' ? (
          <StringListEditor
            label={t('templateEditor.labels')}
            itemLabel={(n) => t('templateEditor.labelN', { n })}
            addLabel={t('templateEditor.addLabel')}
            items={c.labels}
            onChange={(v) => set('labels', v)}
            path={p('labels')}
            problems={problems}
            disabled={disabled}
          />
        ) : null}
        {type === 'bbox' ? (
          <>
            <Select
              label={t('templateEditor.imageField')}
              description={fieldChoices('image', null).length ? t('templateEditor.imageFieldHint') : t('templateEditor.needField', { type: t('templateEditor.displayTypes.image') })}
              data={fieldChoices('image', c.imageField)}
              value={str(c.imageField) || null}
              onChange={(v) => set('imageField', v ?? '')}
              allowDeselect={false}
              error={err('imageField')}
              disabled={disabled}
              comboboxProps={{ withinPortal: true }}
              {...pathAttr(p('imageField'))}
            />
            <SimpleGrid cols={2} spacing="sm">
              <OptionalNumber label={t('templateEditor.minBoxes')} value={c.minBoxes} onChange={(v) => set('minBoxes', v)} path={p('minBoxes')} problems={problems} min={0} integer disabled={disabled} />
              <OptionalNumber label={t('templateEditor.maxBoxes')} value={c.maxBoxes} onChange={(v) => set('maxBoxes', v)} path={p('maxBoxes')} problems={problems} min={1} integer disabled={disabled} />
            </SimpleGrid>
          </>
        ) : null}
        {type === 'span' ? (
          <>
            <Select
              label={t('templateEditor.textField')}
              description={fieldChoices('text', null).length ? t('templateEditor.textFieldHint') : t('templateEditor.needField', { type: t('templateEditor.displayTypes.text') })}
              data={fieldChoices('text', c.textField)}
              value={str(c.textField) || null}
              onChange={(v) => set('textField', v ?? '')}
              allowDeselect={false}
              error={err('textField')}
              disabled={disabled}
              {...pathAttr(p('textField'))}
            />
            <BoolSwitch label={t('templateEditor.allowOverlap')} description={t('templateEditor.allowOverlapHint')} value={c.allowOverlap} fallback={false} onChange={(v) => set('allowOverlap', v)} disabled={disabled} />
          </>
        ) : null}

        {type === 'pairwise' ? (
          <>
            <SimpleGrid cols={2} spacing="sm">
              {[0, 1].map((k) => {
                const pair = Array.isArray(c.fields) ? (c.fields as unknown[]) : [];
                return (
                  <Select
                    key={k}
                    label={k === 0 ? t('templateEditor.pairA') : t('templateEditor.pairB')}
                    data={fieldChoices(null, pair[k])}
                    value={str(pair[k]) || null}
                    onChange={(v) => {
                      const next = [str(pair[0]), str(pair[1])];
                      next[k] = v ?? '';
                      set('fields', next);
                    }}
                    allowDeselect={false}
                    error={fieldError(problems.at(`${p('fields')}/${k}`), t) ?? (k === 0 ? err('fields') : undefined)}
                    disabled={disabled}
                    {...pathAttr(`${p('fields')}/${k}`)}
                  />
                );
              })}
            </SimpleGrid>
            <BoolSwitch label={t('templateEditor.allowEqual')} description={t('templateEditor.allowEqualHint')} value={c.allowEqual} fallback onChange={(v) => set('allowEqual', v)} disabled={disabled} />
          </>
        ) : null}
      </Stack>
    </Paper>
  );
}
