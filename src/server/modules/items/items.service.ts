import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { imageSize } from 'image-size';
import yauzl from 'yauzl';
import { AppError, type ErrorDetail } from '../../../core/app-error.ts';
import type { ProjectSettings } from '../../../core/projects/settings.ts';
import { templateFields, validateResult, type Template } from '../../../core/templates/index.ts';
import type { Config } from '../../../config.ts';
import { fromLabelStudioResult } from '../../../core/export-formats/labelstudio.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { loadOwnedProject } from '../projects/projects.service.ts';
import { type AssetStore, imageLooksComplete, isImageMime, MAX_IMAGE_SIDE, sniffMime } from '../assets/asset-store.ts';
import { itemsRepo, type NewItem } from './items.repo.ts';
import { csvRecords, type ImportFormat, type ImportRecord, jsonArrayRecords, jsonlRecords, labelStudioRecords } from './record-sources.ts';

const BATCH = 1000;
const MAX_REPORTED = 100;

export interface ImportResult {
  imported: number;
  gold: number;
  skipped?: { name: string; reason: string }[];
}

/** The import format a request's Content-Type (or an explicit `format`) names. */
export function formatFor(contentType: string | undefined, explicit?: string): ImportFormat | 'zip' {
  if (explicit) {
    if (['json', 'jsonl', 'csv', 'labelstudio', 'zip'].includes(explicit)) return explicit as ImportFormat | 'zip';
    throw new AppError('bad_request', `unknown import format "${explicit}"; use json, jsonl, csv, labelstudio or zip`);
  }
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json') return 'json';
  if (ct === 'application/x-ndjson' || ct === 'application/jsonl' || ct === 'application/x-jsonlines') return 'jsonl';
  if (ct === 'text/csv') return 'csv';
  if (ct === 'application/zip' || ct === 'application/x-zip-compressed') return 'zip';
  throw new AppError(
    'unsupported_media_type',
    `cannot import a body of type "${ct || 'none'}": send application/json, application/x-ndjson, text/csv or application/zip`,
  );
}

/** Counts bytes through a stream and fails it past the limit (413). */
function byteLimit(max: number) {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) cb(new AppError('payload_too_large', `the body is larger than the ${max}-byte limit`));
      else cb(null, chunk);
    },
  });
}

/**
 * Peeks at the first bytes so a body is judged by its content: a zip or an image sent as CSV
 * or JSON is refused with 415 instead of producing garbage items.
 */
async function checkTextBody(body: Readable, format: ImportFormat): Promise<Readable> {
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw new AppError('invalid_import', 'the body is empty');
  const head = Buffer.from(first.value as Buffer);
  const mime = sniffMime(head);
  if (mime !== 'text/plain' && mime !== 'application/json') {
    throw new AppError('unsupported_media_type', `the body looks like ${mime ?? 'binary data'}, not ${format.toUpperCase()} text`);
  }
  return Readable.from(
    (async function* () {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    })(),
  );
}

export class ItemsService {
  constructor(
    private readonly ctx: Pick<AppContext, 'db'> & { config: Pick<Config, 'maxItemBytes' | 'maxBodyBytes' | 'maxAssetBytes'> },
    private readonly assets: AssetStore,
  ) {}

  /** `answers: 'gold'` (Label Studio only): each task's annotation becomes the item's gold answer. */
  async import(user: AuthUser, projectId: string, body: Readable, format: ImportFormat | 'zip', opts: { answers?: 'gold' } = {}): Promise<ImportResult> {
    const project = await loadOwnedProject(this.ctx.db, user, projectId);
    if (project.status === 'completed' || project.status === 'archived') {
      throw new AppError('invalid_state', `items cannot be added to a ${project.status} project`);
    }
    const limited = body.pipe(byteLimit(this.ctx.config.maxBodyBytes));
    body.on('error', (e) => limited.destroy(e));
    if (format === 'zip') return this.importZip(project.id, project.settings as unknown as ProjectSettings, limited);
    const text = await checkTextBody(limited, format);
    const max = this.ctx.config.maxItemBytes;
    const source =
      format === 'jsonl'
        ? jsonlRecords(text, max)
        : format === 'csv'
          ? csvRecords(text, max)
          : format === 'labelstudio'
            ? labelStudioRecords(text, opts.answers === 'gold' ? { goldFrom: (r, d) => fromLabelStudioResult(project.template as Template, r, d) } : {})
            : jsonArrayRecords(text);
    return this.importRecords(project.id, project.template as Template, project.settings as unknown as ProjectSettings, source);
  }

  /** One transaction: every record valid → all stored; any problem → nothing stored, 400 listing them. */
  private async importRecords(projectId: string, template: Template, settings: ProjectSettings, source: AsyncIterable<ImportRecord>) {
    const needed = templateFields(template);
    const max = this.ctx.config.maxItemBytes;
    const problems: ErrorDetail[] = [];
    let total = 0;
    let gold = 0;
    try {
      return await this.ctx.db.transaction().execute(async (trx) => {
        let batch: NewItem[] = [];
        for await (const rec of source) {
          if ('error' in rec) {
            problems.push({ line: rec.line, problem: rec.error });
          } else {
            const item = checkRecord(rec.value, needed, template, max);
            if (typeof item === 'string' || Array.isArray(item)) {
              if (typeof item === 'string') problems.push({ line: rec.line, problem: item });
              else for (const p of item) problems.push({ line: rec.line, path: p.path, problem: p.problem });
            } else if (problems.length === 0) {
              batch.push(item);
              total++;
              if (item.gold) gold++;
              if (batch.length >= BATCH) {
                await itemsRepo.insertBatch(trx, projectId, settings.overlap, batch);
                batch = [];
              }
            }
          }
          if (problems.length >= MAX_REPORTED) break;
        }
        if (problems.length) throw new ImportFailed();
        if (total === 0) {
          problems.push({ problem: 'the body holds no items' });
          throw new ImportFailed();
        }
        await itemsRepo.insertBatch(trx, projectId, settings.overlap, batch);
        return { imported: total, gold };
      });
    } catch (e) {
      if (e instanceof ImportFailed) {
        throw new AppError(
          'invalid_import',
          `${problems.length >= MAX_REPORTED ? `${MAX_REPORTED}+` : problems.length} problem(s) in the import; nothing was imported`,
          problems.slice(0, MAX_REPORTED),
        );
      }
      throw e;
    }
  }

