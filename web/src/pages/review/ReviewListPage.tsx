import { Badge, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconChecklist } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatNumber, formatWon } from '../../lib/format';
import { reviewApi, reviewKeys } from './api';

/** The projects with reviews waiting for this reviewer. */
export function ReviewListPage() {
  const { t } = useTranslation();
  const projects = useQuery({ queryKey: reviewKeys.projects, queryFn: reviewApi.projects, refetchInterval: 30_000 });
  return (
    <>
      <PageHeader title={t('nav.review')} lead={t('review.lead')} />
      {projects.isPending ? (
        <Stack>
          <Skeleton h={96} />
          <Skeleton h={96} />
        </Stack>
      ) : projects.isError ? (
        <ErrorAlert error={projects.error} />
      ) : projects.data.length === 0 ? (
        <Paper withBorder p="xl" data-testid="review-empty">
          <Text c="dimmed">{t('review.listEmpty')}</Text>
        </Paper>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          {projects.data.map((p) => (
            <Paper key={p.id} withBorder p="lg" radius="md" data-testid="review-project">
              <Stack gap="sm">
                <Group justify="space-between" align="flex-start" wrap="nowrap">
                  <Title order={2} fz={18} lh={1.3}>
                    {p.name}
                  </Title>
                  <Badge variant="light" size="lg" style={{ flexShrink: 0 }}>
                    {t('review.waiting', { count: p.waiting, n: formatNumber(p.waiting) })}
                  </Badge>
                </Group>
                <Group gap="xs">
                  {p.crossWaiting > 0 ? (
                    <Badge variant="outline" color="grape">
                      {t('review.crossWaiting', { count: p.crossWaiting, n: formatNumber(p.crossWaiting) })}
                    </Badge>
                  ) : null}
                  <Text size="sm" c="dimmed">
                    {p.payPerReview > 0 ? t('review.payPerReview', { pay: formatWon(p.payPerReview) }) : t('review.volunteer')}
                  </Text>
                </Group>
                <Group>
                  <Button component={Link} to={`/review/${p.id}`} leftSection={<IconChecklist size={18} />}>
                    {t('review.open')}
                  </Button>
                </Group>
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
      )}
    </>
  );
}
