import { Badge, Card, Group, NativeSelect, Skeleton, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Role, User } from '../../api/types';
import { useUser } from '../../auth/AuthContext';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';

// The server refuses moving an account across the requester/worker line (each owns different
// money), so the menu offers only the roles a change can reach.
const WORKER_SIDE: Role[] = ['worker', 'reviewer', 'admin'];
const REQUESTER_SIDE: Role[] = ['requester', 'admin'];
function reachableRoles(current: Role): Role[] {
  if (current === 'requester') return REQUESTER_SIDE;
  if (current === 'admin') return ['worker', 'reviewer', 'requester', 'admin'];
  return WORKER_SIDE;
}

const STATUS_COLOR: Record<string, string> = { active: 'teal', paused: 'yellow', banned: 'red' };

export function UsersPage() {
  const { t } = useTranslation();
  const me = useUser();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const phone = useIsPhone();

  const users = useQuery({
    queryKey: ['admin', 'users', debounced],
    queryFn: () => api.get<{ users: User[] }>('/api/admin/users', { query: { q: debounced, limit: 100 } }).then((r) => r.users),
    placeholderData: keepPreviousData,
  });

  const setRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) => api.post<{ user: User }>(`/api/admin/users/${id}/role`, { role }),
    onSuccess: ({ user }) => {
      // The select shows the new role at once (it is controlled by the list): write the changed
      // user into every cached page of the list before refetching, or it snaps back until then.
      qc.setQueriesData<User[]>({ queryKey: ['admin', 'users'] }, (list) => list?.map((x) => (x.id === user.id ? { ...x, ...user } : x)));
      notifications.show({ message: t('users.roleChanged', { name: user.displayName, role: t(`roles.${user.role}`) }), color: 'teal' });
      void qc.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
    onError: (e) => notifications.show({ message: errorMessage(e, t), color: 'red' }),
  });

  const roleSelect = (u: User) => (
    <NativeSelect
      aria-label={t('users.roleFor', { name: u.displayName })}
      value={u.role}
      disabled={u.id === me.id || setRole.isPending}
      onChange={(e) => setRole.mutate({ id: u.id, role: e.currentTarget.value as Role })}
      data={reachableRoles(u.role).map((r) => ({ value: r, label: t(`roles.${r}`) }))}
      size="xs"
      w={120}
      style={{ flexShrink: 0 }}
    />
  );
  const statusBadge = (u: User) => (
    <Badge variant="light" color={STATUS_COLOR[u.status] ?? 'gray'}>
      {t(`status.${u.status}` as 'status.active', { defaultValue: u.status })}
    </Badge>
  );

  return (
    <>
      <PageHeader title={t('users.title')} lead={t('users.lead')} />
      <Stack gap="md">
        <TextInput
          label={t('users.search')}
          leftSection={<IconSearch size={16} />}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          maw={420}
          type="search"
        />
        <Card padding={0}>
          {users.isPending ? (
            <Stack p="lg">
              <Skeleton h={20} />
              <Skeleton h={20} />
              <Skeleton h={20} />
            </Stack>
          ) : users.error ? (
            <Stack p="lg">
              <ErrorAlert error={users.error} />
            </Stack>
          ) : users.data.length === 0 ? (
            <Text c="dimmed" p="lg">
              {t('users.empty')}
            </Text>
          ) : phone ? (
            <Stack gap={0}>
              {users.data.map((u, i) => (
                <Stack key={u.id} gap={6} p="md" style={i ? { borderTop: '1px solid var(--mantine-color-gray-2)' } : undefined}>
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text fw={600} truncate>
                      {u.displayName}
                      {u.id === me.id ? (
                        <Text span c="dimmed" fw={400} size="sm">
                          {' '}
                          ({t('users.you')})
                        </Text>
                      ) : null}
                    </Text>
                    {roleSelect(u)}
                  </Group>
                  <Text size="sm" c="dimmed" truncate>
                    {u.email}
                  </Text>
                  <Group gap="xs">
                    {statusBadge(u)}
                    <Text size="xs" c="dimmed">
                      {t('home.level', { level: u.level })} · {formatDate(u.createdAt)}
                    </Text>
                  </Group>
                </Stack>
              ))}
            </Stack>
          ) : (
            <Table.ScrollContainer minWidth={820}>
              <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('users.colName')}</Table.Th>
                    <Table.Th>{t('users.colEmail')}</Table.Th>
                    <Table.Th>{t('users.colRole')}</Table.Th>
                    <Table.Th>{t('users.colLevel')}</Table.Th>
                    <Table.Th>{t('users.colStatus')}</Table.Th>
                    <Table.Th>{t('users.colJoined')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {users.data.map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Td fw={600}>
                        {u.displayName}
                        {u.id === me.id ? (
                          <Text span c="dimmed" fw={400} size="sm">
                            {' '}
                            ({t('users.you')})
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{u.email}</Table.Td>
                      <Table.Td>
                        {roleSelect(u)}
                      </Table.Td>
                      <Table.Td>{u.level}</Table.Td>
                      <Table.Td>
                        {statusBadge(u)}
                      </Table.Td>
                      <Table.Td>{formatDate(u.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
        <Group>
          <Text size="xs" c="dimmed">
            {t('users.crossNote')}
          </Text>
        </Group>
      </Stack>
    </>
  );
}
