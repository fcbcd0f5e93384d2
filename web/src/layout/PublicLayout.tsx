import { Anchor, Box, Button, Container, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { LanguageSwitcher } from '../components/LanguageSwitcher';
import { Logo } from '../components/Logo';

/** The frame for signed-out pages: landing, sign-up, log-in. */
export function PublicLayout() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <Box mih="100vh" style={{ display: 'flex', flexDirection: 'column' }}>
      <Box component="header" style={{ borderBottom: '1px solid var(--mantine-color-gray-2)', background: 'var(--mantine-color-body)' }}>
        <Container size="lg" h={60}>
          <Group h="100%" justify="space-between" wrap="nowrap">
            <Logo />
            <Group gap="xs" wrap="nowrap">
              <LanguageSwitcher />
              {pathname !== '/login' ? (
                <Button component={Link} to="/login" variant="subtle" size="compact-md">
                  {t('header.login')}
                </Button>
              ) : null}
              {pathname !== '/signup' ? (
                <Button component={Link} to="/signup" size="compact-md" visibleFrom="xs">
                  {t('header.signup')}
                </Button>
              ) : null}
            </Group>
          </Group>
        </Container>
      </Box>
      <Box component="main" style={{ flex: 1 }}>
        <Outlet />
      </Box>
      <Box component="footer" py="lg" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
        <Container size="lg">
          <Group justify="space-between" gap="xs">
            <Text size="sm" c="dimmed">
              {t('landing.footer')}
            </Text>
            <Anchor href="/docs" size="sm" c="dimmed">
              {t('nav.apiDocs')}
            </Anchor>
          </Group>
        </Container>
      </Box>
    </Box>
  );
}
