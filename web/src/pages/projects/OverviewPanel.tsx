import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Modal, NumberInput, Paper, Progress, Radio, SegmentedControl, SimpleGrid, Skeleton, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCash, IconDownload, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime, formatDuration, formatNumber, formatPercent, formatWon } from '../../lib/format';
import { EXPORT_FORMATS, exportUrl, projectKeys, projectsApi, type FundResult, type Project, type ProjectStats } from './api';
import { useIsPhone } from '../../lib/responsive';
import { MINIMUM_WAGE_KRW } from './settingsSpec';

function Stat({ label, value, hint, testId, tone }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string; tone?: 'warn' }) {
  return (
    <Paper withBorder p="md" radius="md" data-testid={testId} bg={tone === 'warn' ? 'orange.0' : undefined}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" style={{ letterSpacing: 0.3 }}>
        {label}
      </Text>
      <Text fz={{ base: 20, xs: 24 }} fw={700} mt={2} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed" mt={2}>
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

/** Progress, counts, money and agreement figures; export links; funding. */
export function OverviewPanel({ project, stats }: { project: Project; stats: ProjectStats | undefined }) {
  const { t } = useTranslation();
  if (!stats) {
    return (
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} h={84} />
        ))}
      </SimpleGrid>
    );
  }
  const share = stats.items > 0 ? stats.completedItems / stats.items : 0;
  const n = (x: number) => formatNumber(x);
  return (
    <Stack gap="lg">
      <Card>
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2} fz="lg">
              {t('projects.overview.progressTitle')}
            </Title>
            <Text fw={600} data-testid="progress-text">
              {t('projects.list.progress', { done: n(stats.completedItems), total: n(stats.items), percent: formatPercent(share, 0) })}
            </Text>
          </Group>
          <Progress value={share * 100} size="lg" radius="xl" aria-label={t('projects.list.progressAria', { done: stats.completedItems, total: stats.items })} />
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" mt="xs">
            <Stat testId="stat-items" label={t('projects.overview.items')} value={n(stats.items)} hint={stats.goldItems ? t('projects.overview.goldItems', { n: n(stats.goldItems) }) : undefined} />
            <Stat testId="stat-completed" label={t('projects.overview.completed')} value={n(stats.completedItems)} />
            <Stat testId="stat-annotations" label={t('projects.overview.annotations')} value={n(stats.annotations)} hint={stats.liveAssignments ? t('projects.overview.live', { n: n(stats.liveAssignments) }) : undefined} />
            <Stat testId="stat-workers" label={t('projects.overview.workers')} value={n(stats.workers)} />
            <Stat testId="stat-approved" label={t('projects.overview.approved')} value={n(stats.approved)} />
            <Stat testId="stat-rejected" label={t('projects.overview.rejected')} value={n(stats.rejected)} hint={stats.inRework ? t('projects.overview.inRework', { n: n(stats.inRework) }) : undefined} />
            <Stat testId="stat-pending" label={t('projects.overview.pendingReview')} value={n(stats.pendingReview)} />
            <Stat testId="stat-median" label={t('projects.overview.medianTime')} value={stats.medianSeconds === null ? '—' : formatDuration(stats.medianSeconds)} />
          </SimpleGrid>
        </Stack>
      </Card>

      {stats.budget !== undefined ? <MoneyCard project={project} stats={stats} /> : null}
      <AgreementCard project={project} />
      <ExportCard project={project} />
    </Stack>
  );
}

