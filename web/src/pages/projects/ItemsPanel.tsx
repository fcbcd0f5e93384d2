import { Badge, Button, Card, Group, Image, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { displayText, readField, type Template } from '@core/templates/index.ts';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { mediaUrl } from '../../labeling';
import { formatNumber, formatPercent } from '../../lib/format';
import { useIsPhone } from '../../lib/responsive';
import { projectKeys, projectsApi, type Project, type ProjectItem } from './api';

const PAGE = 50;

const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** What a label value looks like in a cell: a choice, a list, "3 boxes", a number. */
function labelText(v: unknown, t: (k: 'projects.items.boxes', o: { count: number }) => string): string {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v) return labelText((v as { value: unknown }).value, t);
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'object' && v[0] !== null && ('width' in v[0] || 'start' in v[0])) return t('projects.items.boxes', { count: v.length });
    return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  }
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function DataPreview({ template, item }: { template: Template; item: ProjectItem }) {
  const parts = template.display.slice(0, 3).map((d) => {
    const v = readField(item.data, d.field);
    if (d.type === 'image') {
      const name = typeof item.data.filename === 'string' ? item.data.filename : null;
      return <Thumb key={d.field} value={v} alt={name ?? d.label ?? d.field} caption={name} />;
    }
    return (
      <Text key={d.field} size="sm" lineClamp={2} className="dure-item-text" style={{ whiteSpace: 'normal' }}>
        {clip(displayText(v))}
      </Text>
    );
  });
  return <Stack gap={2}>{parts.some(Boolean) ? parts : <Text size="sm">{clip(JSON.stringify(item.data))}</Text>}</Stack>;
}

/** A small picture of an image field; its address as text when it cannot be shown. */
function Thumb({ value, alt, caption }: { value: unknown; alt: string; caption: string | null }) {
  const [failed, setFailed] = useState(false);
  const src = mediaUrl(value);
  const text = caption ?? clip(typeof value === 'string' ? value : JSON.stringify(value), 80);
  if (!src || failed) {
    return (
      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
        {text}
      </Text>
    );
  }
  return (
    <Group gap="xs" wrap="nowrap">
      <Image src={src} alt={alt} h={44} w="auto" fit="contain" radius="sm" style={{ maxWidth: 80 }} onError={() => setFailed(true)} />
      {caption ? (
        <Text size="xs" c="dimmed">
          {caption}
        </Text>
      ) : null}
    </Group>
  );
}

/** Items in id order, keyset-paged with the `after` cursor: data, gold, answers, state, label. */
export function ItemsPanel({ project }: { project: Project }) {
  const { t } = useTranslation();
  const phone = useIsPhone();
  // Cursors of the pages seen so far: [0, last id of page 1, last id of page 2, …].
  const [cursors, setCursors] = useState<number[]>([0]);
  const after = cursors[cursors.length - 1]!;
  const items = useQuery({
    queryKey: projectKeys.items(project.id, after),
    queryFn: () => projectsApi.items(project.id, after, PAGE),
    placeholderData: keepPreviousData,
  });
  const list = items.data ?? [];
  const pageNo = cursors.length;

  const label = (it: ProjectItem) => {
    if (!it.label) return <Text size="sm" c="dimmed">—</Text>;
    const entries = Object.entries(it.label);
    return (
      <Stack gap={2}>
        {entries.map(([k, v]) => {
          const conf = v && typeof v === 'object' && 'confidence' in v ? (v as { confidence: unknown }).confidence : null;
          return (
            <Text key={k} size="sm">
              {entries.length > 1 ? <Text span c="dimmed">{k}: </Text> : null}
              {labelText(v, t)}
              {typeof conf === 'number' ? <Text span c="dimmed" size="xs"> ({formatPercent(conf, 0)})</Text> : null}
            </Text>
          );
        })}
        {typeof it.confidence === 'number' ? (
          <Text size="xs" c="dimmed">
            {t('projects.items.confidence', { value: formatPercent(it.confidence, 0) })}
          </Text>
        ) : null}
      </Stack>
    );
  };
  const gold = (it: ProjectItem) =>
    it.isGold ? (
      <Badge color="yellow" variant="light" size="sm">
        {t('projects.items.gold')}
      </Badge>
    ) : null;
  const state = (it: ProjectItem) => (
    <Badge color={it.state === 'complete' ? 'teal' : 'gray'} variant="light" size="sm">
      {t(`projects.items.state.${it.state}`)}
    </Badge>
  );

  return (
    <Card padding={0}>
      <Group justify="space-between" p="lg" pb="sm">
        <Title order={2} fz="lg">
          {t('projects.items.title')}
        </Title>
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            {t('projects.items.page', { n: pageNo })}
          </Text>
          <Button size="xs" variant="default" leftSection={<IconChevronLeft size={14} />} disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('projects.items.prev')}
          </Button>
          <Button
            size="xs"
            variant="default"
            rightSection={<IconChevronRight size={14} />}
            disabled={list.length < PAGE || items.isPlaceholderData}
            onClick={() => setCursors((c) => [...c, list[list.length - 1]!.id])}
          >
            {t('projects.items.next')}
          </Button>
        </Group>
      </Group>
      {items.isPending ? (
        <Stack p="lg" pt={0}>
          <Skeleton h={20} />
          <Skeleton h={20} />
        </Stack>
      ) : items.isError ? (
        <Stack p="lg" pt={0}>
          <ErrorAlert error={items.error} />
        </Stack>
      ) : list.length === 0 ? (
        <Text c="dimmed" p="lg" pt={0}>
          {t('projects.items.empty')}
        </Text>
      ) : phone ? (
        <Stack gap={0} data-testid="items-list">
          {list.map((it) => (
            <Stack key={it.id} gap={6} p="md" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
              <Group justify="space-between" wrap="nowrap">
                <Text size="sm" c="dimmed">
                  #{it.id}
                </Text>
                <Group gap={4}>
                  {gold(it)}
                  {state(it)}
                </Group>
              </Group>
              <DataPreview template={project.template} item={it} />
              <Group justify="space-between" align="flex-start">
                <Text size="sm">{t('projects.items.answersOf', { n: formatNumber(it.answers), target: formatNumber(it.target) })}</Text>
                {label(it)}
              </Group>
            </Stack>
          ))}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" data-testid="items-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>{t('projects.items.colId')}</Table.Th>
                <Table.Th>{t('projects.items.colData')}</Table.Th>
                <Table.Th w={90}>{t('projects.items.colAnswers')}</Table.Th>
                <Table.Th w={110}>{t('projects.items.colState')}</Table.Th>
                <Table.Th w={220}>{t('projects.items.colLabel')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((it) => (
                <Table.Tr key={it.id}>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {it.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap" align="flex-start">
                      <DataPreview template={project.template} item={it} />
                      {gold(it)}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {formatNumber(it.answers)} / {formatNumber(it.target)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{state(it)}</Table.Td>
                  <Table.Td>{label(it)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
