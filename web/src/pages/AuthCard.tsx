import { Container, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** The centred card that holds the sign-up and log-in forms. */
export function AuthCard({ title, lead, children, footer }: { title: string; lead?: string; children: ReactNode; footer?: ReactNode }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
  return (
    <Container size={520} py={{ base: 24, sm: 56 }} px="md">
      <Paper withBorder shadow="sm" p={{ base: 'lg', sm: 36 }}>
        <Stack gap={4} mb="lg">
          <Title order={1} fz={{ base: 24, sm: 28 }}>
            {title}
          </Title>
          {lead ? <Text c="dimmed">{lead}</Text> : null}
        </Stack>
        {children}
      </Paper>
      {footer ? (
        <Text ta="center" mt="lg" size="sm" c="dimmed">
          {footer}
        </Text>
      ) : null}
    </Container>
  );
}
