import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { AppError } from '../../../core/app-error.ts';
import {
  EXPORT_FORMATS,
  type ExportContext,
  type ExportFormat,
  type ExportAnnotation,
  type ExportItem,
  itemLabels,
  itemRecord,
  labelStudioConfig,
  pickControl,
  type TextWriter,
} from '../../../core/export-formats/index.ts';
import type { Template } from '../../../core/templates/types.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import type { AssetStore } from '../assets/asset-store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { loadOwnedProject, type ProjectRow } from '../projects/projects.service.ts';
import { type AnnotationSpec, type ExportItemRow, exportsRepo, type ItemFilter } from './exports.repo.ts';
import { hmacPads } from './pseudonym.ts';
import { zipStream } from './zip-stream.ts';

export interface ExportOptions {
  format: string;
  /** Only items whose state is complete. */
  completedOnly: boolean;
  /** Only approved annotations are exported and counted; non-gold items without one are left out. */
  approvedOnly: boolean;
  /** Only items whose confidence is at least this (items without a confidence are left out). */
  minConfidence: number | null;
  gold: 'exclude' | 'include' | 'only';
  /** Raw annotations; undefined = the format's default (jsonl/json: yes, others: no). */
  annotations?: boolean;
  control: string | null;
  assetUrls: boolean;
}

export interface ExportStream {
  filename: string;
  contentType: string;
  /** Items the SQL filters select (an upper bound: confidence and approval filters come after). */
  total: number;
  stream: Readable;
}

/**
 * Annotations that count towards a computed label: answers still standing — approved, and
 * submitted ones not (yet) rejected, including those waiting for review. With `approved=true`
 * only approved ones are loaded at all.
 */
const COUNTED = new Set(['submitted', 'pending_review', 'approved']);
const WITH_ANNOTATIONS_BY_DEFAULT = new Set(['jsonl', 'json']);

export class ExportsService {
  constructor(
    private readonly ctx: Pick<AppContext, 'db'>,
    private readonly assets: AssetStore,
    private readonly pageSize = 1000,
  ) {}

  /** Checks everything that can fail before the first byte, then returns the stream. */
  async open(user: AuthUser, projectId: string, opts: ExportOptions, baseUrl: string): Promise<ExportStream> {
    const project = await loadOwnedProject(this.ctx.db, user, projectId);
    const format = EXPORT_FORMATS[opts.format];
    if (!format) throw new AppError('bad_request', `unknown export format "${opts.format}"; use ${Object.keys(EXPORT_FORMATS).join(', ')}`);
    const template = project.template as Template;
    if (format.control === 'bbox' || format.control === 'span') {
      if (!pickControl(template, format.control, opts.control)) {
        throw new AppError(
          'bad_request',
          opts.control
            ? `the form has no ${format.control} control named "${opts.control}"`
            : `the ${format.name} format needs a ${format.control} control, and this project's form has none`,
        );
      }
    }
    const includeAnnotations = opts.annotations ?? WITH_ANNOTATIONS_BY_DEFAULT.has(format.name);
    const ctx: ExportContext = {
      template,
      project: { id: project.id, name: project.name },
      assetUrl: (ref) => `${baseUrl}/api/assets/${ref.slice('asset:'.length)}`,
      control: opts.control,
      includeAnnotations,
      assetUrls: opts.assetUrls,
    };
    const filter: ItemFilter = { completedOnly: opts.completedOnly, gold: opts.gold };
    const key = await exportsRepo.pseudonymKey(this.ctx.db, project.id);
    const total = await exportsRepo.countItems(this.ctx.db, project.id, filter);
    const pages = this.pages(project, template, filter, { ...opts, annotations: includeAnnotations }, key);
    const stream = format.kind === 'text' ? textStream(format.create(ctx), pages) : this.zip(format, ctx, pages);
    return { filename: fileName(project, format), contentType: format.contentType, total, stream };
  }

  async labelStudioConfig(user: AuthUser, projectId: string): Promise<string> {
    const project = await loadOwnedProject(this.ctx.db, user, projectId);
    return labelStudioConfig(project.template as Template);
  }

  private zip(format: ExportFormat & { kind: 'zip' }, ctx: ExportContext, pages: AsyncIterable<ExportItem[]>) {
    return zipStream(format.create(ctx), pages, {
      assetMimes: (shas) => exportsRepo.assetMimes(this.ctx.db, shas),
      openAsset: (sha) => this.assets.open(sha),
    });
  }

  /**
   * Pages of export items, keyset over item ids, one query a page. The next page's query runs
   * while the current page is being written (database and serialisation overlap); memory holds
   * two pages at most.
   */
  private async *pages(project: ProjectRow, template: Template, filter: ItemFilter, opts: ExportOptions & { annotations: boolean }, key: string): AsyncGenerator<ExportItem[]> {
    const spec = annotationSpec(template, opts, key);
    const fetch = (after: number) => {
      const p = exportsRepo.itemPage(this.ctx.db, project.id, filter, after, this.pageSize, spec);
      p.catch(() => undefined); // awaited below; a page nobody waits for any more must not crash the process
      return p;
    };
    let next: Promise<ExportItemRow[]> | null = fetch(0);
    while (next) {
      const rows: ExportItemRow[] = await next;
      if (!rows.length) return;
      next = rows.length < this.pageSize ? null : fetch(rows[rows.length - 1]!.id);
      const items = toExportItems(template, rows, opts);
      if (items.length) yield items;
    }
  }
}

