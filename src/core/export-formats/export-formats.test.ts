import { describe, expect, it } from 'vitest';
import { validateTemplate } from '../templates/validate-template.ts';
import type { Template } from '../templates/types.ts';
import { bioTags, EXPORT_FORMATS, fallbackLabels, fromLabelStudioResult, itemLabels, labelStudioConfig, tokenize, toLabelStudioResult, yoloLine } from './index.ts';
import type { ExportContext, ExportItem, TextWriter, ZipWriter } from './types.ts';

function tpl(input: unknown): Template {
  const t = validateTemplate(input);
  if (!t.ok) throw new Error(JSON.stringify(t.problems));
  return t.template;
}

const ALL = tpl({
  display: [
    { type: 'image', field: 'image' },
    { type: 'text', field: 'text' },
  ],
  controls: [
    { type: 'single_choice', name: 'kind', options: ['street', 'indoor'] },
    { type: 'multi_choice', name: 'tags', options: ['night', 'rain', 'crowd'], required: false },
    { type: 'text', name: 'note', required: false },
    { type: 'number', name: 'count', required: false },
    { type: 'rating', name: 'quality', scale: 5, required: false },
    { type: 'bbox', name: 'boxes', labels: ['car', 'person'], imageField: 'image' },
    { type: 'span', name: 'ents', labels: ['LOC', 'ORG'], textField: 'text' },
  ],
});

const ctx = (template: Template, extra: Partial<ExportContext> = {}): ExportContext => ({
  template,
  project: { id: 'p1', name: '테스트' },
  assetUrl: (ref) => `http://dure.test/api/assets/${ref.slice(6)}`,
  control: null,
  includeAnnotations: true,
  assetUrls: false,
  ...extra,
});

const SHA = 'a'.repeat(64);
function item(over: Partial<ExportItem> = {}): ExportItem {
  return {
    id: 7,
    data: { image: `asset:${SHA}`, filename: 'street.png', width: 200, height: 100, text: '서울 시청 앞에서 만나요' },
    isGold: false,
    state: 'complete',
    completedAt: '2026-11-23T00:00:00.000Z',
    labels: {
      kind: { value: 'street', confidence: 0.9 },
      tags: { value: ['night'], confidence: 0.8 },
      note: { value: null, confidence: null },
      count: { value: 3, confidence: 1 },
      quality: { value: 4, confidence: 0.6 },
      boxes: { value: [{ x: 10, y: 20, width: 50, height: 40, label: 'car' }, { x: 100, y: 0, width: 100, height: 100, label: 'person' }], confidence: 0.7 },
      ents: { value: [{ start: 0, end: 5, label: 'LOC' }], confidence: 0.75 },
    },
    confidence: 0.6,
    annotations: [{ id: 1, worker: 'w_abc', result: { kind: 'street' }, status: 'approved', createdAt: '2026-11-23T00:00:00.000Z' }],
    ...over,
  };
}

function runText(name: string, c: ExportContext, items: ExportItem[][]): string {
  const fmt = EXPORT_FORMATS[name]!;
  if (fmt.kind !== 'text') throw new Error('not text');
  const w: TextWriter = fmt.create(c);
  const sections: string[] = Array.from({ length: w.sections }, () => '');
  let out = w.head();
  for (const page of items) w.page(page).forEach((s, i) => (sections[i] += s));
  out += sections[0];
  for (let i = 1; i < w.sections; i++) out += w.between(i) + sections[i];
  return out + w.tail();
}

