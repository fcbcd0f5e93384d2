import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../helpers/images.ts';
import { makeZip } from '../helpers/zip.ts';
import { DESKTOP, launchBrowser, newContext, PHONE, screenshot, uniqueEmail } from './helpers/browser.ts';
import { ensureWebBuilt, WEB_DIR } from './helpers/build.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// A worker labels a project of four control types in a real chromium — number keys, typing,
// Tab, Ctrl+Enter; one box drawn with the mouse per item (one of them while zoomed in, one moved
// and resized, one extra box deleted with the Delete key), one span tagged by a mouse selection —
// and the stored annotations, read back through the requester's export, are exactly what was
// done: boxes within a pixel of the drawn rectangle in the image's natural pixels, span offsets
// exact in UTF-16 code units. A second worker does a choice-and-text task on a phone.

let server: TestServer;
let browser: Browser;
let webCopy: string;

const ADMIN = { email: 'operator@e2e.dure.test', password: 'operator-pass-2026' };

beforeAll(async () => {
  // Serve a private copy of the built app: another build of dist/web during this run (the
  // checkout is shared) must not pull the pages from under the browser.
  await ensureWebBuilt();
  webCopy = await copyBuiltApp();
  server = await startServer({ env: { DURE_ADMIN_EMAIL: ADMIN.email, DURE_ADMIN_PASSWORD: ADMIN.password, DURE_WEB_DIR: webCopy } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (webCopy) fs.rmSync(webCopy, { recursive: true, force: true });
});

const PASSWORD = 'nuri-haneul-2026';

/** Copies dist/web once it is whole (index.html and every asset it names), retrying while a build is under way. */
async function copyBuiltApp(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-e2e-web-'));
  for (let attempt = 0; ; attempt++) {
    try {
      fs.cpSync(WEB_DIR, dir, { recursive: true });
      const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
      const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
      if (assets.length > 0 && assets.every((a) => fs.existsSync(path.join(dir, a)))) return dir;
    } catch {
      // mid-build: try again
    }
    if (attempt >= 60) throw new Error(`no complete build in ${WEB_DIR}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A requester talking to the API with the session cookie of their sign-up. */
class Requester {
  private cookie = '';
  constructor(private readonly base: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    let payload: RequestInit['body'];
    if (Buffer.isBuffer(body)) payload = new Uint8Array(body);
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const set = res.headers.getSetCookie();
    if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
    return res;
  }

  async json<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.call(method, path, body, headers);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

// ---- a real PNG of a street: sky, buildings, road, a car and a person --------------------------

function streetPng(width: number, height: number): Buffer {
  const px = (x: number, y: number): [number, number, number] => {
    const rect = (x0: number, y0: number, x1: number, y1: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
    if (rect(380, 250, 560, 330) || rect(405, 215, 520, 252)) return [200, 40, 50]; // car body
    if ((rect(400, 325, 430, 345) || rect(505, 325, 535, 345)) && y > 320) return [30, 30, 30]; // wheels
    if (rect(120, 200, 160, 340)) return [40, 90, 160]; // person
    if (Math.hypot(x - 140, y - 185) < 17) return [240, 200, 160]; // head
    if (y > 300) return (Math.floor(x / 40) % 2 === 0 && y > 395 && y < 402) ? [250, 250, 250] : [90, 90, 95]; // road
    if (y > 120 && (x % 160) < 120) return [170 + (x % 160) / 4, 160, 150]; // buildings
    return [150 + y / 4, 200 + y / 8, 250]; // sky
  };
  return encodePng(width, height, px);
}

// ---- the project ----------------------------------------------------------------------------------

const W = 640;
const H = 480;
/** Emoji before the entity (two and eight UTF-16 code units) and a CRLF: offsets must count as JavaScript does. */
const CAPTION_CITY_HALL = '🚗 택시 한 대가\r\n서울시청 앞을 지나갑니다.';
const CAPTION_MUSEUM = '주말에 👨‍👩‍👧 가족이 국립중앙박물관을 찾았다.';

const TEMPLATE = {
  display: [
    { type: 'image', field: 'image', label: '사진' },
    { type: 'text', field: 'caption', label: '설명' },
  ],
  controls: [
    { type: 'single_choice', name: 'weather', label: '날씨', options: ['맑음', '흐림', '비'] },
    { type: 'text', name: 'note', label: '메모', maxLength: 200 },
    { type: 'bbox', name: 'objects', label: '물체', labels: ['자동차', '사람'], imageField: 'image' },
    { type: 'span', name: 'entities', label: '개체명', labels: ['장소', '기관'], textField: 'caption' },
  ],
};

const INSTRUCTIONS = [
  '## 거리 사진 라벨링',
  '',
  '1. 날씨를 고르세요.',
  '2. 사진 속 **자동차**와 **사람**에 상자를 그리세요.',
  '3. 설명에서 장소와 기관 이름을 표시하세요.',
  '',
  '<b data-raw-html>raw html must not render</b>',
  '',
  '[자세한 지침](https://example.org/guide)',
].join('\n');

type Pt = { x: number; y: number };
interface Plan {
  weatherKey: string;
  weather: string;
  note: string;
  boxKey: string;
  boxLabel: string;
  /** Where to draw, as shares of the canvas. */
  from: Pt;
  to: Pt;
  zoomIn?: boolean;
  /** After zooming: hold space and drag the image by this many screen pixels. */
  pan?: Pt;
  moveAndResize?: boolean;
  /** After drawing (the new box is selected): this number key relabels it. */
  relabelKey?: string;
  drawAndDeleteExtra?: boolean;
  span?: { text: string; caption: string; key: string; label: string };
}

/** Screen point → natural image pixel, from the canvas's box on screen (unzoomed). */
const toNatural = (canvas: { x: number; y: number; width: number; height: number }, p: Pt) => ({
  x: ((p.x - canvas.x) * W) / canvas.width,
  y: ((p.y - canvas.y) * H) / canvas.height,
});

// Functions given to page.evaluate run in the browser; this file is type-checked without the DOM
// library, so they reach the page's globals through `globalThis as any`.

async function activeElementInfo(page: Page) {
  return page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    return {
      tag: el?.tagName ?? '',
      label: el?.getAttribute('aria-label') ?? '',
      role: el?.getAttribute('role') ?? '',
      card: el?.closest('[data-control]')?.getAttribute('data-control') ?? null,
    };
  });
}

/** Selects `part` of the span text with a mouse drag from its first character to its last. */
async function selectWithMouse(page: Page, part: string) {
  // In the middle of the screen, clear of the sticky action bar.
  await page.getByTestId('span-text-entities').evaluate((el: any) => el.scrollIntoView({ block: 'center' }));
  const rects = await page.evaluate((needle) => {
    const doc = (globalThis as any).document;
    const root = doc.querySelector('[data-testid="span-text-entities"]');
    const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
    let full = '';
    const nodes: { node: any; start: number }[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      nodes.push({ node: n, start: full.length });
      full += n.data;
    }
    const at = full.indexOf(needle);
    const charRect = (offset: number) => {
      const hit = nodes.filter((x) => x.start <= offset).at(-1)!;
      const r = doc.createRange();
      r.setStart(hit.node, offset - hit.start);
      r.setEnd(hit.node, offset - hit.start + 1);
      const b = r.getBoundingClientRect();
      return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
    };
    return { first: charRect(at), last: charRect(at + needle.length - 1) };
  }, part);
  await page.mouse.move(rects.first.left + 1, (rects.first.top + rects.first.bottom) / 2);
  await page.mouse.down();
  await page.mouse.move(rects.last.right - 1, (rects.last.top + rects.last.bottom) / 2, { steps: 6 });
  await page.mouse.up();
}

async function waitForTask(page: Page, notId?: string | null): Promise<string | null> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = await page.evaluate(() => {
      const el = (globalThis as any).document.querySelector('[data-testid="labeling-page"]');
      return { phase: (el?.getAttribute('data-phase') ?? null) as string | null, item: (el?.getAttribute('data-item-id') ?? null) as string | null };
    });
    if (state.phase === 'done') return null;
    if (state.phase === 'ready' && state.item && state.item !== notId) return state.item;
    if (Date.now() > deadline) throw new Error(`no next task (phase ${state.phase}, item ${state.item})`);
    await page.waitForTimeout(50);
  }
}

// Generous time per test: the checkout is shared and the machine is often busy with other suites.
describe('labeling in the browser', () => {
  it('a worker labels choice, text, box and span with the keyboard (and the mouse for the box and the selection); the stored results are exact', async () => {
    // ---- the requester sets up the project over the API ----------------------------------------
    const req = new Requester(server.url);
    await req.json('POST', '/api/auth/signup', {
      email: uniqueEmail('lab'),
      password: PASSWORD,
      displayName: '서울비전랩',
      role: 'requester',
      organisationName: '서울비전랩',
    });
    const { project } = await req.json('POST', '/api/projects', {
      name: '거리 사진 라벨링',
      instructions: INSTRUCTIONS,
      template: TEMPLATE,
      settings: { payPerAnnotation: 60, overlap: 1, goldRate: 0, reviewRate: 0, reviewFirstK: 0, dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 1 } },
    });
    const zip = await makeZip({ 'street-01.png': streetPng(W, H) });
    expect((await req.json('POST', `/api/projects/${project.id}/items`, zip, { 'content-type': 'application/zip' })).imported).toBe(1);
    const { items: zipped } = await req.json(`GET`, `/api/projects/${project.id}/items`);
    const zipItem = zipped[0];
    expect(zipItem.data).toMatchObject({ width: W, height: H, filename: 'street-01.png' });
    const asset: string = zipItem.data.image;
    // Two more items showing the same stored image, now with a caption to tag.
    await req.json('POST', `/api/projects/${project.id}/items`, [
      { image: asset, width: W, height: H, caption: CAPTION_CITY_HALL },
      { image: asset, width: W, height: H, caption: CAPTION_MUSEUM },
    ]);
    const { items } = await req.json(`GET`, `/api/projects/${project.id}/items`);
    expect(items).toHaveLength(3);
    await req.json('POST', `/api/projects/${project.id}/fund`, { amount: 10_000 }, { 'idempotency-key': `fund-${project.id}` });
    await req.json('POST', `/api/projects/${project.id}/publish`);

    const plans = new Map<string, Plan>();
    for (const it of items as { id: number; data: { caption?: string } }[]) {
      if (it.data.caption === undefined) {
        plans.set(String(it.id), {
          weatherKey: '2',
          weather: '흐림',
          note: '주차된 차 한 대',
          boxKey: '1',
          boxLabel: '자동차',
          from: { x: 0.58, y: 0.5 },
          to: { x: 0.89, y: 0.73 },
          drawAndDeleteExtra: true,
        });
      } else if (it.data.caption === CAPTION_CITY_HALL) {
        plans.set(String(it.id), {
          weatherKey: '1',
          weather: '맑음',
          note: '보행자',
          boxKey: '1',
          relabelKey: '2',
          boxLabel: '사람',
          from: { x: 0.17, y: 0.33 },
          to: { x: 0.27, y: 0.72 },
          moveAndResize: true,
          span: { text: '서울시청', caption: CAPTION_CITY_HALL, key: '1', label: '장소' },
        });
      } else {
        plans.set(String(it.id), {
          weatherKey: '3',
          weather: '비',
          note: '택시',
          boxKey: '1',
          boxLabel: '자동차',
          from: { x: 0.45, y: 0.45 },
          to: { x: 0.55, y: 0.58 },
          zoomIn: true,
          pan: { x: -30, y: -20 },
          span: { text: '국립중앙박물관', caption: CAPTION_MUSEUM, key: '2', label: '기관' },
        });
      }
    }

    // ---- the worker signs up in the browser and finds the project --------------------------------
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('/signup');
    await page.getByLabel(/^이메일( \*)?$/).fill(uniqueEmail('worker'));
    await page.getByLabel(/^비밀번호( \*)?$/).fill(PASSWORD);
    await page.getByLabel(/^표시 이름( \*)?$/).fill('박서연');
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.waitForURL('**/home');

    await page.locator('nav').getByRole('link', { name: '작업 찾기' }).click();
    await page.getByRole('heading', { name: '작업 찾기' }).waitFor();
    const card = page.getByTestId('feed-project').filter({ hasText: '거리 사진 라벨링' });
    await card.waitFor();
    const cardText = await card.innerText();
    expect(cardText).toContain('₩60'); // pay per task
    expect(cardText).toContain('10건 이후 계산'); // hourly pay not known yet
    expect(cardText).toContain('추천 이유');
    expect(cardText).toMatch(/남은 작업\s*3/);
    await screenshot(page, 'desktop-ko-work-feed');
    await card.getByRole('link', { name: '시작하기' }).click();
    await page.waitForURL(`**/work/${project.id}`);
    await page.getByRole('heading', { name: '거리 사진 라벨링' }).waitFor();
    expect(await page.getByTestId('today-count').innerText()).toBe('0건');

    // The instructions are one key away, Markdown rendered, raw HTML not.
    let itemId = await waitForTask(page);
    await page.keyboard.press('?');
    const drawer = page.getByRole('dialog', { name: '작업 안내' });
    await drawer.getByRole('heading', { name: '거리 사진 라벨링' }).waitFor();
    expect(await drawer.locator('strong', { hasText: '자동차' }).count()).toBe(1);
    expect(await drawer.locator('[data-raw-html]').count()).toBe(0);
    expect(await drawer.getByRole('link', { name: '자세한 지침' }).getAttribute('rel')).toContain('noopener');
    await screenshot(page, 'desktop-ko-labeling-instructions', false);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // Submitting an empty answer is refused in the browser, next to the controls.
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('problems-weather').getByText('답해 주세요.').waitFor();
    await page.getByTestId('problems-note').getByText('답해 주세요.').waitFor();
    expect(await page.getByTestId('labeling-page').getAttribute('data-item-id')).toBe(itemId);
    await screenshot(page, 'desktop-ko-labeling-problems', false);

    const drawn = new Map<string, { x: number; y: number; width: number; height: number }>();
    let n = 0;
    while (itemId) {
      const plan = plans.get(itemId)!;
      expect(plan, `a plan for item ${itemId}`).toBeDefined();
      n++;

      // 1. choose the weather with its number key; the focus moves on to the note.
      await page.keyboard.press(plan.weatherKey);
      expect(await page.getByRole('radio', { name: plan.weather }).getAttribute('aria-checked')).toBe('true');
      expect((await activeElementInfo(page)).card).toBe('note');
      // 2. type the note.
      await page.keyboard.type(plan.note);
      expect(await page.getByTestId('counter-note').innerText()).toBe(`${plan.note.length} / 200`);
      // 3. Tab to the boxes; a number key picks the label to draw with.
      await page.keyboard.press('Tab');
      expect((await activeElementInfo(page)).card).toBe('objects');
      await page.keyboard.press(plan.boxKey);
      const drawLabel = plan.relabelKey ? (plan.boxKey === '1' ? '자동차' : '사람') : plan.boxLabel;
      expect(await page.getByRole('radiogroup', { name: '상자 라벨' }).getByRole('radio', { name: new RegExp(drawLabel) }).getAttribute('aria-checked')).toBe('true');

      // 4. draw a box with the mouse.
      const canvasLoc = page.getByTestId('bbox-canvas-objects');
      await canvasLoc.waitFor();
      const canvas = (await canvasLoc.boundingBox())!;
      const at = (p: Pt): Pt => ({ x: Math.round(canvas.x + p.x * canvas.width), y: Math.round(canvas.y + p.y * canvas.height) });
      const p1 = at(plan.from);
      const p2 = at(plan.to);
      let a = toNatural(canvas, p1);
      let b = toNatural(canvas, p2);
      if (plan.zoomIn) {
        // Two wheel notches up at the centre: ×1.15² around the point under the pointer.
        const c = at({ x: 0.5, y: 0.5 });
        await page.mouse.move(c.x, c.y);
        await page.mouse.wheel(0, -100);
        await page.mouse.wheel(0, -100);
        await expect.poll(async () => Number(await canvasLoc.getAttribute('data-scale')) / (canvas.width / W)).toBeCloseTo(1.15 ** 2, 2);
        const z = 1.15 ** 2;
        const nc = toNatural(canvas, c);
        // Space + drag moves the image: the point now under the pointer is the one that was `pan` away.
        const d = plan.pan ?? { x: 0, y: 0 };
        if (plan.pan) {
          const before = { x: Number(await canvasLoc.getAttribute('data-offset-x')), y: Number(await canvasLoc.getAttribute('data-offset-y')) };
          await page.keyboard.down('Space');
          await page.mouse.down();
          await page.mouse.move(c.x + d.x, c.y + d.y, { steps: 6 });
          await page.mouse.up();
          await page.keyboard.up('Space');
          // Wait for the whole drag to show, not just its first step: the box below is drawn on the view as it ends.
          await expect.poll(async () => Number(await canvasLoc.getAttribute('data-offset-x'))).toBeCloseTo(before.x + d.x, 3);
          await expect.poll(async () => Number(await canvasLoc.getAttribute('data-offset-y'))).toBeCloseTo(before.y + d.y, 3);
        }
        const zoomed = (p: Pt) => ({
          x: nc.x + (p.x - d.x - c.x) * (W / canvas.width) / z,
          y: nc.y + (p.y - d.y - c.y) * (H / canvas.height) / z,
        });
        a = zoomed(p1);
        b = zoomed(p2);
      }
      await page.mouse.move(p1.x, p1.y);
      await page.mouse.down();
      await page.mouse.move(p2.x, p2.y, { steps: 10 });
      await page.mouse.up();
      let expected = { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
      // Each step waits for the box list to show its effect: the next gesture aims at where the box now is.
      const boxRow = page.getByTestId('bbox-list-objects').locator('.dure-list-row').first();
      await boxRow.waitFor();

      if (plan.moveAndResize) {
        // Move it by dragging its middle, then pull its bottom-right handle.
        const mid = { x: Math.round((p1.x + p2.x) / 2), y: Math.round((p1.y + p2.y) / 2) };
        await page.mouse.move(mid.x, mid.y);
        await page.mouse.down();
        const drawnRow = await boxRow.innerText();
        await page.mouse.move(mid.x + 40, mid.y + 12, { steps: 8 });
        await page.mouse.up();
        await expect.poll(() => boxRow.innerText()).not.toBe(drawnRow);
        const movedRow = await boxRow.innerText();
        const k = W / canvas.width;
        expected = { ...expected, x: expected.x + 40 * k, y: expected.y + 12 * k };
        const corner = { x: p2.x + 40, y: p2.y + 12 };
        await page.mouse.move(corner.x, corner.y);
        await page.mouse.down();
        await page.mouse.move(corner.x + 25, corner.y + 18, { steps: 8 });
        await page.mouse.up();
        await expect.poll(() => boxRow.innerText()).not.toBe(movedRow);
        expected = { ...expected, width: expected.width + 25 * k, height: expected.height + 18 * k };
      }
      if (plan.relabelKey) {
        // The box just drawn is selected: a number key gives it another label.
        await page.keyboard.press(plan.relabelKey);
        await expect.poll(() => page.getByTestId('bbox-list-objects').locator('select').inputValue()).toBe(plan.boxLabel);
      }
      if (plan.drawAndDeleteExtra) {
        // A second box, then Delete removes the selected (new) one.
        const q1 = at({ x: 0.05, y: 0.05 });
        const q2 = at({ x: 0.2, y: 0.2 });
        await page.mouse.move(q1.x, q1.y);
        await page.mouse.down();
        await page.mouse.move(q2.x, q2.y, { steps: 5 });
        await page.mouse.up();
        await expect.poll(() => page.getByTestId('bbox-list-objects').locator('.dure-list-row').count()).toBe(2);
        await page.keyboard.press('Delete');
        await expect.poll(() => page.getByTestId('bbox-list-objects').locator('.dure-list-row').count()).toBe(1);
      }
      drawn.set(itemId, expected);

      // 5. tag a span: select it with the mouse, press the label's number key.
      if (plan.span) {
        await selectWithMouse(page, plan.span.text);
        await page.keyboard.press(plan.span.key);
        await page.getByTestId('span-list-entities').getByText(`“${plan.span.text}”`).waitFor();
        if (plan.zoomIn) {
          // A click on a highlighted span removes it; tag it again.
          await page.locator('[data-testid="span-text-entities"] .dure-span').first().click();
          await page.getByTestId('span-list-entities').waitFor({ state: 'detached' });
          await selectWithMouse(page, plan.span.text);
          await page.keyboard.press(plan.span.key);
          await page.getByTestId('span-list-entities').getByText(`“${plan.span.text}”`).waitFor();
        }
      } else {
        expect(await page.getByTestId('span-text-entities').count()).toBe(0);
      }

      if (n === 1 || plan.zoomIn) await screenshot(page, `desktop-ko-labeling-item-${plan.zoomIn ? 'zoomed' : 'first'}`, false);

      // Everything answered is still there (the header's figures refetch behind it).
      expect(await page.getByRole('textbox', { name: '메모' }).inputValue()).toBe(plan.note);
      expect(await page.getByRole('radio', { name: plan.weather }).getAttribute('aria-checked')).toBe('true');

      // 6. Ctrl+Enter submits; the next task follows.
      await page.keyboard.press('Control+Enter');
      itemId = await waitForTask(page, itemId);
    }
    expect(n).toBe(3);

    // Nothing left: the page says so, with today's count.
    await page.getByTestId('no-more-tasks').waitFor();
    await expect.poll(async () => page.getByTestId('today-count').innerText()).toBe('3건');
    await screenshot(page, 'desktop-ko-labeling-done');
    expect(errors).toEqual([]);

    // ---- what was stored, read back through the requester's export ----------------------------
    const res = await req.call('GET', `/api/projects/${project.id}/export?format=jsonl`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const plan = plans.get(String(line.id))!;
      expect(line.annotations).toHaveLength(1);
      const result = line.annotations[0].result;
      expect(Object.keys(result).sort()).toEqual(['entities', 'note', 'objects', 'weather']);
      expect(result.weather).toBe(plan.weather);
      expect(result.note).toBe(plan.note);
      expect(result.objects).toHaveLength(1);
      const box = result.objects[0];
      const want = drawn.get(String(line.id))!;
      expect(box.label).toBe(plan.boxLabel);
      for (const k of ['x', 'y', 'width', 'height'] as const) {
        expect(Math.abs(box[k] - want[k]), `${k} of the box on item ${line.id}: stored ${box[k]}, drawn ${want[k]}`).toBeLessThanOrEqual(1);
      }
      expect(box.x + box.width).toBeLessThanOrEqual(W);
      expect(box.y + box.height).toBeLessThanOrEqual(H);
      if (plan.span) {
        const start = plan.span.caption.indexOf(plan.span.text);
        expect(result.entities).toEqual([{ start, end: start + plan.span.text.length, label: plan.span.label }]);
        expect(plan.span.caption.slice(result.entities[0].start, result.entities[0].end)).toBe(plan.span.text);
      } else {
        expect(result.entities).toEqual([]);
      }
    }
    // The UTF-16 offsets really are past the emoji: 서울시청 starts at 12, not at 11.
    expect(CAPTION_CITY_HALL.indexOf('서울시청')).toBe(12);

    await ctx.close();
  }, 240_000);

  it('the other controls in English: A/B by letter, rating and multi choice by number keys, number, email, a file upload, a server 400 mapped to its control; unsafe links stay text', async () => {
    const req = new Requester(server.url);
    await req.json('POST', '/api/auth/signup', {
      email: uniqueEmail('llm'),
      password: PASSWORD,
      displayName: 'Hangang AI',
      role: 'requester',
      organisationName: 'Hangang AI',
    });
    const { project } = await req.json('POST', '/api/projects', {
      name: 'Compare two answers',
      instructions: 'Pick the better answer, rate it, and attach a screenshot of the source.',
      template: {
        display: [
          { type: 'text', field: 'prompt', label: 'Prompt' },
          { type: 'text', field: 'a', label: 'Answer A' },
          { type: 'text', field: 'b', label: 'Answer B' },
          { type: 'link', field: 'docs', label: 'Reference' },
          { type: 'link', field: 'source', label: 'Source' },
          { type: 'number', field: 'tokens', label: 'Tokens' },
        ],
        controls: [
          { type: 'pairwise', name: 'better', label: 'Which answer is better?', fields: ['a', 'b'] },
          { type: 'rating', name: 'helpfulness', label: 'Helpfulness of the better answer', scale: 5 },
          { type: 'multi_choice', name: 'issues', label: 'Problems in the worse answer', options: ['factual error', 'unsafe', 'off topic', 'too long'] },
          { type: 'number', name: 'score', label: 'Score', min: 0, max: 10, step: 0.5 },
          { type: 'email', name: 'contact', label: 'Email for follow-up', required: false },
          { type: 'file', name: 'evidence', label: 'Screenshot', accept: ['image/png'], maxBytes: 200_000 },
        ],
      },
      settings: { payPerAnnotation: 0, overlap: 1, goldRate: 0, reviewRate: 0, reviewFirstK: 0, dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 1 } },
    });
    await req.json('POST', `/api/projects/${project.id}/items`, [
      {
        prompt: 'How long does it take to walk from Gwanghwamun to Namsan Tower?',
        a: 'About 10 minutes.',
        b: 'About 50 minutes on foot (roughly 3.5 km), most of it uphill at the end.',
        docs: 'https://example.org/walking-routes',
        source: 'javascript:alert(1)',
        tokens: 1234,
      },
    ]);
    await req.json('POST', `/api/projects/${project.id}/publish`);

    const ctx = await newContext(browser, { baseURL: server.url, locale: 'en-US', viewport: DESKTOP });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('/signup');
    await page.getByLabel(/^Email( \*)?$/).fill(uniqueEmail('en-worker'));
    await page.getByLabel(/^Password( \*)?$/).fill(PASSWORD);
    await page.getByLabel(/^Display name( \*)?$/).fill('Jamie Lee');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/home');
    await page.goto('/work');
    const card = page.getByTestId('feed-project').filter({ hasText: 'Compare two answers' });
    await card.getByText('Volunteer project').first().waitFor();
    await card.getByRole('link', { name: 'Start' }).filter({ visible: true }).click();
    await waitForTask(page);

    // A safe link is a link (new tab, no opener); a javascript: one is shown as text.
    const docs = page.locator('[data-field=docs] a');
    expect(await docs.getAttribute('href')).toBe('https://example.org/walking-routes');
    expect(await docs.getAttribute('rel')).toContain('noopener');
    expect(await page.locator('[data-field=source] a').count()).toBe(0);
    expect(await page.locator('[data-field=source]').innerText()).toContain('javascript:alert(1)');
    expect(await page.locator('[data-field=tokens]').innerText()).toContain('1,234');

    // b chooses answer B and moves on; 4 rates; 1 and 3 tick two problems.
    await page.keyboard.press('b');
    expect(await page.locator('[data-pair-side=b]').innerText()).toContain('chosen');
    expect((await activeElementInfo(page)).card).toBe('helpfulness');
    await page.keyboard.press('4');
    expect(await page.getByRole('radiogroup', { name: 'Helpfulness of the better answer' }).getByRole('radio', { name: '4' }).getAttribute('aria-checked')).toBe('true');
    expect((await activeElementInfo(page)).card).toBe('issues');
    await page.keyboard.press('1');
    await page.keyboard.press('3');
    await page.keyboard.press('2');
    await page.keyboard.press('2'); // ticked and unticked again
    const issues = page.getByRole('group', { name: 'Problems in the worse answer' });
    expect(await issues.getByRole('checkbox', { name: 'factual error' }).getAttribute('aria-checked')).toBe('true');
    expect(await issues.getByRole('checkbox', { name: 'off topic' }).getAttribute('aria-checked')).toBe('true');
    expect(await issues.getByRole('checkbox', { name: 'unsafe' }).getAttribute('aria-checked')).toBe('false');

    // Tab to the number (a value off its step is refused before sending), then the email.
    await page.keyboard.press('Tab');
    expect((await activeElementInfo(page)).card).toBe('score');
    await page.keyboard.type('7.3');
    await page.keyboard.press('Tab');
    expect((await activeElementInfo(page)).card).toBe('contact');
    await page.keyboard.type('jamie@example.kr');

    // The file: the wrong type is refused in the browser; a PNG is uploaded and named.
    const input = page.locator('[data-control=evidence] input[type=file]');
    await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
    await page.getByText('This type of file is not accepted here (accepted: image/png).').waitFor();
    const png = streetPng(64, 48);
    await input.setInputFiles({ name: 'source-screenshot.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('file-evidence').getByText('source-screenshot.png').waitFor();
    expect(await page.locator('[data-control=evidence]').innerText()).toContain('image/png');

    await page.keyboard.press('Control+Enter');
    await page.getByTestId('problems-score').getByText('Must be 0 plus a multiple of 0.5.').waitFor();
    await screenshot(page, 'desktop-en-labeling-other-controls', false);
    await page.getByRole('textbox', { name: 'Score' }).fill('7.5');
    expect(await page.getByTestId('problems-score').count()).toBe(0);

    // A 400 from the server lands next to the control its path names (and the answer stays).
    let submits = 0;
    await page.route('**/api/work/assignments/*/submit', async (route) => {
      submits++;
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'validation_failed', message: 'the result does not fit the form', details: [{ path: '/result/evidence', problem: 'file type is not accepted (accepted: image/png)' }] } }),
      });
    });
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('problems-evidence').getByText('This type of file is not accepted.').waitFor();
    expect(submits).toBe(1);
    await page.unrouteAll();
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('no-more-tasks').waitFor();
    expect(errors).toEqual([]);

    const res = await req.call('GET', `/api/projects/${project.id}/export?format=jsonl`);
    const [line] = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const result = line.annotations[0].result;
    expect(result).toMatchObject({ better: 'b', helpfulness: 4, issues: ['factual error', 'off topic'], score: 7.5, contact: 'jamie@example.kr' });
    expect(result.evidence).toMatch(/^asset:[0-9a-f]{64}$/);
    const file = await req.call('GET', `/api/assets/${result.evidence.slice('asset:'.length)}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    await ctx.close();
  }, 240_000);

  it("rework comes first in the feed and opens with the reviewer's comment and the previous answer filled in", async () => {
    const NO_MONEY = { payPerAnnotation: 0, payPerReview: 0, overlap: 1, goldRate: 0, reviewFirstK: 0, dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 1 } };
    const req = new Requester(server.url);
    await req.json('POST', '/api/auth/signup', { email: uniqueEmail('news'), password: PASSWORD, displayName: '뉴스랩', role: 'requester', organisationName: '뉴스랩' });
    const template = {
      display: [{ type: 'text', field: 'headline', label: '제목' }],
      controls: [
        { type: 'single_choice', name: 'topic', label: '분야', options: ['정치', '경제', '사회', '문화'] },
        { type: 'text', name: 'why', label: '근거', maxLength: 200 },
      ],
    };
    const { project: reworked } = await req.json('POST', '/api/projects', { name: '뉴스 제목 분야 분류', instructions: '제목의 분야를 고르세요.', template, settings: { ...NO_MONEY, reviewRate: 1 } });
    await req.json('POST', `/api/projects/${reworked.id}/items`, [{ headline: '한국은행, 기준금리 동결' }]);
    await req.json('POST', `/api/projects/${reworked.id}/publish`);
    // Another open project, which would otherwise come first (same pay, lower id order is not guaranteed).
    const { project: other } = await req.json('POST', '/api/projects', { name: '뉴스 제목 감정 분류', instructions: '감정을 고르세요.', template, settings: { ...NO_MONEY, reviewRate: 0 } });
    await req.json('POST', `/api/projects/${other.id}/items`, [{ headline: '지역 축제에 10만 명 몰려' }]);
    await req.json('POST', `/api/projects/${other.id}/publish`);

    // The worker answers over the API (wrongly); a reviewer sends it back with a reason.
    const worker = new Requester(server.url);
    const workerEmail = uniqueEmail('rework');
    await worker.json('POST', '/api/auth/signup', { email: workerEmail, password: PASSWORD, displayName: '정다은', role: 'worker' });
    const { assignment } = await worker.json('POST', `/api/work/projects/${reworked.id}/next`);
    await worker.json('POST', `/api/work/assignments/${assignment.id}/submit`, { result: { topic: '정치', why: '한국은행이라서' } });

    const reviewer = new Requester(server.url);
    const { user: reviewerUser } = await reviewer.json('POST', '/api/auth/signup', { email: uniqueEmail('reviewer'), password: PASSWORD, displayName: '검수자', role: 'worker' });
    const admin = new Requester(server.url);
    await admin.json('POST', '/api/auth/login', ADMIN);
    await admin.json('POST', `/api/admin/users/${reviewerUser.id}/role`, { role: 'reviewer' });
    const { review } = await reviewer.json('POST', `/api/review/projects/${reworked.id}/next`);
    const COMMENT = '금리 결정은 경제 기사입니다.\n근거도 다시 써 주세요.';
    await reviewer.json('POST', `/api/review/annotations/${review.annotationId}`, { verdict: 'reject', comment: COMMENT });

    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ctx.newPage();
    await page.goto('/login');
    await page.getByLabel(/^이메일( \*)?$/).fill(workerEmail);
    await page.getByLabel(/^비밀번호( \*)?$/).fill(PASSWORD);
    await page.getByRole('button', { name: '로그인', exact: true }).click();
    await page.waitForURL('**/home');
    await page.goto('/work');
    const cards = page.getByTestId('feed-project');
    await cards.first().waitFor();
    const names = await cards.evaluateAll((els) => els.map((e) => e.querySelector('h3')?.textContent));
    expect(names.indexOf('뉴스 제목 분야 분류')).toBe(0);
    expect(names).toContain('뉴스 제목 감정 분류');
    const first = cards.first();
    expect(await first.innerText()).toContain('재작업 1건');
    await screenshot(page, 'desktop-ko-work-feed-rework', false);
    await first.getByRole('link', { name: '재작업하기' }).click();
    await waitForTask(page);

    const alert = page.getByTestId('rework-comment');
    expect(await alert.innerText()).toContain('금리 결정은 경제 기사입니다.');
    expect(await alert.innerText()).toContain('근거도 다시 써 주세요.');
    // The previous answer is there to fix.
    expect(await page.getByRole('radio', { name: '정치' }).getAttribute('aria-checked')).toBe('true');
    expect(await page.getByRole('textbox', { name: '근거' }).inputValue()).toBe('한국은행이라서');
    await screenshot(page, 'desktop-ko-labeling-rework', false);

    await page.keyboard.press('2'); // 경제; the focus moves to the reason
    await page.keyboard.press('Control+a');
    await page.keyboard.type('기준금리는 경제 정책');
    await page.keyboard.press('Enter'); // Enter in a one-line field submits
    await waitForTask(page, String(assignment.item.id));
    const res = await req.call('GET', `/api/projects/${reworked.id}/export?format=jsonl`);
    const [line] = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const results = line.annotations.map((a: { result: unknown }) => a.result);
    expect(results).toContainEqual({ topic: '경제', why: '기준금리는 경제 정책' });
    await ctx.close();
  }, 240_000);

  it('on a phone a worker answers a choice-and-text task with taps and typing', async () => {
    const req = new Requester(server.url);
    await req.json('POST', '/api/auth/signup', {
      email: uniqueEmail('civic'),
      password: PASSWORD,
      displayName: '우리동네 시민모임',
      role: 'requester',
      organisationName: '우리동네 시민모임',
    });
    const { project } = await req.json('POST', '/api/projects', {
      name: '동네 불편 신고 분류',
      instructions: '신고 내용을 읽고 가장 알맞은 분류를 고르세요.',
      template: {
        display: [{ type: 'text', field: 'report', label: '신고 내용' }],
        controls: [
          { type: 'single_choice', name: 'category', label: '분류', options: ['도로·보행', '소음', '쓰레기', '안전', '기타'] },
          { type: 'text', name: 'comment', label: '한 줄 의견', multiline: true, maxLength: 300, required: false },
        ],
      },
      settings: { payPerAnnotation: 0, overlap: 1, goldRate: 0, reviewRate: 0, reviewFirstK: 0, dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 1 } },
    });
    const REPORT = '<b>버스정류장</b> 앞 보도블록이 깨져서\n휠체어가 지나가기 어렵습니다.';
    await req.json('POST', `/api/projects/${project.id}/items`, [{ report: REPORT }]);
    await req.json('POST', `/api/projects/${project.id}/publish`);

    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: PHONE });
    const page = await ctx.newPage();
    await page.goto('/signup');
    await page.getByLabel(/^이메일( \*)?$/).fill(uniqueEmail('phone'));
    await page.getByLabel(/^비밀번호( \*)?$/).fill(PASSWORD);
    await page.getByLabel(/^표시 이름( \*)?$/).fill('최하늘');
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.waitForURL('**/home');
    await page.goto('/work');
    const card = page.getByTestId('feed-project').filter({ hasText: '동네 불편 신고 분류' });
    await card.waitFor();
    expect(await card.innerText()).toContain('자원봉사');
    await screenshot(page, 'phone-ko-work-feed');
    await card.getByRole('link', { name: '시작하기' }).filter({ visible: true }).click();
    await waitForTask(page);

    // The item text is text: the tags show as written, no <b> element, the line break kept.
    const itemText = page.getByTestId('item-display');
    expect(await itemText.innerText()).toContain('<b>버스정류장</b>');
    expect(await itemText.locator('b').count()).toBe(0);

    // Big targets, one column: the options are at least 44 px tall and as wide as the screen allows.
    const option = page.getByRole('radio', { name: '도로·보행' });
    const box = (await option.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThan(PHONE.width * 0.7);
    await screenshot(page, 'phone-ko-labeling', false);
    await option.click();
    await page.getByRole('textbox', { name: '한 줄 의견' }).click();
    await page.keyboard.type('휠체어 통행 불가');
    await screenshot(page, 'phone-ko-labeling-answered', false);
    await page.getByTestId('submit').click();
    await page.getByTestId('no-more-tasks').waitFor();
    await screenshot(page, 'phone-ko-labeling-done');

    const res = await req.call('GET', `/api/projects/${project.id}/export?format=jsonl`);
    const [line] = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(line.annotations[0].result).toEqual({ category: '도로·보행', comment: '휠체어 통행 불가' });
    await ctx.close();
  }, 240_000);
});
