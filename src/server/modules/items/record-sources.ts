import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { labelStudioAnswer } from '../../../core/export-formats/labelstudio.ts';

/** One record of an import: its 1-based line (or element) number and the parsed value. */
export type ImportRecord = { line: number; value: unknown } | { line: number; error: string };

export type ImportFormat = 'json' | 'jsonl' | 'csv' | 'labelstudio';

/** Records of a JSONL body, one per non-empty line; a line over `maxBytes` is an error, not parsed. */
export async function* jsonlRecords(input: Readable, maxBytes: number): AsyncGenerator<ImportRecord> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    if (Buffer.byteLength(text) > maxBytes) {
      yield { line, error: `item is larger than the ${maxBytes}-byte limit` };
      continue;
    }
    try {
      yield { line, value: JSON.parse(text) };
    } catch (e) {
      yield { line, error: `not valid JSON: ${(e as Error).message}` };
    }
  }
}

/**
 * Elements of a JSON array body, streamed (the array is never held whole). `line` is the
 * 1-based position of the element in the array. A syntax error ends the stream with an error.
 */
export async function* jsonArrayRecords(input: Readable): AsyncGenerator<ImportRecord> {
  const pipeline = input.pipe(StreamArray.withParser());
  let n = 0;
  try {
    for await (const chunk of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
      n = chunk.key + 1;
      yield { line: n, value: chunk.value };
    }
  } catch (e) {
    yield { line: n + 1, error: `not a valid JSON array: ${(e as Error).message}` };
  }
}

/** Rows of a CSV body as objects keyed by the header row; `line` is the row's line in the file. */
export async function* csvRecords(input: Readable, maxBytes: number): AsyncGenerator<ImportRecord> {
  const parser = input.pipe(
    parseCsv({ columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: false, max_record_size: maxBytes }),
  );
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const value: Record<string, unknown> = { ...row.record };
      // A `_gold` column carries the gold answers as JSON.
      if (typeof value._gold === 'string') {
        if (value._gold.trim() === '') delete value._gold;
        else {
          try {
            value._gold = JSON.parse(value._gold);
          } catch {
            yield { line: row.info.lines, error: '_gold column is not valid JSON' };
            continue;
          }
        }
      }
      yield { line: row.info.lines, value };
    }
  } catch (e) {
    const err = e as Error & { lines?: number };
    yield { line: err.lines ?? 0, error: `not valid CSV: ${err.message}` };
  }
}

export interface LabelStudioOptions {
  /**
   * Turns a task's answer — its ground-truth annotation, else its first — into the item's
   * `_gold` (then validated like any `_gold`). Unset: annotations are not imported.
   */
  goldFrom?: (result: unknown[], data: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Label Studio task JSON: `[{"data": {...}, "predictions": [...], "annotations": [...]}]`.
 * The task's `data` becomes the item. Predictions and annotations are not answers of this
 * project's crowd and are not imported, unless `goldFrom` asks for the answers as gold.
 */
export async function* labelStudioRecords(input: Readable, opts: LabelStudioOptions = {}): AsyncGenerator<ImportRecord> {
  for await (const r of jsonArrayRecords(input)) {
    if ('error' in r) {
      yield r;
      continue;
    }
    const task = r.value as Record<string, unknown> | null;
    if (!task || typeof task !== 'object' || Array.isArray(task) || typeof task.data !== 'object' || task.data === null || Array.isArray(task.data)) {
      yield { line: r.line, error: 'a Label Studio task must be an object with a "data" object' };
      continue;
    }
    const data = task.data as Record<string, unknown>;
    const answer = opts.goldFrom ? labelStudioAnswer(task) : null;
    const gold = answer ? opts.goldFrom!(answer, data) : null;
    yield { line: r.line, value: gold && Object.keys(gold).length ? { ...data, _gold: gold } : data };
  }
}
