import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { parse, CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { type Command, Option } from 'commander';
import { aggregateCategorical, DEFAULT_METHOD, isCategoricalMethod } from '../core/aggregation/categorical.ts';
import { AnswerEncoder } from '../core/aggregation/encoder.ts';
import { CATEGORICAL_METHODS, type CategoricalMethod } from '../core/aggregation/types.ts';

/** A problem with the command's input (bad file, bad row, bad option): exit code 2. */
export class AggregateInputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'AggregateInputError';
  }
}

export interface AggregateCsvOptions {
  /** item,worker,label CSV with a header row. */
  answers: Readable;
  /** item,truth CSV with a header row (gold items, clamped to their truth). */
  gold?: Readable;
  method?: CategoricalMethod;
  /** Where item,label,confidence CSV goes. */
  output: Writable;
  /** Names used in error messages. */
  answersName?: string;
  goldName?: string;
}

export interface AggregateSummary {
  method: CategoricalMethod;
  items: number;
  workers: number;
  labels: number;
  answers: number;
  gold: number;
  iterations: number;
  converged: boolean;
}

/**
 * Streams a CSV with a header naming `columns` (any order; other columns are ignored) and calls
 * `row` with the values of those columns and the record's line number. Every problem becomes
 * an AggregateInputError naming the file and line.
 */
async function readColumns(
  input: Readable,
  name: string,
  columns: readonly string[],
  row: (values: string[], line: number) => void,
): Promise<void> {
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, info: true, relax_column_count: false });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let index: number[] | null = null;
  let width = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!index) {
        const header = record.map((h) => h.toLowerCase());
        index = columns.map((c) => header.indexOf(c));
        const missing = columns.filter((_, j) => (index as number[])[j] < 0);
        if (missing.length)
          throw new AggregateInputError(`${name} line ${line}: the header must name the columns ${columns.join(',')} (missing: ${missing.join(', ')})`);
        width = record.length;
        continue;
      }
      if (record.length !== width) throw new AggregateInputError(`${name} line ${line}: expected ${width} fields, got ${record.length}`);
      const values = index.map((j) => record[j]);
      const empty = columns.filter((_, j) => values[j] === '');
      if (empty.length) throw new AggregateInputError(`${name} line ${line}: empty ${empty.join(', ')}`);
      row(values, line);
    }
  } catch (e) {
    if (e instanceof AggregateInputError) throw e;
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new AggregateInputError(`${name}${line ? ` line ${line}` : ''}: ${e.message.replace(/ on line \d+$/, '')}`);
    }
    const err = e as NodeJS.ErrnoException;
    throw new AggregateInputError(`${name}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  if (!index) throw new AggregateInputError(`${name}: empty file (expected a header row ${columns.join(',')})`);
}

/**
 * `dure aggregate` as a function: reads answers (and gold) CSV streams, runs truth inference,
 * writes `item,label,confidence` CSV (header row; one row per item of the answers, in order of
 * first appearance; confidence = posterior probability of the label, 6 decimals).
 */
export async function aggregateCsv(o: AggregateCsvOptions): Promise<AggregateSummary> {
  const method = o.method ?? DEFAULT_METHOD;
  if (!isCategoricalMethod(method)) throw new AggregateInputError(`unknown method "${method}" (one of ${CATEGORICAL_METHODS.join(', ')})`);
  const enc = new AnswerEncoder();
  await readColumns(o.answers, o.answersName ?? 'answers', ['item', 'worker', 'label'], ([item, worker, label]) => enc.add(item, worker, label));
  const answeredItems = enc.items.size;
  let goldRows = 0;
  if (o.gold) {
    await readColumns(o.gold, o.goldName ?? 'gold', ['item', 'truth'], ([item, truth]) => {
      enc.addGold(item, truth);
      goldRows++;
    });
  }
  const answers = enc.answers();
  const result = aggregateCategorical(answers, { method, gold: enc.gold() });
  const out = stringify({ header: true, columns: ['item', 'label', 'confidence'] });
  out.pipe(o.output, { end: false });
  const done = once(out, 'end');
  for (let i = 0; i < answeredItems; i++) {
    const l = result.label[i];
    const ok = out.write([enc.items.id(i), l >= 0 ? enc.labels.id(l) : '', result.confidence[i].toFixed(6)]);
    if (!ok) await once(out, 'drain');
  }
  out.end();
  await done;
  return {
    method,
    items: answeredItems,
    workers: answers.nWorkers,
    labels: answers.nLabels,
    answers: answers.item.length,
    gold: goldRows,
    iterations: result.iterations,
    converged: result.converged,
  };
}

export interface AggregateCommandOptions {
  method?: string;
  gold?: string;
}

function openInput(file: string, stdin: Readable): Readable {
  return file === '-' ? stdin : fs.createReadStream(file);
}

/** The command's body: FILE (or `-` for standard input) to `output`. */
export async function runAggregate(
  file: string,
  o: AggregateCommandOptions,
  io: { stdin?: Readable; stdout?: Writable } = {},
): Promise<AggregateSummary> {
  const stdin = io.stdin ?? process.stdin;
  const method = o.method ?? DEFAULT_METHOD;
  if (!isCategoricalMethod(method)) throw new AggregateInputError(`unknown method "${method}" (one of ${CATEGORICAL_METHODS.join(', ')})`);
  if (o.gold === '-' && file === '-') throw new AggregateInputError('answers and --gold cannot both be standard input');
  return aggregateCsv({
    answers: openInput(file, stdin),
    answersName: file === '-' ? 'stdin' : file,
    gold: o.gold ? openInput(o.gold, stdin) : undefined,
    goldName: o.gold === '-' ? 'stdin' : o.gold,
    method,
    output: io.stdout ?? process.stdout,
  });
}

export function registerAggregate(program: Command): void {
  program
    .command('aggregate')
    .description('truth inference: many answers per item in, one label with a confidence out')
    .argument('<answers>', 'CSV file of item,worker,label rows with a header row, or - for standard input')
    .addOption(
      new Option('--method <method>', `inference method: ${CATEGORICAL_METHODS.join(', ')}`).default(DEFAULT_METHOD),
    )
    .option('--gold <file>', 'CSV file of item,truth rows with a header row: known answers, clamped')
    .addHelpText(
      'after',
      '\nWrites item,label,confidence CSV (header row) to standard output. A bad row stops with its line number and exit code 2.\n' +
        'Methods: mv majority vote, wmv weighted by gold accuracy, ds Dawid-Skene, onecoin one-coin Dawid-Skene, glad GLAD,\n' +
        `ibcc Bayesian classifier combination, ebcc enhanced BCC, bcc IBCC or EBCC as the evidence prefers. Default: ${DEFAULT_METHOD} (the most accurate on the public benchmarks).`,
    )
    .action(async (file: string, o: AggregateCommandOptions) => {
      try {
        await runAggregate(file, o);
      } catch (e) {
        process.stderr.write(`dure aggregate: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = e instanceof AggregateInputError ? 2 : 1;
      }
    });
}
