/**
 * bench/batch-floor — what a *batched* claim+submit would cost PostgreSQL, per cycle. Research only:
 * the batched design is not built; this measures its floor, so the next developer knows whether
 * cross-worker batching can reach the aim of bench/work.ts (HTTP cycles/s ≥ 0.25 × (b)).
 *
 *   npx tsx bench/batch-floor.ts [--batches 1,10,50] [--clients 4,16] [--seconds 10] [--repeat 3] [--items 40000] [--keep]
 *
 * Today one cycle costs ~17 statements and ~6–9 ms of PostgreSQL CPU (bench/work.ts). Here a
 * pgbench script is ONE batch of B cycles for B distinct workers, as a server that gathered B
 * requests would send it, in two single-statement transactions (claim, then submit: two commits
 * per batch, like the real cycle; no separate BEGIN/COMMIT statements):
 *   work        claim: B claimable items (items_claimable, id order, FOR NO KEY UPDATE SKIP LOCKED,
 *               none of them ever had by a worker of the batch), reserved + 1, B leases; returns
 *               their ids and item data. submit: the B leases submitted, B annotations, the B
 *               items' answers/state/completed_at — the columns and rules of workRepo.claimNew/submit.
 *   work+money  the same plus the ledger rows a cycle moves today (ledgerRepo.reserveFromBudget /
 *               paySubmittedBatch, set-based): claim: one budget stripe debited by the batch's total
 *               (random unlocked stripe, SKIP LOCKED), B 'claim' transactions with 2 entries each;
 *               submit: B 'submit' transactions settling their claims, 2 entries each, B workers'
 *               pending balances. The deferred per-row balance trigger stays as it is.
 *   (b)         the minimal write transaction of bench/work.ts (BEGIN; UPDATE one row; INSERT one
 *               row; COMMIT): the baseline of the aim, at the same clients.
 * The pending account is looked up by the expression of ledger_accounts_owner_key; paySubmittedBatch's
 * `owner_id = $1` does not match that index and filters every worker_pending account instead.
 * Each client owns B fixed workers (a worker holds one live lease per project: concurrent batches
 * must not share one). Each work run gets a fresh project of --items items, target 3, funded.
 * pgbench runs -n -M prepared -j 2. Over a window inside each run (from 15% of it to 1 s before
 * its end) it reads the CPU (utime + stime, /proc/<pid>/stat) of the pgbench backends and the
 * answers inserted (the sequence of annotations, resp. of (b)'s answer table): cycles/s and PG CPU
 * per cycle come from the same window. "2 CPUs / PG CPU" is the ceiling if PostgreSQL alone used
 * the machine; the server's own CPU per cycle comes on top. It prints numbers; it asserts nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { costWithFee } from '../src/core/money/arithmetic.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { Database } from '../src/db/schema.ts';
import { PaymentsService } from '../src/server/modules/payments/payments.service.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const BATCHES = arg('batches', '1,10,50').split(',').map(Number);
const CLIENTS = arg('clients', '4,16').split(',').map(Number);
const SECONDS = Math.max(4, Number(arg('seconds', '10')));
const REPEAT = Number(arg('repeat', '3'));
const ITEMS = Number(arg('items', '40000'));
const PAY = 50;
const KEEP = args.includes('--keep'); // keep the database (and print its URL) to look at plans
const BASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `dure_bfloor_${crypto.randomBytes(4).toString('hex')}`;
const dbUrl = Object.assign(new URL(BASE_URL), { pathname: `/${dbName}` }).toString();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-batch-floor-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');

async function adminQuery(q: string) {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}

function pgbenchBin(): string {
  for (const dir of ['/usr/bin', ...fs.readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`)]) {
    if (fs.existsSync(path.join(dir, 'pgbench'))) return path.join(dir, 'pgbench');
  }
  throw new Error('pgbench not found (apt-get install postgresql-client)');
}

/** CPU time (user + system) of a process so far, in ms (USER_HZ = 100); NaN when it is gone. */
function procCpuMs(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

// ---- the scripts ---------------------------------------------------------------------------------

/** The B workers of this pgbench client (client_id counts from 0; workers from 1). */
const workerOf = (b: number, g: string) => `('00000000-0000-4000-8000-' || lpad((:client_id * ${b} + ${g})::text, 12, '0'))::uuid`;
const uuidOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface Terms {
  project: string;
  stripes: number[];
  committed: number;
  pay: number;
  fee: number;
}

function claimSql(b: number, t: Terms, money: boolean): string {
  const total = t.pay + t.fee;
  const stripes = t.stripes.map((s) => `${s}::int8`).join(', ');
  const ledger = `, s as (
  select id from ledger_accounts where id in (${stripes}) and balance >= ${b * total}
  order by random() limit 1 for update skip locked
), bal as (
  update ledger_accounts a set balance = a.balance - (select count(*) from ins) * ${total}
  from s where a.id = s.id and exists (select 1 from ins) returning a.id
), tx as (
  insert into ledger_transactions (kind, ref, project_id, user_id, amount, meta)
  select 'claim', 'p${t.project}:' || 'w' || ins.worker_id || ':' || gen_random_uuid(), '${t.project}'::uuid, ins.worker_id, ${total},
         jsonb_build_object('pay', ${t.pay}, 'fee', ${t.fee}, 'stripe', bal.id)
  from ins, bal returning id
), en as (
  insert into ledger_entries (tx_id, account_id, amount)
  select tx.id, v.account_id, v.amount from tx, bal
  cross join lateral (values (bal.id, ${-total}::int8), (${t.committed}::int8, ${total}::int8)) as v(account_id, amount)
)`;
  return `with w as (
  select g, ${workerOf(b, 'g')} as worker_id from generate_series(1, ${b}) g
), pick as (
  select i.id from items i
  where i.project_id = '${t.project}'::uuid and i.claimable
    -- claimNew's never-had probe, as "< 1" so the planner expects most rows to pass (IS NULL it
    -- guesses at 0.5%: then for B ≥ ~10 it sorts every claimable item instead of walking the index)
    and coalesce((select 1 from assignments x where x.item_id = i.id and x.kind = 'new' and x.worker_id = any (array(select worker_id from w)) limit 1), 0) < 1
  order by i.id limit ${b}
  for no key update of i skip locked
), upd as (
  update items i set reserved = i.reserved + 1
  where i.id = any (array(select id from pick)) and i.claimable
  returning i.id, i.data
), n as (
  select id, data, row_number() over (order by id) as g from upd
), ins as (
  insert into assignments (project_id, item_id, worker_id, kind, status, expires_at, leased_at)
  select '${t.project}'::uuid, n.id, w.worker_id, 'new', 'leased', now() + interval '600 seconds', now()
  from n join w using (g)
  returning id, item_id, worker_id, expires_at
)${money ? ledger : ''}
select coalesce((select array_agg(id order by id)::text from ins), '{}') as ids, coalesce((select array_agg(worker_id order by id)::text from ins), '{}') as workers, (select jsonb_agg(jsonb_build_object('id', ins.id, 'item', ins.item_id, 'expires', ins.expires_at, 'data', n.data)) from ins join n on n.id = ins.item_id) as leases${money ? `, (select coalesce(sum(balance), 0)::int8 from ledger_accounts where id in (${stripes})) as before` : ''} \\gset c_
`;
}

function submitSql(t: Terms, money: boolean): string {
  const ref = `'i' || v.item_id || ':' || 'w' || v.worker_id`; // pgbench would read ":w" as a variable
  const ledger = `, v as (
  select a.id as assignment_id, a.item_id, a.worker_id, c.ref, coalesce((c.meta->>'pay')::int8, 0) as pay, coalesce((c.meta->>'fee')::int8, 0) as fee,
         (select id from ledger_accounts where kind = 'worker_pending' and stripe = 0
          and coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = a.worker_id) as pending
  from a cross join lateral (
    select c.ref, c.meta from ledger_transactions c
    where c.kind = 'claim' and c.project_id = a.project_id and c.user_id = a.worker_id and c.created_at = a.created_at
    order by c.id desc limit 1
  ) c
), tx as (
  insert into ledger_transactions (kind, ref, settles, project_id, user_id, amount, meta)
  select 'submit', ${ref}, 'claim:' || v.ref, '${t.project}'::uuid, v.worker_id, v.pay,
         jsonb_build_object('pay', v.pay, 'fee', v.fee, 'annotationId', ins.id, 'claim', v.ref, 'assignmentId', v.assignment_id)
  from v join ins on ins.assignment_id = v.assignment_id
  where v.pay > 0 and v.pending is not null
    and (select 1 from ledger_transactions s where s.kind = 'submit' and s.ref = ${ref} limit 1) is null
  on conflict do nothing
  returning id, user_id, amount
), bal as (
  update ledger_accounts p set balance = p.balance + tx.amount
  from tx join v on v.worker_id = tx.user_id where p.id = v.pending and p.balance is not null
  returning p.id
), en as (
  insert into ledger_entries (tx_id, account_id, amount)
  select tx.id, x.account_id, x.amount from tx join v on v.worker_id = tx.user_id
  cross join lateral (values (${t.committed}::int8, -tx.amount), (v.pending, tx.amount)) as x(account_id, amount)
  order by x.account_id
)`;
  return `with a as (
  update assignments a set status = 'submitted', finished_at = now()
  where a.id = any (:c_ids::bigint[]) and a.status = 'leased' and a.expires_at > now()
    and a.worker_id = (:c_workers::uuid[])[array_position(:c_ids::bigint[], a.id)]
  returning a.id, a.project_id, a.item_id, a.worker_id, a.kind, a.created_at, coalesce(a.leased_at, a.created_at) as started_at
), ins as (
  insert into annotations (project_id, item_id, worker_id, assignment_id, result, status, is_gold, gold_correct, duration_ms, idempotency_key, rework_count)
  select a.project_id, a.item_id, a.worker_id, a.id, '{"label": "pos"}'::jsonb, 'submitted', false, null,
         greatest(0, least(2147483647, round(extract(epoch from (now() - a.started_at)) * 1000)))::int, null, 0
  from a
  returning *
), it as (
  update items i
  set answers = i.answers + 1,
      state = case when not i.is_gold and i.answers + 1 >= i.target then 'complete' else i.state end,
      completed_at = case when not i.is_gold and i.answers + 1 >= i.target then coalesce(i.completed_at, now()) else i.completed_at end
  where i.id = any (array(select item_id from a where kind = 'new'))
  returning i.id, i.state
)${money ? ledger : ''}
select (select json_agg(ins) from ins) as annotations, (select json_agg(it) from it) as items;
`;
}

const MIN_WRITE = `\\set id random(1, 100000)
BEGIN;
UPDATE bench_items SET n = n + 1 WHERE id = :id;
INSERT INTO bench_answers (item_id, v) VALUES (:id, 'x');
COMMIT;
`;

// ---- running ------------------------------------------------------------------------------------

let child: ChildProcess | null = null;

interface Run {
  tps: number; // pgbench scripts/s (batches/s)
  rate: number; // cycles/s (answers inserted in the window)
  cpu: number; // PG CPU ms per cycle in the window
  perBatch: number; // answers per script run (should be B)
}

/** Runs pgbench on `script`; counts rows of `seq` and the backends' CPU over a window inside the run. */
async function runPgbench(name: string, script: string, clients: number, seq: string): Promise<Run> {
  const file = path.join(tmp, `${name}.sql`);
  fs.writeFileSync(file, script);
  const admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  const sample = async () => {
    const pids = (await admin.query(`select pid from pg_stat_activity where datname = $1 and application_name = 'pgbench'`, [dbName])).rows.map((r: { pid: number }) => r.pid);
    const count = Number((await admin.query(`select last_value from ${seq}`)).rows[0].last_value);
    return { at: performance.now(), count, cpu: new Map(pids.map((p) => [p, procCpuMs(p)])) };
  };
  const count0 = Number((await admin.query(`select last_value from ${seq}`)).rows[0].last_value);
  const done = new Promise<string>((resolve, reject) => {
    child = spawn(pgbenchBin(), ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(SECONDS), '-f', file, dbUrl]);
    let s = '';
    child.stdout!.on('data', (d) => (s += d));
    child.stderr!.on('data', (d) => (s += d));
    child.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`pgbench ${name} failed (${code}):\n${s.slice(-2000)}`))));
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await Promise.race([sleep(SECONDS * 150), done]);
    const a = await sample();
    await Promise.race([sleep(SECONDS * 1000 - 1000 - SECONDS * 150), done]);
    const b = await sample();
    const out = await done;
    let cpu = 0;
    for (const [pid, c0] of a.cpu) if (Number.isFinite(b.cpu.get(pid) ?? NaN)) cpu += b.cpu.get(pid)! - c0;
    const cycles = b.count - a.count;
    const scripts = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    const count1 = Number((await admin.query(`select last_value from ${seq}`)).rows[0].last_value);
    if (a.cpu.size !== clients) console.log(`  (${name}: ${a.cpu.size} of ${clients} backends seen in the window)`);
    return { tps: Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]), rate: (cycles * 1000) / (b.at - a.at), cpu: cpu / cycles, perBatch: (count1 - count0) / scripts };
  } finally {
    child = null;
    await admin.end();
  }
}

