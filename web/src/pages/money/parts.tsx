import { Badge, Card, Group, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatWon } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import type { Entry, Payout } from './api';

/** One figure on a card: label above, won below. */
export function Figure({ label, value, hint, color, testId }: { label: string; value: number | null | undefined; hint?: ReactNode; color?: string; testId?: string }) {
  return (
    <Card withBorder padding="md" data-testid={testId}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={24} fw={700} c={color}>
        {formatWon(value ?? null)}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      ) : null}
    </Card>
  );
}

const KINDS = ['submit', 'approve', 'reject', 'bonus', 'review_pay', 'payout_request', 'payout_paid', 'payout_cancel', 'deposit', 'allocate', 'withdraw'] as const;

/** The ledger entries of a wallet, newest first. */
export function EntriesTable({ entries }: { entries: Entry[] }) {
  const { t } = useTranslation();
  const kind = (k: string) => ((KINDS as readonly string[]).includes(k) ? t(`money.kinds.${k as (typeof KINDS)[number]}`) : k);
  const account = (a: string) => (a === 'pending' || a === 'available' || a === 'funds' ? t(`money.accounts.${a}`) : a);
  const phone = useIsPhone();
  const amount = (e: Entry) => (
    <Text size="sm" fw={600} c={e.amount < 0 ? 'red.7' : 'teal.7'} style={{ whiteSpace: 'nowrap' }}>
      {e.amount > 0 ? '+' : ''}
      {formatWon(e.amount)}
    </Text>
  );
  const detail = (e: Entry) =>
    e.projectName || e.memo ? (
      <Text size="xs" c="dimmed">
        {[e.projectName, e.memo].filter(Boolean).join(' · ')}
      </Text>
    ) : null;
  if (phone) {
    // On a phone the four columns do not fit: one row per entry, the amount always in view.
    return (
      <Stack gap={0} data-testid="ledger-entries">
        {entries.map((e) => (
          <Group key={e.id} justify="space-between" align="flex-start" wrap="nowrap" gap="sm" py="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
            <Stack gap={2} style={{ minWidth: 0 }}>
              <Text size="sm">{kind(e.kind)}</Text>
              {detail(e)}
              <Text size="xs" c="dimmed">
                {formatDateTime(e.createdAt)} · {account(e.account)}
              </Text>
            </Stack>
            {amount(e)}
          </Group>
        ))}
      </Stack>
    );
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped data-testid="ledger-entries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('money.when')}</Table.Th>
            <Table.Th>{t('money.what')}</Table.Th>
            <Table.Th>{t('money.account')}</Table.Th>
            <Table.Th ta="right">{t('money.amount')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>
                <Text size="sm">{formatDateTime(e.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{kind(e.kind)}</Text>
                {detail(e)}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{account(e.account)}</Text>
              </Table.Td>
              <Table.Td ta="right">{amount(e)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const PAYOUT_COLOR: Record<Payout['status'], string> = { requested: 'blue', approved: 'yellow', paid: 'teal', cancelled: 'gray' };

export function PayoutStatus({ status }: { status: Payout['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={PAYOUT_COLOR[status]} variant="light">
      {t(`money.payoutStatus.${status}`)}
    </Badge>
  );
}

export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={600}>
        {children}
      </Text>
    </Group>
  );
}
