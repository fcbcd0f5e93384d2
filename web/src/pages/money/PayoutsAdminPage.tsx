import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Skeleton, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatWon } from '../../lib/format';
import { moneyApi } from './api';
import { Figure, PayoutStatus, Row } from './parts';

/** The operator's money desk: payout requests and batches (CSV for the bank), deposits, reconciliation. */
export function PayoutsAdminPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('nav.payouts')} lead={t('money.admin.lead')} />
      <Tabs defaultValue="payouts" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="payouts">{t('money.admin.tabs.payouts')}</Tabs.Tab>
          <Tabs.Tab value="batches">{t('money.admin.tabs.batches')}</Tabs.Tab>
          <Tabs.Tab value="deposits">{t('money.admin.tabs.deposits')}</Tabs.Tab>
          <Tabs.Tab value="books">{t('money.admin.tabs.books')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="payouts">
          <Requested />
        </Tabs.Panel>
        <Tabs.Panel value="batches">
          <Batches />
        </Tabs.Panel>
        <Tabs.Panel value="deposits">
          <Deposits />
        </Tabs.Panel>
        <Tabs.Panel value="books">
          <Books />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function invalidateAll(qc: ReturnType<typeof useQueryClient>) {
  void qc.invalidateQueries({ queryKey: ['admin', 'money'] });
}

function Requested() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const payouts = useQuery({ queryKey: ['admin', 'money', 'payouts', 'requested'], queryFn: () => moneyApi.payouts('requested') });
  const batch = useMutation({
    mutationFn: () => moneyApi.createBatch(),
    onSuccess: (r) => {
      notifications.show({ color: 'teal', message: t('money.admin.batchCreated', { amount: formatWon(r.batch.net) }) });
      invalidateAll(qc);
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e, t) }),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => moneyApi.cancelPayout(id, 'cancelled by an operator'),
    onSuccess: () => invalidateAll(qc),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e, t) }),
  });
  if (payouts.isPending) return <Skeleton h={120} />;
  if (payouts.isError) return <ErrorAlert error={payouts.error} />;
  const total = payouts.data.reduce((s, p) => s + p.net, 0);
  return (
    <Stack>
      <Group justify="space-between">
        <Text>{t('money.admin.requestedSummary', { count: payouts.data.length, amount: formatWon(total) })}</Text>
        <Button onClick={() => batch.mutate()} loading={batch.isPending} disabled={payouts.data.length === 0}>
          {t('money.admin.approveAll')}
        </Button>
      </Group>
      {payouts.data.length === 0 ? (
        <Text c="dimmed">{t('money.admin.noRequests')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped data-testid="requested-payouts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('money.when')}</Table.Th>
                <Table.Th>{t('money.admin.worker')}</Table.Th>
                <Table.Th>{t('money.admin.bankAccount')}</Table.Th>
                <Table.Th ta="right">{t('money.payout.gross')}</Table.Th>
                <Table.Th ta="right">{t('money.payout.withholdingShort')}</Table.Th>
                <Table.Th ta="right">{t('money.payout.net')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {payouts.data.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{formatDateTime(p.createdAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{p.displayName}</Text>
                    <Text size="xs" c="dimmed">
                      {p.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {p.bank} {p.accountNumber}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {p.holder}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatWon(p.gross)}</Table.Td>
                  <Table.Td ta="right">{formatWon(p.withholding)}</Table.Td>
                  <Table.Td ta="right">{formatWon(p.net)}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="subtle" color="red" onClick={() => cancel.mutate(p.id)} loading={cancel.isPending && cancel.variables === p.id}>
                      {t('money.payouts.cancel')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function Batches() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const batches = useQuery({ queryKey: ['admin', 'money', 'batches'], queryFn: moneyApi.batches });
  const paid = useMutation({
    mutationFn: (id: string) => moneyApi.markPaid(id),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: t('money.admin.markedPaid') });
      invalidateAll(qc);
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e, t) }),
  });
  if (batches.isPending) return <Skeleton h={120} />;
  if (batches.isError) return <ErrorAlert error={batches.error} />;
  if (batches.data.length === 0) return <Text c="dimmed">{t('money.admin.noBatches')}</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped data-testid="payout-batches">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('money.when')}</Table.Th>
            <Table.Th ta="right">{t('money.admin.count')}</Table.Th>
            <Table.Th ta="right">{t('money.payout.gross')}</Table.Th>
            <Table.Th ta="right">{t('money.payout.withholdingShort')}</Table.Th>
            <Table.Th ta="right">{t('money.payout.net')}</Table.Th>
            <Table.Th>{t('money.status')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {batches.data.map((b) => (
            <Table.Tr key={b.id}>
              <Table.Td>{formatDateTime(b.createdAt)}</Table.Td>
              <Table.Td ta="right">{b.payouts}</Table.Td>
              <Table.Td ta="right">{formatWon(b.gross)}</Table.Td>
              <Table.Td ta="right">{formatWon(b.withholding)}</Table.Td>
              <Table.Td ta="right">{formatWon(b.net)}</Table.Td>
              <Table.Td>
                <PayoutStatus status={b.status === 'paid' ? 'paid' : 'approved'} />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Anchor href={moneyApi.batchCsvUrl(b.id)} download size="sm">
                    {t('money.admin.csv')}
                  </Anchor>
                  {b.status === 'approved' ? (
                    <Button size="xs" onClick={() => paid.mutate(b.id)} loading={paid.isPending && paid.variables === b.id}>
                      {t('money.admin.markPaid')}
                    </Button>
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Deposits() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const deposits = useQuery({ queryKey: ['admin', 'money', 'deposits'], queryFn: () => moneyApi.deposits() });
  const decide = useMutation({
    mutationFn: (v: { id: string; action: 'confirm' | 'cancel' }) => moneyApi.decideDeposit(v.id, v.action),
    onSuccess: () => invalidateAll(qc),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e, t) }),
  });
  if (deposits.isPending) return <Skeleton h={120} />;
  if (deposits.isError) return <ErrorAlert error={deposits.error} />;
  if (deposits.data.length === 0) return <Text c="dimmed">{t('money.admin.noDeposits')}</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped data-testid="deposits">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('money.when')}</Table.Th>
            <Table.Th>{t('money.admin.organisation')}</Table.Th>
            <Table.Th>{t('money.admin.reference')}</Table.Th>
            <Table.Th ta="right">{t('money.amount')}</Table.Th>
            <Table.Th>{t('money.status')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deposits.data.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{formatDateTime(d.createdAt)}</Table.Td>
              <Table.Td>
                <Text size="sm">{d.orgName}</Text>
                {d.projectName ? (
                  <Text size="xs" c="dimmed">
                    {d.projectName}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm">
                  {d.reference}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{formatWon(d.amount)}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={d.status === 'confirmed' ? 'teal' : d.status === 'pending' ? 'blue' : 'gray'}>
                  {t(`money.depositStatus.${d.status}`)}
                </Badge>
              </Table.Td>
              <Table.Td>
                {d.status === 'pending' ? (
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" onClick={() => decide.mutate({ id: d.id, action: 'confirm' })}>
                      {t('money.admin.confirm')}
                    </Button>
                    <Button size="xs" variant="subtle" color="red" onClick={() => decide.mutate({ id: d.id, action: 'cancel' })}>
                      {t('money.admin.cancelDeposit')}
                    </Button>
                  </Group>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const KIND_KEYS = ['orgFunds', 'projectBudgets', 'projectCommitted', 'workerPending', 'workerAvailable', 'payoutsInFlight', 'withholdingPayable', 'platformFees'] as const;

function Books() {
  const { t } = useTranslation();
  const rec = useQuery({ queryKey: ['admin', 'money', 'reconciliation'], queryFn: moneyApi.reconciliation });
  if (rec.isPending) return <Skeleton h={160} />;
  if (rec.isError) return <ErrorAlert error={rec.error} />;
  const r = rec.data;
  return (
    <Stack>
      <Alert color={r.balanced ? 'teal' : 'red'} title={r.balanced ? t('money.admin.balanced') : t('money.admin.unbalanced')} data-testid="reconciliation">
        {t('money.admin.identity', { inside: formatWon(r.insideTotal), deposits: formatWon(r.deposits), outflows: formatWon(r.outflows) })}
      </Alert>
      {r.violations.map((v, i) => (
        <Alert key={i} color="red" variant="outline">
          {v.rule}: {v.message}
        </Alert>
      ))}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Figure label={t('money.admin.feeRevenue')} value={r.feeRevenue} color="teal.8" />
        <Figure label={t('money.admin.deposits')} value={r.deposits} hint={t('money.admin.pendingDeposits', { amount: formatWon(r.pendingDeposits) })} />
        <Figure label={t('money.admin.outflows')} value={r.outflows} hint={t('money.admin.outflowsHint', { paid: formatWon(r.payoutsPaid), tax: formatWon(r.withholdingRemitted) })} />
      </SimpleGrid>
      <Card withBorder padding="lg">
        <Title order={2} fz="lg" mb="sm">
          {t('money.admin.balancesByKind')}
        </Title>
        <Stack gap={4} maw={480}>
          {KIND_KEYS.map((k) => (
            <Row key={k} label={t(`money.admin.kinds.${k}`)}>
              {formatWon(r.byKind[k] ?? 0)}
            </Row>
          ))}
          <Row label={t('money.admin.insideTotal')}>{formatWon(r.insideTotal)}</Row>
        </Stack>
      </Card>
    </Stack>
  );
}
