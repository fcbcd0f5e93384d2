/** The outbox across processes: a restart loses nothing; two dispatchers never send a delivery twice. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signup } from '../../../../test/helpers/app.ts';
import { createTestDb } from '../../../../test/helpers/db.ts';
import { createProject } from '../../../../test/helpers/factories.ts';
import { loadConfig } from '../../../config.ts';
import type { Db } from '../../../db/connect.ts';
import { buildApp } from '../../app.ts';
import { enqueueEvent } from './enqueue.ts';
import { Receiver, until } from './test-receiver.ts';

// Generous timeouts: a timed-out request is retried (at-least-once), which would count twice here.
const FAST = { pollMs: 25, backoffBaseMs: 60, backoffMaxMs: 300, timeoutMs: 10_000, leaseMs: 30_000 };

describe('webhook outbox across server processes', () => {
  let db: Db;
  let assetDir: string;
  beforeAll(async () => {
    db = await createTestDb();
    assetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-assets-'));
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(assetDir, { recursive: true, force: true });
  });

  /** One "server process": its own app and dispatcher over the shared database. */
  async function server(): Promise<FastifyInstance> {
    // The receivers listen on 127.0.0.1: private addresses allowed (the guard has its own tests).
    const config = loadConfig({ DURE_LOG_LEVEL: 'silent', DURE_WEBHOOK_ALLOW_PRIVATE: 'true' }, { assetDir, webDir: '/nonexistent' });
    const app = await buildApp({ config, db, logger: false });
    await app.ready();
    app.webhookDispatcher.configure(FAST);
    return app;
  }

  it('survives a restart: what the first process could not send, the next one sends', async () => {
    const a = await server();
    const r = await signup(a, 'requester');
    const p = await createProject(r);
    const rx = await new Receiver().start();
    const port = rx.port;
    await rx.stop();
    const hook = (await r.post(`/api/projects/${p.id}/webhooks`, { url: `http://127.0.0.1:${port}/hook`, events: ['item.completed'] })).json().webhook;
    await db.db.transaction().execute((trx) => enqueueEvent(trx, p.id, 'item.completed', { n: 1 }));
    const failedOnce = async () => {
      const d = await db.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', hook.id).executeTakeFirst();
      return d?.attempts === 1 && d.last_error !== null && d.status === 'pending';
    };
    await until(failedOnce);
    await a.close(); // "crash": the process is gone, the outbox row stays

    const back = await new Receiver().start(port);
    try {
      const b = await server();
      try {
        await back.waitFor(1);
        const c = new Client(b);
        c.cookie = r.cookie;
        const d = await until(async () => {
          const l = (await c.get(`/api/projects/${p.id}/webhooks/${hook.id}/deliveries`)).json().deliveries;
          return l[0]?.status === 'delivered' ? l[0] : null;
        });
        expect(d.attempts).toBe(2);
        expect(d.attemptLog.map((x: { statusCode: number | null }) => x.statusCode)).toEqual([null, 200]);
        expect(back.received[0]!.headers['x-dure-delivery']).toBe(d.id);
      } finally {
        await b.close();
      }
    } finally {
      await back.stop();
    }
  });

  it('two dispatchers share one outbox: every delivery arrives exactly once', async () => {
    const a = await server();
    const b = await server();
    const rx = await new Receiver().start();
    try {
      const r = await signup(a, 'requester');
      const p = await createProject(r);
      await r.post(`/api/projects/${p.id}/webhooks`, { url: rx.url, events: ['item.completed'] });
      await r.post(`/api/projects/${p.id}/webhooks`, { url: `${rx.url}?second`, events: ['item.completed'] });
      const N = 60;
      for (let i = 0; i < N; i += 10) {
        await db.db.transaction().execute(async (trx) => {
          for (let k = i; k < i + 10; k++) await enqueueEvent(trx, p.id, 'item.completed', { k });
        });
      }
      await rx.waitFor(2 * N, 60_000);
      await new Promise((res) => setTimeout(res, 300));
      // Never two claims of one delivery at a time: each (delivery, attempt) arrives once…
      const pairs = rx.received.map((x) => `${x.headers['x-dure-delivery']}#${x.headers['x-dure-attempt']}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      // …and when no attempt failed (no timeout on a loaded machine), each delivery arrives exactly once.
      const failed = await db.db.selectFrom('webhook_attempts').select('error').where('error', 'is not', null).execute();
      const ids = new Set(rx.received.map((x) => x.headers['x-dure-delivery']));
      expect(ids.size).toBe(2 * N);
      if (failed.length === 0) expect(rx.received).toHaveLength(2 * N);
      await until(async () => (await db.db.selectFrom('webhook_deliveries').select('id').where('project_id', '=', p.id).where('status', '!=', 'delivered').execute()).length === 0);
    } finally {
      await a.close();
      await b.close();
      await rx.stop();
    }
  });
});