export interface BuildOptions {
  annotations: boolean;
  approvedOnly: boolean;
  minConfidence: number | null;
}

/** What annotations the rows must carry for these options: all of them, or only where a label must be computed. */
export function annotationSpec(template: Template, opts: BuildOptions, key: string): AnnotationSpec {
  return {
    mode: opts.annotations || opts.approvedOnly ? 'all' : 'fallback',
    approvedOnly: opts.approvedOnly,
    controls: template.controls.map((c) => c.name),
    pads: hmacPads(key),
  };
}

interface ParsedAnnotation {
  id: number;
  worker: string;
  result: Record<string, unknown>;
  status: string;
  createdAt: string;
}

/** An item as exports see it: data and annotations stay JSON text until someone reads them. */
class RowItem implements ExportItem {
  private parsedData: Record<string, unknown> | undefined;
  private parsedAnnotations: ParsedAnnotation[] | undefined;
  constructor(
    readonly id: number,
    readonly dataJson: string,
    readonly isGold: boolean,
    readonly state: string,
    readonly completedAt: string | null,
    readonly labels: ExportItem['labels'],
    readonly confidence: number | null,
    readonly annotationsJson: string | undefined,
  ) {}
  get data(): Record<string, unknown> {
    return (this.parsedData ??= JSON.parse(this.dataJson) as Record<string, unknown>);
  }
  get annotations(): ExportAnnotation[] | null {
    if (this.annotationsJson === undefined) return null;
    return (this.parsedAnnotations ??= JSON.parse(this.annotationsJson) as ParsedAnnotation[]);
  }
  toJSON() {
    return itemRecord(this);
  }
}

/**
 * Fetched rows → export items: final labels (computed from the counted answers where no
 * stored label covers the form); drops the items the approval and confidence filters exclude.
 * Shared by exports and webhook events.
 */
export function toExportItems(template: Template, rows: ExportItemRow[], opts: BuildOptions): ExportItem[] {
  const items: ExportItem[] = [];
  for (const r of rows) {
    const anns = r.annotations_json === null ? null : r.annotations_json;
    if (opts.approvedOnly && !r.is_gold && (anns === null || anns === '[]')) continue;
    let counted: { worker: string; result: Record<string, unknown> }[] = [];
    if (anns !== null && anns !== '[]' && needsFallback(template, r)) {
      counted = (JSON.parse(anns) as ParsedAnnotation[]).filter((x) => COUNTED.has(x.status)).map((x) => ({ worker: x.worker, result: x.result }));
    }
    const { labels, confidence } = itemLabels(template, { isGold: r.is_gold, gold: r.gold, label: r.label, confidence: r.confidence }, counted);
    if (opts.minConfidence !== null && (confidence === null || confidence < opts.minConfidence)) continue;
    items.push(new RowItem(r.id, r.data_json, r.is_gold, r.state, r.completed_at, labels, confidence, opts.annotations ? (anns ?? '[]') : undefined));
  }
  return items;
}

function needsFallback(template: Template, r: ExportItemRow): boolean {
  if (r.is_gold && r.gold) return false;
  const label = r.label;
  return !label || template.controls.some((c) => !Object.hasOwn(label, c.name));
}

function fileName(project: ProjectRow, format: ExportFormat): string {
  const day = new Date().toISOString().slice(0, 10);
  return `${project.name}-${day}.${format.name === 'hf' ? 'hf.jsonl' : format.name === 'labelstudio' ? 'labelstudio.json' : format.name === 'coco' ? 'coco.json' : format.extension}`;
}

/**
 * The text of a writer over the pages, pulled by the reader (Readable.from waits for the
 * consumer). Sections after the first are spooled to temporary files and appended at the end.
 */
function textStream(writer: TextWriter, pages: AsyncIterable<ExportItem[]>): Readable {
  async function* chunks(): AsyncGenerator<string | Buffer> {
    const spools: { file: string; out: fs.WriteStream }[] = [];
    const dir = writer.sections > 1 ? await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dure-export-')) : null;
    try {
      for (let i = 1; i < writer.sections; i++) {
        const file = path.join(dir!, `section-${i}`);
        spools.push({ file, out: fs.createWriteStream(file) });
      }
      const head = writer.head();
      if (head) yield head;
      for await (const page of pages) {
        const parts = writer.page(page);
        if (parts[0]) yield parts[0];
        for (let i = 1; i < parts.length; i++) {
          if (parts[i] && !spools[i - 1]!.out.write(parts[i])) await once(spools[i - 1]!.out, 'drain');
        }
      }
      for (let i = 1; i < writer.sections; i++) {
        const s = spools[i - 1]!;
        await new Promise<void>((resolve, reject) => s.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
        const between = writer.between(i);
        if (between) yield between;
        for await (const chunk of fs.createReadStream(s.file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
      }
      const tail = writer.tail();
      if (tail) yield tail;
    } finally {
      for (const s of spools) s.out.destroy();
      if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 256 * 1024 });
}
