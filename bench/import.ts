/**
 * Streaming import: N JSONL lines into a project over HTTP, against PostgreSQL, beside
 * PostgreSQL's own COPY of the same rows into an identical table on the same run.
 * Prints lines/s, the server's peak RSS, and the ratio import/COPY.
 *
 *   npx tsx bench/import.ts [lines=1000000]         (DATABASE_URL, default local postgres)
 *   npx tsx bench/import.ts 200000 --pglite          (embedded database instead)
 */
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { freshDatabase, startServer } from './lib/server.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const pglite = process.argv.includes('--pglite');

function* lines(n: number) {
  const chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    chunk.push(JSON.stringify({ text: `문장 ${i}: the quick brown fox jumps over the lazy dog`, source: 'bench', n: i }));
    if (chunk.length === 5000) {
      yield `${chunk.join('\n')}\n`;
      chunk.length = 0;
    }
  }
  if (chunk.length) yield `${chunk.join('\n')}\n`;
}

async function json(url: string, method: string, body: unknown, cookie = '') {
  const r = await request(url, { method, headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : null, cookie: String(r.headers['set-cookie'] ?? '').split(';')[0] };
}

const db = pglite ? null : await freshDatabase('dure_bench_import');
const server = await startServer(db ? { DATABASE_URL: db.url } : {});
try {
  const su = await json(`${server.url}/api/auth/signup`, 'POST', { email: 'bench@example.kr', password: 'loader-secret-77', displayName: 'bench', role: 'requester' });
  const cookie = su.cookie;
  if (su.status !== 201) throw new Error(`signup: ${su.status} ${JSON.stringify(su.body)}`);
  const p = await json(
    `${server.url}/api/projects`,
    'POST',
    { name: 'bench', template: { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', options: ['a', 'b'] }] } },
    cookie,
  );
  if (p.status !== 201) throw new Error(`project: ${p.status} ${JSON.stringify(p.body)}`);
  const rssBefore = server.peakRssMiB();
  const t0 = performance.now();
  const r = await request(`${server.url}/api/projects/${p.body.project.id}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', cookie },
    body: Readable.from(lines(N)),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const res = await r.body.json();
  const importS = (performance.now() - t0) / 1000;
  if (r.statusCode !== 201) throw new Error(`import failed: ${r.statusCode} ${JSON.stringify(res)}`);
  const peak = server.peakRssMiB();
  console.log(`import: ${N.toLocaleString()} lines in ${importS.toFixed(1)} s = ${Math.round(N / importS).toLocaleString()} lines/s (${pglite ? 'PGlite' : 'PostgreSQL'})`);
  console.log(`server peak RSS: ${peak.toFixed(0)} MiB (before the import ${rssBefore.toFixed(0)} MiB)`);

  if (db) {
    // The reference: PostgreSQL's COPY of the same rows into a table shaped like items.
    const file = `/tmp/dure-bench-copy-${process.pid}.jsonl`;
    const fs = await import('node:fs');
    const out = fs.createWriteStream(file);
    for (const c of lines(N)) if (!out.write(c.replaceAll('\\', '\\\\'))) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
    const psql = (sql: string) => spawnSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { encoding: 'utf8' });
    psql(`create table copy_ref (id bigint generated always as identity primary key, project_id uuid, data jsonb not null)`);
    const c0 = performance.now();
    const cp = psql(`\\copy copy_ref (data) from '${file}'`);
    const copyS = (performance.now() - c0) / 1000;
    fs.rmSync(file, { force: true });
    if (cp.status !== 0) throw new Error(cp.stderr);
    console.log(`COPY of the same rows: ${copyS.toFixed(1)} s = ${Math.round(N / copyS).toLocaleString()} rows/s`);
    console.log(`ratio import / COPY throughput: ${(copyS / importS).toFixed(2)}`);
  }
} finally {
  await server.stop();
  await db?.drop();
}
