/** Streaming over a real socket: a client that goes away mid-export costs the server nothing. */
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems } from '../../../../test/helpers/factories.ts';
import { makePng } from '../../../../test/helpers/images.ts';
import { makeZip } from '../../../../test/helpers/zip.ts';

describe('export streams', () => {
  let t: TestApp;
  let r: Client;
  let url: string;
  let token: string;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    r = await signup(t.app, 'requester');
    token = (await r.post('/api/tokens', { name: 'x', scopes: ['read'] })).json().token;
  });
  afterAll(async () => t?.close());

  const get = (path: string, signal?: AbortSignal) => request(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal });

  it('sends the first bytes before the last page is read, and survives clients that hang up', async () => {
    const p = await createProject(r);
    await insertItems(t, p.id, Array.from({ length: 5000 }, (_, i) => ({ text: `문장 ${i} ${'가'.repeat(200)}` })));
    for (const format of ['jsonl', 'json', 'csv', 'hf']) {
      const ac = new AbortController();
      const res = await get(`/api/projects/${p.id}/export?format=${format}`, ac.signal);
      expect(res.statusCode).toBe(200);
      expect(res.headers['transfer-encoding']).toBe('chunked');
      const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      ac.abort();
      await it.return?.().catch(() => undefined);
    }
    // The server carries on: a whole export right after.
    const whole = await get(`/api/projects/${p.id}/export?format=jsonl&annotations=false`);
    const text = await whole.body.text();
    expect(text.trim().split('\n')).toHaveLength(5000);
    expect((await r.get('/api/health')).statusCode).toBe(200);
  });

  it('a zip export abandoned half way leaves the server healthy', async () => {
    const p = await createProject(r, { template: { display: [{ type: 'image', field: 'image' }], controls: [{ type: 'bbox', name: 'b', labels: ['x'], imageField: 'image' }] } });
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 30; i++) files[`${i}.png`] = makePng(200, 200, [i, 2 * i, 3 * i]);
    await r.post(`/api/projects/${p.id}/items`, await makeZip(files), { 'content-type': 'application/zip' });
    const ac = new AbortController();
    const res = await get(`/api/projects/${p.id}/export?format=yolo`, ac.signal);
    const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    await it.next();
    ac.abort();
    await it.return?.().catch(() => undefined);
    const again = await get(`/api/projects/${p.id}/export?format=yolo`);
    const buf = Buffer.from(await again.body.arrayBuffer());
    expect(buf.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(buf.length).toBeGreaterThan(30 * 100);
  });
});
