import { Alert, Button, Card, Group, NumberInput, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatWon } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import { idempotencyKey, moneyApi, type BankAccount, type Payout, type Wallet } from './api';
import { EntriesTable, Figure, PayoutStatus, Row } from './parts';

/** A worker's wallet: available and pending earnings, history, bank account and payout requests. */
export function WalletPage() {
  const { t } = useTranslation();
  const wallet = useInfiniteQuery({
    queryKey: ['wallet'],
    queryFn: ({ pageParam }) => moneyApi.wallet(pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last: Wallet) => (last.entries.length === 50 ? last.entries[last.entries.length - 1]!.id : undefined),
  });
  const first = wallet.data?.pages[0];
  return (
    <>
      <PageHeader title={t('nav.wallet')} lead={t('money.wallet.lead')} />
      {wallet.isPending ? (
        <Skeleton h={120} />
      ) : wallet.isError ? (
        <ErrorAlert error={wallet.error} />
      ) : (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Figure label={t('money.wallet.available')} value={first!.balance} color="teal.8" testId="wallet-available" />
            <Figure label={t('money.wallet.pending')} value={first!.pending} hint={t('money.wallet.pendingHint')} testId="wallet-pending" />
            <Figure label={t('money.wallet.inFlight')} value={first!.inFlight ?? 0} />
            <Figure label={t('money.wallet.paidOut')} value={first!.paidOut ?? 0} hint={t('money.wallet.withheld', { amount: formatWon(first!.withheld ?? 0) })} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <PayoutForm wallet={first!} />
            <BankForm bank={first!.bankAccount ?? null} />
          </SimpleGrid>
          <MyPayouts />
          <Card withBorder padding="lg">
            <Title order={2} fz="lg" mb="sm">
              {t('money.wallet.history')}
            </Title>
            {wallet.data.pages.flatMap((p) => p.entries).length === 0 ? (
              <Text c="dimmed">{t('money.wallet.noEntries')}</Text>
            ) : (
              <EntriesTable entries={wallet.data.pages.flatMap((p) => p.entries)} />
            )}
            {wallet.hasNextPage ? (
              <Button variant="subtle" mt="sm" onClick={() => void wallet.fetchNextPage()} loading={wallet.isFetchingNextPage}>
                {t('money.loadMore')}
              </Button>
            ) : null}
          </Card>
        </Stack>
      )}
    </>
  );
}

