/**
 * The HTTP client `dure import` and `dure export` share: a base URL and an API token, bodies
 * streamed both ways (a file of any size is never held in memory), API errors turned into
 * `ApiError` with the server's code, message and details.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';

export interface ErrorDetail {
  path?: string;
  line?: number;
  problem: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type ImportFormat = 'json' | 'jsonl' | 'csv' | 'labelstudio' | 'zip';

const CONTENT_TYPES: Record<ImportFormat, string> = {
  json: 'application/json',
  labelstudio: 'application/json',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
  zip: 'application/zip',
};

/** The import format of a file: explicit, else by its extension. */
export function importFormatOf(file: string, explicit?: string): ImportFormat {
  if (explicit) {
    if (explicit in CONTENT_TYPES) return explicit as ImportFormat;
    throw new Error(`unknown import format "${explicit}"; use json, jsonl, csv, labelstudio or zip`);
  }
  const ext = path.extname(file).toLowerCase();
  const byExt: Record<string, ImportFormat> = { '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.zip': 'zip' };
  const f = byExt[ext];
  if (!f) throw new Error(`cannot tell the format of "${path.basename(file)}" from its extension; pass --format json|jsonl|csv|labelstudio|zip`);
  return f;
}

/** Counts bytes (and newlines) flowing through. */
function counter(onChunk: (bytes: number, newlines: number) => void) {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let nl = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) nl++;
      onChunk(chunk.length, nl);
      cb(null, chunk);
    },
  });
}

export interface ImportResult {
  imported: number;
  gold: number;
  skipped?: { name: string; reason: string }[];
}

export interface ExportParams {
  format: string;
  completed?: boolean;
  approved?: boolean;
  minConfidence?: number;
  gold?: 'exclude' | 'include' | 'only';
  annotations?: boolean;
  control?: string;
  assetUrls?: boolean;
}

export interface ExportProgress {
  bytes: number;
  /** Records seen so far (newlines; exact for jsonl, json, hf and labelstudio). */
  lines: number;
  /** Items the server selected (X-Dure-Items), when it said. */
  total: number | null;
}

export class DureClient {
  readonly base: string;

  constructor(url: string, private readonly token: string) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`--url must be the server's address, e.g. http://127.0.0.1:3000 (got "${url}")`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('--url must be an http:// or https:// address');
    this.base = u.href.replace(/\/+$/, '');
  }

  private headers(extra: Record<string, string> = {}) {
    return { authorization: `Bearer ${this.token}`, 'user-agent': 'dure-cli', ...extra };
  }

  private async fail(res: { statusCode: number; body: Readable & { text(): Promise<string> } }): Promise<never> {
    const text = await res.body.text().catch(() => '');
    try {
      const e = JSON.parse(text).error as { code: string; message: string; details?: ErrorDetail[] };
      throw new ApiError(res.statusCode, e.code, e.message, e.details ?? []);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(res.statusCode, 'http_error', `the server answered ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
  }

  /** Streams a file into the project's items; `onProgress(sent, size)` as bytes leave. */
  async importFile(projectId: string, file: string, opts: { format?: string; goldAnswers?: boolean; onProgress?: (sent: number, size: number) => void } = {}): Promise<ImportResult> {
    const format = importFormatOf(file, opts.format);
    const size = (await fs.promises.stat(file)).size;
    let sent = 0;
    const body = fs.createReadStream(file).pipe(
      counter((n) => {
        sent += n;
        opts.onProgress?.(sent, size);
      }),
    );
    const q = new URLSearchParams();
    if (format === 'labelstudio') q.set('format', 'labelstudio');
    if (opts.goldAnswers) q.set('answers', 'gold');
    const res = await request(`${this.base}/api/projects/${encodeURIComponent(projectId)}/items${q.size ? `?${q}` : ''}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': CONTENT_TYPES[format], 'content-length': String(size) }),
      body,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    if (res.statusCode !== 201) return this.fail(res);
    return (await res.body.json()) as ImportResult;
  }

  /** Streams an export into `out`; resolves once every byte is written. */
  async exportTo(projectId: string, params: ExportParams, out: Writable, onProgress?: (p: ExportProgress) => void): Promise<ExportProgress & { filename: string | null }> {
    const q = new URLSearchParams({ format: params.format });
    if (params.completed) q.set('completed', 'true');
    if (params.approved) q.set('approved', 'true');
    if (params.minConfidence !== undefined) q.set('minConfidence', String(params.minConfidence));
    if (params.gold) q.set('gold', params.gold);
    if (params.annotations !== undefined) q.set('annotations', String(params.annotations));
    if (params.control) q.set('control', params.control);
    if (params.assetUrls) q.set('assetUrls', 'true');
    const res = await request(`${this.base}/api/projects/${encodeURIComponent(projectId)}/export?${q}`, {
      method: 'GET',
      headers: this.headers(),
      headersTimeout: 120_000,
      bodyTimeout: 300_000,
    });
    if (res.statusCode !== 200) return this.fail(res);
    const totalHeader = res.headers['x-dure-items'];
    const progress: ExportProgress = { bytes: 0, lines: 0, total: typeof totalHeader === 'string' ? Number(totalHeader) : null };
    onProgress?.({ ...progress });
    await pipeline(
      res.body,
      counter((n, nl) => {
        progress.bytes += n;
        progress.lines += nl;
        onProgress?.({ ...progress });
      }),
      out,
    );
    const cd = res.headers['content-disposition'];
    const m = typeof cd === 'string' ? /filename\*=UTF-8''([^;]+)/.exec(cd) : null;
    return { ...progress, filename: m ? decodeURIComponent(m[1]!) : null };
  }
}

/** How an API error reads on a terminal: the message, then each detail on its own line. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const lines = [`error: ${e.message} (${e.status} ${e.code})`];
    for (const d of e.details.slice(0, 20)) {
      const where = [d.line !== undefined ? `line ${d.line}` : null, d.path ?? null].filter(Boolean).join(' ');
      lines.push(`  ${where ? `${where}: ` : ''}${d.problem}`);
    }
    if (e.details.length > 20) lines.push(`  … and ${e.details.length - 20} more`);
    return lines.join('\n');
  }
  const err = e as Error & { code?: string };
  if (err?.code === 'ECONNREFUSED') return `error: cannot reach the server (${err.message})`;
  return `error: ${err?.message ?? String(e)}`;
}
