/**
 * Streaming export: 1,000,000 annotations (200,000 items × 5) as JSONL over HTTP from a real
 * `dure serve` on PostgreSQL, beside PostgreSQL's own `COPY (SELECT …) TO STDOUT` of the same
 * rows on the same run. Prints rows/s (annotations and items), the server's peak RSS during
 * the export, and the ratio export/COPY. Medians of 3 runs each.
 *
 *   npx tsx bench/export.ts [items=200000] [answersPerItem=5]     (DATABASE_URL, default local postgres)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { request } from 'undici';
import { freshDatabase, median, startServer } from './lib/server.ts';

const ITEMS = Number(process.argv[2] ?? 200_000);
const PER = Number(process.argv[3] ?? 5);
const WORKERS = 1000;
const RUNS = 3;

async function json(url: string, method: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await request(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : null, cookie: String(r.headers['set-cookie'] ?? '').split(';')[0]! };
}

/** Resets the kernel's peak-RSS mark of a process (Linux ≥ 4.0), so VmHWM measures what follows. */
function resetPeak(pid: number) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function load(url: string, projectId: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  await c.query(`insert into users (email, password_hash, display_name, role)
    select 'bench-w' || g || '@example.kr', 'x', '작업자 ' || g, 'worker' from generate_series(1, ${WORKERS}) g`);
  await c.query(`create temp table w as select row_number() over (order by id) - 1 as n, id from users where role = 'worker'`);
  await c.query(`insert into items (project_id, data, target, answers, reserved, state, completed_at, label, confidence)
    select $1::uuid,
           jsonb_build_object('text', '문장 ' || g || ': 배송이 빨라서 좋았어요, the quick brown fox jumps over the lazy dog', 'source', 'bench', 'n', g),
           ${PER}, ${PER}, ${PER}, 'complete', now(),
           jsonb_build_object('label', jsonb_build_object('value', (array['pos','neg','neu'])[1 + g % 3], 'confidence', 0.8 + (g % 20) / 100.0)),
           0.8 + (g % 20) / 100.0
    from generate_series(1, ${ITEMS}) g`, [projectId]);
  await c.query(`insert into assignments (project_id, item_id, worker_id, status, expires_at, finished_at)
    select i.project_id, i.id, w.id, 'submitted', now(), now()
    from items i cross join generate_series(0, ${PER - 1}) k
    join w on w.n = (i.id * ${PER} + k) % ${WORKERS}
    where i.project_id = $1::uuid`, [projectId]);
  await c.query(`insert into annotations (project_id, item_id, worker_id, assignment_id, result, status, duration_ms, created_at)
    select a.project_id, a.item_id, a.worker_id, a.id,
           jsonb_build_object('label', (array['pos','neg','neu'])[1 + (a.id % 7) % 3]),
           case when a.id % 10 = 0 then 'rejected' else 'approved' end,
           1000 + a.id % 5000, now()
    from assignments a where a.project_id = $1::uuid`, [projectId]);
  await c.query('vacuum analyze items, annotations, assignments');
  const s = (performance.now() - t0) / 1000;
  const n = await c.query(`select count(*)::int as n from annotations where project_id = $1`, [projectId]);
  await c.end();
  return { seconds: s, annotations: n.rows[0].n as number };
}