  /** Every image in the archive becomes an item `{image, filename, width, height}`; other files are skipped. */
  private async importZip(projectId: string, settings: ProjectSettings, body: Readable): Promise<ImportResult> {
    const tmp = path.join(os.tmpdir(), `dure-import-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.zip`);
    try {
      await pipeline(body, fs.createWriteStream(tmp));
      const zip = await openZip(tmp);
      const problems: ErrorDetail[] = [];
      const skipped: { name: string; reason: string }[] = [];
      const items: { item: NewItem; asset: { sha256: string; mime: string; size: number; width: number; height: number } }[] = [];
      let index = 0;
      for await (const entry of zipEntries(zip)) {
        index++;
        const name = entry.fileName;
        if (name.endsWith('/') || name.startsWith('__MACOSX/') || path.basename(name).startsWith('.')) continue;
        if (entry.uncompressedSize > this.ctx.config.maxAssetBytes) {
          problems.push({ line: index, path: name, problem: `file is larger than the ${this.ctx.config.maxAssetBytes}-byte limit` });
          continue;
        }
        const bytes = await readEntry(zip, entry);
        const mime = sniffMime(bytes);
        if (!isImageMime(mime)) {
          skipped.push({ name, reason: `not an image (${mime ?? 'unknown content'})` });
          continue;
        }
        let size: { width?: number; height?: number } = {};
        try {
          if (imageLooksComplete(bytes, mime!)) size = imageSize(bytes);
        } catch {
          /* reported below */
        }
        if (!size.width || !size.height || size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
          problems.push({ line: index, path: name, problem: 'the image is damaged: its size cannot be read' });
          continue;
        }
        if (problems.length) continue;
        // Bytes go to the content-addressed store now; if the import fails they stay unreferenced
        // (same content, same address — harmless, and collected by a later sweep).
        const sha256 = await this.assets.put(bytes);
        const width = size.width;
        const height = size.height;
        items.push({
          item: { data: { image: `asset:${sha256}`, filename: name, width, height }, gold: null },
          asset: { sha256, mime: mime!, size: bytes.length, width, height },
        });
        if (problems.length >= MAX_REPORTED) break;
      }
      zip.close();
      if (problems.length) throw new AppError('invalid_import', `${problems.length} problem(s) in the archive; nothing was imported`, problems.slice(0, MAX_REPORTED));
      if (!items.length) throw new AppError('invalid_import', 'the archive holds no images', skipped.slice(0, MAX_REPORTED).map((s) => ({ path: s.name, problem: s.reason })));
      await this.ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < items.length; i += BATCH) {
          const slice = items.slice(i, i + BATCH);
          for (const { asset } of slice) {
            await itemsRepo.upsertAsset(trx, asset);
            await itemsRepo.linkAsset(trx, projectId, asset.sha256);
          }
          await itemsRepo.insertBatch(trx, projectId, settings.overlap, slice.map((s) => s.item));
        }
      });
      return { imported: items.length, gold: 0, skipped };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}

class ImportFailed extends Error {}

/** A record as an item, or what is wrong with it. */
function checkRecord(value: unknown, needed: string[], template: Template, max: number): NewItem | string | ErrorDetail[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an item must be a JSON object';
  const { _gold, ...data } = value as Record<string, unknown>;
  if (Object.keys(data).length === 0) return 'the item has no data';
  if (JSON.stringify(data).length > max) return `item is larger than the ${max}-byte limit`;
  const missing = needed.filter((f) => data[f] === undefined || data[f] === null || data[f] === '');
  if (missing.length) return `missing field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} that the form shows`;
  if (_gold === undefined || _gold === null) return { data, gold: null };
  const problems = validateResult(template, _gold, data, { partial: true });
  if (problems.length) return problems.map((p) => ({ path: `/_gold${p.path}`, problem: p.problem }));
  return { data, gold: _gold as Record<string, unknown> };
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) reject(new AppError('invalid_import', `not a valid zip archive: ${err?.message ?? 'unreadable'}`));
      else resolve(zip);
    }),
  );
}

async function* zipEntries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  while (true) {
    const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        cleanup();
        resolve(e);
      };
      const onEnd = () => {
        cleanup();
        resolve(null);
      };
      const onError = (e: Error) => {
        cleanup();
        reject(new AppError('invalid_import', `the zip archive is damaged: ${e.message}`));
      };
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(new AppError('invalid_import', `cannot read ${entry.fileName} from the archive`));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', (e) => reject(new AppError('invalid_import', `cannot read ${entry.fileName}: ${e.message}`)));
    }),
  );
}