function MoneyCard({ project, stats }: { project: Project; stats: ProjectStats }) {
  const { t } = useTranslation();
  const [funding, setFunding] = useState(false);
  const wage = stats.minimumWage ?? MINIMUM_WAGE_KRW;
  const hourly = stats.effectiveHourlyPay ?? null;
  const below = stats.belowMinimumWage === true;
  const volunteer = project.settings.payPerAnnotation === 0;
  return (
    <Card data-testid="money-card">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} fz="lg">
            {t('projects.overview.moneyTitle')}
          </Title>
          <Button leftSection={<IconCash size={16} />} variant="light" onClick={() => setFunding(true)}>
            {t('projects.fund.open')}
          </Button>
        </Group>
        {/* One column on a narrow phone: amounts in won are too wide for half of it. */}
        <SimpleGrid cols={{ base: 1, xs: 2, sm: 4 }} spacing="sm">
          <Stat testId="stat-budget" label={t('projects.overview.budget')} value={formatWon(stats.budget)} hint={t('projects.overview.budgetHint')} />
          <Stat testId="stat-spent" label={t('projects.overview.spent')} value={formatWon(stats.spent)} hint={stats.fees ? t('projects.overview.fees', { amount: formatWon(stats.fees) }) : undefined} />
          <Stat label={t('projects.overview.committed')} value={formatWon(stats.committed)} hint={t('projects.overview.committedHint')} />
          <Stat
            testId="stat-hourly"
            label={t('projects.overview.hourly')}
            value={volunteer ? t('projects.overview.volunteer') : hourly === null ? '—' : formatWon(hourly)}
            hint={hourly === null && !volunteer ? t('projects.overview.hourlyUnknown') : t('projects.overview.perTask', { amount: formatWon(project.settings.payPerAnnotation) })}
            tone={below ? 'warn' : undefined}
          />
        </SimpleGrid>
        {below ? (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="below-minimum-wage">
            {t('projects.overview.belowMinimum', { hourly: formatWon(hourly), wage: formatWon(wage) })}
          </Alert>
        ) : null}
        {stats.projectedCostToFinish !== undefined ? (
          <Text size="sm" c="dimmed">
            {t('projects.overview.projected', { amount: formatWon(stats.projectedCostToFinish) })}
            {stats.fundingNeeded ? ` ${t('projects.overview.fundingNeeded', { amount: formatWon(stats.fundingNeeded) })}` : ''}
          </Text>
        ) : null}
      </Stack>
      <FundModal project={project} opened={funding} onClose={() => setFunding(false)} suggested={stats.fundingNeeded ?? 0} />
    </Card>
  );
}

