import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, field, launchBrowser, navLinks, newContext, PHONE, screenshot, uniqueEmail } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// API tokens (created once, copied, used, revoked) and the operator's Users page (a worker
// raised to reviewer sees the Review entry), in a real chromium against a real server.

const ADMIN = { email: 'ops@e2e.dure.test', password: 'operator-pass-2026' };
const PASSWORD = 'gaon-bitnara-77';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ env: { DURE_ADMIN_EMAIL: ADMIN.email, DURE_ADMIN_PASSWORD: ADMIN.password } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A signed-in browser profile for a new worker, created through the API (the UI path is auth.test.ts's). */
async function workerContext(displayName: string, email = uniqueEmail('worker')): Promise<BrowserContext> {
  const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
  const r = await ctx.request.post('/api/auth/signup', { data: { email, password: PASSWORD, displayName, role: 'worker' } });
  expect(r.status()).toBe(201);
  return ctx;
}

const me = (token: string) => fetch(`${server.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } });

describe('account pages', () => {
  it('an API token is shown once, copied, works as a Bearer token, and stops working when revoked', async () => {
    const ctx = await workerContext('정하늘');
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await ctx.newPage();

    await page.goto('/settings/tokens');
    await page.getByText('아직 API 토큰이 없습니다.').waitFor();
    await field(page, '토큰 이름').fill('학습 파이프라인');
    await page.getByRole('button', { name: '토큰 만들기' }).click();

    const shown = field(page, '토큰 — 학습 파이프라인');
    await shown.waitFor();
    const token = await shown.inputValue();
    expect(token).toMatch(/^dure_/);
    await page.getByRole('button', { name: '복사' }).click();
    await page.getByRole('button', { name: '복사됨' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);

    const ok = await me(token);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { displayName: string } }).user.displayName).toBe('정하늘');

    await page.getByRole('cell', { name: '사용 중' }).waitFor();
    await screenshot(page, 'desktop-ko-tokens');

    await page.getByRole('button', { name: '학습 파이프라인 폐기' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '폐기', exact: true }).click();
    await page.getByRole('cell', { name: '폐기됨' }).waitFor();
    expect((await me(token)).status).toBe(401);
    await page.setViewportSize(PHONE);
    await page.getByText('폐기됨').waitFor();
    await screenshot(page, 'phone-ko-tokens');

    await ctx.close();
  });

  it('the operator finds a worker on the Users page and raises them to reviewer, who then sees Review', async () => {
    const workerEmail = uniqueEmail('seoyeon');
    const worker = await workerContext('박서연', workerEmail);
    const workerPage = await worker.newPage();
    await workerPage.goto('/home');
    await workerPage.getByRole('heading', { name: '박서연님, 안녕하세요' }).waitFor();
    expect(await navLinks(workerPage)).not.toContain('검수');

    const ops = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ops.newPage();
    await page.goto('/login');
    await field(page, '이메일').fill(ADMIN.email);
    await field(page, '비밀번호').fill(ADMIN.password);
    await page.getByRole('button', { name: '로그인', exact: true }).click();
    await page.waitForURL('**/home');
    await page.getByRole('heading', { name: 'Operator님, 안녕하세요' }).waitFor();

    const links = await navLinks(page);
    expect(links).toEqual(expect.arrayContaining(['사용자', '정산', '부정 탐지']));
    expect(links).not.toContain('작업 찾기');

    await page.locator('nav').getByRole('link', { name: '사용자' }).click();
    await page.getByRole('heading', { name: '사용자' }).waitFor();
    await field(page, '이름 또는 이메일로 검색').fill('박서연');
    const role = page.getByLabel('박서연의 역할');
    await role.waitFor();
    // The search narrowed the list to the one match.
    await page.waitForFunction("document.querySelectorAll('tbody tr').length === 1");
    await role.selectOption('reviewer');
    await page.getByText('박서연님의 역할을 검수자(으)로 바꿨습니다.').waitFor();
    expect(await role.inputValue()).toBe('reviewer');
    await field(page, '이름 또는 이메일로 검색').fill('');
    await page.getByLabel('박서연의 역할').waitFor();
    await screenshot(page, 'desktop-ko-admin-users');

    await page.setViewportSize(PHONE);
    await screenshot(page, 'phone-ko-admin-users', false);

    await workerPage.reload();
    await workerPage.locator('nav').getByRole('link', { name: '검수' }).waitFor();
    expect(await navLinks(workerPage)).toEqual(expect.arrayContaining(['작업 찾기', '검수', '내 지갑', '내 실적']));

    await ops.close();
    await worker.close();
  });
});
