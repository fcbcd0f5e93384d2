import { Button, Paper, Stack, Text, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Role } from '../api/types';
import { useAuth } from '../auth/AuthContext';

export function ForbiddenPage({ roles }: { roles: Role[] }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  return (
    <Paper p="xl" withBorder>
      <Stack align="center" gap="sm" ta="center">
        <IconLock size={40} stroke={1.5} color="var(--mantine-color-gray-6)" />
        <Title order={1} fz={22}>
          {t('forbidden.title')}
        </Title>
        <Text c="dimmed">
          {t('forbidden.text', { roles: roles.map((r) => t(`roles.${r}`)).join(', '), role: user ? t(`roles.${user.role}`) : '' })}
        </Text>
        <Button component={Link} to="/home" variant="light">
          {t('notFound.back')}
        </Button>
      </Stack>
    </Paper>
  );
}
