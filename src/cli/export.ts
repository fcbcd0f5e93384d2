import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { DureClient, describeError, type ExportParams } from './client.ts';
import { tokenOption, urlOption } from './import.ts';
import { progressBar } from './progress.ts';

export const EXPORT_FORMATS = ['jsonl', 'json', 'csv', 'coco', 'yolo', 'labelstudio', 'conll', 'hf'];
/** Formats whose records are one a line: the bar counts items against the server's total. */
const LINE_FORMATS = new Set(['jsonl', 'json', 'hf', 'labelstudio', 'csv']);

export interface ExportOptions {
  url: string;
  token: string;
  project: string;
  format: string;
  out?: string;
  completed?: boolean;
  approved?: boolean;
  minConfidence?: string;
  gold?: 'exclude' | 'include' | 'only';
  annotations?: boolean;
  control?: string;
  assetUrls?: boolean;
  quiet?: boolean;
}

/**
 * `dure export`: streams the dataset to --out (written to FILE.part, renamed when complete, so
 * a broken transfer never leaves a file that looks whole) or to standard output.
 */
export async function runExport(o: ExportOptions, stdout: Writable = process.stdout) {
  const client = new DureClient(o.url, o.token);
  const params: ExportParams = {
    format: o.format,
    completed: o.completed,
    approved: o.approved,
    minConfidence: o.minConfidence !== undefined ? Number(o.minConfidence) : undefined,
    gold: o.gold,
    annotations: o.annotations,
    control: o.control,
    assetUrls: o.assetUrls,
  };
  if (params.minConfidence !== undefined && !(params.minConfidence >= 0 && params.minConfidence <= 1)) throw new Error('--min-confidence must be a number from 0 to 1');
  if (!o.out && o.format === 'yolo' && (stdout as NodeJS.WriteStream).isTTY) throw new Error('a yolo export is a zip archive: write it to a file with --out');
  const byLine = LINE_FORMATS.has(o.format);
  const bar = progressBar(o.quiet ?? false, byLine ? 'items' : 'bytes');
  const part = o.out ? `${o.out}.part` : null;
  const out = part ? fs.createWriteStream(part) : stdout;
  try {
    const r = await client.exportTo(o.project, params, out, (p) => {
      // Each record ends or starts a line (csv: after the header row); JSON strings hold no raw newline.
      const items = Math.min(o.format === 'csv' ? Math.max(0, p.lines - 1) : p.lines, p.total ?? Infinity);
      bar.update(byLine ? items : p.bytes, byLine ? p.total : null, p.bytes);
    });
    if (part && o.out) await fs.promises.rename(part, o.out);
    return r;
  } catch (e) {
    if (part) await fs.promises.rm(part, { force: true });
    throw e;
  } finally {
    bar.stop();
  }
}

export function registerExport(program: Command) {
  program
    .command('export')
    .description('download a project\'s dataset (jsonl, json, csv, coco, yolo, labelstudio, conll, hf)')
    .addOption(urlOption())
    .addOption(tokenOption())
    .requiredOption('--project <id>', 'project id')
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('jsonl'))
    .option('--out <file>', 'write to this file (default: standard output)')
    .option('--completed', 'only complete items')
    .option('--approved', 'only approved annotations (items without one are left out)')
    .option('--min-confidence <p>', 'only items at least this confident (0..1)')
    .addOption(new Option('--gold <which>', 'gold items: exclude (default), include or only').choices(['exclude', 'include', 'only']))
    .option('--annotations', 'include raw annotations (default for jsonl and json)')
    .option('--no-annotations', 'leave raw annotations out')
    .option('--control <name>', 'coco/yolo: the bbox control; conll: the span control')
    .option('--asset-urls', 'labelstudio: stored images as URLs')
    .option('-q, --quiet', 'no progress bar')
    .action(async (o: ExportOptions) => {
      try {
        const r = await runExport(o);
        if (o.out) process.stderr.write(`wrote ${path.resolve(o.out)} (${r.bytes} bytes)\n`);
      } catch (e) {
        process.stderr.write(`${describeError(e)}\n`);
        process.exitCode = 1;
      }
    });
}
