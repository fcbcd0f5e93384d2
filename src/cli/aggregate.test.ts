import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { AggregateInputError, aggregateCsv, runAggregate } from './aggregate.ts';
import { DEFAULT_METHOD } from '../core/aggregation/categorical.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dure-aggregate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const SMALL = 'item,worker,label\nq1,ann,cat\nq1,bob,cat\nq1,cy,dog\nq2,ann,dog\nq2,bob,dog\nq2,cy,dog\n';

describe('dure aggregate (function)', () => {
  it('writes item,label,confidence with a header, one row per item in order', async () => {
    const out = sink();
    const summary = await runAggregate(file('small.csv', SMALL), { method: 'mv' }, { stdout: out.stream });
    expect(out.text()).toBe('item,label,confidence\nq1,cat,0.666667\nq2,dog,1.000000\n');
    expect(summary).toMatchObject({ method: 'mv', items: 2, workers: 3, answers: 6, gold: 0 });
  });

  it('reads standard input for "-", clamps --gold items, and defaults to the most accurate method', async () => {
    const out = sink();
    const gold = file('gold.csv', 'item,truth\nq1,dog\n');
    const summary = await runAggregate('-', { gold }, { stdin: Readable.from([SMALL]), stdout: out.stream });
    expect(summary.method).toBe(DEFAULT_METHOD);
    expect(summary.gold).toBe(1);
    const rows = parse(out.text(), { columns: true }) as { item: string; label: string; confidence: string }[];
    expect(rows[0]).toEqual({ item: 'q1', label: 'dog', confidence: '1.000000' });
    expect(rows[1].label).toBe('dog');
  });

  it('accepts columns in any order, a BOM and extra columns', async () => {
    const out = sink();
    await aggregateCsv({
      answers: Readable.from(['\ufefflabel,note,worker,item\n', 'x,,w1,i1\nx,hi,w2,i1\n']),
      method: 'ds',
      output: out.stream,
    });
    expect(out.text().split('\n')[1]).toMatch(/^i1,x,/);
  });

  it('matches the published Dawid-Skene accuracy on a real file', async () => {
    const dir = path.resolve(process.cwd(), '../shared/datasets/duck');
    const out = sink();
    await runAggregate(path.join(dir, 'answers.csv'), { method: 'ds' }, { stdout: out.stream });
    const labels = new Map((parse(out.text(), { columns: true }) as { item: string; label: string }[]).map((r) => [r.item, r.label]));
    const truth = parse(readFileSync(path.join(dir, 'truth.csv')), { columns: true }) as { item: string; truth: string }[];
    const right = truth.filter((t) => labels.get(t.item) === t.truth).length;
    expect(right / truth.length).toBeCloseTo(0.8981, 3);
  });

  const bad: [string, string, RegExp][] = [
    ['a short row', 'item,worker,label\nq1,ann,cat\nq1,bob\n', /line 3: .*expect 3, got 2/],
    ['an empty value', 'item,worker,label\nq1,ann,cat\n\nq2,,dog\n', /line 4: empty worker/],
    ['an unclosed quote', 'item,worker,label\nq1,ann,"cat\n', /line 2: Quote Not Closed/],
    ['a wrong header', 'task,annotator,answer\nq1,ann,cat\n', /line 1: the header must name the columns item,worker,label/],
    ['an empty file', '', /empty file/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}, naming the line`, async () => {
      const p = file('bad.csv', text);
      const err = await runAggregate(p, {}, { stdout: sink().stream }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AggregateInputError);
      expect((err as AggregateInputError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain(p);
    });
  }

  it('rejects an unknown method, a missing file and two standard inputs', async () => {
    await expect(runAggregate(file('ok.csv', SMALL), { method: 'best' })).rejects.toThrow(/unknown method "best"/);
    await expect(runAggregate(path.join(tmp, 'nope.csv'), {}, { stdout: sink().stream })).rejects.toThrow(/no such file/);
    await expect(runAggregate('-', { gold: '-' })).rejects.toThrow(/both be standard input/);
    const err = await runAggregate(file('ok.csv', SMALL), { gold: file('g.csv', 'item,truth\nq1,\n') }, { stdout: sink().stream }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/g\.csv line 2: empty truth/);
  });
});

describe('dure aggregate (process)', () => {
  // A throwaway entry point standing in for src/cli/index.ts, which registers the command.
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const entry = file(
    'entry.mts',
    `import { createRequire } from 'node:module';\n` +
      `import { registerAggregate } from ${JSON.stringify(path.join(repo, 'src/cli/aggregate.ts'))};\n` +
      `const { Command } = createRequire(${JSON.stringify(path.join(repo, 'package.json'))})('commander');\n` +
      `const program = new Command();\nprogram.name('dure');\nregisterAggregate(program);\nawait program.parseAsync(process.argv);\n`,
  );
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', entry, 'aggregate', ...args], { cwd: repo, input, encoding: 'utf8' });

  // One spawn only (a tsx start-up costs seconds): the exit code is what the function tests cannot see.
  it('exits 2 on a bad row, naming its line on stderr and printing nothing', () => {
    const bad = run(['--method', 'mv', '-'], 'item,worker,label\nq1,ann,cat\nq1,bob\n');
    expect(bad.stderr).toMatch(/dure aggregate: stdin line 3: .*expect 3, got 2/);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
  });
});