async function main() {
  console.log(`bench/batch-floor: batches ${BATCHES.join(', ')}, clients ${CLIENTS.join(', ')}, ${SECONDS} s per run, ${REPEAT} runs per figure, ${ITEMS} items per project`);
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine: compare ratios, not absolutes)`);
  await adminQuery(`create database ${dbName}`);
  // int8 as number, as the server reads it (src/db/connect.ts): the ledger code adds amounts.
  const types = { getTypeParser: ((oid: number, f?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, f as 'text'))) as typeof pg.types.getTypeParser };
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4, types });
  pool.on('error', () => {}); // the database is dropped under idle connections on interrupt
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db);
    await sql`create table bench_items (id int primary key, n int not null default 0)`.execute(db);
    await sql`create table bench_answers (id bigint generated always as identity primary key, item_id int not null, v text not null, created_at timestamptz not null default now())`.execute(db);
    await sql`insert into bench_items (id) select generate_series(1, 100000)`.execute(db);
    const org = await db.insertInto('organisations').values({ name: 'bench' }).returning('id').executeTakeFirstOrThrow();
    const owner = await db
      .insertInto('users')
      .values({ email: `owner-${dbName}@bench.kr`, password_hash: 'x', display_name: 'bench', role: 'requester', org_id: org.id, status_reason: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Workers 1..(max clients × max B), with their pending-earnings accounts (as after a first paid answer).
    const nWorkers = Math.max(...CLIENTS) * Math.max(...BATCHES);
    await sql`insert into users (id, email, password_hash, display_name, role)
      select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'w' || g || '@bench.kr', 'not-a-hash', 'worker ' || g, 'worker'
      from generate_series(1, ${nWorkers}::int) g`.execute(db);
    await sql`insert into ledger_accounts (kind, owner_id, balance) select 'worker_pending', id, 0 from users where role = 'worker'`.execute(db);
    const config = loadConfig({ DATABASE_URL: dbUrl, DURE_LOG_LEVEL: 'silent' }, { webDir: '/nonexistent', assetDir: path.join(tmp, 'assets') });
    const payments = new PaymentsService({ db, config });
    const settings = {
      payPerAnnotation: PAY, payPerReview: 10, overlap: 3, goldRate: 0, minGoldAccuracy: 0.7, minGoldAnswers: 5, reviewRate: 0.1, reviewFirstK: 5, minLevel: 1,
      reviewerMinLevel: 1, leaseSeconds: 600, autoApprove: 'window', reviewWindowHours: 72, maxReworks: 2,
      dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 2 }, qualification: null, aggregationMethod: 'auto',
    };
    const template = { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', options: ['pos', 'neg'] }] };
    /** A fresh funded project of ITEMS items (target 3); every budget stripe alone could pay all of it. */
    const makeProject = async (): Promise<Terms> => {
      const p = await db
        .insertInto('projects')
        .values({ org_id: org.id, created_by: owner.id, name: `bench ${crypto.randomBytes(3).toString('hex')}`, template: JSON.stringify(template), settings: JSON.stringify(settings), tags: ['bench'], status: 'active', status_reason: null, published_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await sql`insert into items (project_id, data, target) select ${p.id}::uuid, jsonb_build_object('text', '문장 ' || g), 3 from generate_series(1, ${ITEMS}::int) g`.execute(db);
      await payments.fundDirect(p.id, ITEMS * 3 * PAY * 2 * 16 + 1_000_000);
      // As if autovacuum kept up: dead index entries of earlier runs would tax later ones.
      await sql`vacuum analyze items, assignments, annotations, ledger_accounts, ledger_transactions, ledger_entries`.execute(db);
      const terms = await db.selectFrom('ledger_projects').select(['committed_account', 'fee_bp']).where('project_id', '=', p.id).executeTakeFirstOrThrow();
      const stripes = await db.selectFrom('ledger_accounts').select('id').where('kind', '=', 'project_budget').where('owner_id', '=', p.id).orderBy('stripe').execute();
      const cost = costWithFee(PAY, terms.fee_bp);
      return { project: p.id, stripes: stripes.map((s) => Number(s.id)), committed: Number(terms.committed_account), pay: cost.pay, fee: cost.fee };
    };
    const check = async (t: Terms) => {
      const r = await sql<{ a: number; n: number; c: number; s: number; leased: number }>`select
        (select count(*)::int from assignments where project_id = ${t.project}::uuid) as a,
        (select count(*)::int from assignments where project_id = ${t.project}::uuid and status = 'leased') as leased,
        (select count(*)::int from annotations where project_id = ${t.project}::uuid) as n,
        (select count(*)::int from ledger_transactions where project_id = ${t.project}::uuid and kind = 'claim') as c,
        (select count(*)::int from ledger_transactions where project_id = ${t.project}::uuid and kind = 'submit') as s`.execute(db);
      const x = r.rows[0]!;
      return `rows: ${x.a} leases (${x.leased} left leased), ${x.n} answers, ${x.c} claim / ${x.s} submit ledger tx`;
    };
    const annSeq = 'public.annotations_id_seq';
    const results = new Map<string, Run[]>();
    const push = (k: string, r: Run) => results.set(k, [...(results.get(k) ?? []), r]);
    for (let rep = 0; rep < REPEAT; rep++) {
      for (const clients of CLIENTS) {
        const b = await runPgbench(`b-${clients}`, MIN_WRITE, clients, 'public.bench_answers_id_seq');
        push(`b:${clients}`, b);
        console.log(`  run ${rep + 1}, ${clients} clients: (b) ${fmt(b.rate)} tx/s, PG CPU ${fmt(b.cpu, 3)} ms/tx (pgbench ${fmt(b.tps)} tps)`);
        for (const batch of BATCHES) {
          for (const money of [false, true]) {
            const t = await makeProject();
            const kind = money ? 'work+money' : 'work';
            const r = await runPgbench(`${kind}-${batch}-${clients}`, claimSql(batch, t, money) + submitSql(t, money), clients, annSeq);
            push(`${kind}:${batch}:${clients}`, r);
            console.log(
              `  run ${rep + 1}, ${clients} clients, B ${batch}, ${kind}: ${fmt(r.rate)} cycles/s, PG CPU ${fmt(r.cpu, 3)} ms/cycle, ${fmt(r.tps, 1)} batches/s, ${fmt(r.perBatch, 2)} cycles/batch; ${await check(t)}`,
            );
          }
        }
      }
    }
    fs.writeFileSync(path.join(tmp, 'example-work+money-10.sql'), claimSql(10, { project: '<project>', stripes: [1, 2], committed: 3, pay: PAY, fee: 5 }, true) + submitSql({ project: '<project>', stripes: [1, 2], committed: 3, pay: PAY, fee: 5 }, true));

    console.log(`\nmedians of ${REPEAT}. cycles/s and PG CPU over a window inside each run; (b): the minimal write transaction at the same clients.`);
    console.log('script     |  B | clients | cycles/s | cyc/batch | PG CPU ms/cycle | cycles/s ÷ (b) tps | 2 CPUs / PG CPU = cycles/s');
    for (const clients of CLIENTS) {
      const b = results.get(`b:${clients}`) ?? [];
      const bRate = median(b.map((x) => x.rate));
      console.log(['(b)'.padEnd(10), '—'.padStart(2), String(clients).padStart(7), fmt(bRate).padStart(8), '—'.padStart(9), fmt(median(b.map((x) => x.cpu)), 3).padStart(15), '1.00'.padStart(18), fmt(2000 / median(b.map((x) => x.cpu))).padStart(8)].join(' | '));
      for (const batch of BATCHES) {
        for (const kind of ['work', 'work+money']) {
          const rs = results.get(`${kind}:${batch}:${clients}`) ?? [];
          const rate = median(rs.map((x) => x.rate));
          const cpu = median(rs.map((x) => x.cpu));
          console.log(
            [kind.padEnd(10), String(batch).padStart(2), String(clients).padStart(7), fmt(rate).padStart(8), fmt(median(rs.map((x) => x.perBatch)), 2).padStart(9), fmt(cpu, 3).padStart(15), fmt(rate / bRate, 2).padStart(18), fmt(2000 / cpu).padStart(8)].join(' | '),
          );
        }
      }
    }
    console.log(`\nscripts: ${tmp} (an example with placeholders: example-work+money-10.sql)`);
  } finally {
    await db.destroy();
    if (KEEP) console.log(`kept database ${dbUrl}`);
    else await adminQuery(`drop database if exists ${dbName} with (force)`);
  }
}

process.on('SIGINT', () => {
  child?.kill('SIGTERM');
  adminQuery(`drop database if exists ${dbName} with (force)`)
    .catch((e) => console.error(e))
    .finally(() => process.exit(130));
});

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
