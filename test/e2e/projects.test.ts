import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { READY_TEMPLATES, readyTemplate } from '../../src/core/templates/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip } from '../helpers/zip.ts';
import { DESKTOP, field, launchBrowser, newContext, PHONE, screenshot, uniqueEmail } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// A requester builds a project in a real chromium: signs up, starts from the sentiment ready
// template, edits an option and watches the live preview follow, sees a problem appear beside an
// emptied option and fixes it, creates the project, changes a setting (with the hourly-pay
// warning), imports a real JSONL file through the file input, sees a bad file's problems line by
// line, funds the budget and publishes. Then every ready template's preview is checked against
// its form, the JSON tab edits the form, and a form saved after work arrived is refused (409).

const PASSWORD = 'gaon-bitnara-77';

let server: TestServer;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-projects-e2e-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** JSON from the API with the browser's session (same cookies), as the web app would send it. */
async function apiJson<T = any>(ctx: BrowserContext, method: 'GET' | 'POST' | 'PATCH', url: string, data?: unknown): Promise<T> {
  const res = await ctx.request.fetch(url, { method, data, headers: { origin: server.url } });
  const text = await res.text();
  if (!res.ok()) throw new Error(`${method} ${url} → ${res.status()} ${text}`);
  return JSON.parse(text) as T;
}

/** The text of the error message Mantine ties to an input (aria-describedby). */
async function inputError(input: Locator): Promise<string | null> {
  if ((await input.getAttribute('aria-invalid')) !== 'true') return null;
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  for (const id of ids) {
    if (!id.endsWith('-error')) continue;
    return (await input.page().locator(`[id="${id}"]`).innerText()).trim();
  }
  return '';
}

const preview = (page: Page) => page.getByTestId('template-preview');

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
/** A real one-colour RGB PNG of this size. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Closes the toasts so they do not cover the page in a screenshot. */
async function dismissNotifications(page: Page) {
  for (const b of await page.locator('.mantine-Notification-root button').all()) await b.click().catch(() => undefined);
  await page.locator('.mantine-Notification-root').first().waitFor({ state: 'detached' }).catch(() => undefined);
}

