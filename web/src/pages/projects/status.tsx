import { Badge } from '@mantine/core';
import { TRANSITIONS, type ProjectStatus } from '@core/projects/status.ts';
import { useTranslation } from 'react-i18next';

export const STATUS_COLORS: Record<ProjectStatus, string> = {
  draft: 'gray',
  active: 'teal',
  paused: 'orange',
  completed: 'blue',
  archived: 'dark',
};

export function StatusBadge({ status, size = 'md' }: { status: ProjectStatus; size?: 'sm' | 'md' | 'lg' }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant={status === 'archived' ? 'outline' : 'light'} size={size} data-status={status} style={{ flexShrink: 0 }}>
      {t(`projects.status.${status}`)}
    </Badge>
  );
}

/** The verb for moving a project from `from` to `to` (publish, pause, resume, complete, reopen, archive). */
export type StatusAction = 'publish' | 'pause' | 'resume' | 'complete' | 'reopen' | 'archive';

export function actionFor(from: ProjectStatus, to: ProjectStatus): StatusAction {
  if (to === 'active') return from === 'draft' ? 'publish' : from === 'paused' ? 'resume' : 'reopen';
  if (to === 'paused') return 'pause';
  if (to === 'completed') return 'complete';
  return 'archive';
}

/** The moves the server allows from this status (src/core/projects/status.ts), as actions. */
export function actionsFrom(status: ProjectStatus): { to: ProjectStatus; action: StatusAction }[] {
  return (TRANSITIONS[status] ?? []).map((to) => ({ to, action: actionFor(status, to) }));
}

/** Actions that need a second thought: they stop the work or hide the project. */
export const CONFIRM_ACTIONS: ReadonlySet<StatusAction> = new Set(['complete', 'archive']);
