import { Alert, Badge, Button, Card, Code, Group, List, Paper, Progress, ScrollArea, Stack, Switch, Table, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertCircle, IconCheck, IconFileImport, IconUpload, IconX } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isApiError } from '../../api/client';
import { errorMessage } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import { importKind, projectKeys, uploadItems, type ImportKind, type ImportResult, type Project } from './api';

const ACCEPT = '.json,.jsonl,.ndjson,.csv,.zip,application/json,text/csv,application/zip';

type State =
  | { phase: 'idle' }
  | { phase: 'uploading'; file: File; share: number }
  | { phase: 'done'; file: File; result: ImportResult }
  | { phase: 'failed'; file: File; error: unknown };

const formatBytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/**
 * 데이터 가져오기: drop or pick a .json/.jsonl/.csv/.zip file; the content type follows the extension
 * (Label Studio JSON by a toggle). The upload shows its progress, then the server's count of
 * stored items — or its problems, line by line, when nothing was stored.
 */
export function ImportPanel({ project }: { project: Project }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = useIsPhone();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const abort = useRef<AbortController | null>(null);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [labelStudio, setLabelStudio] = useState(false);
  const [answersAsGold, setAnswersAsGold] = useState(false);
  const [over, setOver] = useState(false);
  const [wrongType, setWrongType] = useState<string | null>(null);

  const start = async (file: File) => {
    const kind: ImportKind | null = importKind(file.name);
    if (!kind) {
      setWrongType(file.name);
      return;
    }
    setWrongType(null);
    const ctrl = new AbortController();
    abort.current = ctrl;
    setState({ phase: 'uploading', file, share: 0 });
    try {
      const result = await uploadItems(project.id, file, kind, {
        labelStudio,
        answersAsGold,
        signal: ctrl.signal,
        onProgress: (share) => setState((s) => (s.phase === 'uploading' ? { ...s, share } : s)),
      });
      setState({ phase: 'done', file, result });
      void qc.invalidateQueries({ queryKey: projectKeys.stats(project.id) });
      void qc.invalidateQueries({ queryKey: ['projects', project.id, 'items'] });
    } catch (error) {
      if ((error as Error).name === 'AbortError') setState({ phase: 'idle' });
      else setState({ phase: 'failed', file, error });
    } finally {
      abort.current = null;
      if (inputRef.current) inputRef.current.value = '';
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f && state.phase !== 'uploading') void start(f);
  };

  const busy = state.phase === 'uploading';
  const details = state.phase === 'failed' && isApiError(state.error) ? (state.error as ApiError).details : [];

  return (
    <Stack gap="lg">
      <Card>
        <Stack gap="md">
          <div>
            <Title order={2} fz="lg">
              {t('projects.import.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('projects.import.lead')}
            </Text>
          </div>

          <Paper
            withBorder
            p="xl"
            radius="md"
            onDragOver={(e) => {
              e.preventDefault();
              if (!busy) setOver(true);
            }}
            onDragLeave={() => setOver(false)}
            onDrop={onDrop}
            data-testid="import-dropzone"
            style={{
              borderStyle: 'dashed',
              borderWidth: 2,
              borderColor: over ? 'var(--mantine-color-dure-6)' : undefined,
              background: over ? 'var(--mantine-color-dure-0)' : 'var(--mantine-color-gray-0)',
              textAlign: 'center',
            }}
          >
            <Stack align="center" gap="xs">
              <ThemeIcon size={48} radius="xl" variant="light">
                <IconFileImport size={26} />
              </ThemeIcon>
              <Text fw={600}>{phone ? t('projects.import.pickPhone') : t('projects.import.drop')}</Text>
              <Text size="sm" c="dimmed">
                {t('projects.import.formats')}
              </Text>
              <input
                ref={inputRef}
                id={inputId}
                type="file"
                accept={ACCEPT}
                disabled={busy}
                style={{ position: 'absolute', width: 1, height: 1, opacity: 0, pointerEvents: 'none' }}
                onChange={(e) => {
                  const f = e.currentTarget.files?.[0];
                  if (f) void start(f);
                }}
                aria-label={t('projects.import.choose')}
                data-testid="import-file"
              />
              <Button component="label" htmlFor={inputId} leftSection={<IconUpload size={16} />} disabled={busy} mt={4}>
                {t('projects.import.choose')}
              </Button>
            </Stack>
          </Paper>

          <Stack gap="xs">
            <Switch
              label={t('projects.import.labelStudio')}
              description={t('projects.import.labelStudioHint')}
              checked={labelStudio}
              onChange={(e) => setLabelStudio(e.currentTarget.checked)}
              disabled={busy}
            />
            {labelStudio ? (
              <Switch
                ml="xl"
                label={t('projects.import.answersAsGold')}
                description={t('projects.import.answersAsGoldHint')}
                checked={answersAsGold}
                onChange={(e) => setAnswersAsGold(e.currentTarget.checked)}
                disabled={busy}
              />
            ) : null}
          </Stack>

          {wrongType ? (
            <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
              {t('projects.import.wrongType', { name: wrongType })}
            </Alert>
          ) : null}

          {state.phase === 'uploading' ? (
            <Stack gap={6} data-testid="import-progress">
              <Group justify="space-between">
                <Text size="sm">
                  {t('projects.import.uploading', { name: state.file.name, size: formatBytes(state.file.size) })}
                </Text>
                <Group gap="xs">
                  <Text size="sm" fw={600}>
                    {state.share >= 1 ? t('projects.import.checking') : `${Math.round(state.share * 100)}%`}
                  </Text>
                  <Button size="compact-xs" variant="subtle" color="gray" leftSection={<IconX size={12} />} onClick={() => abort.current?.abort()}>
                    {t('common.cancel')}
                  </Button>
                </Group>
              </Group>
              <Progress value={state.share * 100} animated={state.share >= 1} aria-label={t('projects.import.progressAria')} />
            </Stack>
          ) : null}

          {state.phase === 'done' ? (
            <Alert color="teal" variant="light" icon={<IconCheck size={18} />} title={t('projects.import.doneTitle', { name: state.file.name })} role="status" data-testid="import-result">
              <Stack gap={4}>
                <Text fw={600}>
                  {t('projects.import.imported', { count: state.result.imported, n: formatNumber(state.result.imported) })}
                  {state.result.gold > 0 ? ` ${t('projects.import.gold', { n: formatNumber(state.result.gold) })}` : ''}
                </Text>
                {state.result.skipped?.length ? (
                  <>
                    <Text size="sm">{t('projects.import.skipped', { count: state.result.skipped.length })}</Text>
                    <List size="sm">
                      {state.result.skipped.slice(0, 20).map((s, i) => (
                        <List.Item key={i}>
                          <Code>{s.name}</Code> — {s.reason}
                        </List.Item>
                      ))}
                    </List>
                  </>
                ) : null}
              </Stack>
            </Alert>
          ) : null}

          {state.phase === 'failed' ? (
            <Stack gap="xs" data-testid="import-errors">
              <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} title={t('projects.import.failedTitle', { name: state.file.name })} role="alert">
                <Text size="sm">{details.length ? t('projects.import.nothingStored') : errorMessage(state.error, t)}</Text>
              </Alert>
              {details.length ? (
                <Card padding={0} withBorder>
                  <Group justify="space-between" p="sm">
                    <Text size="sm" fw={600}>
                      {t('projects.import.problemsTitle', { count: details.length })}
                    </Text>
                    {details.length >= 100 ? (
                      <Badge color="gray" variant="light">
                        {t('projects.import.first100')}
                      </Badge>
                    ) : null}
                  </Group>
                  <ScrollArea.Autosize mah={360}>
                    <Table striped verticalSpacing={6} horizontalSpacing="sm" fz="sm">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th w={80}>{t('projects.import.colLine')}</Table.Th>
                          <Table.Th w={phone ? 90 : 200}>{t('projects.import.colPath')}</Table.Th>
                          <Table.Th>{t('projects.import.colProblem')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {details.map((d, i) => (
                          <Table.Tr key={i}>
                            <Table.Td>{d.line ?? '—'}</Table.Td>
                            <Table.Td>{d.path ? <Code style={{ wordBreak: 'break-all' }}>{d.path}</Code> : '—'}</Table.Td>
                            <Table.Td style={{ overflowWrap: 'anywhere' }}>{d.problem}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </ScrollArea.Autosize>
                </Card>
              ) : null}
            </Stack>
          ) : null}
        </Stack>
      </Card>

      <Card>
        <Stack gap="xs">
          <Title order={3} fz="md">
            {t('projects.import.helpTitle')}
          </Title>
          <List size="sm" spacing={4}>
            <List.Item>{t('projects.import.helpJson')}</List.Item>
            <List.Item>{t('projects.import.helpJsonl')}</List.Item>
            <List.Item>{t('projects.import.helpCsv')}</List.Item>
            <List.Item>{t('projects.import.helpZip')}</List.Item>
            <List.Item>{t('projects.import.helpGold')}</List.Item>
          </List>
          <Text size="sm" c="dimmed">
            {t('projects.import.helpFields', { fields: project.template.display.map((d) => d.field).join(', ') || '—' })}
          </Text>
        </Stack>
      </Card>
    </Stack>
  );
}
