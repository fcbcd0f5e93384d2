import { Badge, Button, Card, Code, Group, SegmentedControl, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { qualityApi, type Flag, type FlagDecision } from './api';

const SEVERITY_COLOR: Record<string, string> = { low: 'gray', medium: 'yellow', high: 'red' };
const STATUS_COLOR: Record<string, string> = { active: 'teal', paused: 'yellow', banned: 'red' };

/** The operator's list of abuse flags with their evidence, and the decisions. */
export function FlagsPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<'open' | 'dismissed' | 'actioned'>('open');
  const flags = useQuery({ queryKey: ['admin', 'flags', status], queryFn: () => qualityApi.flags(status) });
  return (
    <>
      <PageHeader title={t('nav.flags')} lead={t('flags.lead')} />
      <SegmentedControl
        mb="md"
        value={status}
        onChange={(v) => setStatus(v as typeof status)}
        data={(['open', 'dismissed', 'actioned'] as const).map((s) => ({ value: s, label: t(`flags.status.${s}`) }))}
        aria-label={t('flags.filter')}
      />
      {flags.isPending ? (
        <Skeleton h={160} />
      ) : flags.isError ? (
        <ErrorAlert error={flags.error} />
      ) : flags.data.length === 0 ? (
        <Text c="dimmed">{t('flags.empty')}</Text>
      ) : (
        <Stack>
          {flags.data.map((f) => (
            <FlagCard key={f.id} flag={f} />
          ))}
        </Stack>
      )}
    </>
  );
}

function FlagCard({ flag }: { flag: Flag }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const decide = useMutation({
    mutationFn: (d: FlagDecision) => qualityApi.decide(flag.id, d, note.trim() || undefined),
    onSuccess: (f, d) => {
      notifications.show({ color: 'teal', message: t(`flags.done.${d}`, { name: f.worker.displayName }) });
      void qc.invalidateQueries({ queryKey: ['admin', 'flags'] });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e, t) }),
  });
  return (
    <Card withBorder padding="lg" data-testid="flag" data-flag-id={flag.id}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Badge color={SEVERITY_COLOR[flag.severity]}>{t(`flags.severity.${flag.severity}`)}</Badge>
              <Text fw={700}>{t(`flags.kind.${flag.kind as 'burst'}`, { defaultValue: flag.kind })}</Text>
              {flag.autoPaused ? (
                <Badge color="yellow" variant="outline">
                  {t('flags.autoPaused')}
                </Badge>
              ) : null}
            </Group>
            <Text size="sm">
              {flag.worker.displayName} · {flag.worker.email}{' '}
              <Badge size="xs" variant="light" color={STATUS_COLOR[flag.worker.status] ?? 'gray'}>
                {t(`status.${flag.worker.status as 'active'}`, { defaultValue: flag.worker.status })}
              </Badge>
            </Text>
            {flag.project ? (
              <Text size="sm" c="dimmed">
                {t('flags.project', { name: flag.project.name ?? flag.project.id })}
              </Text>
            ) : null}
          </Stack>
          <Text size="xs" c="dimmed">
            {formatDateTime(flag.updatedAt)}
          </Text>
        </Group>
        <Text>{flag.message}</Text>
        <Group gap={6}>
          {Object.entries(flag.evidence).map(([k, v]) => (
            <Code key={k}>
              {k}: {typeof v === 'number' && !Number.isInteger(v) ? (v < 0.001 ? v.toExponential(2) : v.toFixed(3)) : String(v)}
            </Code>
          ))}
        </Group>
        {flag.status === 'open' ? (
          <Group align="flex-end" gap="xs" wrap="wrap">
            <TextInput label={t('flags.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} style={{ flex: 1, minWidth: 220 }} />
            <Button variant="default" onClick={() => decide.mutate('dismiss')} loading={decide.isPending && decide.variables === 'dismiss'}>
              {t('flags.decide.dismiss')}
            </Button>
            <Button color="yellow" onClick={() => decide.mutate('pause')} loading={decide.isPending && decide.variables === 'pause'}>
              {t('flags.decide.pause')}
            </Button>
            <Button color="red" onClick={() => decide.mutate('ban')} loading={decide.isPending && decide.variables === 'ban'}>
              {t('flags.decide.ban')}
            </Button>
          </Group>
        ) : (
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('flags.decided', { decision: t(`flags.decide.${(flag.decision ?? 'dismiss') as 'dismiss'}`), when: formatDateTime(flag.decidedAt) })}
            </Text>
            {flag.worker.status === 'paused' ? (
              <Button size="xs" variant="light" onClick={() => decide.mutate('unpause')}>
                {t('flags.decide.unpause')}
              </Button>
            ) : null}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
