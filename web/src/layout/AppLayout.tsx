import { AppShell, Avatar, Burger, Button, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconBook, IconChevronDown, IconKey, IconLogout } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useUser, useAuth } from '../auth/AuthContext';
import { LanguageSwitcher } from '../components/LanguageSwitcher';
import { Logo } from '../components/Logo';
import { RoleBadge } from '../components/RoleBadge';
import { navFor } from './nav';

/** The signed-in shell: header (logo, language, account), a role-aware navbar that folds into a burger on phones. */
export function AppLayout() {
  const { t } = useTranslation();
  const user = useUser();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();

  // A tap on a link in the phone drawer takes you there and folds the drawer away.
  useEffect(() => close(), [location.pathname, close]);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'md', sm: 'xl' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('header.toggleNav')} />
            <Logo to="/home" />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitcher />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar aria-label={t('nav.main')}>
        <AppShell.Section grow component={ScrollArea} p="sm">
          <Stack gap="md">
            {navFor(user.role).map((section) => (
              <Stack key={section.title ?? 'top'} gap={2}>
                {section.title ? (
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
                    {t(`nav.${section.title}`)}
                  </Text>
                ) : null}
                {section.items.map((item) => (
                  <NavLink
                    key={item.to}
                    component={Link}
                    to={item.to}
                    className="dure-nav-link"
                    label={t(`nav.${item.label}`)}
                    leftSection={<item.icon size={18} stroke={1.7} />}
                    active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
                    variant="light"
                    style={{ borderRadius: 'var(--mantine-radius-md)' }}
                  />
                ))}
              </Stack>
            ))}
          </Stack>
        </AppShell.Section>
        <AppShell.Section p="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
          <MobileAccount />
          <NavLink
            component="a"
            href="/docs"
            target="_blank"
            rel="noreferrer"
            label={t('nav.apiDocs')}
            leftSection={<IconBook size={18} stroke={1.7} />}
            style={{ borderRadius: 'var(--mantine-radius-md)' }}
          />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main bg="gray.0">
        <div style={{ maxWidth: 1120, margin: '0 auto' }}>
          <Outlet />
        </div>
      </AppShell.Main>
    </AppShell>
  );
}

/** Log out, say so, and land on the log-in page. */
function useLogout() {
  const { t } = useTranslation();
  const { logout } = useAuth();
  const navigate = useNavigate();
  const run = () =>
    logout.mutate(undefined, {
      onSettled: () => {
        notifications.show({ message: t('auth.loggedOut'), color: 'dure' });
        void navigate('/login', { replace: true });
      },
    });
  return { run, pending: logout.isPending };
}

const initialOf = (name: string) => name.trim().slice(0, 1).toUpperCase();

/** On phones the header has room only for the avatar, so the drawer says who is signed in. */
function MobileAccount() {
  const { t } = useTranslation();
  const user = useUser();
  const logout = useLogout();
  return (
    <Group hiddenFrom="sm" justify="space-between" wrap="nowrap" px="sm" pb="sm" mb="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}>
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <Avatar color="dure" radius="xl" size={36}>
          {initialOf(user.displayName)}
        </Avatar>
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text fw={600} size="sm" truncate>
            {user.displayName}
          </Text>
          <Group gap={6} wrap="nowrap">
            <RoleBadge role={user.role} size="xs" />
            <Text size="xs" c="dimmed">
              {t('home.level', { level: user.level })}
            </Text>
          </Group>
        </Stack>
      </Group>
      <Button variant="subtle" color="red" size="compact-sm" leftSection={<IconLogout size={14} />} onClick={logout.run} loading={logout.pending}>
        {t('header.logout')}
      </Button>
    </Group>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const user = useUser();
  const logout = useLogout();
  const initials = initialOf(user.displayName);

  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={240}>
      <Menu.Target>
        <UnstyledButton aria-label={t('header.userMenu')} data-testid="user-menu">
          <Group gap={8} wrap="nowrap">
            <Avatar color="dure" radius="xl" size={34}>
              {initials}
            </Avatar>
            <Text fw={600} size="sm" visibleFrom="sm" maw={160} truncate>
              {user.displayName}
            </Text>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t('header.signedInAs')}</Menu.Label>
        <Stack gap={4} px="sm" pb="xs">
          <Text fw={600} size="sm" truncate>
            {user.displayName}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {user.email}
          </Text>
          <Group gap={6}>
            <RoleBadge role={user.role} size="sm" />
            <Text size="xs" c="dimmed">
              {t('home.level', { level: user.level })}
            </Text>
          </Group>
        </Stack>
        <Menu.Divider />
        <Menu.Item component={Link} to="/settings/tokens" leftSection={<IconKey size={16} />}>
          {t('nav.tokens')}
        </Menu.Item>
        <Menu.Item color="red" leftSection={<IconLogout size={16} />} onClick={logout.run} disabled={logout.pending}>
          {t('header.logout')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
