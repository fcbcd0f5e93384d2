import { Alert, Badge, Button, Card, Group, SimpleGrid, Skeleton, Stack, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconArrowBackUp, IconClockHour4, IconHeartHandshake, IconListCheck, IconPlayerPlay, IconSparkles } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatWon } from '../../lib/format';
import { workApi, workKeys, type FeedProject } from './api';
import { MINIMUM_WAGE_KRW, reasonText, tasksLeftText } from './reason';

/** 작업 찾기: the projects this worker may work on now, rework first, then best match, with pay and why. */
export function WorkFeedPage() {
  const { t } = useTranslation();
  const feed = useQuery({ queryKey: workKeys.feed, queryFn: workApi.feed, staleTime: 5_000 });

  return (
    <>
      <PageHeader title={t('nav.findWork')} lead={t('work.feed.lead')} />
      {feed.isPending ? (
        <Stack gap="md">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} h={170} radius="lg" />
          ))}
        </Stack>
      ) : feed.isError ? (
        <ErrorAlert error={feed.error} />
      ) : feed.data.length === 0 ? (
        <Card>
          <Stack align="flex-start" gap="sm">
            <ThemeIcon size={44} radius="md" variant="light">
              <IconListCheck size={24} />
            </ThemeIcon>
            <Title order={3}>{t('work.feed.emptyTitle')}</Title>
            <Text c="dimmed" maw={560}>
              {t('work.feed.emptyText')}
            </Text>
          </Stack>
        </Card>
      ) : (
        <Stack gap="md" data-testid="work-feed">
          {feed.data.map((p) => (
            <FeedCard key={p.id} p={p} />
          ))}
        </Stack>
      )}
    </>
  );
}

function FeedCard({ p }: { p: FeedProject }) {
  const { t } = useTranslation();
  const volunteer = p.payPerTask === 0;
  const belowMinimum = !volunteer && p.hourlyPay !== null && p.hourlyPay < MINIMUM_WAGE_KRW;
  const action = p.reworkWaiting > 0 ? t('work.feed.doRework') : p.hasLiveAssignment ? t('work.feed.continue') : t('work.feed.start');
  return (
    <Card data-testid="feed-project" data-project-id={p.id} style={p.reworkWaiting > 0 ? { borderColor: 'var(--mantine-color-orange-4)' } : undefined}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={6} style={{ flex: 1, minWidth: 220 }}>
            <Group gap={8}>
              {p.reworkWaiting > 0 ? (
                <Badge color="orange" leftSection={<IconArrowBackUp size={12} />}>
                  {t('work.feed.reworkBadge', { count: p.reworkWaiting })}
                </Badge>
              ) : null}
              {volunteer ? (
                <Badge color="teal" variant="light" leftSection={<IconHeartHandshake size={12} />}>
                  {t('work.feed.volunteer')}
                </Badge>
              ) : null}
              {p.tags.map((tag) => (
                <Badge key={tag} variant="outline" color="gray" tt="none">
                  {tag}
                </Badge>
              ))}
            </Group>
            <Title order={3} fz={{ base: 18, sm: 20 }}>
              {p.name}
            </Title>
            {p.instructionsSummary ? (
              <Text size="sm" c="dimmed" lineClamp={2}>
                {p.instructionsSummary}
              </Text>
            ) : null}
          </Stack>
          <Button component={Link} to={`/work/${p.id}`} size="md" leftSection={<IconPlayerPlay size={18} />} color={p.reworkWaiting > 0 ? 'orange' : undefined} visibleFrom="sm">
            {action}
          </Button>
        </Group>

        <SimpleGrid cols={{ base: 3 }} spacing="xs">
          <Figure label={t('work.feed.perTask')} value={volunteer ? t('work.feed.unpaid') : formatWon(p.payPerTask)} />
          <Figure
            label={t('work.feed.hourly')}
            value={
              volunteer ? (
                '—'
              ) : p.hourlyPay !== null ? (
                <Group gap={4} wrap="nowrap" component="span">
                  {formatWon(p.hourlyPay)}
                  {belowMinimum ? (
                    <Tooltip label={t('work.feed.belowMinimum', { wage: formatWon(MINIMUM_WAGE_KRW) })} multiline w={260}>
                      <IconAlertTriangle size={16} color="var(--mantine-color-orange-7)" aria-label={t('work.feed.belowMinimum', { wage: formatWon(MINIMUM_WAGE_KRW) })} />
                    </Tooltip>
                  ) : null}
                </Group>
              ) : (
                <Text component="span" size="sm" c="dimmed">
                  {t('work.feed.hourlyUnknown')}
                </Text>
              )
            }
            hint={p.medianSeconds !== null ? t('work.feed.median', { seconds: p.medianSeconds }) : undefined}
          />
          <Figure label={t('work.feed.tasksLeft')} value={tasksLeftText(p)} />
        </SimpleGrid>

        {belowMinimum ? (
          <Alert color="orange" variant="light" p="xs" icon={<IconAlertTriangle size={16} />}>
            <Text size="sm">{t('work.feed.belowMinimum', { wage: formatWon(MINIMUM_WAGE_KRW) })}</Text>
          </Alert>
        ) : null}

        <Group gap={6} wrap="nowrap" align="flex-start">
          <IconSparkles size={16} color="var(--mantine-color-dure-6)" style={{ flex: 'none', marginTop: 3 }} />
          <Text size="sm">
            <Text component="span" fw={600} size="sm">
              {t('work.feed.why')}
            </Text>{' '}
            {reasonText(p, t)}
          </Text>
        </Group>

        <Button component={Link} to={`/work/${p.id}`} size="lg" fullWidth leftSection={<IconPlayerPlay size={18} />} color={p.reworkWaiting > 0 ? 'orange' : undefined} hiddenFrom="sm">
          {action}
        </Button>
      </Stack>
    </Card>
  );
}

function Figure({ label, value, hint }: { label: string; value: React.ReactNode; hint?: string }) {
  return (
    // Labels may wrap on a phone (English is long); values stay on one baseline across the row.
    <Stack gap={0} justify="space-between" style={{ minWidth: 0 }}>
      <Group gap={4} wrap="nowrap" align="flex-start">
        <Text size="xs" c="dimmed" lh={1.3}>
          {label}
        </Text>
        {hint ? (
          <Tooltip label={hint}>
            <IconClockHour4 size={12} color="var(--mantine-color-dimmed)" style={{ flex: 'none', marginTop: 2 }} />
          </Tooltip>
        ) : null}
      </Group>
      <Text fw={700} size="lg" component="div" style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
    </Stack>
  );
}
