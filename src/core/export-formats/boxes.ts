import type { BboxControl, SpanControl, Template } from '../templates/types.ts';
import { imageSize, isAssetRef, mediaSource, readField, type ImageSize } from '../templates/media.ts';
import type { ExportItem } from './types.ts';

export interface PlainBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

/** The control a single-control format works on, by name or the first of its type. */
export function pickControl<T extends 'bbox' | 'span'>(template: Template, type: T, name: string | null): (T extends 'bbox' ? BboxControl : SpanControl) | null {
  const c = template.controls.find((x) => x.type === type && (name === null || x.name === name));
  return (c ?? null) as (T extends 'bbox' ? BboxControl : SpanControl) | null;
}

/** The final boxes of an item for a bbox control (well-formed entries only). */
export function itemBoxes(item: ExportItem, control: string): PlainBox[] {
  const v = item.labels[control]?.value;
  if (!Array.isArray(v)) return [];
  const out: PlainBox[] = [];
  for (const b of v) {
    if (typeof b !== 'object' || b === null) continue;
    const { x, y, width, height, label } = b as Record<string, unknown>;
    if ([x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n)) && typeof label === 'string') {
      out.push({ x: x as number, y: y as number, width: width as number, height: height as number, label });
    }
  }
  return out;
}

export interface ImageRef {
  /** The image's source as stored: `asset:<sha256>` or a URL. */
  source: string | null;
  size: ImageSize | null;
  /** A file name for it: the item's `filename` when it has one, else derived from the id. */
  fileName: string;
}

export function itemImage(item: ExportItem, field: string): ImageRef {
  const source = mediaSource(readField(item.data, field));
  const fn = readField(item.data, 'filename');
  let fileName = typeof fn === 'string' && fn ? fn : '';
  if (!fileName && source && !isAssetRef(source)) {
    try {
      fileName = decodeURIComponent(new URL(source).pathname.split('/').pop() ?? '');
    } catch {
      fileName = '';
    }
  }
  return { source, size: imageSize(item.data, field), fileName: fileName || String(item.id) };
}
