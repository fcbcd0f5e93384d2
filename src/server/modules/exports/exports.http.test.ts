import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject, insertItems } from '../../../../test/helpers/factories.ts';
import { completeItem, insertAnswers, itemIds, setLabel } from './test-fixtures.ts';

const TEMPLATE = {
  display: [{ type: 'text', field: 'text' }],
  controls: [
    { type: 'single_choice', name: 'sentiment', options: ['pos', 'neg', 'neu'] },
    { type: 'rating', name: 'strength', scale: 5, required: false },
  ],
};

const lines = (body: string) => body.trim().split('\n').map((l) => JSON.parse(l));

describe('export (jsonl, json, csv, filters)', () => {
  let t: TestApp;
  let r: Client;
  let workers: Client[];
  let projectId: string;
  let ids: number[];
  beforeAll(async () => {
    t = await buildTestApp();
    r = await signup(t.app, 'requester');
    workers = [await signup(t.app, 'worker'), await signup(t.app, 'worker'), await signup(t.app, 'worker')];
    const p = await createProject(r, { template: TEMPLATE });
    projectId = p.id;
    const res = await r.post(`/api/projects/${p.id}/items`, [
      { text: '배송이 빨라요' },
      { text: '별로예요' },
      { text: '그냥 그래요' },
      { text: '정답 있는 문장', _gold: { sentiment: 'pos' } },
    ]);
    expect(res.statusCode).toBe(201);
    ids = await itemIds(t, p.id);
    const [w1, w2, w3] = workers.map((w) => w.user.id as string);
    // Item 0: three answers, majority pos; label not stored yet → computed.
    await insertAnswers(t, p.id, ids[0]!, [
      { worker: w1!, result: { sentiment: 'pos', strength: 4 }, status: 'approved' },
      { worker: w2!, result: { sentiment: 'pos' }, status: 'approved' },
      { worker: w3!, result: { sentiment: 'neg' }, status: 'rejected' },
    ]);
    await completeItem(t, ids[0]!);
    // Item 1: stored label from truth inference wins over the answers.
    await insertAnswers(t, p.id, ids[1]!, [
      { worker: w1!, result: { sentiment: 'neg' } },
      { worker: w2!, result: { sentiment: 'neu' } },
    ]);
    await setLabel(t, ids[1]!, { sentiment: { value: 'neg', confidence: 0.62 }, strength: { value: null, confidence: 0 } }, 0.62);
    // Item 2: nothing yet. Item 3: gold.
    await insertAnswers(t, p.id, ids[3]!, [{ worker: w1!, result: { sentiment: 'pos' }, status: 'approved' }]);
  });
  afterAll(async () => t?.close());

  it('streams jsonl lines as API.md says, with pseudonymous workers and no emails', async () => {
    const res = await r.get(`/api/projects/${projectId}/export?format=jsonl`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".*\.jsonl"; filename\*=UTF-8''/);
    expect(res.headers['x-dure-items']).toBe('3');
    for (const w of workers) {
      expect(res.body).not.toContain(w.user.email);
      expect(res.body).not.toContain(w.user.id);
      expect(res.body).not.toContain(w.user.displayName);
    }
    const rows = lines(res.body);
    expect(rows.map((x) => x.id)).toEqual(ids.slice(0, 3));
    const [a, b, c] = rows;
    expect(a.data).toEqual({ text: '배송이 빨라요' });
    expect(a.labels).toEqual({ sentiment: { value: 'pos', confidence: 1 }, strength: { value: 4, confidence: 1 } });
    expect(a.state).toBe('complete');
    expect(a.annotations).toHaveLength(3);
    expect(Object.keys(a.annotations[0])).toEqual(['id', 'worker', 'result', 'status', 'createdAt']);
    expect(a.annotations.map((x: { status: string }) => x.status)).toEqual(['approved', 'approved', 'rejected']);
    expect(a.annotations[0].worker).toMatch(/^w_[0-9a-f]{16}$/);
    expect(new Set(a.annotations.map((x: { worker: string }) => x.worker)).size).toBe(3);
    // The same worker keeps their pseudonym across items.
    expect(b.annotations[0].worker).toBe(a.annotations[0].worker);
    expect(b.labels.sentiment).toEqual({ value: 'neg', confidence: 0.62 });
    expect(b.confidence).toBe(0.62);
    expect(c.labels).toEqual({ sentiment: { value: null, confidence: null }, strength: { value: null, confidence: null } });
    expect(c.annotations).toEqual([]);
    expect(new Date(a.annotations[0].createdAt).toISOString()).toBe(a.annotations[0].createdAt);
  });

  it('keeps pseudonyms stable per project and unrelated across projects', async () => {
    const first = lines((await r.get(`/api/projects/${projectId}/export`)).body)[0].annotations[0].worker;
    const again = lines((await r.get(`/api/projects/${projectId}/export`)).body)[0].annotations[0].worker;
    expect(again).toBe(first);
    const other = await createProject(r, { template: TEMPLATE });
    const [id] = await insertItems(t, other.id, [{ text: 'x' }]);
    await insertAnswers(t, other.id, id!, [{ worker: workers[0]!.user.id, result: { sentiment: 'pos' } }]);
    const there = lines((await r.get(`/api/projects/${other.id}/export`)).body)[0].annotations[0].worker;
    expect(there).toMatch(/^w_[0-9a-f]{16}$/);
    expect(there).not.toBe(first);
  });

  it('filters: completed, approved, minConfidence, gold, annotations off', async () => {
    const get = async (q: string) => lines((await r.get(`/api/projects/${projectId}/export?${q}`)).body);
    expect((await get('completed=true')).map((x) => x.id)).toEqual([ids[0]]);
    const approved = await get('approved=true');
    expect(approved.map((x) => x.id)).toEqual([ids[0]]);
    expect(approved[0].annotations.map((x: { status: string }) => x.status)).toEqual(['approved', 'approved']);
    expect((await get('minConfidence=0.9')).map((x) => x.id)).toEqual([ids[0]]);
    expect((await get('minConfidence=0.6')).map((x) => x.id)).toEqual([ids[0], ids[1]]);
    const withGold = await get('gold=include');
    expect(withGold.map((x) => x.id)).toEqual(ids);
    expect(withGold[3]).toMatchObject({ isGold: true, labels: { sentiment: { value: 'pos', confidence: 1 } }, confidence: 1 });
    expect((await get('gold=only')).map((x) => x.id)).toEqual([ids[3]]);
    const bare = await get('annotations=false');
    expect(bare[0].annotations).toBeUndefined();
    expect(bare[0].labels.sentiment.value).toBe('pos');
  });

  it('writes json as one array and csv with a column per control', async () => {
    const json = await r.get(`/api/projects/${projectId}/export?format=json`);
    expect(json.headers['content-type']).toContain('application/json');
    expect(JSON.parse(json.body).map((x: { id: number }) => x.id)).toEqual(ids.slice(0, 3));
    const csv = await r.get(`/api/projects/${projectId}/export?format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [head, first, second] = csv.body.trim().split('\n');
    expect(head).toBe('id,text,sentiment,sentiment_confidence,strength,strength_confidence,confidence,is_gold,state');
    expect(first).toBe(`${ids[0]},배송이 빨라요,pos,1,4,1,1,false,complete`);
    expect(second).toBe(`${ids[1]},별로예요,neg,0.62,,0,0.62,false,open`);
  });

  it('refuses unknown formats, formats the form cannot fill, strangers and workers', async () => {
    expect((await r.get(`/api/projects/${projectId}/export?format=xml`)).statusCode).toBe(400);
    const coco = await r.get(`/api/projects/${projectId}/export?format=coco`);
    expect(coco.statusCode).toBe(400);
    expect(coco.json().error.message).toContain('bbox');
    expect((await r.get(`/api/projects/${projectId}/export?format=conll`)).statusCode).toBe(400);
    const stranger = await signup(t.app, 'requester');
    expect((await stranger.get(`/api/projects/${projectId}/export`)).statusCode).toBe(404);
    expect((await workers[0]!.get(`/api/projects/${projectId}/export`)).statusCode).toBe(403);
  });

  it('works with a read-only API token', async () => {
    const tok = await r.post('/api/tokens', { name: 'reader', scopes: ['read'] });
    const c = new (r.constructor as typeof Client)(t.app);
    c.bearer = tok.json().token;
    const res = await c.get(`/api/projects/${projectId}/export?format=jsonl&annotations=false`);
    expect(res.statusCode).toBe(200);
    expect(lines(res.body)).toHaveLength(3);
  });

  it('pages through thousands of items in id order (keyset pages of 1,000)', async () => {
    const p = await createProject(r, { template: TEMPLATE });
    const many = await insertItems(t, p.id, Array.from({ length: 2345 }, (_, i) => ({ text: `문장 ${i}` })));
    await insertAnswers(t, p.id, many[1500]!, [{ worker: workers[0]!.user.id, result: { sentiment: 'neu' } }]);
    const rows = lines((await r.get(`/api/projects/${p.id}/export`)).body);
    expect(rows.map((x) => x.id)).toEqual(many);
    expect(rows[1500].labels.sentiment.value).toBe('neu');
    const arr = JSON.parse((await r.get(`/api/projects/${p.id}/export?format=json&annotations=false`)).body);
    expect(arr).toHaveLength(2345);
  });

  it('gives the Label Studio labeling config of the form', async () => {
    const res = await r.get(`/api/projects/${projectId}/export/labelstudio-config`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/xml');
    expect(res.body).toContain('<Choices name="sentiment" toName="text" choice="single" required="true">');
    expect(res.body).toContain('<Rating name="strength" toName="text" maxRating="5"/>');
  });
});