function PayoutForm({ wallet }: { wallet: Wallet }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const min = wallet.minPayout ?? 0;
  const [amount, setAmount] = useState<number | string>(wallet.balance >= min ? wallet.balance : min);
  const [key, setKey] = useState(idempotencyKey);
  const n = typeof amount === 'number' ? amount : Number(amount) || 0;
  const preview = useQuery({ queryKey: ['payout-preview', n], queryFn: () => moneyApi.preview(n), enabled: n > 0 });
  useEffect(() => setKey(idempotencyKey()), [n]);
  const request = useMutation({
    mutationFn: () => moneyApi.requestPayout(n, key),
    onSuccess: (p) => {
      notifications.show({ color: 'teal', message: t('money.payout.requested', { amount: formatWon(p.net) }) });
      setKey(idempotencyKey());
      void qc.invalidateQueries({ queryKey: ['wallet'] });
      void qc.invalidateQueries({ queryKey: ['my-payouts'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate();
  };
  return (
    <Card withBorder padding="lg" component="form" onSubmit={submit}>
      <Title order={2} fz="lg" mb="sm">
        {t('money.payout.title')}
      </Title>
      <Stack gap="sm">
        {!wallet.bankAccount ? <Alert color="yellow">{t('money.payout.needBank')}</Alert> : null}
        <NumberInput
          label={t('money.payout.amount')}
          description={t('money.payout.min', { amount: formatWon(min) })}
          value={amount}
          onChange={setAmount}
          min={0}
          max={wallet.balance}
          step={1000}
          thousandSeparator=","
          prefix="₩"
          allowDecimal={false}
        />
        {preview.data ? (
          <Stack gap={2} data-testid="payout-preview">
            <Row label={t('money.payout.gross')}>{formatWon(preview.data.gross)}</Row>
            <Row label={t('money.payout.withholding', { percent: preview.data.withholdingPercent })}>− {formatWon(preview.data.withholding)}</Row>
            <Row label={t('money.payout.net')}>{formatWon(preview.data.net)}</Row>
          </Stack>
        ) : null}
        <ErrorAlert error={request.error} />
        <Button type="submit" loading={request.isPending} disabled={!wallet.bankAccount || n < min || n > wallet.balance || n <= 0}>
          {t('money.payout.request')}
        </Button>
      </Stack>
    </Card>
  );
}

function BankForm({ bank }: { bank: BankAccount | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({ bank: bank?.bank ?? '', accountNumber: bank?.accountNumber ?? '', holder: bank?.holder ?? '' });
  const save = useMutation({
    mutationFn: () => moneyApi.setBank(form),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: t('money.bank.saved') });
      void qc.invalidateQueries({ queryKey: ['wallet'] });
    },
  });
  return (
    <Card
      withBorder
      padding="lg"
      component="form"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Title order={2} fz="lg" mb="sm">
        {t('money.bank.title')}
      </Title>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {bank ? t('money.bank.current', { bank: bank.bank, number: bank.masked, holder: bank.holder }) : t('money.bank.none')}
        </Text>
        <Group grow align="flex-start">
          <TextInput label={t('money.bank.bank')} value={form.bank} onChange={(e) => setForm({ ...form, bank: e.currentTarget.value })} required />
          <TextInput label={t('money.bank.holder')} value={form.holder} onChange={(e) => setForm({ ...form, holder: e.currentTarget.value })} required />
        </Group>
        <TextInput
          label={t('money.bank.accountNumber')}
          value={form.accountNumber}
          onChange={(e) => setForm({ ...form, accountNumber: e.currentTarget.value })}
          inputMode="numeric"
          required
        />
        <ErrorAlert error={save.error} />
        <Button type="submit" variant="light" loading={save.isPending}>
          {t('money.bank.save')}
        </Button>
      </Stack>
    </Card>
  );
}

function MyPayouts() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const payouts = useQuery({ queryKey: ['my-payouts'], queryFn: moneyApi.myPayouts });
  const cancel = useMutation({
    mutationFn: (id: string) => moneyApi.cancelMyPayout(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['wallet'] });
      void qc.invalidateQueries({ queryKey: ['my-payouts'] });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e, t) }),
  });
  const phone = useIsPhone();
  if (!payouts.data?.length) return null;
  const cancelButton = (p: Payout) =>
    p.status === 'requested' ? (
      <Button size="xs" variant="subtle" color="red" onClick={() => cancel.mutate(p.id)} loading={cancel.isPending && cancel.variables === p.id}>
        {t('money.payouts.cancel')}
      </Button>
    ) : null;
  return (
    <Card withBorder padding="lg">
      <Title order={2} fz="lg" mb="sm">
        {t('money.payouts.title')}
      </Title>
      {phone ? (
        // On a phone the six columns do not fit: one block per payout, status and amounts in view.
        <Stack gap={0} data-testid="my-payouts">
          {payouts.data.map((p) => (
            <Stack key={p.id} gap={4} py="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm">{formatDateTime(p.createdAt)}</Text>
                <PayoutStatus status={p.status} />
              </Group>
              <Row label={t('money.payout.gross')}>{formatWon(p.gross)}</Row>
              <Row label={t('money.payout.withholdingShort')}>{formatWon(p.withholding)}</Row>
              <Row label={t('money.payout.net')}>{formatWon(p.net)}</Row>
              {cancelButton(p)}
            </Stack>
          ))}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table data-testid="my-payouts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('money.when')}</Table.Th>
                <Table.Th ta="right">{t('money.payout.gross')}</Table.Th>
                <Table.Th ta="right">{t('money.payout.withholdingShort')}</Table.Th>
                <Table.Th ta="right">{t('money.payout.net')}</Table.Th>
                <Table.Th>{t('money.status')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {payouts.data.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{formatDateTime(p.createdAt)}</Table.Td>
                  <Table.Td ta="right">{formatWon(p.gross)}</Table.Td>
                  <Table.Td ta="right">{formatWon(p.withholding)}</Table.Td>
                  <Table.Td ta="right">{formatWon(p.net)}</Table.Td>
                  <Table.Td>
                    <PayoutStatus status={p.status} />
                  </Table.Td>
                  <Table.Td>{cancelButton(p)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
