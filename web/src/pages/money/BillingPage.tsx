import { Alert, Badge, Button, Card, Group, NumberInput, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatNumber, formatWon } from '../../lib/format';
import { StatusBadge } from '../projects/status';
import { idempotencyKey, moneyApi, type Deposit, type ProjectLite } from './api';
import { EntriesTable, Figure, Row } from './parts';

/** A requester's billing: the organisation's funds, each project's budget, and funding. */
export function BillingPage() {
  const { t } = useTranslation();
  const wallet = useQuery({ queryKey: ['wallet'], queryFn: () => moneyApi.wallet() });
  const projects = useQuery({ queryKey: ['billing', 'projects'], queryFn: moneyApi.projects });
  return (
    <>
      <PageHeader title={t('nav.billing')} lead={t('money.billing.lead')} />
      <Stack gap="lg">
        {wallet.isPending ? (
          <Skeleton h={100} />
        ) : wallet.isError ? (
          <ErrorAlert error={wallet.error} />
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Figure label={t('money.billing.funds')} value={wallet.data.balance} hint={t('money.billing.fundsHint')} testId="org-funds" />
            <Figure label={t('money.billing.pendingDeposits')} value={wallet.data.pending} hint={t('money.billing.pendingHint')} />
            <OrgDeposit />
          </SimpleGrid>
        )}
        <Title order={2} fz="lg">
          {t('money.billing.projects')}
        </Title>
        {projects.isPending ? (
          <Skeleton h={200} />
        ) : projects.isError ? (
          <ErrorAlert error={projects.error} />
        ) : projects.data.length === 0 ? (
          <Text c="dimmed">{t('money.billing.noProjects')}</Text>
        ) : (
          <Stack>
            {projects.data
              .filter((p) => p.status !== 'archived')
              .map((p) => (
                <ProjectBudget key={p.id} project={p} />
              ))}
          </Stack>
        )}
        {wallet.data?.entries.length ? (
          <Card withBorder padding="lg">
            <Title order={2} fz="lg" mb="sm">
              {t('money.billing.history')}
            </Title>
            <EntriesTable entries={wallet.data.entries} />
          </Card>
        ) : null}
      </Stack>
    </>
  );
}

function DepositNotice({ deposit }: { deposit: Deposit }) {
  const { t } = useTranslation();
  if (deposit.status !== 'pending') return null;
  return (
    <Alert color="blue" title={t('money.billing.depositPending', { amount: formatWon(deposit.amount) })} data-testid="deposit-pending">
      <Text size="sm">{t('money.billing.depositReference', { reference: deposit.reference })}</Text>
    </Alert>
  );
}

function OrgDeposit() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [amount, setAmount] = useState<number | string>(100_000);
  const [key] = useState(idempotencyKey);
  const deposit = useMutation({
    mutationFn: () => moneyApi.depositToOrg(Number(amount), key),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['wallet'] }),
  });
  return (
    <Card
      withBorder
      padding="md"
      component="form"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        deposit.mutate();
      }}
    >
      <Stack gap="xs">
        <NumberInput label={t('money.billing.depositToFunds')} value={amount} onChange={setAmount} min={1} step={10_000} thousandSeparator="," prefix="₩" allowDecimal={false} />
        <ErrorAlert error={deposit.error} />
        {deposit.data ? <DepositNotice deposit={deposit.data} /> : null}
        <Button type="submit" size="xs" variant="light" loading={deposit.isPending} disabled={Number(amount) <= 0}>
          {t('money.billing.deposit')}
        </Button>
      </Stack>
    </Card>
  );
}

