import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { DureClient, describeError, type ImportResult } from './client.ts';
import { progressBar } from './progress.ts';

export interface ImportOptions {
  url: string;
  token: string;
  project: string;
  format?: string;
  goldAnswers?: boolean;
  quiet?: boolean;
}

/** `dure import`: streams FILE into the project's items (all or nothing, as the API does). */
export async function runImport(file: string, o: ImportOptions): Promise<ImportResult> {
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  const client = new DureClient(o.url, o.token);
  const bar = progressBar(o.quiet ?? false, 'bytes');
  try {
    return await client.importFile(o.project, file, { format: o.format, goldAnswers: o.goldAnswers, onProgress: (sent, size) => bar.update(sent, size, sent) });
  } finally {
    bar.stop();
  }
}

export const urlOption = () => new Option('--url <url>', 'server address, e.g. http://127.0.0.1:3000').env('DURE_URL').makeOptionMandatory();
export const tokenOption = () => new Option('--token <token>', 'API token (POST /api/tokens)').env('DURE_TOKEN').makeOptionMandatory();

export function registerImport(program: Command) {
  program
    .command('import')
    .description('import items into a project from a JSON, JSONL, CSV, Label Studio JSON or zip file (all or nothing)')
    .argument('<file>', 'the file; its extension gives the format (.json, .jsonl, .csv, .zip) unless --format says')
    .addOption(urlOption())
    .addOption(tokenOption())
    .requiredOption('--project <id>', 'project id')
    .addOption(new Option('--format <format>', 'json, jsonl, csv, labelstudio or zip').choices(['json', 'jsonl', 'csv', 'labelstudio', 'zip']))
    .option('--gold-answers', 'labelstudio: import each task\'s annotation as the item\'s gold answer')
    .option('-q, --quiet', 'no progress bar')
    .action(async (file: string, o: ImportOptions) => {
      try {
        const r = await runImport(file, o);
        const skipped = r.skipped?.length ? `, ${r.skipped.length} file(s) skipped` : '';
        process.stderr.write(`imported ${r.imported} item(s) (${r.gold} gold)${skipped}\n`);
      } catch (e) {
        process.stderr.write(`${describeError(e)}\n`);
        process.exitCode = 1;
      }
    });
}
