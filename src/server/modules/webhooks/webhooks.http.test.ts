import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems } from '../../../../test/helpers/factories.ts';
import { quickWorkers } from '../exports/test-fixtures.ts';
import { enqueueEvent } from './enqueue.ts';
import { webhooksRepo } from './webhooks.repo.ts';
import { Receiver, until } from './test-receiver.ts';

const FAST = { pollMs: 25, backoffBaseMs: 60, backoffMaxMs: 400, timeoutMs: 2000, leaseMs: 5000 };
const hmac = (secret: string, body: Buffer) => `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhooks', () => {
  let t: TestApp;
  let r: Client;
  let projectId: string;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const x = await new Receiver().start();
    receivers.push(x);
    return x;
  };
  beforeAll(async () => {
    // The test receivers listen on 127.0.0.1: private addresses allowed here; the guard is tested below.
    t = await buildTestApp({ webhookAllowPrivate: true });
    t.app.webhookDispatcher.configure(FAST);
    r = await signup(t.app, 'requester');
    projectId = (await createProject(r)).id;
  });
  afterEach(async () => {
    for (const x of receivers.splice(0)) await x.stop();
  });
  afterAll(async () => t?.close());

  const emit = (event: string, data: unknown) => t.db.db.transaction().execute((trx) => enqueueEvent(trx, projectId, event, data));
  const log = async (wid: string, pid = projectId) => (await r.get(`/api/projects/${pid}/webhooks/${wid}/deliveries`)).json().deliveries;

  it('registers, lists, shows, and deletes webhooks; the secret is shown once', async () => {
    const res = await r.post(`/api/projects/${projectId}/webhooks`, { url: 'https://ml.example.kr/hooks', events: ['item.completed', 'project.completed'], description: 'pipeline' });
    expect(res.statusCode).toBe(201);
    const hook = res.json().webhook;
    expect(hook).toMatchObject({ projectId, url: 'https://ml.example.kr/hooks', events: ['item.completed', 'project.completed'], description: 'pipeline' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(hook.secretHint).toBe(`…${hook.secret.slice(-4)}`);
    const list = (await r.get(`/api/projects/${projectId}/webhooks`)).json().webhooks;
    expect(list.map((h: { id: string }) => h.id)).toContain(hook.id);
    expect(JSON.stringify(list)).not.toContain(hook.secret);
    const one = await r.get(`/api/projects/${projectId}/webhooks/${hook.id}`);
    expect(one.json().webhook).toMatchObject({ id: hook.id, deliveries: { pending: 0, delivered: 0, failed: 0 } });
    expect(one.json().webhook.secret).toBeUndefined();
    const del = await r.del(`/api/projects/${projectId}/webhooks/${hook.id}`);
    expect(del.statusCode).toBe(204);
    expect((await r.get(`/api/projects/${projectId}/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await r.del(`/api/projects/${projectId}/webhooks/${hook.id}`)).statusCode).toBe(404);
  });

  it('refuses non-http(s) URLs, unknown events and short secrets with 400; strangers get 404, workers 403', async () => {
    for (const url of ['ftp://files.example.kr/x', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', '/relative/path', 'http://user:pw@example.kr/']) {
      const res = await r.post(`/api/projects/${projectId}/webhooks`, { url, events: ['item.completed'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details[0].path).toBe('/url');
    }
    const ev = await r.post(`/api/projects/${projectId}/webhooks`, { url: 'https://x.example/', events: ['item.completed', 'item.exploded'] });
    expect(ev.statusCode).toBe(400);
    expect(ev.json().error.details).toEqual([{ path: '/events/1', problem: expect.stringContaining('unknown event') }]);
    expect((await r.post(`/api/projects/${projectId}/webhooks`, { url: 'https://x.example/', events: [] })).statusCode).toBe(400);
    expect((await r.post(`/api/projects/${projectId}/webhooks`, { url: 'https://x.example/', events: ['item.completed'], secret: 'short' })).json().error.details[0].path).toBe('/secret');
    const stranger = await signup(t.app, 'requester');
    expect((await stranger.post(`/api/projects/${projectId}/webhooks`, { url: 'https://x.example/', events: ['item.completed'] })).statusCode).toBe(404);
    expect((await stranger.get(`/api/projects/${projectId}/webhooks`)).statusCode).toBe(404);
    const [w] = await quickWorkers(t, 1);
    expect((await w!.get(`/api/projects/${projectId}/webhooks`)).statusCode).toBe(403);
  });

  it('writes deliveries only when the event’s transaction commits, and only for subscribers', async () => {
    const p = await createProject(r);
    const a = (await r.post(`/api/projects/${p.id}/webhooks`, { url: 'https://a.example/', events: ['item.completed'] })).json().webhook;
    const b = (await r.post(`/api/projects/${p.id}/webhooks`, { url: 'https://b.example/', events: ['project.completed'] })).json().webhook;
    t.app.webhookDispatcher.configure({ pollMs: 60_000 });
    try {
      await t.db.db
        .transaction()
        .execute(async (trx) => {
          expect(await enqueueEvent(trx, p.id, 'item.completed', { n: 1 })).toBe(1);
          throw new Error('the event itself failed');
        })
        .catch(() => undefined);
      const count = async (wid: string) => Number((await t.db.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).where('webhook_id', '=', wid).executeTakeFirstOrThrow()).n);
      expect(await count(a.id)).toBe(0);
      await t.db.db.transaction().execute((trx) => enqueueEvent(trx, p.id, 'item.completed', { n: 2 }));
      expect(await count(a.id)).toBe(1);
      expect(await count(b.id)).toBe(0);
    } finally {
      t.app.webhookDispatcher.configure(FAST);
    }
  });

  it('POSTs {id, event, createdAt, data} signed with HMAC-SHA256 of the raw body, with a delivery id', async () => {
    const rx = await receiver();
    const secret = 'a-shared-secret-of-32-characters';
    const hook = (await r.post(`/api/projects/${projectId}/webhooks`, { url: rx.url, events: ['item.completed'], secret })).json().webhook;
    expect(hook.secret).toBe(secret);
    await emit('item.completed', { projectId, item: { id: 1, data: { text: '안녕' } } });
    await rx.waitFor(1);
    const got = rx.received[0]!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-dure-signature']).toBe(hmac(secret, got.body));
    expect(got.headers['x-dure-event']).toBe('item.completed');
    expect(got.headers['x-dure-attempt']).toBe('1');
    const body = rx.json(0);
    expect(Object.keys(body)).toEqual(['id', 'event', 'createdAt', 'data']);
    expect(body).toMatchObject({ event: 'item.completed', data: { projectId, item: { id: 1, data: { text: '안녕' } } } });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const [d] = await until(async () => {
      const l = await log(hook.id);
      return l[0]?.status === 'delivered' ? l : null;
    });
    expect(d).toMatchObject({ id: got.headers['x-dure-delivery'], eventId: body.id, event: 'item.completed', attempts: 1, lastStatus: 200, lastError: null, payload: body });
    expect(d.attemptLog).toEqual([{ attempt: 1, at: expect.any(String), statusCode: 200, error: null, durationMs: expect.any(Number) }]);
  });

  it('retries a receiver that fails, with growing waits, until it recovers — same body, signature and delivery id', async () => {
    const rx = await receiver();
    rx.answer = (n) => (n < 2 ? 503 : 200);
    const hook = (await r.post(`/api/projects/${projectId}/webhooks`, { url: rx.url, events: ['project.completed'] })).json().webhook;
    await emit('project.completed', { projectId, name: 'p' });
    await rx.waitFor(3);
    const [a, b, c] = rx.received;
    expect(new Set([a!.body.toString(), b!.body.toString(), c!.body.toString()]).size).toBe(1);
    expect(new Set(rx.received.map((x) => x.headers['x-dure-delivery'])).size).toBe(1);
    expect(rx.received.map((x) => x.headers['x-dure-attempt'])).toEqual(['1', '2', '3']);
    expect(c!.headers['x-dure-signature']).toBe(hmac(hook.secret, c!.body));
    // Backoff: base 60 ms, then 120 ms (±20%).
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(45);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(95);
    const [d] = await until(async () => {
      const l = await log(hook.id);
      return l[0]?.status === 'delivered' ? l : null;
    });
    expect(d.attempts).toBe(3);
    expect(d.attemptLog.map((x: { statusCode: number }) => x.statusCode)).toEqual([503, 503, 200]);
    expect(d.attemptLog[0].error).toBe('HTTP 503: receiver says no');
    const list = (await r.get(`/api/projects/${projectId}/webhooks/${hook.id}`)).json().webhook;
    expect(list.deliveries).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('gives up after the last attempt, and a manual redelivery sends it once the receiver is back', async () => {
    const rx = await receiver();
    const port = rx.port;
    await rx.stop(); // nobody listens: connection refused
    t.app.webhookDispatcher.configure({ maxAttempts: 3 });
    try {
      const hook = (await r.post(`/api/projects/${projectId}/webhooks`, { url: `http://127.0.0.1:${port}/hook`, events: ['item.completed'] })).json().webhook;
      await emit('item.completed', { n: 1 });
      const [d] = await until(async () => {
        const l = await log(hook.id);
        return l[0]?.status === 'failed' ? l : null;
      });
      expect(d.attempts).toBe(3);
      expect(d.attemptLog).toHaveLength(3);
      expect(d.attemptLog[0].statusCode).toBeNull();
      expect(d.lastError).toMatch(/ECONNREFUSED/);
      const back = await new Receiver().start(port);
      receivers.push(back);
      const re = await r.post(`/api/projects/${projectId}/webhooks/${hook.id}/deliveries/${d.id}/redeliver`);
      expect(re.statusCode).toBe(200);
      expect(re.json().delivery.status).toBe('pending');
      await back.waitFor(1);
      expect(back.received[0]!.headers['x-dure-delivery']).toBe(d.id);
      await until(async () => (await log(hook.id))[0]?.status === 'delivered');
      expect((await r.post(`/api/projects/${projectId}/webhooks/${hook.id}/deliveries/${crypto.randomUUID()}/redeliver`)).statusCode).toBe(404);
    } finally {
      t.app.webhookDispatcher.configure({ maxAttempts: 12 });
    }
  });

  it('sends a test delivery on request', async () => {
    const rx = await receiver();
    const hook = (await r.post(`/api/projects/${projectId}/webhooks`, { url: rx.url, events: ['item.completed'] })).json().webhook;
    const res = await r.post(`/api/projects/${projectId}/webhooks/${hook.id}/test`);
    expect(res.statusCode).toBe(202);
    expect(res.json().delivery).toMatchObject({ event: 'webhook.test', status: 'pending' });
    await rx.waitFor(1);
    expect(rx.json(0)).toMatchObject({ event: 'webhook.test', data: { projectId, webhookId: hook.id } });
  });

  it('pages the delivery log newest first', async () => {
    const p = await createProject(r);
    const hook = (await r.post(`/api/projects/${p.id}/webhooks`, { url: 'http://127.0.0.1:9/x', events: ['item.completed'] })).json().webhook;
    for (let i = 0; i < 5; i++) await t.db.db.transaction().execute((trx) => enqueueEvent(trx, p.id, 'item.completed', { i }));
    const first = (await r.get(`/api/projects/${p.id}/webhooks/${hook.id}/deliveries?limit=2`)).json().deliveries;
    expect(first.map((d: { payload: { data: { i: number } } }) => d.payload.data.i)).toEqual([4, 3]);
    const next = (await r.get(`/api/projects/${p.id}/webhooks/${hook.id}/deliveries?limit=2&before=${first[1].id}`)).json().deliveries;
    expect(next.map((d: { payload: { data: { i: number } } }) => d.payload.data.i)).toEqual([2, 1]);
    await r.del(`/api/projects/${p.id}/webhooks/${hook.id}`);
  });

  it('reports real work: annotation.submitted, item.completed with its labels, project.completed once', async () => {
    const rx = await receiver();
    const p = await createProject(r, { settings: { payPerAnnotation: 0, overlap: 2, goldRate: 0, reviewRate: 0 } });
    await insertItems(t, p.id, [{ text: '좋아요' }, { text: '싫어요' }]);
    expect((await r.post(`/api/projects/${p.id}/publish`)).statusCode).toBe(200);
    const hook = (await r.post(`/api/projects/${p.id}/webhooks`, { url: rx.url, events: ['annotation.submitted', 'item.completed', 'project.completed'] })).json().webhook;
    const workers = await quickWorkers(t, 2);
    const answers: Record<string, string> = { 좋아요: 'pos', 싫어요: 'neg' };
    for (const w of workers) {
      for (let k = 0; k < 2; k++) {
        const next = await w.post(`/api/work/projects/${p.id}/next`);
        expect(next.statusCode, next.body).toBe(200);
        const a = next.json().assignment;
        // A result the form refuses changes nothing and sends nothing.
        expect((await w.post(`/api/work/assignments/${a.id}/submit`, { result: { label: 'maybe' } })).statusCode).toBe(400);
        const sub = await w.post(`/api/work/assignments/${a.id}/submit`, { result: { label: answers[a.item.data.text] } });
        expect(sub.statusCode, sub.body).toBe(200);
      }
    }
    await rx.waitFor(7);
    await new Promise((res) => setTimeout(res, 200));
    const bodies = rx.received.map((x) => JSON.parse(x.body.toString()));
    const by = (e: string) => bodies.filter((b) => b.event === e);
    expect(by('annotation.submitted')).toHaveLength(4);
    expect(by('item.completed')).toHaveLength(2);
    expect(by('project.completed')).toHaveLength(1);
    expect(rx.received).toHaveLength(7);
    for (const x of rx.received) expect(x.headers['x-dure-signature']).toBe(hmac(hook.secret, x.body));
    const sub = by('annotation.submitted')[0].data;

    expect(sub.annotation.worker).toMatch(/^w_[0-9a-f]{16}$/);
    expect(JSON.stringify(bodies)).not.toContain(workers[0]!.user.id);
    expect(JSON.stringify(bodies)).not.toContain(workers[0]!.user.email);
    const done = by('item.completed').map((b) => b.data.item).sort((x: { id: number }, y: { id: number }) => x.id - y.id);
    expect(done[0]).toMatchObject({ data: { text: '좋아요' }, labels: { label: { value: 'pos', confidence: 1 } } });
    expect(done[1]).toMatchObject({ data: { text: '싫어요' }, labels: { label: { value: 'neg', confidence: 1 } } });
    expect(by('project.completed')[0].data).toMatchObject({ projectId: p.id, items: 2 });
    // The pseudonym is the one exports use.
    const exported = (await r.get(`/api/projects/${p.id}/export`)).body.trim().split('\n').map((l) => JSON.parse(l));
    const exportWorkers = new Set(exported.flatMap((l: { annotations: { worker: string }[] }) => l.annotations.map((a) => a.worker)));
    expect(exportWorkers.has(sub.annotation.worker)).toBe(true);
  });

  it('reports the status review sampling gave the answer (the hooks before it that run side by side have finished)', async () => {
    const rx = await receiver();
    const p = await createProject(r, { settings: { payPerAnnotation: 0, overlap: 1, goldRate: 0, reviewRate: 1, reviewFirstK: 5 } });
    await insertItems(t, p.id, [{ text: '하나' }, { text: '둘' }]);
    expect((await r.post(`/api/projects/${p.id}/publish`)).statusCode).toBe(200);
    expect((await r.post(`/api/projects/${p.id}/webhooks`, { url: rx.url, events: ['annotation.submitted'] })).statusCode).toBe(201);
    for (const w of await quickWorkers(t, 2)) {
      const a = (await w.post(`/api/work/projects/${p.id}/next`)).json().assignment;
      const sub = await w.post(`/api/work/assignments/${a.id}/submit`, { result: { label: 'pos' } });
      expect(sub.json().annotation.status).toBe('pending_review');
    }
    await rx.waitFor(2);
    const statuses = rx.received.map((x) => JSON.parse(x.body.toString()).data.annotation.status);
    expect(statuses).toEqual(['pending_review', 'pending_review']);
  });
});

describe('webhooks and dynamic overlap', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ webhookAllowPrivate: true });
    t.app.webhookDispatcher.configure(FAST);
    await t.app.inferenceService.stop(); // driven by runOnce below
  });
  afterAll(async () => t?.close());

  it('reports items the inference job completes early (confident before overlap), with their inferred label, and the project once', async () => {
    const rx = await new Receiver().start();
    try {
      const r = await signup(t.app, 'requester');
      const p = await createProject(r, {
        settings: { payPerAnnotation: 0, overlap: 5, goldRate: 0, reviewRate: 0, reviewFirstK: 0, dynamicOverlap: { enabled: true, targetConfidence: 0.9, minAnswers: 3 } },
      });
      const ids = await insertItems(t, p.id, [{ text: '좋아요' }, { text: '싫어요' }]);
      expect((await r.post(`/api/projects/${p.id}/publish`)).statusCode).toBe(200);
      await r.post(`/api/projects/${p.id}/webhooks`, { url: rx.url, events: ['item.completed', 'project.completed'] });
      const answers: Record<string, string> = { 좋아요: 'pos', 싫어요: 'neg' };
      // Three agreeing answers each: short of overlap 5, so no submit completes an item.
      for (const w of await quickWorkers(t, 3)) {
        for (let k = 0; k < 2; k++) {
          const a = (await w.post(`/api/work/projects/${p.id}/next`)).json().assignment;
          expect((await w.post(`/api/work/assignments/${a.id}/submit`, { result: { label: answers[a.item.data.text] } })).statusCode).toBe(200);
        }
      }
      const states = async () => (await t.db.db.selectFrom('items').select('state').where('project_id', '=', p.id).execute()).map((i) => i.state);
      expect(await states()).toEqual(['open', 'open']);
      expect(rx.received).toHaveLength(0);

      expect(await t.app.inferenceService.runOnce({ debounceMs: 0 })).toContain(p.id);
      expect(await states()).toEqual(['complete', 'complete']);
      await rx.waitFor(3);
      await new Promise((res) => setTimeout(res, 200));
      const bodies = rx.received.map((x) => JSON.parse(x.body.toString()));
      const completed = bodies.filter((b) => b.event === 'item.completed').map((b) => b.data.item).sort((x, y) => x.id - y.id);
      expect(completed.map((i) => i.id)).toEqual(ids);
      // The label the job just inferred, with its confidence (not a vote share of 1).
      expect(completed[0]).toMatchObject({ data: { text: '좋아요' }, labels: { label: { value: 'pos' } } });
      expect(completed[1]).toMatchObject({ data: { text: '싫어요' }, labels: { label: { value: 'neg' } } });
      expect(completed[0].labels.label.confidence).toBeGreaterThanOrEqual(0.9);
      expect(completed[0].labels.label.confidence).toBeLessThan(1);
      expect(bodies.filter((b) => b.event === 'project.completed')).toHaveLength(1);
      expect(rx.received).toHaveLength(3);
      // Nothing new: a second run reports nothing again.
      await t.app.inferenceService.runOnce({ debounceMs: 0 });
      await new Promise((res) => setTimeout(res, 300));
      expect(rx.received).toHaveLength(3);
    } finally {
      await rx.stop();
    }
  });
});