function ProjectBudget({ project }: { project: ProjectLite }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const budget = useQuery({ queryKey: ['budget', project.id], queryFn: () => moneyApi.budget(project.id) });
  const stats = useQuery({ queryKey: ['budget-stats', project.id], queryFn: () => moneyApi.stats(project.id) });
  const [amount, setAmount] = useState<number | string>(50_000);
  const [source, setSource] = useState<'deposit' | 'org_funds'>('deposit');
  const [key, setKey] = useState(idempotencyKey);
  const fund = useMutation({
    mutationFn: () => moneyApi.fund(project.id, Number(amount), source, key),
    onSuccess: (r) => {
      setKey(idempotencyKey());
      if (r.deposit?.status !== 'pending') notifications.show({ color: 'teal', message: t('money.billing.funded', { amount: formatWon(Number(amount)) }) });
      void qc.invalidateQueries({ queryKey: ['budget', project.id] });
      void qc.invalidateQueries({ queryKey: ['budget-stats', project.id] });
      void qc.invalidateQueries({ queryKey: ['wallet'] });
      void qc.invalidateQueries({ queryKey: ['billing', 'projects'] });
    },
  });
  const b = budget.data?.budget;
  const pay = budget.data?.pay;
  const s = stats.data;
  return (
    <Card withBorder padding="lg" data-testid="project-budget" data-project-id={project.id}>
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Text fw={700} component={Link} to={`/projects/${project.id}`}>
            {project.name}
          </Text>
          <StatusBadge status={project.status} size="sm" />
        </Group>
        {b ? (
          <Text size="sm" c="dimmed">
            {t('money.billing.costPerTask', { cost: formatWon(b.costPerTask), fee: b.feePercent })}
          </Text>
        ) : null}
      </Group>
      {project.status === 'paused' && project.statusReason ? (
        <Alert color="yellow" mb="sm">
          {project.statusReason}
        </Alert>
      ) : null}
      {budget.isError ? <ErrorAlert error={budget.error} /> : null}
      {b ? (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap={4}>
            <Row label={t('money.billing.balance')}>{formatWon(b.balance)}</Row>
            <Row label={t('money.billing.committed')}>{formatWon(b.committed)}</Row>
            <Row label={t('money.billing.spent')}>
              {formatWon(b.spent)} ({t('money.billing.feesPart', { fees: formatWon(b.fees) })})
            </Row>
            <Row label={t('money.billing.deposited')}>{formatWon(b.deposited)}</Row>
            {b.pending > 0 ? <Row label={t('money.billing.pendingDeposits')}>{formatWon(b.pending)}</Row> : null}
            <Row label={t('money.billing.tasksCovered')}>{formatNumber(b.tasksCovered)}</Row>
            {s ? <Row label={t('money.billing.projected')}>{formatWon(Number(s.projectedCostToFinish ?? 0))}</Row> : null}
            {s && Number(s.fundingNeeded) > 0 ? (
              <Row label={t('money.billing.fundingNeeded')}>
                <Text span c="orange.8" fw={700}>
                  {formatWon(Number(s.fundingNeeded))}
                </Text>
              </Row>
            ) : null}
            {pay ? (
              <Row label={t('money.billing.hourly')}>{pay.effectiveHourlyPay === null ? t('money.billing.hourlyUnknown') : formatWon(pay.effectiveHourlyPay)}</Row>
            ) : null}
            {pay?.belowMinimumWage ? (
              <Alert color="orange" mt="xs" data-testid="below-minimum-wage">
                {t('money.billing.belowWage', { hourly: formatWon(pay.effectiveHourlyPay), wage: formatWon(pay.minimumWage) })}
              </Alert>
            ) : null}
          </Stack>
          <Stack
            gap="xs"
            component="form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              fund.mutate();
            }}
          >
            <NumberInput label={t('money.billing.fundAmount')} value={amount} onChange={setAmount} min={1} step={10_000} thousandSeparator="," prefix="₩" allowDecimal={false} />
            <SegmentedControl
              value={source}
              onChange={(v) => setSource(v as typeof source)}
              data={[
                { value: 'deposit', label: t('money.billing.fromDeposit') },
                { value: 'org_funds', label: t('money.billing.fromFunds') },
              ]}
              aria-label={t('money.billing.source')}
            />
            <ErrorAlert error={fund.error} />
            {fund.data?.deposit ? <DepositNotice deposit={fund.data.deposit} /> : null}
            <Button type="submit" loading={fund.isPending} disabled={Number(amount) <= 0}>
              {t('money.billing.fund')}
            </Button>
          </Stack>
        </SimpleGrid>
      ) : (
        <Skeleton h={120} />
      )}
    </Card>
  );
}
