import { Alert, Badge, Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title, UnstyledButton } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Role } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { RoleBadge } from '../components/RoleBadge';
import { NAV, type NavItem } from '../layout/nav';
import { formatDate } from '../lib/format';

type Shortcut = { item: NavItem; text: string };

/** The dashboard: who you are, and where each role goes next. */
export function HomePage() {
  const { t } = useTranslation();
  const user = useUser();
  useEffect(() => {
    document.title = `${t('nav.home')} · ${t('app.name')}`;
  }, [t]);

  const find = (label: NavItem['label']) => NAV.flatMap((s) => s.items).find((i) => i.label === label)!;
  const shortcuts: Record<Role, Shortcut[]> = {
    worker: [
      { item: find('findWork'), text: t('home.worker.findWork') },
      { item: find('wallet'), text: t('home.worker.wallet') },
      { item: find('stats'), text: t('home.worker.stats') },
    ],
    reviewer: [
      { item: find('review'), text: t('home.reviewer.review') },
      { item: find('findWork'), text: t('home.worker.findWork') },
      { item: find('wallet'), text: t('home.worker.wallet') },
      { item: find('stats'), text: t('home.worker.stats') },
    ],
    requester: [
      { item: find('projects'), text: t('home.requester.projects') },
      { item: find('billing'), text: t('home.requester.billing') },
      { item: find('tokens'), text: t('home.requester.tokens') },
    ],
    admin: [
      { item: find('users'), text: t('home.admin.users') },
      { item: find('payouts'), text: t('home.admin.payouts') },
      { item: find('flags'), text: t('home.admin.flags') },
    ],
  };
  const lead: Record<Role, string> = {
    worker: t('home.worker.lead'),
    reviewer: t('home.reviewer.lead'),
    requester: t('home.requester.lead'),
    admin: t('home.admin.lead'),
  };

  return (
    <Stack gap="xl">
      <Card padding="xl" shadow="xs">
        <Stack gap="sm">
          <Group gap="xs">
            <RoleBadge role={user.role} />
            {user.role === 'worker' || user.role === 'reviewer' ? (
              <Badge variant="outline" color="gray">
                {t('home.level', { level: user.level })}
              </Badge>
            ) : null}
          </Group>
          <Title order={1} fz={{ base: 24, sm: 30 }}>
            {t('home.greeting', { name: user.displayName })}
          </Title>
          <Text c="dimmed" maw={720} lh={1.7}>
            {lead[user.role]}
          </Text>
        </Stack>
      </Card>

      {user.status !== 'active' ? (
        <Alert color="yellow" variant="light">
          {t('home.statusNote', { status: t(`status.${user.status}` as 'status.active') })}
          {user.statusReason ? ` — ${user.statusReason}` : ''}
        </Alert>
      ) : null}

      <section aria-labelledby="next-steps">
        <Title order={2} fz="lg" mb="sm" id="next-steps">
          {t('home.nextSteps')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
          {shortcuts[user.role].map(({ item, text }) => (
            <UnstyledButton key={item.to} component={Link} to={item.to} style={{ display: 'block' }}>
              <Card h="100%" className="dure-shortcut">
                <Group wrap="nowrap" align="flex-start" gap="md">
                  <ThemeIcon size={42} radius="md" variant="light">
                    <item.icon size={22} stroke={1.7} />
                  </ThemeIcon>
                  <Stack gap={4} style={{ flex: 1 }}>
                    <Group justify="space-between" wrap="nowrap">
                      <Text fw={700}>{t(`nav.${item.label}`)}</Text>
                      <IconArrowRight size={16} color="var(--mantine-color-gray-5)" />
                    </Group>
                    <Text size="sm" c="dimmed" lh={1.55}>
                      {text}
                    </Text>
                  </Stack>
                </Group>
              </Card>
            </UnstyledButton>
          ))}
        </SimpleGrid>
      </section>

      <section aria-labelledby="account">
        <Title order={2} fz="lg" mb="sm" id="account">
          {t('home.account')}
        </Title>
        <Card>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="lg">
            <Fact label={t('home.email')} value={user.email} />
            <Fact label={t('home.role')} value={t(`roles.${user.role}`)} />
            {/* Levels mean something for workers; /api/me does not carry the organisation's name yet. */}
            {user.role === 'worker' || user.role === 'reviewer' ? (
              <Fact label={t('users.colLevel')} value={t('home.level', { level: user.level })} />
            ) : null}
            <Fact label={t('home.joined')} value={formatDate(user.createdAt)} />
          </SimpleGrid>
        </Card>
      </section>
    </Stack>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text fw={500} truncate>
        {value}
      </Text>
    </div>
  );
}