describe('labels', () => {
  it('reads stored labels, clamps gold, and falls back per missing control', () => {
    const t = tpl({ display: [{ type: 'text', field: 't' }], controls: [{ type: 'single_choice', name: 'a', options: ['x', 'y'] }, { type: 'number', name: 'n' }] });
    const answers = [
      { worker: 'w1', result: { a: 'x', n: 1 } },
      { worker: 'w2', result: { a: 'y', n: 2 } },
      { worker: 'w3', result: { a: 'y', n: 10 } },
    ];
    const stored = itemLabels(t, { isGold: false, gold: null, label: { a: { value: 'x', confidence: 0.97 } }, confidence: null }, answers);
    expect(stored.labels).toEqual({ a: { value: 'x', confidence: 0.97 }, n: { value: 2, confidence: 1 / 3 } });
    expect(stored.confidence).toBeCloseTo(1 / 3);
    const gold = itemLabels(t, { isGold: true, gold: { a: 'y' }, label: null, confidence: null }, answers);
    expect(gold.labels.a).toEqual({ value: 'y', confidence: 1 });
    expect(gold.confidence).toBe(1);
    const none = itemLabels(t, { isGold: false, gold: null, label: null, confidence: null }, []);
    expect(none).toEqual({ labels: { a: { value: null, confidence: null }, n: { value: null, confidence: null } }, confidence: null });
  });

  it('majority vote counts the last answer of each worker; multi_choice per option', () => {
    const t = tpl({ display: [{ type: 'text', field: 't' }], controls: [{ type: 'single_choice', name: 'a', options: ['x', 'y'] }, { type: 'multi_choice', name: 'm', options: ['p', 'q', 'r'] }] });
    const l = fallbackLabels(t.controls, [
      { worker: 'w1', result: { a: 'x', m: ['p'] } },
      { worker: 'w1', result: { a: 'y', m: ['p', 'q'] } },
      { worker: 'w2', result: { a: 'y', m: ['p'] } },
      { worker: 'w3', result: { a: 'x', m: ['q', 'p'] } },
    ]);
    expect(l.a).toEqual({ value: 'y', confidence: 2 / 3 });
    expect(l.m!.value).toEqual(['p', 'q']);
    // p: 3/3 agree, q: 2/3, r: 3/3
    expect(l.m!.confidence).toBeCloseTo((1 + 2 / 3 + 1) / 3);
  });
});

describe('jsonl and json', () => {
  it('writes the API.md line, with or without annotations', () => {
    const line = JSON.parse(runText('jsonl', ctx(ALL), [[item()]]).trim());
    expect(Object.keys(line)).toEqual(['id', 'data', 'labels', 'confidence', 'isGold', 'state', 'completedAt', 'annotations']);
    expect(line.annotations[0]).toEqual({ id: 1, worker: 'w_abc', result: { kind: 'street' }, status: 'approved', createdAt: '2026-11-23T00:00:00.000Z' });
    const bare = JSON.parse(runText('jsonl', ctx(ALL, { includeAnnotations: false }), [[item({ annotations: null })]]).trim());
    expect(bare.annotations).toBeUndefined();
  });
  it('the fast line equals the record, copying JSON text from the database as is', async () => {
    const { itemLine, itemRecord } = await import('./jsonl.ts');
    const plain = item();
    expect(itemLine(plain)).toBe(JSON.stringify(itemRecord(plain)));
    const raw = { ...item(), dataJson: '{"text": "그대로", "n": 1}', annotations: [{ ...item().annotations![0]!, resultJson: '{"kind": "street"}' }] };
    const line = itemLine(raw);
    expect(line).toContain('"data":{"text": "그대로", "n": 1}');
    expect(JSON.parse(line)).toEqual({ ...JSON.parse(JSON.stringify(itemRecord(plain))), data: { text: '그대로', n: 1 } });
  });
  it('json is a valid array across pages, and [] when empty', () => {
    const s = runText('json', ctx(ALL), [[item({ id: 1 }), item({ id: 2 })], [], [item({ id: 3 })]]);
    expect(JSON.parse(s).map((x: { id: number }) => x.id)).toEqual([1, 2, 3]);
    expect(JSON.parse(runText('json', ctx(ALL), []))).toEqual([]);
  });
});

describe('csv', () => {
  it('has one column per control and its confidence', () => {
    const s = runText('csv', ctx(ALL), [[item()]]);
    const [head, row] = s.trim().split('\n');
    expect(head).toBe('id,image,text,kind,kind_confidence,tags,tags_confidence,note,note_confidence,count,count_confidence,quality,quality_confidence,boxes,boxes_confidence,ents,ents_confidence,confidence,answers,is_gold,state');
    expect(row).toContain(',street,0.9,"[""night""]",0.8,,,3,1,4,0.6,');
  });
});

