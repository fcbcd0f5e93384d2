import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { ExportItem, ZipEntry, ZipWriter } from '../../../core/export-formats/index.ts';

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp' };
/** Entries queued ahead of the archive's output at most: the feeder waits below this. */
const AHEAD = 2000;

export interface ZipSources {
  /** MIME type of each stored asset that exists (missing ones are left out of the archive). */
  assetMimes(shas: string[]): Promise<Map<string, string>>;
  openAsset(sha: string): Readable | null;
}

/**
 * A zip archive streamed as it is written (yazl): every entry is added lazily, so its bytes are
 * produced only when the archive reaches it, and the feeder stops pulling pages while more
 * than AHEAD entries wait. Images are stored (already compressed), text entries deflated. What
 * stays in memory is the central directory — ~100 bytes per file, which the zip format keeps
 * for its end.
 */
export function zipStream(writer: ZipWriter, pages: AsyncIterable<ExportItem[]>, src: ZipSources): Readable {
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as unknown as Readable;
  const mtime = new Date();
  let added = 0;
  let started = 0;
  let wake: (() => void) | null = null;
  const onStart = () => {
    started++;
    if (wake && added - started < AHEAD / 2) {
      const w = wake;
      wake = null;
      w();
    }
  };
  zip.on('error', (e: Error) => out.destroy(e));
  out.on('close', () => wake?.());

  const add = (path: string, open: () => Readable | null, compress: boolean) => {
    added++;
    zip.addReadStreamLazy(path, { mtime, compress }, (cb) => {
      onStart();
      const s = open();
      if (!s) cb(new Error(`asset of ${path} vanished from the store`), null as never);
      else cb(null, s);
    });
  };

  const addEntries = async (entries: ZipEntry[]) => {
    const shas = entries.flatMap((e) => ('asset' in e ? [e.asset] : []));
    const mimes = shas.length ? await src.assetMimes(shas) : new Map<string, string>();
    for (const e of entries) {
      if ('content' in e) {
        const bytes = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
        add(e.path, () => Readable.from([bytes]), true);
      } else {
        const mime = mimes.get(e.asset);
        if (!mime) continue;
        add(`${e.path}.${EXT[mime] ?? 'bin'}`, () => src.openAsset(e.asset), false);
      }
    }
  };

  (async () => {
    for await (const page of pages) {
      if (out.destroyed) return;
      await addEntries(writer.page(page));
      while (added - started > AHEAD && !out.destroyed) await new Promise<void>((r) => (wake = r));
    }
    if (out.destroyed) return;
    await addEntries(writer.finish());
    zip.end();
  })().catch((e: Error) => out.destroy(e));
  return out;
}
