import { Alert, Badge, Button, Collapse, Group, Modal, Paper, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { compactResult, defaultResult, validateResult, type ItemData, type Result, type Template } from '@core/templates/index.ts';
import { IconAlertTriangle, IconArrowsMaximize, IconCheck, IconChevronDown, IconChevronUp, IconEye } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelingForm, Markdown, problemsByControl, type ProblemsByControl } from '../../labeling';
import { keepAnswers, previewItem } from './sample';
import './template-editor.css';

export interface PreviewSource {
  id: string;
  label: string;
  data: ItemData;
}

export interface TemplatePreviewProps {
  /** The last template that passed validation (null: none yet). */
  template: Template | null;
  /** The draft has problems now: the preview shows the last valid form. */
  stale?: boolean;
  instructions?: string;
  /** Items to preview with (ready template sample, first imported item…); the first is the default. */
  sources: PreviewSource[];
  /** A valid answer to the sample item, for "fill in the sample answer". */
  sampleResult?: Result;
}

/**
 * The live preview: the item and the form exactly as a worker gets them (the same LabelingForm
 * the labeling page uses), interactive, with the instructions above. "Check the answer" runs the
 * server's own result validation on what was filled in.
 */
export function TemplatePreview({ template, stale, instructions, sources, sampleResult }: TemplatePreviewProps) {
  const { t } = useTranslation();
  const [sourceId, setSourceId] = useState(sources[0]?.id ?? 'sample');
  const [custom, setCustom] = useState<string | null>(null);
  const [customError, setCustomError] = useState<string | null>(null);
  const [customData, setCustomData] = useState<ItemData | null>(null);
  const [answer, setAnswer] = useState<Result>({});
  const [checked, setChecked] = useState<ProblemsByControl | null>(null);
  const [showInstructions, setShowInstructions] = useState(true);
  const [editItem, setEditItem] = useState(false);
  const [full, setFull] = useState(false);

  useEffect(() => {
    if (!sources.some((s) => s.id === sourceId) && sources[0]) setSourceId(sources[0].id);
  }, [sources, sourceId]);

  const source = sources.find((s) => s.id === sourceId) ?? sources[0];
  const base = customData ?? source?.data ?? {};
  const words = { text: (what: string) => t('templateEditor.preview.sampleText', { field: what }), number: 42, link: 'https://example.com/' };
  const data = useMemo(() => (template ? previewItem(template, base, words) : base), [template, base]); // eslint-disable-line react-hooks/exhaustive-deps
  const value = useMemo(() => (template ? keepAnswers(template, answer, defaultResult(template)) : {}), [template, answer]);

  // A changed form or item makes an earlier check meaningless.
  useEffect(() => setChecked(null), [template, data]);

  const check = () => {
    if (!template) return;
    const problems = validateResult(template, compactResult(template, value), data);
    setChecked(problemsByControl(problems));
  };
  const checkedCount = checked ? Object.values(checked).reduce((n, l) => n + l.length, 0) : 0;

  const itemJson = JSON.stringify(base, null, 2);

  return (
    <Stack gap="sm" data-testid="template-preview">
      <Group justify="space-between" gap="xs">
        <Group gap="xs">
          <IconEye size={18} />
          <Title order={2} fz="lg">
            {t('templateEditor.preview.title')}
          </Title>
        </Group>
        {!template ? (
          <Badge color="gray" variant="light">
            {t('templateEditor.preview.notReady')}
          </Badge>
        ) : stale ? (
          <Badge color="orange" variant="light" leftSection={<IconAlertTriangle size={12} />}>
            {t('templateEditor.preview.stale')}
          </Badge>
        ) : (
          <Badge color="teal" variant="light">
            {t('templateEditor.preview.live')}
          </Badge>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        {t('templateEditor.preview.lead')}
      </Text>

      {sources.length > 1 ? (
        <SegmentedControl
          size="xs"
          value={sourceId}
          onChange={(v) => {
            setSourceId(v);
            setCustomData(null);
            setCustom(null);
          }}
          data={sources.map((s) => ({ value: s.id, label: s.label }))}
          aria-label={t('templateEditor.preview.source')}
        />
      ) : null}

      <Group gap="xs">
        <Button
          size="compact-sm"
          variant="subtle"
          onClick={() => {
            setEditItem((v) => !v);
            if (custom === null) setCustom(itemJson);
          }}
          rightSection={editItem ? <IconChevronUp size={14} /> : <IconChevronDown size={14} />}
        >
          {t('templateEditor.preview.editItem')}
        </Button>
      </Group>
      <Collapse expanded={editItem}>
        {editItem ? (
          <Textarea
            label={t('templateEditor.preview.itemJson')}
            description={t('templateEditor.preview.itemJsonHint')}
            value={custom ?? itemJson}
            onChange={(e) => {
              const s = e.currentTarget.value;
              setCustom(s);
              try {
                const v: unknown = JSON.parse(s);
                if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(t('templateEditor.preview.itemObject'));
                setCustomData(v as ItemData);
                setCustomError(null);
              } catch (err) {
                setCustomError((err as Error).message);
              }
            }}
            error={customError}
            autosize
            minRows={3}
            maxRows={12}
            spellCheck={false}
            styles={{ input: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 } }}
          />
        ) : null}
      </Collapse>

      <Paper withBorder p={{ base: 'xs', sm: 'sm' }} bg="gray.0" radius="md">
        {!template ? (
          <Text c="dimmed" size="sm" p="md">
            {t('templateEditor.preview.nothing')}
          </Text>
        ) : (
          <Stack gap="sm">
            {instructions?.trim() ? (
              <Paper withBorder p="sm" radius="md">
                <Group justify="space-between" gap="xs">
                  <Text fw={600} size="sm">
                    {t('templateEditor.preview.instructions')}
                  </Text>
                  <Button size="compact-xs" variant="subtle" onClick={() => setShowInstructions((v) => !v)} aria-expanded={showInstructions}>
                    {showInstructions ? t('templateEditor.preview.hide') : t('templateEditor.preview.show')}
                  </Button>
                </Group>
                <Collapse expanded={showInstructions}>
                  <div style={{ fontSize: 14 }}>
                    <Markdown>{instructions}</Markdown>
                  </div>
                </Collapse>
              </Paper>
            ) : null}
            <div className="dure-preview-narrow">
              <LabelingForm
                key={JSON.stringify(template)}
                template={template}
                data={data}
                value={value}
                onChange={(next) => {
                  setAnswer(next);
                  setChecked(null);
                }}
                problems={checked ?? {}}
                keyboard="none"
                layout="stack"
              />
            </div>
          </Stack>
        )}
      </Paper>

      {template ? (
        <Group gap="xs">
          <Button size="xs" variant="light" leftSection={<IconCheck size={14} />} onClick={check}>
            {t('templateEditor.preview.check')}
          </Button>
          {sampleResult ? (
            <Button size="xs" variant="subtle" onClick={() => setAnswer(sampleResult)}>
              {t('templateEditor.preview.fillSample')}
            </Button>
          ) : null}
          <Button size="xs" variant="subtle" color="gray" onClick={() => setAnswer({})}>
            {t('templateEditor.preview.clear')}
          </Button>
          <Button size="xs" variant="subtle" leftSection={<IconArrowsMaximize size={14} />} onClick={() => setFull(true)} visibleFrom="sm">
            {t('templateEditor.preview.fullScreen')}
          </Button>
        </Group>
      ) : null}
      <Modal opened={full && !!template} onClose={() => setFull(false)} fullScreen title={t('templateEditor.preview.fullTitle')} closeButtonProps={{ 'aria-label': t('common.close') }}>
        {template ? (
          <Stack gap="md" maw={1120} mx="auto">
            {instructions?.trim() ? (
              <Paper withBorder p="md" radius="md">
                <Text fw={600} size="sm" mb={4}>
                  {t('templateEditor.preview.instructions')}
                </Text>
                <Markdown>{instructions}</Markdown>
              </Paper>
            ) : null}
            <LabelingForm
              key={JSON.stringify(template)}
              template={template}
              data={data}
              value={value}
              onChange={(next) => {
                setAnswer(next);
                setChecked(null);
              }}
              problems={checked ?? {}}
              keyboard="none"
              layout="split"
            />
          </Stack>
        ) : null}
      </Modal>
      {checked ? (
        checkedCount === 0 ? (
          <Alert color="teal" variant="light" icon={<IconCheck size={18} />} role="status">
            {t('templateEditor.preview.answerValid')}
          </Alert>
        ) : (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} role="status">
            {t('templateEditor.preview.answerProblems', { count: checkedCount })}
          </Alert>
        )
      ) : null}
    </Stack>
  );
}
