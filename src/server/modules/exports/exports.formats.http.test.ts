/**
 * COCO and YOLO on real images (PNG files in a zip imported through the API), checked field by
 * field against their specifications; Label Studio export → import round trip.
 */
import crypto from 'node:crypto';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, signup, type TestApp } from '../../../../test/helpers/app.ts';
import { createProject } from '../../../../test/helpers/factories.ts';
import { makePng } from '../../../../test/helpers/images.ts';
import { makeZip } from '../../../../test/helpers/zip.ts';
import { insertAnswers, itemIds, setLabel } from './test-fixtures.ts';

const BOX_TEMPLATE = {
  display: [{ type: 'image', field: 'image' }],
  controls: [{ type: 'bbox', name: 'boxes', labels: ['car', 'person'], imageField: 'image' }],
};

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (er, s) => {
          if (er || !s) return reject(er);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('end', () => {
            files.set(e.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

describe('COCO and YOLO on real boxes', () => {
  let t: TestApp;
  let r: Client;
  let projectId: string;
  let ids: number[];
  const pngs = { 'street/a.png': makePng(64, 48, [10, 20, 30]), 'street/b.png': makePng(100, 50, [40, 50, 60]), 'c.png': makePng(30, 30, [70, 80, 90]) };
  const sizes: Record<string, [number, number]> = { 'street/a.png': [64, 48], 'street/b.png': [100, 50], 'c.png': [30, 30] };
  const truth: Record<string, { x: number; y: number; width: number; height: number; label: string }[]> = {
    'street/a.png': [
      { x: 8, y: 6, width: 16, height: 12, label: 'car' },
      { x: 32, y: 0, width: 32, height: 48, label: 'person' },
    ],
    'street/b.png': [{ x: 10.5, y: 5, width: 20, height: 10, label: 'person' }],
    'c.png': [],
  };
  const names = Object.keys(pngs);
  beforeAll(async () => {
    t = await buildTestApp();
    r = await signup(t.app, 'requester');
    const w1 = await signup(t.app, 'worker');
    const w2 = await signup(t.app, 'worker');
    const p = await createProject(r, { template: BOX_TEMPLATE });
    projectId = p.id;
    const res = await r.post(`/api/projects/${p.id}/items`, await makeZip(pngs), { 'content-type': 'application/zip' });
    expect(res.statusCode).toBe(201);
    expect(res.json().imported).toBe(3);
    ids = await itemIds(t, p.id);
    // a: two workers drew the same boxes (consensus computed); b: truth inference stored its label; c: nothing to mark.
    await insertAnswers(t, p.id, ids[0]!, [
      { worker: w1.user.id, result: { boxes: truth['street/a.png'] } },
      { worker: w2.user.id, result: { boxes: truth['street/a.png'] } },
    ]);
    await insertAnswers(t, p.id, ids[1]!, [{ worker: w1.user.id, result: { boxes: [{ x: 0, y: 0, width: 5, height: 5, label: 'car' }] } }]);
    await setLabel(t, ids[1]!, { boxes: { value: truth['street/b.png'], confidence: 0.8 } }, 0.8);
    await insertAnswers(t, p.id, ids[2]!, [{ worker: w1.user.id, result: { boxes: [] } }]);
  });
  afterAll(async () => t?.close());

  it('COCO: categories, images and annotations as the format defines them', async () => {
    const res = await r.get(`/api/projects/${projectId}/export?format=coco`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('.coco.json');
    const doc = res.json();
    expect(doc.info).toMatchObject({ description: 'test project', version: '1.0', contributor: 'Dure' });
    expect(doc.licenses).toEqual([]);
    expect(doc.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'boxes' },
      { id: 2, name: 'person', supercategory: 'boxes' },
    ]);
    expect(doc.images).toHaveLength(3);
    for (const [k, img] of doc.images.entries()) {
      const name = names[k]!;
      expect(Object.keys(img).sort()).toEqual(['coco_url', 'file_name', 'height', 'id', 'width']);
      expect(img.id).toBe(ids[k]);
      expect(img.file_name).toBe(name);
      expect([img.width, img.height]).toEqual(sizes[name]);
      // coco_url serves the very image.
      const url = new URL(img.coco_url);
      const bytes = await r.get(url.pathname);
      expect(bytes.statusCode).toBe(200);
      expect(bytes.rawPayload.equals(pngs[name as keyof typeof pngs])).toBe(true);
    }
    const imageIds = new Set(doc.images.map((i: { id: number }) => i.id));
    const annIds = doc.annotations.map((a: { id: number }) => a.id);
    expect(new Set(annIds).size).toBe(annIds.length);
    expect(annIds.every((id: number) => Number.isInteger(id) && id > 0)).toBe(true);
    const expected = names.flatMap((n, k) => truth[n]!.map((b) => ({ image_id: ids[k], category_id: b.label === 'car' ? 1 : 2, bbox: [b.x, b.y, b.width, b.height], area: b.width * b.height })));
    expect(doc.annotations.map(({ image_id, category_id, bbox, area }: Record<string, unknown>) => ({ image_id, category_id, bbox, area }))).toEqual(expected);
    for (const a of doc.annotations) {
      expect(imageIds.has(a.image_id)).toBe(true);
      expect(a.iscrowd).toBe(0);
      expect(a.segmentation).toEqual([]);
      const img = doc.images.find((i: { id: number }) => i.id === a.image_id);
      const [x, y, w, h] = a.bbox;
      expect(x >= 0 && y >= 0 && x + w <= img.width && y + h <= img.height).toBe(true);
    }
  });

  it('YOLO: a zip of images, normalised label files, data.yaml and classes.txt', async () => {
    const res = await r.get(`/api/projects/${projectId}/export?format=yolo`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = await unzip(res.rawPayload);
    expect([...files.keys()].sort()).toEqual(
      ['classes.txt', 'data.yaml', ...ids.map((id) => `images/${id}.png`), ...ids.map((id) => `labels/${id}.txt`)].sort(),
    );
    expect(files.get('classes.txt')!.toString()).toBe('car\nperson\n');
    const yaml = files.get('data.yaml')!.toString();
    expect(yaml).toContain('\nnc: 2\n');
    expect(yaml).toContain('\nnames: ["car", "person"]\n');
    expect(yaml).toMatch(/\ntrain: images\n/);
    for (const [k, id] of ids.entries()) {
      const name = names[k]!;
      const img = files.get(`images/${id}.png`)!;
      expect(crypto.createHash('sha256').update(img).digest('hex')).toBe(crypto.createHash('sha256').update(pngs[name as keyof typeof pngs]).digest('hex'));
      const text = files.get(`labels/${id}.txt`)!.toString();
      const rows = text.split('\n').filter(Boolean);
      expect(rows).toHaveLength(truth[name]!.length);
      const [W, H] = sizes[name]!;
      rows.forEach((line, j) => {
        const parts = line.split(' ');
        expect(parts).toHaveLength(5);
        const [cls, cx, cy, w, h] = parts.map(Number);
        expect(Number.isInteger(cls)).toBe(true);
        for (const v of [cx, cy, w, h]) expect(v! >= 0 && v! <= 1).toBe(true);
        const b = truth[name]![j]!;
        expect(cls).toBe(b.label === 'car' ? 0 : 1);
        expect(cx! * W - (w! * W) / 2).toBeCloseTo(b.x, 3);
        expect(cy! * H - (h! * H) / 2).toBeCloseTo(b.y, 3);
        expect(w! * W).toBeCloseTo(b.width, 3);
        expect(h! * H).toBeCloseTo(b.height, 3);
      });
    }
  });

  it('HF: one row per image with its size and boxes in the object-detection layout', async () => {
    const res = await r.get(`/api/projects/${projectId}/export?format=hf`);
    const rows = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows[0]).toMatchObject({ id: ids[0], width: 64, height: 48, boxes: { bbox: [[8, 6, 16, 12], [32, 0, 32, 48]], category: ['car', 'person'] } });
    expect(rows[0].image).toMatch(/^http:\/\/.+\/api\/assets\/[0-9a-f]{64}$/);
    for (const row of rows) expect(Object.keys(row)).toEqual(Object.keys(rows[0]));
  });
});

const LS_TEMPLATE = {
  display: [
    { type: 'image', field: 'photo' },
    { type: 'text', field: 'caption' },
    { type: 'text', field: 'a' },
    { type: 'text', field: 'b' },
  ],
  controls: [
    { type: 'single_choice', name: 'scene', options: ['street', 'indoor'] },
    { type: 'multi_choice', name: 'tags', options: ['night', 'rain', 'crowd'], required: false },
    { type: 'text', name: 'note', required: false, multiline: true },
    { type: 'number', name: 'people', required: false, min: 0 },
    { type: 'rating', name: 'quality', scale: 5, required: false },
    { type: 'bbox', name: 'objects', labels: ['car', 'person'], imageField: 'photo', required: false },
    { type: 'span', name: 'ents', labels: ['LOC', 'ORG'], textField: 'caption', required: false },
    { type: 'pairwise', name: 'better', fields: ['a', 'b'], required: false },
  ],
};

describe('Label Studio round trip', () => {
  let t: TestApp;
  let r: Client;
  beforeAll(async () => {
    t = await buildTestApp();
    r = await signup(t.app, 'requester');
  });
  afterAll(async () => t?.close());

  it('re-imports the export as the same items, and its answers as gold', async () => {
    const w = await signup(t.app, 'worker');
    const src = await createProject(r, { template: LS_TEMPLATE });
    const items = [
      { photo: 'https://img.example/1.jpg', width: 333, height: 217, caption: '서울 시청 앞 삼성전자 광고', a: '답 A', b: '답 B', meta: { source: 'crawl', n: 1 } },
      { photo: 'https://img.example/2.jpg', width: 640, height: 480, caption: 'Busan at night', a: 'x', b: 'y' },
      { photo: 'https://img.example/3.jpg', width: 100, height: 100, caption: '아직 답 없음', a: 'p', b: 'q' },
      { photo: 'https://img.example/4.jpg', width: 50, height: 40, caption: 'gold 항목', a: 'm', b: 'n', _gold: { scene: 'indoor', objects: [{ x: 1, y: 2, width: 3, height: 4, label: 'car' }] } },
    ];
    expect((await r.post(`/api/projects/${src.id}/items`, items)).statusCode).toBe(201);
    const ids = await itemIds(t, src.id);
    const full = {
      scene: 'street',
      tags: ['night', 'crowd'],
      note: '간판이 흐림\n두 줄',
      people: 2.5,
      quality: 4,
      objects: [
        { x: 12.25, y: 7, width: 100.5, height: 50, label: 'person' },
        { x: 0, y: 0, width: 333, height: 217, label: 'car' },
      ],
      ents: [
        { start: 0, end: 5, label: 'LOC' },
        { start: 8, end: 12, label: 'ORG' },
      ],
      better: 'equal',
    };
    await insertAnswers(t, src.id, ids[0]!, [{ worker: w.user.id, result: full, status: 'approved' }]);
    await insertAnswers(t, src.id, ids[1]!, [{ worker: w.user.id, result: { scene: 'street', objects: [], ents: [{ start: 0, end: 5, label: 'LOC' }], better: 'b' } }]);

    const exp = await r.get(`/api/projects/${src.id}/export?format=labelstudio&gold=include&annotations=true`);
    expect(exp.statusCode).toBe(200);
    const tasks = JSON.parse(exp.body);
    expect(tasks).toHaveLength(4);
    expect(tasks[0].annotations).toHaveLength(2); // final labels + the worker's raw answer
    expect(tasks[2].annotations).toHaveLength(0); // no answer yet
    expect(tasks[3].annotations[0].ground_truth).toBe(true);
    for (const res of tasks[0].annotations[0].result) {
      expect(Object.keys(res)).toEqual(expect.arrayContaining(['id', 'from_name', 'to_name', 'type', 'value']));
      expect(['choices', 'labels', 'rectanglelabels', 'textarea', 'number', 'rating']).toContain(res.type);
    }
    const rect = tasks[0].annotations[0].result.find((x: { type: string }) => x.type === 'rectanglelabels');
    expect(rect).toMatchObject({ from_name: 'objects', to_name: 'photo', original_width: 333, original_height: 217 });
    expect(rect.value.x).toBeCloseTo((12.25 / 333) * 100, 10);

    // Back into Dure: the same items…
    const plain = await createProject(r, { template: LS_TEMPLATE });
    const imp = await r.post(`/api/projects/${plain.id}/items?format=labelstudio`, exp.body, { 'content-type': 'application/json' });
    expect(imp.statusCode).toBe(201);
    expect(imp.json()).toEqual({ imported: 4, gold: 0 });
    const srcItems = (await r.get(`/api/projects/${src.id}/items`)).json().items;
    const plainItems = (await r.get(`/api/projects/${plain.id}/items`)).json().items;
    expect(plainItems.map((i: { data: unknown }) => i.data)).toEqual(srcItems.map((i: { data: unknown }) => i.data));

    // …and with answers=gold, the final answers as gold.
    const dst = await createProject(r, { template: LS_TEMPLATE });
    const gold = await r.post(`/api/projects/${dst.id}/items?format=labelstudio&answers=gold`, exp.body, { 'content-type': 'application/json' });
    expect(gold.statusCode, gold.body).toBe(201);
    expect(gold.json()).toEqual({ imported: 4, gold: 3 });
    const dstItems = (await r.get(`/api/projects/${dst.id}/items`)).json().items;
    expect(dstItems.map((i: { data: unknown }) => i.data)).toEqual(srcItems.map((i: { data: unknown }) => i.data));
    expect(dstItems[0].gold).toEqual(full);
    expect(dstItems[1].gold).toEqual({ scene: 'street', objects: [], ents: [{ start: 0, end: 5, label: 'LOC' }], better: 'b' });
    expect(dstItems[2]).toMatchObject({ isGold: false, gold: null });
    expect(dstItems[3].gold).toEqual({ scene: 'indoor', objects: [{ x: 1, y: 2, width: 3, height: 4, label: 'car' }], ents: [] });
  });

  it('with assetUrls, stored images become URLs Label Studio can load', async () => {
    const p = await createProject(r, { template: BOX_TEMPLATE });
    await r.post(`/api/projects/${p.id}/items`, await makeZip({ 'x.png': makePng(8, 8) }), { 'content-type': 'application/zip' });
    const tasks = JSON.parse((await r.get(`/api/projects/${p.id}/export?format=labelstudio&assetUrls=true`)).body);
    expect(tasks[0].data.image).toMatch(/^http:\/\/[^/]+\/api\/assets\/[0-9a-f]{64}$/);
    expect(tasks[0].data.filename).toBe('x.png');
  });
});