describe('coco', () => {
  it('follows the COCO detection layout field by field', () => {
    const unsized = item({ id: 8, data: { image: 'https://x.test/a.jpg', text: '' } });
    const doc = JSON.parse(runText('coco', ctx(ALL), [[item(), unsized], [item({ id: 9, labels: { ...item().labels, boxes: { value: [], confidence: 1 } } })]]));
    expect(Object.keys(doc)).toEqual(['info', 'licenses', 'categories', 'images', 'annotations', 'dure']);
    expect(doc.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'boxes' },
      { id: 2, name: 'person', supercategory: 'boxes' },
    ]);
    expect(doc.images).toEqual([
      { id: 7, width: 200, height: 100, file_name: 'street.png', coco_url: `http://dure.test/api/assets/${SHA}` },
      { id: 9, width: 200, height: 100, file_name: 'street.png', coco_url: `http://dure.test/api/assets/${SHA}` },
    ]);
    expect(doc.annotations).toEqual([
      { id: 1, image_id: 7, category_id: 1, bbox: [10, 20, 50, 40], area: 2000, iscrowd: 0, segmentation: [] },
      { id: 2, image_id: 7, category_id: 2, bbox: [100, 0, 100, 100], area: 10000, iscrowd: 0, segmentation: [] },
    ]);
    expect(doc.dure.skippedItems).toBe(1);
  });
});

describe('yolo', () => {
  it('normalises centre and size by the natural image size', () => {
    expect(yoloLine(0, { x: 10, y: 20, width: 50, height: 40, label: 'car' }, 200, 100)).toBe('0 0.175 0.4 0.25 0.4');
    expect(yoloLine(1, { x: 0, y: 0, width: 3, height: 3, label: 'p' }, 9, 9)).toBe('1 0.166667 0.166667 0.333333 0.333333');
  });
  it('writes labels, images, data.yaml and classes.txt', () => {
    const fmt = EXPORT_FORMATS.yolo!;
    if (fmt.kind !== 'zip') throw new Error();
    const w: ZipWriter = fmt.create(ctx(ALL));
    const entries = [...w.page([item(), item({ id: 8, data: { image: 'https://x.test/a.jpg' } })]), ...w.finish()];
    expect(entries.map((e) => e.path)).toEqual(['images/7', 'labels/7.txt', 'data.yaml', 'classes.txt', 'unsized.txt']);
    expect(entries[0]).toEqual({ path: 'images/7', asset: SHA });
    expect((entries[1] as { content: string }).content).toBe('0 0.175 0.4 0.25 0.4\n1 0.75 0.5 0.5 1\n');
    expect((entries[2] as { content: string }).content).toContain('nc: 2\nnames: ["car", "person"]\n');
    expect((entries[3] as { content: string }).content).toBe('car\nperson\n');
    expect((entries[4] as { content: string }).content).toBe('8\n');
  });
});

describe('conll', () => {
  it('tokenises on whitespace with UTF-16 offsets', () => {
    expect(tokenize(' 서울 시청\t앞\n')).toEqual([
      { text: '서울', start: 1, end: 3 },
      { text: '시청', start: 4, end: 6 },
      { text: '앞', start: 7, end: 8 },
    ]);
  });
  it('tags B/I/O, including spans that cut a token', () => {
    const toks = tokenize('Samsung Electronics in Suwon-si today');
    expect(bioTags(toks, [{ start: 0, end: 19, label: 'ORG' }, { start: 23, end: 28, label: 'LOC' }])).toEqual(['B-ORG', 'I-ORG', 'O', 'B-LOC', 'O']);
  });
  it('writes CoNLL-2003 columns with a blank line after each item', () => {
    const s = runText('conll', ctx(ALL), [[item(), item({ id: 8, data: { text: '' } })]]);
    expect(s).toBe('-DOCSTART- -X- -X- O\n\n서울 -X- _ B-LOC\n시청 -X- _ I-LOC\n앞에서 -X- _ O\n만나요 -X- _ O\n\n');
  });
});