function FundModal({ project, opened, onClose, suggested }: { project: Project; opened: boolean; onClose: () => void; suggested: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [amount, setAmount] = useState<number | ''>(suggested > 0 ? suggested : 100_000);
  const [source, setSource] = useState<'deposit' | 'org_funds'>('deposit');
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [result, setResult] = useState<FundResult | null>(null);
  const fund = useMutation({
    mutationFn: () => projectsApi.fund(project.id, Number(amount), source, key),
    onSuccess: (r) => {
      setResult(r);
      setKey(crypto.randomUUID());
      void qc.invalidateQueries({ queryKey: projectKeys.stats(project.id) });
      if (!r.deposit || r.deposit.status !== 'pending') notifications.show({ message: t('projects.fund.done'), color: 'dure' });
    },
  });
  const close = () => {
    setResult(null);
    fund.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('projects.fund.title')} centered>
      {result?.deposit && result.deposit.status === 'pending' ? (
        <Stack gap="sm">
          <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} title={t('projects.fund.pendingTitle')}>
            <Stack gap={4}>
              <Text size="sm">{t('projects.fund.pendingText', { amount: formatWon(result.deposit.amount) })}</Text>
              <Text size="sm">
                {t('projects.fund.reference')}: <b>{result.deposit.reference}</b>
              </Text>
              {result.deposit.instructions ? <Text size="sm">{result.deposit.instructions}</Text> : null}
            </Stack>
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>{t('common.close')}</Button>
          </Group>
        </Stack>
      ) : result ? (
        <Stack gap="sm">
          <Text>{t('projects.fund.budgetNow', { amount: formatWon(result.budget.balance) })}</Text>
          <Group justify="flex-end">
            <Button onClick={close}>{t('common.close')}</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            fund.mutate();
          }}
        >
          <Stack gap="sm">
            <ErrorAlert error={fund.error} />
            <NumberInput label={t('projects.fund.amount')} value={amount} onChange={(v) => setAmount(typeof v === 'number' ? v : '')} prefix="₩" thousandSeparator="," allowDecimal={false} allowNegative={false} min={1} required />
            <Radio.Group label={t('projects.fund.source')} value={source} onChange={(v) => setSource(v as 'deposit' | 'org_funds')}>
              <Stack gap={6} mt={6}>
                <Radio value="deposit" label={t('projects.fund.sourceDeposit')} description={t('projects.fund.sourceDepositHint')} />
                <Radio value="org_funds" label={t('projects.fund.sourceOrg')} description={t('projects.fund.sourceOrgHint')} />
              </Stack>
            </Radio.Group>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={fund.isPending} disabled={!amount || amount < 1}>
                {t('projects.fund.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function AgreementCard({ project }: { project: Project }) {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const q = useQuery({ queryKey: projectKeys.agreement(project.id), queryFn: () => projectsApi.agreement(project.id), retry: false, staleTime: 30_000 });
  // The quality module may not be there (404) — then the card is simply absent.
  if (q.isError || !q.data) return null;
  const a = q.data;
  const fmt = (x: number | null) => (x === null ? '—' : formatNumber(x, { maximumFractionDigits: 3, minimumFractionDigits: 2 }));
  const tone = (x: number | null) => (x === null ? 'gray' : x >= 0.8 ? 'teal' : x >= 0.6 ? 'yellow' : 'orange');
  return (
    <Card data-testid="agreement-card">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} fz="lg">
            {t('projects.overview.agreementTitle')}
          </Title>
          <Text size="xs" c="dimmed">
            {t('projects.overview.agreementBasis', { n: formatNumber(a.answers), at: formatDateTime(a.computedAt) })}
          </Text>
        </Group>
        {a.controls.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('projects.overview.agreementNone')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={300}>
            <Table verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('projects.overview.agreementControl')}</Table.Th>
                  <Table.Th>
                    <Tooltip label={t('projects.overview.kappaHint')} multiline w={260}>
                      <span>{phone ? 'κ' : 'Fleiss κ'}</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th>
                    <Tooltip label={t('projects.overview.alphaHint')} multiline w={260}>
                      <span>{phone ? 'α' : 'Krippendorff α'}</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th>{t('projects.overview.agreementItems')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {a.controls.map((c) => (
                  <Table.Tr key={c.control}>
                    <Table.Td>
                      {project.template.controls.find((x) => x.name === c.control)?.label ?? c.control}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={tone(c.fleissKappa)}>
                        {fmt(c.fleissKappa)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={tone(c.krippendorffAlpha)}>
                        {fmt(c.krippendorffAlpha)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{formatNumber(c.items)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}

function ExportCard({ project }: { project: Project }) {
  const { t } = useTranslation();
  const [completed, setCompleted] = useState(false);
  const [gold, setGold] = useState<'exclude' | 'include' | 'only'>('exclude');
  const hasBoxes = project.template.controls.some((c) => c.type === 'bbox');
  const hasSpans = project.template.controls.some((c) => c.type === 'span');
  const fits = (f: string) => (f === 'coco' || f === 'yolo' ? hasBoxes : f === 'conll' ? hasSpans : true);
  return (
    <Card data-testid="export-card">
      <Stack gap="sm">
        <div>
          <Title order={2} fz="lg">
            {t('projects.export.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('projects.export.lead')}
          </Text>
        </div>
        <Group gap="lg" wrap="wrap">
          <Checkbox label={t('projects.export.completedOnly')} checked={completed} onChange={(e) => setCompleted(e.currentTarget.checked)} />
          <Group gap="xs">
            <Text size="sm" id="export-gold-label">
              {t('projects.export.gold')}
            </Text>
            <SegmentedControl
              size="xs"
              aria-labelledby="export-gold-label"
              value={gold}
              onChange={(v) => setGold(v as typeof gold)}
              data={[
                { value: 'exclude', label: t('projects.export.goldExclude') },
                { value: 'include', label: t('projects.export.goldInclude') },
                { value: 'only', label: t('projects.export.goldOnly') },
              ]}
            />
          </Group>
        </Group>
        <Group gap="xs">
          {EXPORT_FORMATS.filter(fits).map((f) => (
            <Button key={f} component="a" href={exportUrl(project.id, f, { completed, gold })} download variant="default" size="sm" leftSection={<IconDownload size={14} />}>
              {t(`projects.export.formats.${f}`)}
            </Button>
          ))}
        </Group>
        <Text size="xs" c="dimmed">
          {t('projects.export.api')} <Anchor href="/docs" target="_blank" rel="noreferrer" size="xs">/docs</Anchor>
        </Text>
      </Stack>
    </Card>
  );
}