describe('webhooks cannot reach the platform\'s own network (default: DURE_WEBHOOK_ALLOW_PRIVATE=false)', () => {
  let t: TestApp;
  let r: Client;
  let projectId: string;
  beforeAll(async () => {
    t = await buildTestApp();
    t.app.webhookDispatcher.configure(FAST);
    r = await signup(t.app, 'requester');
    projectId = (await createProject(r)).id;
  });
  afterAll(async () => t?.close());

  it('refuses loopback, private, link-local and metadata addresses at registration, and accepts public ones', async () => {
    const refused = [
      'http://127.0.0.1:5432/',
      'http://localhost:3000/api/admin',
      'http://api.localhost/',
      'http://10.0.0.8/hook',
      'http://172.20.1.1/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://0.0.0.0:3000/',
      'http://[::1]:3000/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/', // 127.0.0.1 as one number: the URL parser normalises it
    ];
    for (const url of refused) {
      const res = await r.post(`/api/projects/${projectId}/webhooks`, { url, events: ['item.completed'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ path: '/url' });
      expect(res.json().error.details[0].problem, url).toMatch(/private|localhost/);
    }
    for (const url of ['https://ml.example.kr/hooks', 'http://8.8.8.8/hook', 'https://[2001:db8::1]/']) {
      expect((await r.post(`/api/projects/${projectId}/webhooks`, { url, events: ['item.completed'] })).statusCode, url).toBe(201);
    }
  });

  it('does not connect to a private address at delivery either (a URL stored before the rule, or a name that resolves there)', async () => {
    const projectId = (await createProject(r)).id; // its own project: no other hooks get the event
    const rx = await new Receiver().start();
    try {
      const url = new URL(rx.url);
      // Straight into the table, as if registered while private addresses were allowed.
      const literal = await webhooksRepo.insert(t.db.db, { projectId, url: `${rx.url}/literal`, events: ['item.completed'], secret: 's'.repeat(24), description: '', createdBy: (await r.get('/api/me')).json().user.id });
      const named = await webhooksRepo.insert(t.db.db, { projectId, url: `http://localhost:${url.port}/named`, events: ['item.completed'], secret: 's'.repeat(24), description: '', createdBy: (await r.get('/api/me')).json().user.id });
      await t.db.db.transaction().execute((trx) => enqueueEvent(trx, projectId, 'item.completed', { itemId: 1 }));
      t.app.webhookDispatcher.wake();
      for (const hook of [literal, named]) {
        const d = await until(async () => {
          const list = (await r.get(`/api/projects/${projectId}/webhooks/${hook.id}/deliveries`)).json().deliveries as { attempts: number; lastError: string | null }[];
          return list.find((x) => x.attempts >= 1 && x.lastError);
        });
        expect(d.lastError).toMatch(/private address/);
      }
      expect(rx.received).toHaveLength(0);
    } finally {
      await rx.stop();
    }
  });
});
