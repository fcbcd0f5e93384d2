import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  CopyButton,
  Group,
  Modal,
  Skeleton,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconKey, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { ApiToken, TokenScope } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeader } from '../components/PageHeader';
import { errorMessage } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { useIsPhone } from '../lib/responsive';

const TOKENS_KEY = ['tokens'] as const;

export function TokensPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: TOKENS_KEY, queryFn: () => api.get<{ tokens: ApiToken[] }>('/api/tokens').then((r) => r.tokens) });

  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read', 'write']);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const phone = useIsPhone();

  const create = useMutation({
    mutationFn: (b: { name: string; scopes: TokenScope[] }) => api.post<{ token: string; apiToken: ApiToken }>('/api/tokens', b),
    onSuccess: (r) => {
      setCreated({ token: r.token, name: r.apiToken.name });
      setName('');
      void qc.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/tokens/${id}`),
    onSuccess: () => {
      setRevoking(null);
      notifications.show({ message: t('tokens.revokedNotice'), color: 'dure' });
      void qc.invalidateQueries({ queryKey: TOKENS_KEY });
    },
    onError: (e) => notifications.show({ message: errorMessage(e, t), color: 'red' }),
  });

  const scopeBadges = (tok: ApiToken) => (
    <Group gap={4}>
      {tok.scopes.map((s) => (
        <Badge key={s} variant="light" color="gray" size="sm">
          {s === 'read' ? t('tokens.scopeRead') : t('tokens.scopeWrite')}
        </Badge>
      ))}
    </Group>
  );
  const statusBadge = (tok: ApiToken) => (
    <Badge color={tok.revokedAt ? 'gray' : 'teal'} variant={tok.revokedAt ? 'outline' : 'light'}>
      {tok.revokedAt ? t('tokens.revoked') : t('tokens.active')}
    </Badge>
  );
  const revokeButton = (tok: ApiToken) =>
    tok.revokedAt ? null : (
      <Tooltip label={t('tokens.revoke')}>
        <ActionIcon variant="subtle" color="red" aria-label={t('tokens.revokeNamed', { name: tok.name })} onClick={() => setRevoking(tok)}>
          <IconTrash size={16} />
        </ActionIcon>
      </Tooltip>
    );

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    if (!scopes.length) return;
    create.mutate({ name: name.trim(), scopes });
  };

  return (
    <>
      <PageHeader title={t('tokens.title')} lead={t('tokens.lead')} />
      <Stack gap="lg">
        {created ? (
          <Alert color="teal" variant="light" icon={<IconKey size={18} />} title={t('tokens.createdTitle')} withCloseButton onClose={() => setCreated(null)} closeButtonLabel={t('common.close')}>
            <Stack gap="xs">
              <Text size="sm">{t('tokens.createdWarning')}</Text>
              <Group gap="xs" align="flex-end">
                <Textarea
                  label={`${t('tokens.tokenLabel')} — ${created.name}`}
                  value={created.token}
                  readOnly
                  autosize
                  minRows={1}
                  onFocus={(e) => e.currentTarget.select()}
                  classNames={{ input: 'dure-token' }}
                  style={{ flex: 1, minWidth: 0 }}
                  spellCheck={false}
                />
                <CopyButton value={created.token}>
                  {({ copied, copy }) => (
                    <Button onClick={copy} color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}>
                      {copied ? t('common.copied') : t('common.copy')}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            </Stack>
          </Alert>
        ) : null}

        <Card>
          <form onSubmit={onCreate} noValidate>
            <Stack gap="md">
              <Title order={2} fz="lg">
                {t('tokens.createTitle')}
              </Title>
              <ErrorAlert error={create.error} />
              <TextInput
                label={t('tokens.name')}
                placeholder={t('tokens.namePlaceholder')}
                required
                maxLength={100}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Checkbox.Group
                label={t('tokens.scopes')}
                value={scopes}
                onChange={(v) => setScopes(v as TokenScope[])}
                error={scopes.length ? undefined : t('tokens.scopeRequired')}
              >
                <Group mt={6} gap="lg">
                  <Checkbox value="read" label={t('tokens.scopeRead')} description={t('tokens.scopeReadHint')} />
                  <Checkbox value="write" label={t('tokens.scopeWrite')} description={t('tokens.scopeWriteHint')} />
                </Group>
              </Checkbox.Group>
              <Group>
                <Button type="submit" loading={create.isPending} disabled={!name.trim() || !scopes.length} leftSection={<IconKey size={16} />}>
                  {t('tokens.create')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>

        <Card padding={0}>
          <Title order={2} fz="lg" p="lg" pb="sm">
            {t('tokens.listTitle')}
          </Title>
          {tokens.isPending ? (
            <Stack p="lg" pt={0}>
              <Skeleton h={20} />
              <Skeleton h={20} />
            </Stack>
          ) : tokens.error ? (
            <Stack p="lg" pt={0}>
              <ErrorAlert error={tokens.error} />
            </Stack>
          ) : tokens.data.length === 0 ? (
            <Text c="dimmed" p="lg" pt={0}>
              {t('tokens.empty')}
            </Text>
          ) : phone ? (
            <Stack gap={0}>
              {tokens.data.map((tok) => (
                <Stack key={tok.id} gap={6} p="md" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }} c={tok.revokedAt ? 'dimmed' : undefined}>
                  <Group justify="space-between" wrap="nowrap">
                    <Text fw={600} truncate>
                      {tok.name}
                    </Text>
                    <Group gap="xs" wrap="nowrap">
                      {statusBadge(tok)}
                      {revokeButton(tok)}
                    </Group>
                  </Group>
                  <Group gap="xs">
                    <Text span className="dure-token" size="sm">
                      {tok.prefix}…
                    </Text>
                    {scopeBadges(tok)}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {t('tokens.colCreated')} {formatDateTime(tok.createdAt)} · {t('tokens.colLastUsed')}{' '}
                    {tok.lastUsedAt ? formatDateTime(tok.lastUsedAt) : t('common.never')}
                  </Text>
                </Stack>
              ))}
            </Stack>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('tokens.colName')}</Table.Th>
                    <Table.Th>{t('tokens.colPrefix')}</Table.Th>
                    <Table.Th>{t('tokens.colScopes')}</Table.Th>
                    <Table.Th>{t('tokens.colCreated')}</Table.Th>
                    <Table.Th>{t('tokens.colLastUsed')}</Table.Th>
                    <Table.Th>{t('tokens.colStatus')}</Table.Th>
                    <Table.Th aria-label={t('tokens.revoke')} />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tokens.data.map((tok) => (
                    <Table.Tr key={tok.id} c={tok.revokedAt ? 'dimmed' : undefined}>
                      <Table.Td fw={600}>{tok.name}</Table.Td>
                      <Table.Td>
                        <Text span className="dure-token" size="sm">
                          {tok.prefix}…
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {scopeBadges(tok)}
                      </Table.Td>
                      <Table.Td>{formatDateTime(tok.createdAt)}</Table.Td>
                      <Table.Td>{tok.lastUsedAt ? formatDateTime(tok.lastUsedAt) : t('common.never')}</Table.Td>
                      <Table.Td>
                        {statusBadge(tok)}
                      </Table.Td>
                      <Table.Td>
                        {revokeButton(tok)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
      </Stack>

      <Modal opened={!!revoking} onClose={() => setRevoking(null)} title={t('tokens.revokeConfirmTitle')} centered closeButtonProps={{ 'aria-label': t('common.close') }}>
        <Stack>
          <Text size="sm">{t('tokens.revokeConfirm', { name: revoking?.name ?? '' })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking.id)}>
              {t('tokens.revoke')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