describe('hf', () => {
  it('gives every row the same keys and one type per column', () => {
    const rows = runText('hf', ctx(ALL), [[item(), item({ id: 8, labels: {} })]]).trim().split('\n').map((l) => JSON.parse(l));
    expect(Object.keys(rows[0])).toEqual(Object.keys(rows[1]));
    expect(rows[0]).toMatchObject({
      id: 7,
      image: `http://dure.test/api/assets/${SHA}`,
      text: '서울 시청 앞에서 만나요',
      width: 200,
      height: 100,
      kind: 'street',
      tags: ['night'],
      boxes: { bbox: [[10, 20, 50, 40], [100, 0, 100, 100]], category: ['car', 'person'] },
      ents: [{ start: 0, end: 5, label: 'LOC' }],
    });
    expect(rows[1]).toMatchObject({ kind: null, tags: null, boxes: { bbox: [], category: [] }, ents: [], kind_confidence: null });
  });
});

describe('labelstudio', () => {
  it('writes each control as Label Studio writes it, and reads it back to the same result', () => {
    const result = Object.fromEntries(Object.entries(item().labels).filter(([, v]) => v.value !== null).map(([k, v]) => [k, v.value]));
    const ls = toLabelStudioResult(ALL, result, item().data, '7');
    expect(ls.find((r) => r.from_name === 'kind')).toMatchObject({ to_name: 'image', type: 'choices', value: { choices: ['street'] } });
    expect(ls.find((r) => r.from_name === 'quality')).toMatchObject({ type: 'rating', value: { rating: 4 } });
    expect(ls.find((r) => r.from_name === 'count')).toMatchObject({ type: 'number', value: { number: 3 } });
    expect(ls.find((r) => r.from_name === 'boxes')).toMatchObject({
      to_name: 'image',
      type: 'rectanglelabels',
      original_width: 200,
      original_height: 100,
      value: { x: 5, y: 20, width: 25, height: 40, rotation: 0, rectanglelabels: ['car'] },
    });
    expect(ls.find((r) => r.from_name === 'ents')).toMatchObject({ to_name: 'text', type: 'labels', value: { start: 0, end: 5, text: '서울 시청', labels: ['LOC'] } });
    expect(new Set(ls.map((r) => r.id)).size).toBe(ls.length);
    expect(fromLabelStudioResult(ALL, ls, item().data)).toEqual(result);
  });
  it('undoes float noise of odd sizes', () => {
    const data = { image: 'x', width: 333, height: 77 };
    const r = { boxes: [{ x: 1.1, y: 2.2, width: 33.3, height: 7.7, label: 'car' }] };
    expect(fromLabelStudioResult(ALL, toLabelStudioResult(ALL, r, data, '1'), data).boxes).toEqual(r.boxes);
  });
  it('writes a labeling config naming the same objects and controls', () => {
    const xml = labelStudioConfig(ALL);
    expect(xml).toContain('<Image name="image" value="$image"/>');
    expect(xml).toContain('<Choices name="kind" toName="image" choice="single" required="true">');
    expect(xml).toContain('<RectangleLabels name="boxes" toName="image">');
    expect(xml).toContain('<Labels name="ents" toName="text">');
    expect(xml).toContain('<Rating name="quality" toName="image" maxRating="5"/>');
  });
  it('exports tasks with data as stored and the final labels first', () => {
    const tasks = JSON.parse(runText('labelstudio', ctx(ALL), [[item()]]));
    expect(tasks[0].data).toEqual(item().data);
    expect(tasks[0].annotations).toHaveLength(2);
    expect(tasks[0].annotations[0].ground_truth).toBe(false);
    const urls = JSON.parse(runText('labelstudio', ctx(ALL, { assetUrls: true, includeAnnotations: false }), [[item({ annotations: null })]]));
    expect(urls[0].data.image).toBe(`http://dure.test/api/assets/${SHA}`);
    expect(urls[0].annotations).toHaveLength(1);
  });
});
