import { Badge, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconTools } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/PageHeader';

export type PlaceholderKey = 'findWork' | 'wallet' | 'stats' | 'review' | 'projects' | 'billing' | 'payouts' | 'flags';

/** A page whose feature is still being built: its title and what it will hold. */
export function PlaceholderPage({ page }: { page: PlaceholderKey }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t(`nav.${page}`)} />
      <Paper withBorder p="xl">
        <Stack align="flex-start" gap="sm">
          <ThemeIcon size={44} radius="md" variant="light">
            <IconTools size={24} />
          </ThemeIcon>
          <Badge variant="outline" color="gray">
            {t('common.comingSoon')}
          </Badge>
          <Text maw={640}>{t(`placeholder.${page}`)}</Text>
        </Stack>
      </Paper>
    </>
  );
}