function psqlCopyTo(url: string, sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy (${sql}) to stdout`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (b: Buffer) => (bytes += b.length));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`psql exited ${code} (${bytes} bytes)`))));
  });
}

const db = await freshDatabase('dure_bench_export');
const server = await startServer({ DATABASE_URL: db.url });
try {
  const su = await json(`${server.url}/api/auth/signup`, 'POST', { email: 'bench@example.kr', password: 'loader-secret-77', displayName: 'bench', role: 'requester' });
  if (su.status !== 201) throw new Error(`signup: ${su.status} ${JSON.stringify(su.body)}`);
  const cookie = { cookie: su.cookie };
  const p = await json(
    `${server.url}/api/projects`,
    'POST',
    { name: 'bench', template: { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', options: ['pos', 'neg', 'neu'] }] }, settings: { overlap: PER } },
    cookie,
  );
  if (p.status !== 201) throw new Error(`project: ${p.status} ${JSON.stringify(p.body)}`);
  const projectId = p.body.project.id as string;
  const token = (await json(`${server.url}/api/tokens`, 'POST', { name: 'bench', scopes: ['read'] }, cookie)).body.token as string;
  const loaded = await load(db.url, projectId);
  console.log(`loaded ${ITEMS.toLocaleString()} items, ${loaded.annotations.toLocaleString()} annotations in ${loaded.seconds.toFixed(1)} s (SQL generate_series)`);

  const exportOnce = async () => {
    const reset = resetPeak(server.pid);
    const t0 = performance.now();
    const r = await request(`${server.url}/api/projects/${projectId}/export?format=jsonl`, { headers: { authorization: `Bearer ${token}` }, headersTimeout: 0, bodyTimeout: 0 });
    if (r.statusCode !== 200) throw new Error(`export: ${r.statusCode} ${await r.body.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of r.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    return { s: (performance.now() - t0) / 1000, bytes, lines, peak: server.peakRssMiB(), reset };
  };

  const idle = server.peakRssMiB();
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const x = await exportOnce();
    if (x.lines !== ITEMS) throw new Error(`export gave ${x.lines} lines, expected ${ITEMS}`);
    runs.push(x);
    console.log(`  export run ${i + 1}: ${x.s.toFixed(2)} s, ${(x.bytes / 1024 / 1024).toFixed(0)} MiB, peak RSS ${x.peak.toFixed(0)} MiB`);
  }
  const exportS = median(runs.map((r) => r.s));
  console.log(
    `export (JSONL over HTTP, PostgreSQL): ${loaded.annotations.toLocaleString()} annotations / ${ITEMS.toLocaleString()} items in ${exportS.toFixed(2)} s (median of ${RUNS}) = ` +
      `${Math.round(loaded.annotations / exportS).toLocaleString()} annotation rows/s, ${Math.round(ITEMS / exportS).toLocaleString()} items/s, ${(runs[0]!.bytes / 1024 / 1024 / exportS).toFixed(0)} MiB/s`,
  );
  console.log(
    `server peak RSS during export: ${Math.max(...runs.map((r) => r.peak)).toFixed(0)} MiB${runs[0]!.reset ? ' (peak mark reset before each run)' : ' (peak since start: clear_refs not permitted)'}; before: ${idle.toFixed(0)} MiB`,
  );

  // The reference: the same rows straight out of PostgreSQL, and the same rows as JSON lines built by SQL.
  const rows = `select i.id, i.data, i.label, i.confidence, a.id as annotation_id, a.worker_id, a.result, a.status, a.created_at
    from items i join annotations a on a.item_id = i.id where i.project_id = '${projectId}' order by i.id, a.id`;
  const lines = `select json_build_object('id', i.id, 'data', i.data, 'labels', i.label, 'confidence', i.confidence,
      'annotations', (select json_agg(json_build_object('id', a.id, 'worker', md5(a.worker_id::text), 'result', a.result, 'status', a.status, 'createdAt', a.created_at) order by a.id)
                      from annotations a where a.item_id = i.id))
    from items i where i.project_id = '${projectId}' order by i.id`;
  const copyRows: number[] = [];
  const copyLines: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    copyRows.push(await psqlCopyTo(db.url, rows));
    copyLines.push(await psqlCopyTo(db.url, lines));
  }
  const cr = median(copyRows);
  const cl = median(copyLines);
  console.log(`COPY (SELECT items ⋈ annotations) TO STDOUT: ${cr.toFixed(2)} s = ${Math.round(loaded.annotations / cr).toLocaleString()} rows/s`);
  console.log(`COPY (SELECT json_build_object(… json_agg …)) TO STDOUT (the JSONL built in SQL): ${cl.toFixed(2)} s = ${Math.round(ITEMS / cl).toLocaleString()} lines/s`);
  console.log(`ratio export / COPY of the same rows: ${(cr / exportS).toFixed(2)}; export / COPY of SQL-built JSON lines: ${(cl / exportS).toFixed(2)}`);
} finally {
  await server.stop();
  await db.drop();
}
