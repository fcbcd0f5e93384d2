import { Alert, Box, Button, Card, Grid, Group, Paper, SegmentedControl, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { validateTemplate, type ItemData, type Result, type Template } from '@core/templates/index.ts';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy, IconLock } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TemplateEditor, TemplatePreview, type PreviewSource } from '../../components/template-editor';
import { Markdown } from '../../labeling';
import { errorMessage } from '../../lib/errors';
import { useIsPhone } from '../../lib/responsive';
import { projectKeys, projectsApi, type Project } from './api';

export interface FormStart {
  name: string;
  instructions: string;
  template: unknown;
  /** Preview item of a ready template. */
  sampleItem?: ItemData;
  sampleResult?: Result;
}

/**
 * Name, instructions (Markdown, previewed) and the labeling form with its live preview. Creates
 * the project (POST) or saves changes (PATCH); the form is locked once work exists (the server
 * answers 409, and the editor says so before that when the stats show annotations).
 */
export function ProjectFormEditor({ project, start }: { project?: Project; start: FormStart }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const phone = useIsPhone();
  const [name, setName] = useState(start.name);
  const [instructions, setInstructions] = useState(start.instructions);
  const [template, setTemplate] = useState<unknown>(start.template);
  const [saved, setSaved] = useState(() => JSON.stringify([start.name, start.instructions, start.template]));
  const [instrTab, setInstrTab] = useState<string | null>('write');
  const [phoneView, setPhoneView] = useState<'edit' | 'preview'>('edit');

  const checked = useMemo(() => validateTemplate(template), [template]);
  const lastValid = useRef<Template | null>(null);
  if (checked.ok) lastValid.current = checked.template;
  const problems = checked.ok ? [] : checked.problems;

  const stats = useQuery({ queryKey: project ? projectKeys.stats(project.id) : ['none'], queryFn: () => projectsApi.stats(project!.id), enabled: !!project });
  const firstItem = useQuery({
    queryKey: project ? projectKeys.firstItem(project.id) : ['none'],
    queryFn: () => projectsApi.items(project!.id, 0, 1).then((l) => l[0] ?? null),
    enabled: !!project,
  });
  const locked = (stats.data?.annotations ?? 0) > 0;

  const sources = useMemo<PreviewSource[]>(() => {
    const out: PreviewSource[] = [];
    if (firstItem.data) out.push({ id: 'first', label: t('projects.form.sourceFirstItem', { id: firstItem.data.id }), data: firstItem.data.data });
    if (start.sampleItem) out.push({ id: 'sample', label: t('projects.form.sourceSample'), data: start.sampleItem });
    if (out.length === 0) out.push({ id: 'placeholder', label: t('projects.form.sourcePlaceholder'), data: {} });
    return out;
  }, [firstItem.data, start.sampleItem, t]);

  const dirty = JSON.stringify([name, instructions, template]) !== saved;
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const save = useMutation({
    mutationFn: async () => {
      const body = { name: name.trim(), instructions, template };
      if (!project) return projectsApi.create(body);
      const templateChanged = JSON.stringify(template) !== JSON.stringify(project.template);
      return projectsApi.update(project.id, { name: body.name, instructions, ...(templateChanged && !locked ? { template } : {}) });
    },
    onSuccess: (p) => {
      qc.setQueryData(projectKeys.one(p.id), p);
      void qc.invalidateQueries({ queryKey: projectKeys.list });
      setSaved(JSON.stringify([name, instructions, template]));
      if (!project) {
        notifications.show({ message: t('projects.form.created'), color: 'dure' });
        void navigate(`/projects/${p.id}`);
      } else {
        notifications.show({ message: t('common.saved'), color: 'dure' });
      }
    },
    onError: (e) => {
      // Work arrived meanwhile: the stats now show it and the editor locks the form.
      if (project && isApiError(e) && e.status === 409) void qc.invalidateQueries({ queryKey: projectKeys.stats(project.id) });
    },
  });

  const nameError = !name.trim() ? t('projects.form.nameRequired') : isApiError(save.error) ? save.error.fieldProblem('name')?.problem : undefined;
  const conflict = isApiError(save.error) && save.error.status === 409;
  const canSave = !!name.trim() && (locked || problems.length === 0) && (dirty || !project) && !save.isPending;

  const pad = phone ? 'sm' : 'lg';
  const editor = (
    <Stack gap="lg">
      <Card padding={pad}>
        <Stack gap="md">
          <TextInput
            label={t('projects.form.name')}
            description={t('projects.form.nameHint')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={200}
            required
            error={name !== start.name || project ? nameError : undefined}
          />
          <div>
            <Text size="sm" fw={500}>
              {t('projects.form.instructions')}
            </Text>
            <Text size="xs" c="dimmed" mb={6}>
              {t('projects.form.instructionsHint')}
            </Text>
            <Tabs value={instrTab} onChange={setInstrTab} variant="pills" radius="md">
              <Tabs.List mb="xs">
                <Tabs.Tab value="write">
                  {t('projects.form.write')}
                </Tabs.Tab>
                <Tabs.Tab value="preview">{t('projects.form.previewMarkdown')}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="write">
                <Textarea
                  aria-label={t('projects.form.instructions')}
                  value={instructions}
                  onChange={(e) => setInstructions(e.currentTarget.value)}
                  autosize
                  minRows={4}
                  maxRows={16}
                  maxLength={100_000}
                />
              </Tabs.Panel>
              <Tabs.Panel value="preview">
                <Paper withBorder p="md" mih={100} data-testid="instructions-preview">
                  {instructions.trim() ? <Markdown>{instructions}</Markdown> : <Text c="dimmed">{t('projects.form.noInstructions')}</Text>}
                </Paper>
              </Tabs.Panel>
            </Tabs>
          </div>
        </Stack>
      </Card>

      <Card padding={pad}>
        <Stack gap="sm">
          <Title order={2} fz="lg">
            {t('projects.form.formTitle')}
          </Title>
          {locked ? (
            <Alert color="orange" variant="light" icon={<IconLock size={18} />} title={t('projects.form.lockedTitle')}>
              {t('projects.form.lockedText')}
            </Alert>
          ) : null}
          <TemplateEditor value={template} onChange={setTemplate} problems={problems} disabled={locked} />
        </Stack>
      </Card>
    </Stack>
  );

  const preview = (
    <Card padding={pad}>
      <TemplatePreview template={lastValid.current} stale={!checked.ok} instructions={instructions} sources={sources} sampleResult={start.sampleResult} />
    </Card>
  );

  return (
    <Stack gap="md" pb={80}>
      {phone ? (
        <SegmentedControl
          fullWidth
          value={phoneView}
          onChange={(v) => setPhoneView(v as 'edit' | 'preview')}
          data={[
            { value: 'edit', label: t('projects.form.editView') },
            { value: 'preview', label: t('projects.form.previewView') },
          ]}
          aria-label={t('projects.form.viewSwitch')}
        />
      ) : null}
      {phone ? (
        phoneView === 'edit' ? (
          editor
        ) : (
          preview
        )
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 7 }}>{editor}</Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Box style={{ position: 'sticky', top: 76, maxHeight: 'calc(100vh - 96px)', overflowY: 'auto' }}>{preview}</Box>
          </Grid.Col>
        </Grid>
      )}

      <Paper
        withBorder
        shadow={dirty || !project ? 'md' : undefined}
        p="sm"
        radius="md"
        style={{ position: dirty || !project ? 'sticky' : 'static', bottom: 12, zIndex: 5 }}
        data-testid="save-bar"
      >
        <Stack gap="xs">
          {save.error ? (
            conflict ? (
              <Alert color="red" variant="light" icon={<IconLock size={18} />} title={t('projects.form.conflictTitle')} role="alert">
                {t('projects.form.conflictText')} ({errorMessage(save.error, t)})
              </Alert>
            ) : (
              <ErrorAlert error={save.error} />
            )
          ) : null}
          <Group justify="space-between" gap="sm" wrap="nowrap">
            <Text size={phone ? 'xs' : 'sm'} c={problems.length && !locked ? 'red.7' : 'dimmed'} lineClamp={2}>
              {problems.length && !locked
                ? t('projects.form.fixProblems', { count: problems.length })
                : dirty || !project
                  ? t('projects.form.unsaved')
                  : t('projects.form.allSaved')}
            </Text>
            <Button leftSection={<IconDeviceFloppy size={16} />} onClick={() => save.mutate()} loading={save.isPending} disabled={!canSave} size={phone ? 'sm' : 'md'} style={{ flexShrink: 0 }}>
              {project ? t('projects.form.save') : t('projects.form.create')}
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
