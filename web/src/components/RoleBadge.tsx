import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Role } from '../api/types';

const COLORS: Record<Role, string> = { worker: 'dure', reviewer: 'grape', requester: 'teal', admin: 'orange' };

export function RoleBadge({ role, size = 'md' }: { role: Role; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[role] ?? 'gray'} variant="light" size={size}>
      {t(`roles.${role}`)}
    </Badge>
  );
}
