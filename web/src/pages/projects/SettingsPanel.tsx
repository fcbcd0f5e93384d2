import { Alert, Button, Card, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Switch, TagsInput, Text, Title } from '@mantine/core';
import { resolveSettings, type ProjectSettings } from '@core/projects/settings.ts';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconClockHour4, IconDeviceFloppy, IconHeartHandshake } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDuration, formatNumber, formatPercent, formatWon } from '../../lib/format';
import { projectKeys, projectsApi, type Project, type ProjectStats } from './api';
import { hourlyPay, MINIMUM_WAGE_KRW, QUALIFICATION_DEFAULTS, readSetting, SECTIONS, writeSetting, type SettingSpec } from './settingsSpec';

type Key = 'projects.settings.fields.overlap.label';

/** Every project setting with its label, help, range and live validation (the server's own rules). */
export function SettingsPanel({ project, stats }: { project: Project; stats?: ProjectStats }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [settings, setSettings] = useState<ProjectSettings>(project.settings);
  const [tags, setTags] = useState<string[]>(project.tags);
  const [saved, setSaved] = useState(() => JSON.stringify([project.settings, project.tags]));
  const [seconds, setSeconds] = useState<number | ''>(() => (stats?.medianSeconds ? Math.round(stats.medianSeconds) : 30));

  const { problems } = useMemo(() => resolveSettings(settings, project.settings), [settings, project.settings]);
  const problemFor = (spec: SettingSpec) =>
    problems
      .filter((p) => p.path === `/settings/${spec.path}`)
      .map((p) => settingProblemText(p.problem, spec))
      .join(' ') || undefined;
  const settingProblemText = (problem: string, spec: SettingSpec) => {
    let m = /^must be between (\S+) and (\S+)$/.exec(problem);
    if (m) return t('projects.settings.problem.between', { range: range(spec) });
    if (problem === 'must be an integer') return t('projects.settings.problem.integer');
    if (problem === 'must be a number') return t('projects.settings.problem.number');
    m = /^must not exceed overlap \((\d+)\)$/.exec(problem);
    if (m) return t('projects.settings.problem.overlap', { overlap: m[1] });
    return problem;
  };
  const dirty = JSON.stringify([settings, tags]) !== saved;

  const save = useMutation({
    mutationFn: () => projectsApi.update(project.id, { settings, tags }),
    onSuccess: (p) => {
      qc.setQueryData(projectKeys.one(p.id), p);
      void qc.invalidateQueries({ queryKey: projectKeys.stats(p.id) });
      setSettings(p.settings);
      setTags(p.tags);
      setSaved(JSON.stringify([p.settings, p.tags]));
      notifications.show({ message: t('projects.settings.saved'), color: 'dure' });
    },
  });

  const label = (path: string) => t(`projects.settings.fields.${path.replace('/', '.')}.label` as Key);
  const help = (path: string) => t(`projects.settings.fields.${path.replace('/', '.')}.help` as Key);
  const set = (path: string, v: unknown) => setSettings((s) => writeSetting(s, path, v));

  const range = (spec: SettingSpec) => {
    const { min, max } = spec;
    if (min === undefined || max === undefined) return '';
    const f = (x: number) =>
      spec.kind === 'won' ? formatWon(x) : spec.kind === 'share' ? formatPercent(x, 2) : spec.kind === 'seconds' ? formatDuration(x) : formatNumber(x);
    return t('projects.settings.range', { min: f(min), max: f(max) });
  };

  const input = (spec: SettingSpec) => {
    const v = readSetting(settings, spec.path);
    const description = (
      <>
        {help(spec.path)} {range(spec)}
        {spec.kind === 'seconds' && typeof v === 'number' ? ` (${formatDuration(v)})` : ''}
      </>
    );
    const common = { label: label(spec.path), description, error: problemFor(spec), key: spec.path, 'data-setting': spec.path };
    if (spec.path === 'dynamicOverlap/enabled') {
      return <Switch {...common} checked={v === true} onChange={(e) => set(spec.path, e.currentTarget.checked)} />;
    }
    if (spec.kind === 'choice') {
      const choices = spec.choices ?? [];
      return (
        <NativeSelect
          {...common}
          value={String(v)}
          onChange={(e) => set(spec.path, e.currentTarget.value)}
          data={choices.map((c) => ({ value: c, label: t(`projects.settings.choices.${spec.path}.${c}` as Key) }))}
        />
      );
    }
    if (spec.kind === 'share') {
      return (
        <NumberInput
          {...common}
          value={typeof v === 'number' ? Math.round(v * 1_000_000) / 10_000 : ''}
          onChange={(x) => set(spec.path, typeof x === 'number' ? Math.round(x * 100) / 10_000 : NaN)}
          suffix="%"
          decimalScale={2}
          min={(spec.min ?? 0) * 100}
          max={(spec.max ?? 1) * 100}
          clampBehavior="none"
        />
      );
    }
    return (
      <NumberInput
        {...common}
        value={typeof v === 'number' ? v : ''}
        onChange={(x) => set(spec.path, typeof x === 'number' ? x : NaN)}
        prefix={spec.kind === 'won' ? '₩' : undefined}
        suffix={spec.kind === 'hours' ? t('projects.settings.hoursSuffix') : spec.kind === 'seconds' ? t('projects.settings.secondsSuffix') : undefined}
        thousandSeparator=","
        allowDecimal={spec.kind === 'hours'}
        allowNegative={false}
        min={spec.min}
        max={spec.max}
        clampBehavior="none"
      />
    );
  };

  const pay = settings.payPerAnnotation;
  const estimate = hourlyPay(Number.isFinite(pay) ? pay : 0, typeof seconds === 'number' ? seconds : null);
  const below = pay > 0 && estimate !== null && estimate < MINIMUM_WAGE_KRW;

  return (
    <Stack gap="lg" pb={80}>
      {SECTIONS.map((section) => {
        let specs = section.settings;
        const troubled = (prefix: string) => problems.some((p) => p.path?.startsWith(`/settings/${prefix}/`));
        if (section.id === 'answers' && !settings.dynamicOverlap.enabled && !troubled('dynamicOverlap')) specs = specs.filter((s) => !s.path.startsWith('dynamicOverlap/') || s.path === 'dynamicOverlap/enabled');
        if (section.id === 'gold' && !settings.qualification && !troubled('qualification')) specs = specs.filter((s) => !s.path.startsWith('qualification/'));
        const plain = specs.filter((s) => !s.path.startsWith('qualification/'));
        const qual = specs.filter((s) => s.path.startsWith('qualification/'));
        return (
          <Card key={section.id} data-section={section.id}>
            <Stack gap="md">
              <div>
                <Title order={2} fz="lg">
                  {t(`projects.settings.sections.${section.id}.title`)}
                </Title>
                <Text size="sm" c="dimmed">
                  {t(`projects.settings.sections.${section.id}.lead`)}
                </Text>
              </div>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="md">
                {plain.map(input)}
              </SimpleGrid>

              {section.id === 'pay' ? (
                <Paper withBorder p="md" radius="md" bg={below ? 'orange.0' : 'gray.0'} data-testid="hourly-estimate">
                  <Stack gap="xs">
                    <Group gap="xs">
                      <IconClockHour4 size={18} />
                      <Text fw={600}>{t('projects.settings.hourly.title')}</Text>
                    </Group>
                    <Group align="flex-end" gap="lg" wrap="wrap">
                      <NumberInput
                        label={t('projects.settings.hourly.seconds')}
                        description={t('projects.settings.hourly.secondsHint')}
                        value={seconds}
                        onChange={(x) => setSeconds(typeof x === 'number' ? x : '')}
                        min={1}
                        max={86_400}
                        suffix={t('projects.settings.secondsSuffix')}
                        allowNegative={false}
                        w={220}
                      />
                      <Stack gap={0}>
                        <Text size="xs" c="dimmed">
                          {t('projects.settings.hourly.estimate')}
                        </Text>
                        <Text fz={26} fw={700} data-testid="hourly-value">
                          {pay === 0 ? t('projects.settings.hourly.volunteer') : estimate === null ? '—' : t('projects.settings.hourly.perHour', { amount: formatWon(estimate) })}
                        </Text>
                      </Stack>
                    </Group>
                    {pay === 0 ? (
                      <Group gap={6}>
                        <IconHeartHandshake size={16} />
                        <Text size="sm">{t('projects.settings.hourly.volunteerText')}</Text>
                      </Group>
                    ) : below ? (
                      <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" p="xs">
                        {t('projects.settings.hourly.below', { wage: formatWon(MINIMUM_WAGE_KRW), needed: formatWon(Math.ceil((MINIMUM_WAGE_KRW * (seconds || 1)) / 3600)) })}
                      </Alert>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t('projects.settings.hourly.fair', { wage: formatWon(MINIMUM_WAGE_KRW) })}
                      </Text>
                    )}
                    {stats?.effectiveHourlyPay != null ? (
                      <Text size="sm">
                        {t('projects.settings.hourly.real', { amount: formatWon(stats.effectiveHourlyPay), seconds: stats.medianSeconds ?? '—' })}
                      </Text>
                    ) : null}
                  </Stack>
                </Paper>
              ) : null}

              {section.id === 'gold' ? (
                <Stack gap="md">
                  <Switch
                    label={t('projects.settings.fields.qualification.enabled.label')}
                    description={t('projects.settings.fields.qualification.enabled.help')}
                    checked={settings.qualification !== null}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setSettings((s) => ({ ...structuredClone(s), qualification: on ? { ...QUALIFICATION_DEFAULTS, ...(project.settings.qualification ?? {}) } : null }));
                    }}
                  />
                  {qual.length ? (
                    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
                      {qual.map(input)}
                    </SimpleGrid>
                  ) : null}
                </Stack>
              ) : null}

              {section.id === 'workers' ? (
                <TagsInput
                  label={t('projects.settings.tags.label')}
                  description={t('projects.settings.tags.help')}
                  value={tags}
                  onChange={setTags}
                  maxTags={20}
                  clearable
                />
              ) : null}
            </Stack>
          </Card>
        );
      })}

      <Paper withBorder shadow={dirty ? 'md' : undefined} p="sm" radius="md" style={{ position: dirty ? 'sticky' : 'static', bottom: 12, zIndex: 5 }} data-testid="settings-save-bar">
        <Stack gap="xs">
          <ErrorAlert error={save.error} />
          <Group justify="space-between">
            <Text size="sm" c={problems.length ? 'red.7' : 'dimmed'}>
              {problems.length ? t('projects.form.fixProblems', { count: problems.length }) : dirty ? t('projects.form.unsaved') : t('projects.form.allSaved')}
            </Text>
            <Group gap="xs">
              <Button
                variant="default"
                disabled={!dirty}
                onClick={() => {
                  setSettings(project.settings);
                  setTags(project.tags);
                }}
              >
                {t('projects.settings.reset')}
              </Button>
              <Button leftSection={<IconDeviceFloppy size={16} />} onClick={() => save.mutate()} loading={save.isPending} disabled={!dirty || problems.length > 0}>
                {t('projects.settings.save')}
              </Button>
            </Group>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}

