/**
 * How item data is read for display, shared by validation and the labeling screen so both see
 * exactly the same text and image size. No Node-only APIs: the web app imports this.
 */
import type { ItemData } from './types.ts';

/** An uploaded file, stored content-addressed: `asset:` + lowercase hex SHA-256. */
export const ASSET_REF_RE = /^asset:[0-9a-f]{64}$/;

export function isAssetRef(value: unknown): value is string {
  return typeof value === 'string' && ASSET_REF_RE.test(value);
}

/** `asset:<hex>` → `<hex>`, anything else → null. */
export function assetHash(value: unknown): string | null {
  return isAssetRef(value) ? value.slice('asset:'.length) : null;
}

/** What the server knows of an uploaded asset (for `file` controls' type and size checks). */
export interface AssetInfo {
  mimeType?: string;
  /** Original file name, used to match extension entries of `accept`. */
  name?: string;
  bytes?: number;
}

/** Own-property read: item data is untrusted JSON and may name `constructor`, `__proto__`… */
export function readField(data: ItemData | undefined, field: string): unknown {
  if (data === undefined || data === null || typeof data !== 'object') return undefined;
  return Object.hasOwn(data, field) ? data[field] : undefined;
}

/**
 * The exact string a `text` display shows and `span` offsets index into: strings as they are
 * (no trimming, no newline changes), numbers and booleans via `String`, null/absent as `''`,
 * anything else as JSON. Render it as text (never HTML) with `white-space: pre-wrap`.
 */
export function displayText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/**
 * The source of an image/audio/video field: the value itself when it is a string, or its `src`
 * when it is an object `{src, width?, height?}`.
 */
export function mediaSource(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isPlainObject(value) && typeof value.src === 'string') return value.src;
  return null;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * The natural size of the image in `field`, by the one convention of Dure:
 *   1. the field's value is an object `{src, width, height}` → those (for items with several images);
 *   2. otherwise the item's top-level `width` and `height` (what the zip import writes beside
 *      `image`: `{image: "asset:…", filename, width, height}`).
 * Both numbers must be positive; otherwise the size is unknown (null) and boxes are only
 * checked for being non-negative.
 */
export function imageSize(data: ItemData | undefined, field: string): ImageSize | null {
  const value = readField(data, field);
  if (isPlainObject(value) && positive(value.width) && positive(value.height)) {
    return { width: value.width, height: value.height };
  }
  const width = readField(data, 'width');
  const height = readField(data, 'height');
  if (positive(width) && positive(height)) return { width, height };
  return null;
}

function parseUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

export type SafeMedia = { kind: 'asset'; hash: string } | { kind: 'url'; url: string };

/**
 * Whether an image/audio/video source may be put in a `src`: an asset reference, an
 * http(s) URL, or a `data:image|audio|video/…` URL. Anything else (javascript:, relative
 * paths, file:) → null, and the screen shows the value as text instead.
 */
export function safeMediaSource(value: unknown): SafeMedia | null {
  const src = mediaSource(value);
  if (src === null) return null;
  const hash = assetHash(src);
  if (hash !== null) return { kind: 'asset', hash };
  if (/^data:(image|audio|video)\/[a-z0-9.+-]+[;,]/i.test(src)) return { kind: 'url', url: src };
  const url = parseUrl(src);
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return { kind: 'url', url: url.href };
  return null;
}

/** A `link` display's target: only absolute http(s) URLs; anything else → null (show as text). */
export function safeLinkUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const url = parseUrl(value.trim());
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url.href;
  return null;
}

const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/i;
const EXT_RE = /^\.[a-z0-9][a-z0-9._+-]*$/i;

/** Whether a `file` control's `accept` entry is well formed: a MIME type, `type/*`, or `.ext`. */
export function isAcceptEntry(entry: string): boolean {
  return MIME_RE.test(entry) || EXT_RE.test(entry);
}

/**
 * Whether a file matches `accept` (empty = anything). MIME entries compare with the file's
 * MIME type, case-insensitively, `type/*` by prefix; `.ext` entries with the end of its name.
 */
export function fileAccepts(accept: readonly string[], file: AssetInfo): boolean {
  if (accept.length === 0) return true;
  const mime = file.mimeType?.toLowerCase().split(';')[0]?.trim();
  const name = file.name?.toLowerCase();
  return accept.some((raw) => {
    const entry = raw.toLowerCase();
    if (entry.startsWith('.')) return name !== undefined && name.endsWith(entry);
    if (mime === undefined) return false;
    if (entry.endsWith('/*')) return mime.startsWith(entry.slice(0, -1));
    return mime === entry;
  });
}