describe('requester project pages', () => {
  it('builds a project from the sentiment template, with live preview, settings, import and publishing', async () => {
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ctx.newPage();
    const email = uniqueEmail('requester');

    // ---- sign up in the browser as a requester -------------------------------------------------
    await page.goto('/signup?role=requester');
    await field(page, '이메일').fill(email);
    await field(page, '비밀번호').fill(PASSWORD);
    await field(page, '표시 이름').fill('한가람');
    await field(page, '조직 이름 (선택)').fill('가람 AI 연구소');
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.waitForURL('**/home');

    await page.locator('nav').getByRole('link', { name: '프로젝트' }).click();
    await page.getByRole('heading', { name: '프로젝트', level: 1 }).waitFor();
    await page.getByText('아직 프로젝트가 없습니다').waitFor();
    await page.getByRole('link', { name: '새 프로젝트' }).first().click();
    await page.waitForURL('**/projects/new');
    await page.getByTestId('template-gallery').waitFor();
    expect(await page.locator('[data-template]').count()).toBe(READY_TEMPLATES.length + 1);
    await screenshot(page, 'desktop-ko-projects-gallery');

    // ---- the editor, started from the sentiment template ---------------------------------------
    await page.getByRole('link', { name: /감정 분류/ }).click();
    await page.waitForURL('**/projects/new/sentiment');
    expect(await field(page, '프로젝트 이름').inputValue()).toBe('감정 분류');
    const radio = (name: string) => preview(page).getByRole('radio', { name: new RegExp(name) });
    await radio('긍정').waitFor();
    await preview(page).getByTestId('item-display').getByText('배송이 빨라서 정말 만족스러워요!').waitFor();

    // Editing an option changes the preview at once.
    const option1 = page.getByLabel('선택지 1', { exact: true });
    await option1.fill('아주 만족');
    await radio('아주 만족').waitFor();
    expect(await radio('긍정').count()).toBe(0);
    // The preview is interactive: choosing an answer checks it.
    await radio('아주 만족').click();
    expect(await radio('아주 만족').getAttribute('aria-checked')).toBe('true');

    // An emptied option: the problem shows next to that input and in the list; saving is blocked.
    const option2 = page.getByLabel('선택지 2', { exact: true });
    await option2.fill('');
    await expect.poll(() => inputError(option2), { timeout: 15_000 }).toBe('비어 있으면 안 됩니다.');
    const problems = page.getByTestId('template-problems');
    await problems.getByText('/controls/0/options/1').waitFor();
    await expect.poll(() => page.getByRole('button', { name: '프로젝트 만들기' }).isDisabled(), { timeout: 15_000 }).toBe(true);
    await preview(page).getByText('마지막으로 올바른 양식을 보여 주는 중').waitFor();
    await option2.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'desktop-ko-editor-problem', false);

    await option2.fill('그저 그럼');
    await expect.poll(() => inputError(option2), { timeout: 15_000 }).toBe(null);
    expect(await problems.count()).toBe(0);
    await radio('그저 그럼').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'desktop-ko-editor-sentiment', false);

    // ---- create --------------------------------------------------------------------------------
    await page.getByRole('button', { name: '프로젝트 만들기' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const projectId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: '감정 분류', level: 1 }).waitFor();
    await page.getByText('초안', { exact: true }).first().waitFor();
    const created = (await apiJson(ctx, 'GET', `/api/projects/${projectId}`)).project;
    expect(created.status).toBe('draft');
    expect(created.template.controls[0].options).toEqual(['아주 만족', '그저 그럼', '부정']);

    // ---- a setting -----------------------------------------------------------------------------
    await page.getByRole('tab', { name: '설정' }).click();
    await page.waitForURL(`**/projects/${projectId}/settings`);
    const pay = field(page, '답 하나당 지급액');
    await pay.fill('20');
    // 20 won × 3600 / 30 s = 2,400 won an hour: below the minimum wage.
    await page.getByTestId('hourly-value').getByText('시간당 ₩2,400').waitFor();
    await page.getByTestId('hourly-estimate').getByText(/최저임금\(시간당 ₩10,320\)보다 낮습니다/).waitFor();
    await pay.fill('120');
    await page.getByTestId('hourly-value').getByText('시간당 ₩14,400').waitFor();
    await page.getByTestId('hourly-estimate').getByText(/이상입니다/).waitFor();
    await field(page, '항목당 답 수').fill('5');
    await page.getByRole('button', { name: '설정 저장' }).click();
    await page.getByText('설정을 저장했습니다.').waitFor();
    const saved = (await apiJson(ctx, 'GET', `/api/projects/${projectId}`)).project;
    expect(saved.settings.payPerAnnotation).toBe(120);
    expect(saved.settings.overlap).toBe(5);
    await dismissNotifications(page);
    await screenshot(page, 'desktop-ko-project-settings');

    // ---- import: a good JSONL file through the file input, then a bad one -----------------------
    await page.getByRole('tab', { name: '가져오기' }).click();
    await page.waitForURL(`**/projects/${projectId}/import`);
    const good = path.join(tmp, 'reviews.jsonl');
    fs.writeFileSync(
      good,
      ['{"text":"포장이 꼼꼼해서 좋았어요"}', '{"text":"배송이 너무 늦었습니다"}', '{"text":"그냥 평범해요","_gold":{"sentiment":"그저 그럼"}}'].join('\n') + '\n',
    );
    await page.getByTestId('import-file').setInputFiles(good);
    const result = page.getByTestId('import-result');
    await result.getByText('항목 3개를 가져왔습니다 (골드 1개)').waitFor();
    await screenshot(page, 'desktop-ko-project-import');

    const bad = path.join(tmp, 'broken.jsonl');
    fs.writeFileSync(bad, ['{"text":"괜찮아요"}', '{"text": "따옴표가 안 닫힘}', '{"text":"별로","_gold":{"sentiment":"없는 답"}}'].join('\n') + '\n');
    await page.getByTestId('import-file').setInputFiles(bad);
    const errors = page.getByTestId('import-errors');
    await errors.getByText('broken.jsonl을(를) 가져오지 못했습니다').waitFor();
    const rows = errors.locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    expect((await rows.nth(0).locator('td').allInnerTexts()).map((s) => s.trim())[0]).toBe('2');
    const row3 = (await rows.nth(1).locator('td').allInnerTexts()).map((s) => s.trim());
    expect(row3[0]).toBe('3');
    expect(row3[1]).toBe('/_gold/sentiment');
    expect(row3[2]).toContain('없는 답');
    await screenshot(page, 'desktop-ko-project-import-errors');
    // Nothing of the bad file was stored.
    const stats = await apiJson(ctx, 'GET', `/api/projects/${projectId}/stats`);
    expect(stats.items + stats.goldItems).toBe(3);

    // ---- items, funding and publishing ---------------------------------------------------------
    await page.getByRole('tab', { name: '항목' }).click();
    const items = page.getByTestId('items-list');
    await items.getByText('포장이 꼼꼼해서 좋았어요').waitFor();
    await items.getByText('골드', { exact: true }).waitFor();

    await page.getByRole('tab', { name: '개요' }).click();
    await page.getByTestId('stat-items').getByText('2', { exact: true }).waitFor();
    await page.getByRole('button', { name: '예산 충전' }).click();
    const dialog = page.getByRole('dialog');
    await field(dialog as unknown as Page, '금액 (원)').fill('100000');
    await dialog.getByRole('button', { name: '충전하기' }).click();
    await page.getByTestId('stat-budget').getByText('₩100,000').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: '닫기' }).first().click();

    await page.getByRole('button', { name: '공개', exact: true }).click();
    await page.getByText('공개했습니다. 이제 작업자가 프로젝트를 찾을 수 있습니다.').waitFor();
    await page.locator('[data-status="active"]').first().waitFor();
    expect(await page.getByTestId('status-actions').getByRole('button').allInnerTexts()).toEqual(['일시 중지', '완료']);
    expect((await apiJson(ctx, 'GET', `/api/projects/${projectId}`)).project.status).toBe('active');
    await dismissNotifications(page);
    await screenshot(page, 'desktop-ko-project-overview');

    // The list shows it with its status and progress.
    await page.locator('nav').getByRole('link', { name: '프로젝트' }).click();
    const list = page.getByTestId('projects-list');
    await list.getByRole('link', { name: '감정 분류' }).waitFor();
    await list.getByText('진행 중').waitFor();
    await list.getByText('항목 2개 중 0개 완료 (0%)').waitFor();
    await screenshot(page, 'desktop-ko-projects-list');

    // ---- the same pages on a phone ------------------------------------------------------------
    await page.setViewportSize(PHONE);
    await screenshot(page, 'phone-ko-projects-list');
    await page.goto(`/projects/${projectId}`);
    await page.getByTestId('stat-items').waitFor();
    await screenshot(page, 'phone-ko-project-overview');
    await page.goto(`/projects/${projectId}/form`);
    await page.getByLabel('선택지 1', { exact: true }).waitFor();
    await screenshot(page, 'phone-ko-project-form', false);
    // The phone shows the editor and the preview one at a time (a segmented switch).
    const toPreview = page.getByRole('radio', { name: '미리보기' });
    await page.locator(`label[for="${await toPreview.getAttribute('id')}"]`).click();
    await radio('아주 만족').waitFor();
    await screenshot(page, 'phone-ko-project-form-preview');
    await page.goto(`/projects/${projectId}/import`);
    await page.getByTestId('import-file').setInputFiles(bad);
    await page.getByTestId('import-errors').locator('tbody tr').first().waitFor();
    await screenshot(page, 'phone-ko-project-import-errors');
    await page.goto(`/projects/${projectId}/settings`);
    await field(page, '답 하나당 지급액').waitFor();
    await screenshot(page, 'phone-ko-project-settings', false);

    await ctx.close();
  });

  it('previews every ready template as its form says, edits the form as JSON, and shows the lock once work exists', async () => {
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'en-US', viewport: DESKTOP });
    const signup = await ctx.request.post('/api/auth/signup', {
      data: { email: uniqueEmail('lab'), password: PASSWORD, displayName: 'Mina Lee', role: 'requester' },
      headers: { origin: server.url },
    });
    expect(signup.status()).toBe(201);
    const page = await ctx.newPage();

    // Every ready template: one preview card per control, of the right type.
    for (const info of READY_TEMPLATES) {
      const tpl = readyTemplate(info.id, 'en')!;
      await page.goto(`/projects/new/${info.id}`);
      const cards = preview(page).locator('[data-control-card]');
      await expect.poll(() => cards.count(), { message: info.id, timeout: 20_000 }).toBe(tpl.template.controls.length);
      expect(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-control-type')))).toEqual(tpl.template.controls.map((c) => c.type));
      expect(await page.getByTestId('template-problems').count()).toBe(0);
      if (info.id === 'llm_comparison' || info.id === 'object_boxes') await screenshot(page, `desktop-en-editor-${info.id}`, false);
    }

    // The JSON tab: add a rating control by hand; the visual tab and the preview follow.
    await page.goto('/projects/new/image_classification');
    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = field(page, 'Form JSON');
    const tpl = JSON.parse(await json.inputValue());
    tpl.controls.push({ type: 'rating', name: 'clarity', label: 'How clear is the image?', scale: 4 });
    await json.fill(JSON.stringify(tpl, null, 2));
    await preview(page).locator('[data-control="clarity"]').waitFor();
    expect(await preview(page).locator('[data-control="clarity"]').getByRole('radio').count()).toBe(4);
    // Broken JSON says so and keeps the last good preview.
    await json.fill('{"display": [');
    await page.getByText(/Not valid JSON/).waitFor();
    await preview(page).locator('[data-control="clarity"]').waitFor();
    await json.fill(JSON.stringify(tpl, null, 2));
    await page.getByRole('tab', { name: 'Form', exact: true }).click();
    await page.getByRole('group', { name: 'Question 2: How clear is the image?' }).waitFor();
    expect(await field(page, 'Scale').inputValue()).toBe('4');

    // Create it as a volunteer project with one item, publish, and let a worker answer once.
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const projectId = page.url().split('/').pop()!;
    await apiJson(ctx, 'PATCH', `/api/projects/${projectId}`, {
      settings: { payPerAnnotation: 0, payPerReview: 0, overlap: 1, goldRate: 0, reviewRate: 0, reviewFirstK: 0, dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 1 } },
    });

    // Import through the UI in the other formats: a zip of images, CSV, Label Studio tasks.
    await page.getByRole('tab', { name: 'Import' }).click();
    const zipFile = path.join(tmp, 'animals.zip');
    fs.writeFileSync(zipFile, await makeZip({ 'cat.png': png(48, 32, [240, 160, 60]), 'dog.png': png(24, 24, [120, 90, 60]), 'notes.txt': 'not an image' }));
    await page.getByTestId('import-file').setInputFiles(zipFile);
    await page.getByTestId('import-result').getByText('2 items imported').waitFor();
    await page.getByTestId('import-result').getByText(/notes\.txt/).waitFor();
    const csvFile = path.join(tmp, 'more.csv');
    fs.writeFileSync(csvFile, 'image,source\nhttps://example.com/a.png,web\nhttps://example.com/b.png,web\nhttps://example.com/c.png,web\n');
    await page.getByTestId('import-file').setInputFiles(csvFile);
    await page.getByTestId('import-result').getByText('3 items imported').waitFor();
    const lsFile = path.join(tmp, 'label-studio.json');
    fs.writeFileSync(lsFile, JSON.stringify([{ data: { image: 'https://example.com/d.png' }, predictions: [] }]));
    await page.getByRole('switch', { name: 'Label Studio tasks' }).check();
    await page.getByTestId('import-file').setInputFiles(lsFile);
    await page.getByTestId('import-result').getByText('1 item imported').waitFor();
    await screenshot(page, 'desktop-en-project-import-labelstudio');
    expect((await apiJson(ctx, 'GET', `/api/projects/${projectId}/stats`)).items).toBe(6);
    // The zip's images show as thumbnails in the items table.
    await page.getByRole('tab', { name: 'Items' }).click();
    await page.getByTestId('items-list').locator('img').first().waitFor();
    await expect.poll(() => page.getByTestId('items-list').locator('img').evaluateAll((els) => els.filter((e) => (e as unknown as { naturalWidth: number }).naturalWidth > 0).length), { timeout: 15_000 }).toBe(2);
    await screenshot(page, 'desktop-en-project-items');
    await apiJson(ctx, 'POST', `/api/projects/${projectId}/publish`);

    // The requester opens the form while no work exists yet…
    await page.goto(`/projects/${projectId}/form`);
    const option = page.getByLabel('Option 1', { exact: true });
    await option.waitFor();
    expect(await option.isDisabled()).toBe(false);

    // …a worker submits an answer…
    const worker = await newContext(browser, { baseURL: server.url, locale: 'en-US' });
    const ws = await worker.request.post('/api/auth/signup', { data: { email: uniqueEmail('worker'), password: PASSWORD, displayName: 'Jun', role: 'worker' }, headers: { origin: server.url } });
    expect(ws.status()).toBe(201);
    const next = await worker.request.post(`/api/work/projects/${projectId}/next`, { headers: { origin: server.url } });
    expect(next.status()).toBe(200);
    const { assignment } = await next.json();
    const submit = await worker.request.post(`/api/work/assignments/${assignment.id}/submit`, { data: { result: { label: 'cat', clarity: 3 } }, headers: { origin: server.url } });
    expect(submit.status()).toBe(200);
    await worker.close();

    // …and the requester's save of a changed form is refused, and said so.
    await option.fill('kitten');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Not saved: the form is locked').waitFor();
    // The stats now count the answer, so the editor locks the questions at once.
    await page.getByText('The form is locked', { exact: true }).waitFor();
    await expect.poll(() => page.getByLabel('Option 1', { exact: true }).isDisabled(), { timeout: 15_000 }).toBe(true);
    await screenshot(page, 'desktop-en-form-locked-409', false);
    // Reloaded, the editor shows the lock up front and keeps the questions read-only.
    await page.reload();
    await page.getByText('The form is locked', { exact: true }).waitFor();
    expect(await page.getByLabel('Option 1', { exact: true }).isDisabled()).toBe(true);
    expect((await apiJson(ctx, 'GET', `/api/projects/${projectId}`)).project.template.controls[0].options[0]).toBe('cat');

    await ctx.close();
  });
});
