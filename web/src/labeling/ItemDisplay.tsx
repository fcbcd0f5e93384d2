import { Anchor, Badge, Box, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import {
  displayText,
  readField,
  safeLinkUrl,
  type DisplayField,
  type ItemData,
  type PairwiseControl,
  type Template,
} from '@core/templates/index.ts';
import { IconExternalLink } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../lib/format';
import './labeling.css';
import { mediaUrl } from './media';

export interface ItemDisplayProps {
  template: Template;
  data: ItemData;
  /**
   * Replaces how one display entry is drawn (return undefined to keep the default). The labeling
   * form puts the box editor on a bbox control's image and the span editor on a span control's text.
   */
  renderEntry?: (entry: DisplayField, index: number) => ReactNode | undefined;
  /** Chosen answers of pairwise controls (control name → field name or "equal"), to mark A or B. */
  pairwise?: Record<string, unknown>;
}

type Block = { kind: 'entry'; entry: DisplayField; index: number } | { kind: 'pair'; control: PairwiseControl; a: [DisplayField, number]; b: [DisplayField, number] };

/** Display entries in order, the two fields of each pairwise control gathered side by side. */
function blocks(template: Template): Block[] {
  const pairs = template.controls.filter((c): c is PairwiseControl => c.type === 'pairwise');
  const used = new Set<number>();
  const out: Block[] = [];
  template.display.forEach((entry, index) => {
    if (used.has(index)) return;
    const pair = pairs.find((p) => p.fields.includes(entry.field));
    if (pair) {
      const ia = template.display.findIndex((d, i) => !used.has(i) && d.field === pair.fields[0]);
      const ib = template.display.findIndex((d, i) => !used.has(i) && i !== ia && d.field === pair.fields[1]);
      if (ia >= 0 && ib >= 0) {
        used.add(ia);
        used.add(ib);
        out.push({ kind: 'pair', control: pair, a: [template.display[ia]!, ia], b: [template.display[ib]!, ib] });
        return;
      }
    }
    used.add(index);
    out.push({ kind: 'entry', entry, index });
  });
  return out;
}

/**
 * What a worker sees of an item, as the template's `display` says: text always as text (never
 * HTML) with its line breaks kept, images from assets or safe URLs, audio, video, safe links,
 * numbers; `columns` layout side by side on wide screens, `stack` one under another.
 */
export function ItemDisplay({ template, data, renderEntry, pairwise }: ItemDisplayProps) {
  const list = blocks(template);
  const render = (entry: DisplayField, index: number) => renderEntry?.(entry, index) ?? <DisplayValue entry={entry} data={data} />;
  const items = list.map((b) =>
    b.kind === 'entry' ? (
      <EntryFrame key={`e${b.index}`} entry={b.entry}>
        {render(b.entry, b.index)}
      </EntryFrame>
    ) : (
      <PairBlock key={`p${b.a[1]}`} control={b.control} chosen={pairwise?.[b.control.name]} a={render(...b.a)} b={render(...b.b)} labels={[b.a[0], b.b[0]]} />
    ),
  );
  if (template.layout === 'columns' && list.length > 1) {
    return (
      <SimpleGrid cols={{ base: 1, sm: Math.min(list.length, 2), xl: Math.min(list.length, 3) }} spacing="md" data-testid="item-display">
        {items}
      </SimpleGrid>
    );
  }
  return (
    <Stack gap="md" data-testid="item-display">
      {items}
    </Stack>
  );
}

function EntryFrame({ entry, children }: { entry: DisplayField; children: ReactNode }) {
  return (
    <Box data-field={entry.field} style={{ minWidth: 0 }}>
      {entry.label ? (
        <Text size="sm" fw={600} c="dimmed" mb={6}>
          {entry.label}
        </Text>
      ) : null}
      {children}
    </Box>
  );
}

function PairBlock({ control, chosen, a, b, labels }: { control: PairwiseControl; chosen: unknown; a: ReactNode; b: ReactNode; labels: [DisplayField, DisplayField] }) {
  const { t } = useTranslation();
  const side = (which: 0 | 1, content: ReactNode) => {
    const field = control.fields[which];
    const selected = chosen === field || chosen === 'equal';
    return (
      <Paper
        withBorder
        p="md"
        data-pair-side={which === 0 ? 'a' : 'b'}
        style={{
          minWidth: 0,
          borderWidth: selected ? 2 : 1,
          borderColor: selected ? 'var(--mantine-color-dure-6)' : undefined,
          background: selected ? 'var(--mantine-color-dure-0)' : undefined,
        }}
      >
        <Group gap={8} mb="xs" wrap="nowrap">
          <Badge size="lg" radius="sm" variant={selected ? 'filled' : 'light'}>
            {which === 0 ? 'A' : 'B'}
          </Badge>
          <Text size="sm" fw={600} c="dimmed" truncate>
            {labels[which].label ?? field}
          </Text>
          {selected && chosen !== 'equal' ? (
            <Text size="sm" c="dure.7" fw={600} ml="auto">
              {t('labeling.pairwise.chosen')}
            </Text>
          ) : null}
        </Group>
        {content}
      </Paper>
    );
  };
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" data-pairwise={control.name}>
      {side(0, a)}
      {side(1, b)}
    </SimpleGrid>
  );
}

