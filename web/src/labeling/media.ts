import { imageSize, readField, safeMediaSource, type ItemData, type Template } from '@core/templates/index.ts';

/** Where the browser fetches an asset (`asset:<sha256>` → `/api/assets/<sha256>`). */
export const assetUrl = (hash: string) => `/api/assets/${hash}`;

/**
 * The URL to put in an `<img>`/`<audio>`/`<video>` `src` for an item value, or null when the
 * value is not a safe media source (then the screen shows it as text instead).
 */
export function mediaUrl(value: unknown): string | null {
  const safe = safeMediaSource(value);
  if (!safe) return null;
  return safe.kind === 'asset' ? assetUrl(safe.hash) : safe.url;
}

/** The URLs of every image an item shows under this template (to preload the next task). */
export function imageUrls(template: Template, data: ItemData): string[] {
  const fields = new Set<string>();
  for (const d of template.display) if (d.type === 'image') fields.add(d.field);
  for (const c of template.controls) if (c.type === 'bbox') fields.add(c.imageField);
  const urls: string[] = [];
  for (const f of fields) {
    const u = mediaUrl(readField(data, f));
    if (u) urls.push(u);
  }
  return urls;
}

const preloaded = new Map<string, Promise<void>>();

/**
 * Fetches and decodes images ahead of time so the next task shows them at once. Resolves when
 * all are decoded, failed, or `timeoutMs` passed — never rejects.
 */
export function preloadImages(urls: readonly string[], timeoutMs = 2000): Promise<void> {
  const loads = urls.map((url) => {
    let p = preloaded.get(url);
    if (!p) {
      const img = new Image();
      img.decoding = 'async';
      img.src = url;
      p = img.decode().catch(() => undefined);
      preloaded.set(url, p);
      if (preloaded.size > 50) preloaded.delete(preloaded.keys().next().value!);
    }
    return p;
  });
  return Promise.race([Promise.all(loads).then(() => undefined), new Promise<void>((r) => setTimeout(r, timeoutMs))]);
}

export { imageSize };
