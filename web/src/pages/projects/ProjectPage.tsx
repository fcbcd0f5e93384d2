import { Alert, Anchor, Button, Group, Modal, ScrollArea, Skeleton, Stack, Tabs, Text } from '@mantine/core';
import type { ProjectStatus } from '@core/projects/status.ts';
import { notifications } from '@mantine/notifications';
import {
  IconArchive,
  IconArrowLeft,
  IconChartBar,
  IconCheck,
  IconFileImport,
  IconForms,
  IconInfoCircle,
  IconList,
  IconPlayerPause,
  IconPlayerPlay,
  IconRefresh,
  IconRocket,
  IconSettings,
  type Icon,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import { NotFoundPage } from '../NotFoundPage';
import { projectKeys, projectsApi, type Project } from './api';
import { ImportPanel } from './ImportPanel';
import { ItemsPanel } from './ItemsPanel';
import { OverviewPanel } from './OverviewPanel';
import { ProjectFormEditor } from './ProjectFormEditor';
import { SettingsPanel } from './SettingsPanel';
import { actionsFrom, CONFIRM_ACTIONS, StatusBadge, type StatusAction } from './status';

const TABS = ['overview', 'items', 'form', 'settings', 'import'] as const;
type Tab = (typeof TABS)[number];
const TAB_ICONS: Record<Tab, Icon> = { overview: IconChartBar, items: IconList, form: IconForms, settings: IconSettings, import: IconFileImport };
const ACTION_ICONS: Record<StatusAction, Icon> = {
  publish: IconRocket,
  pause: IconPlayerPause,
  resume: IconPlayerPlay,
  complete: IconCheck,
  reopen: IconRefresh,
  archive: IconArchive,
};

/** /projects/:id/:tab? — one project: status and its moves, then overview, items, form, settings, import. */
export function ProjectPage() {
  const { t } = useTranslation();
  const { id = '', tab: tabParam } = useParams();
  const navigate = useNavigate();
  const phone = useIsPhone();
  const project = useQuery({ queryKey: projectKeys.one(id), queryFn: () => projectsApi.get(id) });
  const stats = useQuery({ queryKey: projectKeys.stats(id), queryFn: () => projectsApi.stats(id), enabled: project.isSuccess, refetchInterval: 15_000 });
  const tab: Tab = (TABS as readonly string[]).includes(tabParam ?? '') ? (tabParam as Tab) : 'overview';

  if (project.isPending) {
    return (
      <Stack>
        <Skeleton h={40} w={320} />
        <Skeleton h={200} />
      </Stack>
    );
  }
  if (project.isError) {
    if ((project.error as { status?: number }).status === 404) return <NotFoundPage />;
    return <ErrorAlert error={project.error} />;
  }
  const p = project.data;

  return (
    <>
      <Group mb="xs">
        <Anchor component={Link} to="/projects" size="sm">
          <Group gap={4}>
            <IconArrowLeft size={14} />
            {t('nav.projects')}
          </Group>
        </Anchor>
      </Group>
      <PageHeader
        title={p.name}
        lead={
          <Group gap="xs" component="span">
            <StatusBadge status={p.status} />
            <Text span size="sm" c="dimmed">
              {t('projects.page.created', { date: formatDate(p.createdAt) })}
              {p.publishedAt ? ` · ${t('projects.page.published', { date: formatDate(p.publishedAt) })}` : ''}
            </Text>
          </Group>
        }
        actions={phone ? undefined : <StatusActions project={p} />}
      />
      {phone ? (
        <Group mb="md" mt={-8}>
          <StatusActions project={p} />
        </Group>
      ) : null}
      {p.statusReason ? (
        <Alert color="orange" variant="light" icon={<IconInfoCircle size={18} />} mb="md" data-testid="status-reason">
          {p.statusReason}
        </Alert>
      ) : null}
      {p.status === 'draft' && stats.data ? <DraftChecklist project={p} items={stats.data.items} /> : null}

      <Tabs value={tab} onChange={(v) => void navigate(v === 'overview' ? `/projects/${id}` : `/projects/${id}/${v}`)} mb="lg" keepMounted={false}>
        <ScrollArea type="never" offsetScrollbars={false}>
          <Tabs.List style={{ flexWrap: 'nowrap' }}>
            {TABS.map((k) => {
              const I = TAB_ICONS[k];
              return (
                <Tabs.Tab key={k} value={k} leftSection={phone ? undefined : <I size={16} />} px={phone ? 'sm' : undefined}>
                  {t(`projects.tabs.${k}`)}
                </Tabs.Tab>
              );
            })}
          </Tabs.List>
        </ScrollArea>
        <Tabs.Panel value="overview" pt="lg">
          <OverviewPanel project={p} stats={stats.data} />
        </Tabs.Panel>
        <Tabs.Panel value="items" pt="lg">
          <ItemsPanel project={p} />
        </Tabs.Panel>
        <Tabs.Panel value="form" pt="lg">
          <ProjectFormEditor key={p.id} project={p} start={{ name: p.name, instructions: p.instructions, template: p.template }} />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="lg">
          <SettingsPanel key={p.id} project={p} stats={stats.data} />
        </Tabs.Panel>
        <Tabs.Panel value="import" pt="lg">
          <ImportPanel project={p} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

/** What a draft still needs before it can be published. */
function DraftChecklist({ project, items }: { project: Project; items: number }) {
  const { t } = useTranslation();
  return (
    <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} mb="md" title={t('projects.page.draftTitle')}>
      <Text size="sm">
        {items === 0 ? (
          <>
            {t('projects.page.draftNoItems')}{' '}
            <Anchor component={Link} to={`/projects/${project.id}/import`} size="sm">
              {t('projects.tabs.import')}
            </Anchor>
          </>
        ) : (
          t('projects.page.draftReady', { count: items, n: items })
        )}
      </Text>
    </Alert>
  );
}

/** The status moves the server allows from here; stopping moves ask first. */
function StatusActions({ project }: { project: Project }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [confirm, setConfirm] = useState<{ to: ProjectStatus; action: StatusAction } | null>(null);
  const move = useMutation({
    mutationFn: ({ to, action }: { to: ProjectStatus; action: StatusAction }) =>
      action === 'publish' ? projectsApi.publish(project.id) : projectsApi.update(project.id, { status: to }),
    onSuccess: (p, v) => {
      qc.setQueryData(projectKeys.one(p.id), p);
      void qc.invalidateQueries({ queryKey: projectKeys.list });
      void qc.invalidateQueries({ queryKey: projectKeys.stats(p.id) });
      setConfirm(null);
      notifications.show({ message: t(`projects.actions.done.${v.action}`), color: 'dure' });
    },
    onError: (e) => notifications.show({ message: errorMessage(e, t), color: 'red', autoClose: 8000 }),
  });
  const actions = actionsFrom(project.status);
  if (actions.length === 0) return null;
  return (
    <>
      <Group gap="xs" data-testid="status-actions">
        {actions.map(({ to, action }, i) => {
          const I = ACTION_ICONS[action];
          const primary = i === 0 && (action === 'publish' || action === 'resume');
          return (
            <Button
              key={action}
              variant={primary ? 'filled' : action === 'archive' ? 'subtle' : 'default'}
              color={action === 'archive' ? 'gray' : undefined}
              leftSection={<I size={16} />}
              loading={move.isPending && move.variables?.action === action}
              onClick={() => (CONFIRM_ACTIONS.has(action) ? setConfirm({ to, action }) : move.mutate({ to, action }))}
            >
              {t(`projects.actions.${action}`)}
            </Button>
          );
        })}
      </Group>
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title={confirm ? t(`projects.actions.confirmTitle.${confirm.action as 'complete'}`) : ''} centered>
        <Stack gap="md">
          <Text size="sm">{confirm ? t(`projects.actions.confirmText.${confirm.action as 'complete'}`) : ''}</Text>
          {move.error ? <ErrorAlert error={move.error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(null)}>
              {t('common.cancel')}
            </Button>
            <Button color={confirm?.action === 'archive' ? 'gray' : undefined} loading={move.isPending} onClick={() => confirm && move.mutate(confirm)}>
              {confirm ? t(`projects.actions.${confirm.action}`) : ''}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
