import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where asset bytes live, addressed by their SHA-256. The local-folder store is the default;
 * a cloud object store implements the same three calls.
 */
export interface AssetStore {
  /** Stores the bytes (idempotent: same content, same address) and returns their hex SHA-256. */
  put(bytes: Buffer): Promise<string>;
  open(sha256: string): Readable | null;
  has(sha256: string): Promise<boolean>;
}

export const sha256Hex = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

export class LocalAssetStore implements AssetStore {
  constructor(private readonly dir: string) {}

  private file(sha: string) {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('bad asset address');
    return path.join(this.dir, sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha = sha256Hex(bytes);
    const f = this.file(sha);
    if (fs.existsSync(f)) return sha;
    await fs.promises.mkdir(path.dirname(f), { recursive: true });
    // Write to a temporary name and rename: a reader never sees half a file.
    const tmp = `${f}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    await fs.promises.writeFile(tmp, bytes);
    await fs.promises.rename(tmp, f);
    return sha;
  }

  open(sha256: string): Readable | null {
    const f = this.file(sha256);
    return fs.existsSync(f) ? fs.createReadStream(f) : null;
  }

  async has(sha256: string): Promise<boolean> {
    return fs.existsSync(this.file(sha256));
  }
}

/** The type of a file judged by its first bytes (never by its name). */
export function sniffMime(b: Buffer): string | null {
  const starts = (...bytes: number[]) => bytes.every((x, i) => b[i] === x);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WAVE') return 'audio/wav';
  if (starts(0x42, 0x4d)) return 'image/bmp';
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'application/pdf';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'application/zip';
  if (b.subarray(0, 3).toString('latin1') === 'ID3' || starts(0xff, 0xfb) || starts(0xff, 0xf3)) return 'audio/mpeg';
  if (b.subarray(0, 4).toString('latin1') === 'OggS') return 'audio/ogg';
  if (b.subarray(4, 8).toString('latin1') === 'ftyp') return 'video/mp4';
  if (b.subarray(0, 4).toString('latin1') === 'fLaC') return 'audio/flac';
  // Text-like: valid UTF-8 without NUL bytes in the first 4 KiB.
  const head = b.subarray(0, 4096);
  if (!head.includes(0)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head);
      return head.length && (head[0] === 0x7b || head[0] === 0x5b) ? 'application/json' : 'text/plain';
    } catch {
      /* a multi-byte character cut at 4 KiB lands here too; fall through to binary */
    }
  }
  return null;
}

export const isImageMime = (m: string | null) => m !== null && m.startsWith('image/');

/**
 * Whether an image file is whole: a PNG must end in its IEND chunk, a JPEG in its end-of-image
 * marker (trailing padding allowed). Header readers alone accept a file cut half-way.
 */
export function imageLooksComplete(b: Buffer, mime: string): boolean {
  if (mime === 'image/png') return b.length >= 57 && b.subarray(b.length - 12, b.length - 4).toString('latin1') === '\0\0\0\0IEND';
  if (mime === 'image/jpeg') {
    const tail = b.subarray(Math.max(0, b.length - 1024));
    for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
    return false;
  }
  return true;
}

export const MAX_IMAGE_SIDE = 100_000;
