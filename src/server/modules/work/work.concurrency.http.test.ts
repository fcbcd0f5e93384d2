/**
 * 200 simulated workers over HTTP (app.inject, all at once) on 1,000 items with overlap 3:
 * honest workers, workers who let leases expire (and some who then submit late), workers who
 * skip, and workers who resend submits (same Idempotency-Key, and without a key, also
 * concurrently). The end state must be exact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { activeProject, closeQuietly, quickWorkers } from './work-test-helpers.ts';
import { MACHINE_CROWD_QUALITY_RULES } from '../../../../test/helpers/crowd.ts';

// A crowd at machine speed: abuse checks run, out of reach. This test is about distribution.
process.env.DURE_QUALITY_RULES = MACHINE_CROWD_QUALITY_RULES;

const WORKERS = 200;
const ITEMS = 1000;
const OVERLAP = 3;
/**
 * PGlite runs one statement at a time: with 200 workers in flight a request waits behind the
 * other 199, several seconds on a busy 2-core machine. Honest workers there get a lease long
 * enough not to lose it in that queue, and the walk-away workers' leases are run out by moving
 * their expiry into the past (the same state the clock would reach). PostgreSQL keeps up, so
 * there the lease is 4 s and the walk-away workers really wait it out.
 */
const leaseSeconds = (kind: string) => (kind === 'pglite' ? 120 : 4);

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t && closeQuietly(t));