/** One display entry's value, read-only. */
export function DisplayValue({ entry, data }: { entry: DisplayField; data: ItemData }) {
  const { t } = useTranslation();
  const value = readField(data, entry.field);
  const missing = (
    <Text c="dimmed" fs="italic" size="sm">
      {t('labeling.display.missing')}
    </Text>
  );
  if (value === undefined || value === null || value === '') return missing;
  switch (entry.type) {
    case 'text':
      return <ItemText text={displayText(value)} />;
    case 'number':
      return (
        <Text fz={28} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>
          {typeof value === 'number' ? formatNumber(value, { maximumFractionDigits: 20 }) : displayText(value)}
        </Text>
      );
    case 'link': {
      const url = safeLinkUrl(value);
      if (!url) return <UnsafeValue value={value} />;
      return (
        <Anchor href={url} target="_blank" rel="noopener noreferrer nofollow" style={{ wordBreak: 'break-all' }}>
          {url} <IconExternalLink size={14} style={{ verticalAlign: 'middle' }} />
        </Anchor>
      );
    }
    case 'image': {
      const src = mediaUrl(value);
      if (!src) return <UnsafeValue value={value} />;
      return (
        <img
          src={src}
          alt={entry.label ?? entry.field}
          referrerPolicy="no-referrer"
          style={{ display: 'block', maxWidth: '100%', maxHeight: '70vh', objectFit: 'contain', borderRadius: 8, background: 'var(--mantine-color-gray-1)' }}
        />
      );
    }
    case 'audio': {
      const src = mediaUrl(value);
      if (!src) return <UnsafeValue value={value} />;
      return <audio controls preload="metadata" src={src} style={{ width: '100%' }} />;
    }
    case 'video': {
      const src = mediaUrl(value);
      if (!src) return <UnsafeValue value={value} />;
      return <video controls preload="metadata" src={src} style={{ width: '100%', maxHeight: '70vh', borderRadius: 8 }} />;
    }
    default:
      return <ItemText text={displayText(value)} />;
  }
}

/** Item text: exactly the string, as text, with line breaks and spaces kept. */
export function ItemText({ text }: { text: string }) {
  return (
    <Text component="div" className="dure-item-text" fz="lg" lh={1.7}>
      {text}
    </Text>
  );
}

function UnsafeValue({ value }: { value: unknown }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4}>
      <Text size="xs" c="orange.8">
        {t('labeling.display.unsafe')}
      </Text>
      <Text component="div" className="dure-item-text" size="sm" c="dimmed">
        {displayText(value)}
      </Text>
    </Stack>
  );
}
