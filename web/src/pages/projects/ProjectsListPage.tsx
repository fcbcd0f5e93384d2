import { Anchor, Button, Card, Group, Progress, Skeleton, Stack, Table, Text, ThemeIcon, Title } from '@mantine/core';
import { IconFolderPlus, IconPlus } from '@tabler/icons-react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatDate, formatNumber, formatPercent } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import { projectKeys, projectsApi, type Project, type ProjectStats } from './api';
import { StatusBadge } from './status';

/** 프로젝트: the organisation's projects with status and progress, newest first. */
export function ProjectsListPage() {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const list = useQuery({ queryKey: projectKeys.list, queryFn: projectsApi.list });
  const projects = [...(list.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const stats = useQueries({
    queries: projects.map((p) => ({ queryKey: projectKeys.stats(p.id), queryFn: () => projectsApi.stats(p.id), staleTime: 10_000 })),
  });
  const statsOf = (i: number) => stats[i]?.data;

  const newButton = (
    <Button component={Link} to="/projects/new" leftSection={<IconPlus size={16} />}>
      {t('projects.list.new')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('nav.projects')} lead={t('projects.list.lead')} actions={newButton} />
      {list.isPending ? (
        <Stack>
          <Skeleton h={56} />
          <Skeleton h={56} />
        </Stack>
      ) : list.isError ? (
        <ErrorAlert error={list.error} />
      ) : projects.length === 0 ? (
        <Card>
          <Stack align="flex-start" gap="sm">
            <ThemeIcon size={44} radius="md" variant="light">
              <IconFolderPlus size={24} />
            </ThemeIcon>
            <Title order={2} fz="lg">
              {t('projects.list.emptyTitle')}
            </Title>
            <Text c="dimmed" maw={560}>
              {t('projects.list.emptyText')}
            </Text>
            {newButton}
          </Stack>
        </Card>
      ) : phone ? (
        <Stack gap="sm" data-testid="projects-list">
          {projects.map((p, i) => (
            <Card key={p.id} padding="md" component={Link} to={`/projects/${p.id}`} aria-label={p.name}>
              <Stack gap={8}>
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text fw={600} truncate>
                    {p.name}
                  </Text>
                  <StatusBadge status={p.status} size="sm" />
                </Group>
                <ProgressLine stats={statsOf(i)} />
                <Text size="xs" c="dimmed">
                  {t('projects.list.created', { date: formatDate(p.createdAt) })}
                </Text>
              </Stack>
            </Card>
          ))}
        </Stack>
      ) : (
        <Card padding={0}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover data-testid="projects-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('projects.list.colName')}</Table.Th>
                <Table.Th>{t('projects.list.colStatus')}</Table.Th>
                <Table.Th w={280}>{t('projects.list.colProgress')}</Table.Th>
                <Table.Th>{t('projects.list.colCreated')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {projects.map((p: Project, i) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/projects/${p.id}`} fw={600}>
                      {p.name}
                    </Anchor>
                    {p.tags.length ? (
                      <Text size="xs" c="dimmed">
                        {p.tags.join(' · ')}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={p.status} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <ProgressLine stats={statsOf(i)} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(p.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </>
  );
}

/** "120 / 1,000 items complete" with a bar. */
export function ProgressLine({ stats }: { stats: ProjectStats | undefined }) {
  const { t } = useTranslation();
  if (!stats) return <Skeleton h={14} w={160} />;
  const share = stats.items > 0 ? stats.completedItems / stats.items : 0;
  return (
    <Stack gap={4}>
      <Progress value={share * 100} size="sm" aria-label={t('projects.list.progressAria', { done: stats.completedItems, total: stats.items })} />
      <Text size="xs" c="dimmed">
        {stats.items === 0
          ? t('projects.list.noItems')
          : t('projects.list.progress', { done: formatNumber(stats.completedItems), total: formatNumber(stats.items), percent: formatPercent(share, 0) })}
      </Text>
    </Stack>
  );
}