type Kind = 'honest' | 'expirer' | 'late' | 'skipper' | 'resender';
// 1 in 20 each: walks away from some leases, walks away then submits late, skips some; 1 in 10 resends.
const kindOf = (i: number): Kind => (['expirer', 'late', 'skipper', 'resender', 'resender'] as const)[i % 20] ?? 'honest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`${WORKERS} workers on ${ITEMS} items × overlap ${OVERLAP}: exactly ${ITEMS * OVERLAP} annotations, none twice, none above overlap`, async () => {
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const requester = await signup(t.app, 'requester');
  const lease = leaseSeconds(t.db.kind);
  const { project } = await activeProject(t, requester, { n: ITEMS, settings: { overlap: OVERLAP, leaseSeconds: lease } });
  const workers = await quickWorkers(t, WORKERS);

  const accepted = new Map<number, { itemId: number; worker: string; assignmentId: number }>();
  const stats = { claims: 0, submits200: 0, replays: 0, expiredLeases: 0, late409: 0, skips: 0, empty: 0, other409: 0 };
  let finished = false;
  // Generous: PGlite runs every statement of every module's hooks one at a time (about 20 per
  // cycle), and a shared machine may give this process a fifth of a core. Typical: 1–4 minutes.
  const deadline = Date.now() + 900_000;

  const record = (w: Client, a: { id: number; item: { id: number } }, res: Awaited<ReturnType<Client['post']>>) => {
    expect(res.statusCode, res.body).toBe(200);
    const ann = res.json().annotation;
    expect(ann.itemId).toBe(a.item.id);
    expect(ann.assignmentId).toBe(a.id);
    const prior = accepted.get(ann.id);
    if (prior) {
      expect(prior).toEqual({ itemId: a.item.id, worker: w.user.id, assignmentId: a.id });
      stats.replays++;
    } else {
      accepted.set(ann.id, { itemId: a.item.id, worker: w.user.id, assignmentId: a.id });
      stats.submits200++;
    }
    if (accepted.size === ITEMS * OVERLAP) finished = true;
  };

  async function run(w: Client, i: number) {
    const kind = kindOf(i);
    let n = 0;
    while (!finished && Date.now() < deadline) {
      const r = await w.post(`/api/work/projects/${project.id}/next`);
      if (r.statusCode === 204) {
        // Everything is taken for now; leases of others may still expire and free slots.
        stats.empty++;
        await sleep(250);
        continue;
      }
      expect(r.statusCode, r.body).toBe(200);
      const a = r.json().assignment;
      stats.claims++;
      n++;
      const label = { label: a.item.id % 2 ? 'pos' : 'neg' };
      const submitUrl = `/api/work/assignments/${a.id}/submit`;
      if ((kind === 'expirer' || kind === 'late') && n % 3 === 1) {
        // walk away; the lease expires and the slot goes back to the pool
        stats.expiredLeases++;
        if (t.db.kind === 'pglite') {
          await t.db.db.updateTable('assignments').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', a.id).execute();
        } else {
          await sleep(lease * 1000 + 150);
        }
        if (kind === 'late') {
          const late = await w.post(submitUrl, { result: label });
          expect(late.statusCode, late.body).toBe(409);
          expect(late.json().error.code).toBe('lease_expired');
          stats.late409++;
        }
        continue;
      }
      if (kind === 'skipper' && n % 4 === 2) {
        const s = await w.post(`/api/work/assignments/${a.id}/skip`);
        expect(s.statusCode).toBe(204);
        stats.skips++;
        continue;
      }
      if (kind === 'resender') {
        const key = { 'idempotency-key': `${w.user.id}-${a.id}` };
        const rs = await Promise.all([w.post(submitUrl, { result: label }, key), w.post(submitUrl, { result: label }, key)]);
        for (const res of rs) {
          if (res.statusCode === 409 && res.json().error.code === 'lease_expired') stats.other409++;
          else record(w, a, res);
        }
        const again = await w.post(submitUrl, { result: label });
        if (again.statusCode === 409 && again.json().error.code === 'lease_expired') stats.other409++;
        else record(w, a, again);
        continue;
      }
      const res = await w.post(submitUrl, { result: label });
      if (res.statusCode === 409 && res.json().error.code === 'lease_expired') {
        stats.other409++; // a slow round trip under load; the slot is re-offered
        continue;
      }
      record(w, a, res);
    }
  }

  await Promise.all(workers.map((w, i) => run(w, i)));
  const elapsed = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`[work concurrency] ${t.db.kind}: ${elapsed.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU of this process`, stats);
  expect(finished).toBe(true);

  const db = t.db.db;
  const anns = await db.selectFrom('annotations').select(['id', 'item_id', 'worker_id', 'assignment_id']).where('project_id', '=', project.id).execute();
  // exactly 3,000, and each accepted submit stored once
  expect(anns).toHaveLength(ITEMS * OVERLAP);
  expect(new Set(anns.map((a) => a.id))).toEqual(new Set(accepted.keys()));
  for (const a of anns) expect(accepted.get(a.id)).toEqual({ itemId: a.item_id, worker: a.worker_id, assignmentId: a.assignment_id });
  // no (item, worker) pair twice
  expect(new Set(anns.map((a) => `${a.item_id}/${a.worker_id}`)).size).toBe(anns.length);
  // no item above overlap; every item complete with its counters exact
  const items = await db.selectFrom('items').select(['id', 'answers', 'reserved', 'state']).where('project_id', '=', project.id).execute();
  const perItem = new Map<number, number>();
  for (const a of anns) perItem.set(a.item_id, (perItem.get(a.item_id) ?? 0) + 1);
  for (const it of items) {
    expect(perItem.get(it.id)).toBe(OVERLAP);
    expect(it).toMatchObject({ answers: OVERLAP, reserved: OVERLAP, state: 'complete' });
  }
  // reserved = answers + leases ≤ overlap, so with every slot answered no lease can be left
  const leased = await db.selectFrom('assignments').select('id').where('project_id', '=', project.id).where('status', '=', 'leased').execute();
  expect(leased).toHaveLength(0);
  expect(stats.expiredLeases).toBeGreaterThan(0);
  expect(stats.late409).toBeGreaterThan(0);
  expect(stats.replays).toBeGreaterThan(0);
  expect(stats.skips).toBeGreaterThan(0);
  // The claims and submits went through batches of several workers (batching across workers is
  // what this test must prove correct), and no batch rolled back for an unexpected error.
  const batches = t.app.workService.batchStats;
  console.log('[work concurrency] batches', JSON.stringify(batches));
  expect(batches.claims.largest).toBeGreaterThan(1);
  expect(batches.submits.largest).toBeGreaterThan(1);
  expect(batches.claims.requests).toBeGreaterThan(batches.claims.batches);
  expect(batches.submits.requests).toBeGreaterThan(batches.submits.batches);
}, 960_000);
