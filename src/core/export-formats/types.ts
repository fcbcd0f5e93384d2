/**
 * What every export format works on: items with their final labels and (optionally) their raw
 * annotations, one page at a time. Pure data: formatters never touch the database or a stream.
 */
import type { ControlType, ItemData, Template } from '../templates/types.ts';

/** The final answer of one control: the value and how sure truth inference is of it (0..1). */
export interface LabelValue {
  value: unknown;
  confidence: number | null;
}

/** Per control name. Every control of the template is present (value null when unanswered). */
export type Labels = Record<string, LabelValue>;

/** One worker's answer as exported: `worker` is a per-project pseudonym, never an email or a name. */
export interface ExportAnnotation {
  id: number;
  worker: string;
  result: Record<string, unknown>;
  status: string;
  createdAt: string;
  /** `result` as JSON text, when the source has it so: writers may copy it instead of serialising. */
  resultJson?: string;
}

export interface ExportItem {
  id: number;
  data: ItemData;
  /** `data` as JSON text, when the source has it so: writers may copy it instead of serialising. */
  dataJson?: string;
  isGold: boolean;
  state: string;
  completedAt: string | null;
  labels: Labels;
  /** Item-level confidence: the stored one, else the least confident control. */
  confidence: number | null;
  /** null when the export was asked without raw annotations. */
  annotations: ExportAnnotation[] | null;
  /** `annotations` as a JSON array text, when the source built it so (the database does). */
  annotationsJson?: string;
}

export interface ExportContext {
  template: Template;
  project: { id: string; name: string };
  /** Absolute URL of an `asset:<sha256>` reference (fetchable with the requester's token). */
  assetUrl(ref: string): string;
  /** The control a single-control format works on (coco/yolo: a bbox, conll: a span). */
  control: string | null;
  includeAnnotations: boolean;
  /** Label Studio: rewrite asset references in `data` as URLs (then the export no longer re-imports into Dure verbatim). */
  assetUrls: boolean;
}

/**
 * A text format written in one pass. Formats with several arrays (COCO's images and
 * annotations) have several `sections`: section 0 is streamed as it comes; the later ones are
 * spooled by the caller and appended, each after `between(i)`.
 */
export interface TextWriter {
  sections: number;
  head(): string;
  /** One string per section for this page of items (may be ''). */
  page(items: ExportItem[]): string[];
  between(section: number): string;
  tail(): string;
}

/** One file of a zip format: literal content, or the bytes of a stored asset. */
export type ZipEntry =
  | { path: string; content: string | Buffer }
  /** `path` without extension: the writer of the archive adds the asset's (from its MIME type). */
  | { path: string; asset: string };

export interface ZipWriter {
  page(items: ExportItem[]): ZipEntry[];
  finish(): ZipEntry[];
}

interface FormatBase {
  name: string;
  summary: string;
  extension: string;
  contentType: string;
  /** The control type the format needs (`control` picks one; default the first of that type). */
  control?: ControlType;
}

export type ExportFormat =
  | (FormatBase & { kind: 'text'; create(ctx: ExportContext): TextWriter })
  | (FormatBase & { kind: 'zip'; create(ctx: ExportContext): ZipWriter });
