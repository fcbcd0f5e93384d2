import { Alert, Badge, Button, Code, Group, Menu, SegmentedControl, Stack, Tabs, Text, Textarea, Title, UnstyledButton } from '@mantine/core';
import { CONTROL_TYPES, type Problem } from '@core/templates/index.ts';
import { IconAlertCircle, IconBraces, IconChevronDown, IconForms, IconPlus } from '@tabler/icons-react';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ControlEditor } from './ControlEditor';
import { DisplayEditor } from './DisplayEditor';
import { asDraft, move, newControl, type DefaultWords, type Draft, type Obj } from './draft';
import { ProblemIndex, templateProblemText } from './problems';

export interface TemplateEditorProps {
  /** The template as the requester has it now (any JSON). */
  value: unknown;
  onChange: (next: unknown) => void;
  /** `validateTemplate(value)` problems (paths relative to the template). */
  problems: readonly Problem[];
  /** Locked: shown, not editable (the form of a project that has work). */
  disabled?: boolean;
}

let keySeq = 0;

/**
 * The labeling-form editor: a visual tab (what the worker sees, the controls with every setting
 * of their type) and a JSON tab for power users, both editing the same value. Problems from
 * `validateTemplate` appear under the field their JSON path points at and as a list that jumps there.
 */
export function TemplateEditor({ value, onChange, problems, disabled }: TemplateEditorProps) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'visual' | 'json'>('visual');
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const index = useMemo(() => new ProblemIndex(problems), [problems]);
  const draft = asDraft(value);
  const words: DefaultWords = { option: (n) => t('templateEditor.defaultOption', { n }), label: (n) => t('templateEditor.defaultLabel', { n }) };

  // Stable React keys for controls across reorders (the draft itself has no ids).
  const keys = useRef<number[]>([]);
  if (draft && keys.current.length !== draft.controls.length) keys.current = draft.controls.map(() => ++keySeq);

  const setDraft = (d: Draft) => onChange(d);
  const setControls = (controls: Obj[]) => draft && setDraft({ ...draft, controls });

  const openJson = () => {
    setText(JSON.stringify(value, null, 2));
    setParseError(null);
    setTab('json');
  };
  const onTab = (v: string | null) => {
    if (v === 'json') openJson();
    else if (v === 'visual') setTab('visual');
  };
  const onText = (s: string) => {
    setText(s);
    try {
      const parsed: unknown = JSON.parse(s);
      setParseError(null);
      onChange(parsed);
    } catch (e) {
      setParseError((e as Error).message);
    }
  };

  /** Shows the field a problem points at: the deepest element with a matching data-path. */
  const jumpTo = (path: string) => {
    const go = () => {
      let p = path;
      for (;;) {
        const el = document.querySelector<HTMLElement>(`[data-template-editor] [data-path="${CSS.escape(p)}"]`);
        if (el) {
          el.scrollIntoView({ block: 'center', behavior: 'smooth' });
          const input = el.matches('input,textarea,select') ? el : el.querySelector<HTMLElement>('input,textarea,select');
          input?.focus({ preventScroll: true });
          return;
        }
        if (!p) return;
        p = p.slice(0, p.lastIndexOf('/'));
      }
    };
    if (tab === 'json') {
      setTab('visual');
      requestAnimationFrame(() => requestAnimationFrame(go));
    } else go();
  };

  return (
    <Stack gap="md" data-template-editor="">
      <Tabs value={tab} onChange={onTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="visual" leftSection={<IconForms size={16} />}>
            {t('templateEditor.visualTab')}
          </Tabs.Tab>
          <Tabs.Tab value="json" leftSection={<IconBraces size={16} />}>
            {t('templateEditor.jsonTab')}
          </Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="visual" pt="md">
          {!draft ? (
            <Alert color="orange" variant="light" icon={<IconAlertCircle size={18} />}>
              <Stack gap="xs" align="flex-start">
                <Text size="sm">{t('templateEditor.notVisual')}</Text>
                <Button size="xs" variant="light" onClick={openJson}>
                  {t('templateEditor.jsonTab')}
                </Button>
              </Stack>
            </Alert>
          ) : (
            <Stack gap="lg">
              <Stack gap="xs">
                <Title order={3} fz="md">
                  {t('templateEditor.displayTitle')}
                </Title>
                <Text size="sm" c="dimmed">
                  {t('templateEditor.displayLead')}
                </Text>
                <DisplayEditor draft={draft} onChange={(display) => setDraft({ ...draft, display })} problems={index} disabled={disabled} />
                {draft.display.length > 1 ? (
                  <div>
                    <Text size="sm" fw={500} mb={4} id="template-layout-label">
                      {t('templateEditor.layout')}
                    </Text>
                    <SegmentedControl
                      aria-labelledby="template-layout-label"
                      value={draft.layout === 'columns' ? 'columns' : 'stack'}
                      onChange={(v) => setDraft({ ...draft, layout: v })}
                      data={[
                        { value: 'stack', label: t('templateEditor.layoutStack') },
                        { value: 'columns', label: t('templateEditor.layoutColumns') },
                      ]}
                      disabled={disabled}
                    />
                  </div>
                ) : null}
              </Stack>

              <Stack gap="xs">
                <Title order={3} fz="md">
                  {t('templateEditor.controlsTitle')}
                </Title>
                <Text size="sm" c="dimmed">
                  {t('templateEditor.controlsLead')}
                </Text>
                {draft.controls.map((c, i) => (
                  <ControlEditor
                    key={keys.current[i]}
                    draft={draft}
                    control={c}
                    index={i}
                    count={draft.controls.length}
                    problems={index}
                    words={words}
                    disabled={disabled}
                    onChange={(next) => setControls(draft.controls.map((x, j) => (j === i ? next : x)))}
                    onMove={(to) => {
                      keys.current = move(keys.current, i, to);
                      setControls(move(draft.controls, i, to));
                    }}
                    onRemove={() => {
                      keys.current = keys.current.filter((_, j) => j !== i);
                      setControls(draft.controls.filter((_, j) => j !== i));
                    }}
                  />
                ))}
                {index.at('/controls').length ? (
                  <Text size="sm" c="red.7" role="alert" data-path="/controls">
                    {index.at('/controls').map((p) => templateProblemText(p.problem, t)).join(' ')}
                  </Text>
                ) : null}
                <Group>
                  <Menu position="bottom-start" withinPortal>
                    <Menu.Target>
                      <Button leftSection={<IconPlus size={16} />} rightSection={<IconChevronDown size={14} />} variant="light" disabled={disabled}>
                        {t('templateEditor.addControl')}
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      {CONTROL_TYPES.map((ty) => (
                        <Menu.Item
                          key={ty}
                          onClick={() => {
                            keys.current = [...keys.current, ++keySeq];
                            setControls([...draft.controls, newControl(ty, draft, words)]);
                          }}
                        >
                          <Text size="sm" fw={500}>
                            {t(`templateEditor.types.${ty}`)}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {t(`templateEditor.typeHints.${ty}`)}
                          </Text>
                        </Menu.Item>
                      ))}
                    </Menu.Dropdown>
                  </Menu>
                </Group>
              </Stack>
            </Stack>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="json" pt="md">
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              {t('templateEditor.jsonLead')}
            </Text>
            <Textarea
              label={t('templateEditor.jsonLabel')}
              value={text}
              onChange={(e) => onText(e.currentTarget.value)}
              autosize
              minRows={14}
              maxRows={40}
              spellCheck={false}
              error={parseError ? t('templateEditor.jsonParseError', { message: parseError }) : undefined}
              styles={{ input: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 13 } }}
              readOnly={disabled}
              autoCapitalize="off"
              autoCorrect="off"
            />
          </Stack>
        </Tabs.Panel>
      </Tabs>

      {problems.length > 0 ? (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} title={t('templateEditor.problemsTitle', { count: problems.length })} data-testid="template-problems">
          <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {problems.map((p, i) => (
              <li key={i}>
                <UnstyledButton onClick={() => jumpTo(p.path)} style={{ textAlign: 'left' }}>
                  <Group gap={6} wrap="nowrap" align="baseline">
                    <Code style={{ flexShrink: 0 }}>{p.path || '/'}</Code>
                    <Text size="sm" td="underline" style={{ textDecorationStyle: 'dotted' }}>
                      {templateProblemText(p.problem, t)}
                    </Text>
                  </Group>
                </UnstyledButton>
              </li>
            ))}
          </Stack>
        </Alert>
      ) : (
        <Group gap="xs">
          <Badge color="teal" variant="light">
            {t('templateEditor.valid')}
          </Badge>
        </Group>
      )}
    </Stack>
  );
}
