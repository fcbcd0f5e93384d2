import { Group, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** The mark: two neighbours working side by side, plus the name in both scripts. */
export function LogoMark({ size = 30 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true">
      <rect width="64" height="64" rx="14" fill="var(--mantine-color-dure-7)" />
      <g fill="none" stroke="#fff" strokeWidth="5" strokeLinecap="round">
        <circle cx="22" cy="24" r="7" />
        <circle cx="42" cy="24" r="7" />
        <path d="M12 48c2-8 8-12 16-12M52 48c-2-8-8-12-16-12M26 44h12" />
      </g>
    </svg>
  );
}

export function Logo({ to = '/' }: { to?: string }) {
  const { t } = useTranslation();
  return (
    <UnstyledButton component={Link} to={to} aria-label={t('app.home')}>
      <Group gap={8} wrap="nowrap">
        <LogoMark />
        <Text fw={800} fz="lg" lh={1} c="dure.9">
          두레
        </Text>
        <Text fw={600} fz="sm" lh={1} c="dimmed" visibleFrom="xs">
          Dure
        </Text>
      </Group>
    </UnstyledButton>
  );
}
