import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject } from '../../../../test/helpers/factories.ts';
import { makePng } from '../../../../test/helpers/images.ts';
import { makeZip } from '../../../../test/helpers/zip.ts';

const TEMPLATE = {
  display: [{ type: 'text', field: 'text' }],
  controls: [{ type: 'single_choice', name: 'label', options: ['pos', 'neg'] }],
};
const BOX_TEMPLATE = {
  display: [{ type: 'image', field: 'image' }],
  controls: [{ type: 'bbox', name: 'boxes', labels: ['car', 'person'], imageField: 'image' }],
};

async function itemCount(c: Client, projectId: string) {
  return (await c.get(`/api/projects/${projectId}/stats`)).json().items as number;
}

describe('item import', () => {
  let t: TestApp;
  let r: Client;
  beforeAll(async () => {
    t = await buildTestApp();
    r = await signup(t.app, 'requester');
  });
  afterAll(async () => t?.close());

  it('imports a JSON array, with gold items', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const res = await r.post(`/api/projects/${p.id}/items`, [
      { text: '좋아요' },
      { text: '별로예요', _gold: { label: 'neg' } },
      { text: '최고', meta: { source: 'x' } },
    ]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ imported: 3, gold: 1 });
    const items = (await r.get(`/api/projects/${p.id}/items`)).json().items;
    expect(items.map((i: { data: { text: string } }) => i.data.text)).toEqual(['좋아요', '별로예요', '최고']);
    expect(items[1]).toMatchObject({ isGold: true, gold: { label: 'neg' } });
    expect(items[1].data._gold).toBeUndefined();
    expect(items[0]).toMatchObject({ isGold: false, target: 3, state: 'open' });
  });

  it('imports JSONL and rejects the whole body when a line is bad, naming each line', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const good = ['{"text":"a"}', '{"text":"b"}', '', '{"text":"c"}'].join('\n');
    const ok = await r.post(`/api/projects/${p.id}/items`, good, { 'content-type': 'application/x-ndjson' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().imported).toBe(3);

    const lines = ['{"text":"d"}', '{"text": oops}', '{"text":"e"}', '[1,2]', '{"other":"x"}', '{"text":"f","_gold":{"label":"maybe"}}'];
    const bad = await r.post(`/api/projects/${p.id}/items`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    expect(bad.statusCode).toBe(400);
    const err = bad.json().error;
    expect(err.code).toBe('invalid_import');
    expect(err.details.map((d: { line: number }) => d.line)).toEqual([2, 4, 5, 6]);
    expect(err.details[2].problem).toContain('"text"');
    expect(err.details[3].path).toBe('/_gold/label');
    expect(await itemCount(r, p.id)).toBe(3);
  });

  it('rolls back earlier batches when a late line is bad (all or nothing past 1,000 rows)', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ text: `s${i}` }));
    lines.push('not json');
    const res = await r.post(`/api/projects/${p.id}/items`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].line).toBe(2501);
    expect(await itemCount(r, p.id)).toBe(0);
  });

  it('imports CSV with a header row and a _gold JSON column', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const csv = 'text,_gold\n"안녕, 세상",\n"bad day","{""label"":""neg""}"\n';
    const res = await r.post(`/api/projects/${p.id}/items`, csv, { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ imported: 2, gold: 1 });
    const items = (await r.get(`/api/projects/${p.id}/items`)).json().items;
    expect(items[0].data).toEqual({ text: '안녕, 세상' });
    expect(items[1].gold).toEqual({ label: 'neg' });

    const ragged = await r.post(`/api/projects/${p.id}/items`, 'text\n"a"\n"b",extra\n', { 'content-type': 'text/csv' });
    expect(ragged.statusCode).toBe(400);
    expect(ragged.json().error.details[0].line).toBe(3);
  });

  it('imports Label Studio task JSON', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const tasks = [
      { id: 1, data: { text: 'one' }, predictions: [] },
      { id: 2, data: { text: 'two' }, annotations: [] },
    ];
    const res = await r.post(`/api/projects/${p.id}/items?format=labelstudio`, tasks);
    expect(res.statusCode).toBe(201);
    const items = (await r.get(`/api/projects/${p.id}/items`)).json().items;
    expect(items.map((i: { data: unknown }) => i.data)).toEqual([{ text: 'one' }, { text: 'two' }]);
    const bad = await r.post(`/api/projects/${p.id}/items?format=labelstudio`, [{ text: 'no data key' }]);
    expect(bad.statusCode).toBe(400);
  });

  it('imports a zip of images with their sizes measured, skipping files that are not images by content', async () => {
    const p = await createProject(r, { template: BOX_TEMPLATE });
    const zip = await makeZip({
      'street/a.png': makePng(64, 48),
      'b.png': makePng(20, 30, [0, 0, 255]),
      'fake.jpg': 'I am text pretending to be an image',
      '__MACOSX/._a.png': 'resource fork',
    });
    const res = await r.post(`/api/projects/${p.id}/items`, zip, { 'content-type': 'application/zip' });
    expect(res.statusCode).toBe(201);
    expect(res.json().imported).toBe(2);
    expect(res.json().skipped).toEqual([{ name: 'fake.jpg', reason: expect.stringContaining('not an image') }]);
    const items = (await r.get(`/api/projects/${p.id}/items`)).json().items;
    const a = items.find((i: { data: { filename: string } }) => i.data.filename === 'street/a.png');
    expect(a.data).toMatchObject({ width: 64, height: 48 });
    expect(a.data.image).toMatch(/^asset:[0-9a-f]{64}$/);

    const sha = a.data.image.slice(6);
    const img = await r.get(`/api/assets/${sha}`);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload.equals(makePng(64, 48))).toBe(true);
    const stranger = await signup(t.app, 'requester');
    expect((await stranger.get(`/api/assets/${sha}`)).statusCode).toBe(404);
    const worker = await signup(t.app, 'worker');
    expect((await worker.get(`/api/assets/${sha}`)).statusCode).toBe(404);
  });

  it('refuses a damaged image in a zip, storing nothing', async () => {
    const p = await createProject(r, { template: BOX_TEMPLATE });
    const broken = makePng(10, 10).subarray(0, 20);
    const zip = await makeZip({ 'ok.png': makePng(5, 5), 'broken.png': broken });
    const res = await r.post(`/api/projects/${p.id}/items`, zip, { 'content-type': 'application/zip' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('broken.png');
    expect(await itemCount(r, p.id)).toBe(0);
  });

  it('judges bodies by content and type: 415 for unknown types and binary sent as text', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const xml = await r.post(`/api/projects/${p.id}/items`, '<items/>', { 'content-type': 'application/xml' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('unsupported_media_type');
    const zipAsCsv = await r.post(`/api/projects/${p.id}/items`, await makeZip({ 'a.txt': 'x' }), { 'content-type': 'text/csv' });
    expect(zipAsCsv.statusCode).toBe(415);
    expect(zipAsCsv.json().error.message).toContain('zip');
  });

  it("refuses imports into another organisation's project (404) and by workers (403)", async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const other = await signup(t.app, 'requester');
    expect((await other.post(`/api/projects/${p.id}/items`, [{ text: 'x' }])).statusCode).toBe(404);
    const w = await signup(t.app, 'worker');
    expect((await w.post(`/api/projects/${p.id}/items`, [{ text: 'x' }])).statusCode).toBe(403);
    expect(await itemCount(r, p.id)).toBe(0);
  });

  it('enforces the body and item size limits with clear errors', async () => {
    const small = await buildTestApp({ maxBodyBytes: 2000, maxItemBytes: 100 });
    try {
      const rr = await signup(small.app, 'requester');
      const p = await createProject(rr, { template: TEMPLATE });
      const big = await rr.post(`/api/projects/${p.id}/items`, JSON.stringify(Array.from({ length: 200 }, () => ({ text: 'xxxxxxxxxx' }))), {
        'content-type': 'application/json',
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('payload_too_large');
      const fat = await rr.post(`/api/projects/${p.id}/items`, `{"text":"${'가'.repeat(200)}"}`, { 'content-type': 'application/x-ndjson' });
      expect(fat.statusCode).toBe(400);
      expect(fat.json().error.details[0].problem).toContain('limit');
      expect(await itemCount(rr, p.id)).toBe(0);
    } finally {
      await small.close();
    }
  });
});
