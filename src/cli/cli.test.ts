/** `dure import` and `dure export` against a real listening server. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../test/helpers/app.ts';
import { createProject } from '../../test/helpers/factories.ts';
import { makePng } from '../../test/helpers/images.ts';
import { makeZip } from '../../test/helpers/zip.ts';
import { insertAnswers, itemIds } from '../server/modules/exports/test-fixtures.ts';
import { ApiError, describeError, DureClient, importFormatOf } from './client.ts';
import { runExport } from './export.ts';
import { runImport } from './import.ts';

/** The command in a child process (asynchronously: the server answering it lives in this one). */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('bin/dure.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const TEMPLATE = { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', options: ['pos', 'neg'] }] };
const BOXES = { display: [{ type: 'image', field: 'image' }], controls: [{ type: 'bbox', name: 'boxes', labels: ['car'], imageField: 'image' }] };

describe('dure import / dure export', () => {
  let t: TestApp;
  let r: Client;
  let url: string;
  let token: string;
  let readOnly: string;
  let dir: string;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    r = await signup(t.app, 'requester');
    token = (await r.post('/api/tokens', { name: 'cli' })).json().token;
    readOnly = (await r.post('/api/tokens', { name: 'ro', scopes: ['read'] })).json().token;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-cli-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, content: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('tells the format from the extension, or from --format', () => {
    expect(importFormatOf('a/b.JSONL')).toBe('jsonl');
    expect(importFormatOf('x.ndjson')).toBe('jsonl');
    expect(importFormatOf('x.csv')).toBe('csv');
    expect(importFormatOf('x.zip')).toBe('zip');
    expect(importFormatOf('x.json')).toBe('json');
    expect(importFormatOf('tasks.json', 'labelstudio')).toBe('labelstudio');
    expect(() => importFormatOf('x.txt')).toThrow(/--format/);
  });

  it('imports JSONL, CSV, JSON, Label Studio and zip files with progress', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const o = { url, token, project: p.id, quiet: true };
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ text: `문장 ${i}` })).join('\n');
    const seen: number[] = [];
    const client = new DureClient(url, token);
    const big = file('items.jsonl', lines);
    expect(await client.importFile(p.id, big, { onProgress: (sent) => seen.push(sent) })).toEqual({ imported: 3000, gold: 0 });
    expect(seen.at(-1)).toBe(fs.statSync(big).size);
    expect(await runImport(file('items.csv', 'text,_gold\nhello,\nbye,"{""label"":""neg""}"\n'), o)).toEqual({ imported: 2, gold: 1 });
    expect(await runImport(file('items.json', JSON.stringify([{ text: 'a' }])), o)).toEqual({ imported: 1, gold: 0 });
    const ls = file('tasks.json', JSON.stringify([{ data: { text: 'ls' }, annotations: [{ result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['pos'] } }] }] }]));
    expect(await runImport(ls, { ...o, format: 'labelstudio', goldAnswers: true })).toEqual({ imported: 1, gold: 1 });
    const b = await createProject(r, { template: BOXES });
    const zip = file('images.zip', await makeZip({ 'a.png': makePng(10, 10), 'notes.txt': 'x' }));
    const z = await runImport(zip, { ...o, project: b.id });
    expect(z).toMatchObject({ imported: 1, gold: 0, skipped: [{ name: 'notes.txt' }] });
    expect(await itemIds(t, p.id)).toHaveLength(3004);
  });

  it('reports the server’s problems line by line, and refuses a read-only token', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const bad = file('bad.jsonl', '{"text":"ok"}\n{"text": nope}\n{"other":1}\n');
    const err = await runImport(bad, { url, token, project: p.id, quiet: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_import' });
    const text = describeError(err);
    expect(text).toContain('(400 invalid_import)');
    expect(text).toMatch(/line 2: not valid JSON/);
    expect(text).toMatch(/line 3: missing field "text"/);
    const ro = await runImport(file('ok.jsonl', '{"text":"x"}\n'), { url, token: readOnly, project: p.id, quiet: true }).catch((e) => e);
    expect(ro).toMatchObject({ status: 403, code: 'forbidden' });
    const gone = await runImport(file('ok2.jsonl', '{"text":"x"}\n'), { url, token: 'dure_not-a-token', project: p.id, quiet: true }).catch((e) => e);
    expect(gone).toMatchObject({ status: 401 });
    expect(await itemIds(t, p.id)).toHaveLength(0);
  });

  it('exports to a file (with a read-only token) and to a stream, with progress against X-Dure-Items', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const src = file('e.jsonl', Array.from({ length: 2500 }, (_, i) => JSON.stringify({ text: `t${i}` })).join('\n'));
    await runImport(src, { url, token, project: p.id, quiet: true });
    const ids = await itemIds(t, p.id);
    const w = await signup(t.app, 'worker');
    await insertAnswers(t, p.id, ids[0]!, [{ worker: w.user.id, result: { label: 'pos' } }]);
    const out = path.join(dir, 'out.jsonl');
    const progress: { lines: number; total: number | null }[] = [];
    const client = new DureClient(url, readOnly);
    const sink = fs.createWriteStream(out);
    const res = await client.exportTo(p.id, { format: 'jsonl' }, sink, (x) => progress.push(x));
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2500);
    expect(rows[0]).toMatchObject({ id: ids[0], labels: { label: { value: 'pos', confidence: 1 } } });
    expect(rows[0].annotations[0].worker).toMatch(/^w_/);
    expect(res).toMatchObject({ lines: 2500, total: 2500 });
    expect(res.filename).toMatch(/\.jsonl$/);
    expect(progress[0]!.total).toBe(2500);
    expect(progress.at(-1)!.lines).toBe(2500);

    // runExport: --out writes FILE.part and renames it whole; standard output otherwise.
    const csvOut = path.join(dir, 'out.csv');
    await runExport({ url, token: readOnly, project: p.id, format: 'csv', out: csvOut, quiet: true });
    expect(fs.existsSync(`${csvOut}.part`)).toBe(false);
    expect(fs.readFileSync(csvOut, 'utf8').split('\n')[0]).toBe('id,text,label,label_confidence,confidence,is_gold,state');
    const pass = new PassThrough();
    const chunks: Buffer[] = [];
    pass.on('data', (c: Buffer) => chunks.push(c));
    await runExport({ url, token, project: p.id, format: 'hf', quiet: true }, pass);
    expect(Buffer.concat(chunks).toString().trim().split('\n')).toHaveLength(2500);
  });

  it('exports a yolo zip to a file, and leaves no file behind on an error', async () => {
    const b = await createProject(r, { template: BOXES });
    await runImport(file('y.zip', await makeZip({ 'a.png': makePng(20, 10) })), { url, token, project: b.id, quiet: true });
    const zipOut = path.join(dir, 'y-out.zip');
    await runExport({ url, token, project: b.id, format: 'yolo', out: zipOut, quiet: true });
    const names = await new Promise<string[]>((resolve, reject) =>
      yauzl.open(zipOut, (err, z) => {
        if (err || !z) return reject(err);
        const n: string[] = [];
        z.on('entry', (e: yauzl.Entry) => n.push(e.fileName));
        z.on('end', () => resolve(n));
      }),
    );
    expect(names.sort()).toEqual(['classes.txt', 'data.yaml', expect.stringMatching(/^images\/\d+\.png$/), expect.stringMatching(/^labels\/\d+\.txt$/)]);
    const failOut = path.join(dir, 'never.json');
    const err = await runExport({ url, token, project: b.id, format: 'conll', out: failOut, quiet: true }).catch((e) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(fs.existsSync(failOut) || fs.existsSync(`${failOut}.part`)).toBe(false);
  });

  it('runs as the real `dure` command', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const env = { ...process.env, DURE_URL: url, DURE_TOKEN: token };
    const imp = await run(['import', '--project', p.id, file('cmd.jsonl', '{"text":"하나"}\n{"text":"둘"}\n')], env);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).toContain('imported 2 item(s) (0 gold)');
    const exp = await run(['export', '--project', p.id, '--format', 'jsonl', '--no-annotations'], env);
    expect(exp.status, exp.stderr).toBe(0);
    const rows = exp.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.data.text)).toEqual(['하나', '둘']);
    expect(rows[0].annotations).toBeUndefined();
    const bad = await run(['import', '--project', p.id, file('bad2.jsonl', '{"text":1,"_gold":{"label":"maybe"}}\n')], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/line 1 \/_gold\/label:/);
  });
});
