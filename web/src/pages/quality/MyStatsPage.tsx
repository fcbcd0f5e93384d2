import { Alert, Badge, Card, Group, Paper, Progress, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconStar } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatNumber, formatPercent } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import { qualityApi, type MyQuality } from './api';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : formatPercent(x));
const STANDING_COLOR: Record<string, string> = { active: 'teal', qualified: 'teal', qualifying: 'blue', failed: 'orange', removed: 'red' };

/** A worker's level, accuracy and progress to the next level; per project and per skill. */
export function MyStatsPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['me', 'quality'], queryFn: qualityApi.mine });
  return (
    <>
      <PageHeader title={t('nav.stats')} lead={t('quality.lead')} />
      {q.isPending ? <Skeleton h={240} /> : q.isError ? <ErrorAlert error={q.error} /> : <Stats q={q.data} />}
    </>
  );
}

function Stats({ q }: { q: MyQuality }) {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const p = q.progress;
  return (
    <Stack gap="lg" data-testid="my-stats">
      {q.status !== 'active' ? (
        <Alert color="red" icon={<IconAlertTriangle size={20} />} title={t(`quality.status.${q.status === 'banned' ? 'banned' : 'paused'}`)}>
          {q.statusReason}
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Paper withBorder p="lg" radius="md" data-testid="level-card">
          <Text size="sm" c="dimmed">
            {t('quality.level')}
          </Text>
          <Group gap="xs" align="baseline">
            <Title order={2} fz={36}>
              {q.level}
            </Title>
            {q.reviewerEligible ? (
              <Badge leftSection={<IconStar size={12} />} color="grape" variant="light">
                {t('quality.reviewer')}
              </Badge>
            ) : null}
          </Group>
          {q.levelReason ? (
            <Text size="xs" c="dimmed" mt={4}>
              {q.levelReason}
            </Text>
          ) : null}
        </Paper>
        <Paper withBorder p="lg" radius="md">
          <Text size="sm" c="dimmed">
            {t('quality.accuracy')}
          </Text>
          <Title order={2} fz={36} data-testid="accuracy">
            {pct(q.accuracy)}
          </Title>
          <Text size="xs" c="dimmed">
            {t('quality.accuracyFrom', { gold: `${q.gold.correct}/${q.gold.answered}`, approved: q.reviews.approved, rejected: q.reviews.rejected })}
          </Text>
        </Paper>
        <Paper withBorder p="lg" radius="md">
          <Text size="sm" c="dimmed">
            {t('quality.approved')}
          </Text>
          <Title order={2} fz={36}>
            {formatNumber(q.approved)}
          </Title>
          {q.asReviewer.reviews > 0 ? (
            <Text size="xs" c="dimmed">
              {t('quality.asReviewer', { reviews: q.asReviewer.reviews, agreement: pct(q.asReviewer.agreement) })}
            </Text>
          ) : null}
        </Paper>
      </SimpleGrid>

      <Paper withBorder p="lg" radius="md" data-testid="level-progress">
        {p.nextLevel === null ? (
          <Text>{t('quality.topLevel')}</Text>
        ) : (
          <Stack gap="sm">
            <Group justify="space-between">
              <Text fw={600}>{t('quality.toNext', { level: p.nextLevel })}</Text>
              <Text fw={600}>{formatPercent(p.fraction, 0)}</Text>
            </Group>
            <Progress value={p.fraction * 100} size="lg" radius="xl" aria-label={t('quality.toNext', { level: p.nextLevel })} />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Requirement label={t('quality.reqApproved')} have={formatNumber(p.approved!.have)} need={formatNumber(p.approved!.need)} ok={p.approved!.have >= p.approved!.need} />
              <Requirement label={t('quality.reqJudged')} have={formatNumber(p.judged!.have)} need={formatNumber(p.judged!.need)} ok={p.judged!.have >= p.judged!.need} />
              <Requirement label={t('quality.reqAccuracy')} have={pct(p.accuracy!.have)} need={pct(p.accuracy!.need)} ok={(p.accuracy!.have ?? 0) >= p.accuracy!.need} />
            </SimpleGrid>
            {!q.reviewerEligible ? (
              <Text size="sm" c="dimmed">
                {t('quality.reviewerFrom', { level: q.reviewerFromLevel })}
              </Text>
            ) : null}
          </Stack>
        )}
      </Paper>

      <Stack gap="xs">
        <Title order={2} fz={20}>
          {t('quality.projects')}
        </Title>
        {q.projects.length === 0 ? (
          <Text c="dimmed">{t('quality.noProjects')}</Text>
        ) : phone ? (
          q.projects.map((x) => (
            <Card key={x.projectId} withBorder>
              <Group justify="space-between">
                <Text fw={600}>{x.name}</Text>
                <Badge color={STANDING_COLOR[x.standing] ?? 'gray'} variant="light">
                  {t(`quality.standing.${x.standing as 'active'}`, { defaultValue: x.standing })}
                </Badge>
              </Group>
              <Text size="sm">{t('quality.goldLine', { acc: pct(x.gold.accuracy), correct: x.gold.correct, answered: x.gold.answered, min: pct(x.minGoldAccuracy) })}</Text>
              {x.reason ? (
                <Text size="sm" c={x.standing === 'removed' ? 'red' : 'dimmed'}>
                  {x.reason}
                </Text>
              ) : null}
            </Card>
          ))
        ) : (
          <Table withTableBorder striped data-testid="project-figures">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('quality.project')}</Table.Th>
                <Table.Th>{t('quality.answers')}</Table.Th>
                <Table.Th>{t('quality.gold')}</Table.Th>
                <Table.Th>{t('quality.reviews')}</Table.Th>
                <Table.Th>{t('quality.standingTitle')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.projects.map((x) => (
                <Table.Tr key={x.projectId}>
                  <Table.Td>{x.name}</Table.Td>
                  <Table.Td>{formatNumber(x.answers)}</Table.Td>
                  <Table.Td>{t('quality.goldLine', { acc: pct(x.gold.accuracy), correct: x.gold.correct, answered: x.gold.answered, min: pct(x.minGoldAccuracy) })}</Table.Td>
                  <Table.Td>{t('quality.reviewLine', { approved: x.reviews.approved, rejected: x.reviews.rejected })}</Table.Td>
                  <Table.Td>
                    <Badge color={STANDING_COLOR[x.standing] ?? 'gray'} variant="light">
                      {t(`quality.standing.${x.standing as 'active'}`, { defaultValue: x.standing })}
                    </Badge>
                    {x.reason ? (
                      <Text size="xs" c={x.standing === 'removed' ? 'red' : 'dimmed'} maw={360}>
                        {x.reason}
                      </Text>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>

      {q.skills.length ? (
        <Stack gap="xs">
          <Title order={2} fz={20}>
            {t('quality.skills')}
          </Title>
          <Group gap="xs">
            {q.skills.map((s) => (
              <Badge key={s.skill} size="lg" variant="light" color="gray">
                {s.skill} · {pct(s.accuracy)}
              </Badge>
            ))}
          </Group>
        </Stack>
      ) : null}
    </Stack>
  );
}

function Requirement({ label, have, need, ok }: { label: string; have: string; need: string; ok: boolean }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} c={ok ? 'teal' : undefined}>
        {have} / {need}
      </Text>
    </Stack>
  );
}
