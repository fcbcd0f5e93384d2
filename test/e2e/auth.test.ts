import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, field, launchBrowser, navLinks, newContext, PHONE, screenshot, uniqueEmail } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// Sign-up, log-out, log-in and language switching in a real chromium against a real server
// (embedded PGlite, or a fresh PostgreSQL database when DATABASE_URL is set).

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const PASSWORD = 'nuri-haneul-2026';

async function openUserMenu(page: Page) {
  await page.getByRole('button', { name: /계정 메뉴|Account menu/ }).click();
}

async function switchLanguage(page: Page, to: '한국어' | 'English') {
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  await page.getByRole('menuitem', { name: to }).click();
}

describe('accounts in the browser', () => {
  it('a worker signs up, sees their name, logs out, logs in, and switches language (Korean browser, desktop)', async () => {
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ctx.newPage();
    const email = uniqueEmail('minji');

    // The landing page speaks Korean to a Korean browser and leads to sign-up.
    await page.goto('/');
    await page.getByRole('heading', { name: '좋은 AI는 정성껏 라벨링한 데이터에서 시작됩니다' }).waitFor();
    await screenshot(page, 'desktop-ko-landing');
    await page.getByRole('link', { name: '작업자로 시작하기' }).first().click();
    await page.waitForURL('**/signup?role=worker');
    expect(await page.getByRole('radio', { name: /작업자/ }).isChecked()).toBe(true);

    // A weak password is refused with the server's reason, in Korean, under the field.
    await field(page, '이메일').fill(email);
    await field(page, '비밀번호').fill('short1');
    await field(page, '표시 이름').fill('김민지');
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.getByText('비밀번호는 10자 이상이어야 합니다.').waitFor();
    await screenshot(page, 'desktop-ko-signup-weak-password');

    await field(page, '비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.waitForURL('**/home');
    await page.getByRole('heading', { name: '김민지님, 안녕하세요' }).waitFor();

    // A worker's navigation: work, wallet, stats — nothing of reviewers, requesters or operators.
    const links = await navLinks(page);
    expect(links).toEqual(expect.arrayContaining(['홈', '작업 찾기', '내 지갑', '내 실적', 'API 토큰']));
    for (const other of ['검수', '프로젝트', '결제', '사용자', '정산', '부정 탐지']) expect(links).not.toContain(other);
    await screenshot(page, 'desktop-ko-home-worker');

    // Log out: back to the log-in page, and /home is closed.
    await openUserMenu(page);
    await page.getByRole('menuitem', { name: '로그아웃' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: '두레 로그인' }).waitFor();
    await page.goto('/home');
    await page.waitForURL('**/login');

    // A wrong password is refused without saying which part was wrong.
    await field(page, '이메일').fill(email);
    await field(page, '비밀번호').fill('not-the-password-1');
    await page.getByRole('button', { name: '로그인', exact: true }).click();
    await page.getByText('이메일 또는 비밀번호가 올바르지 않습니다.').waitFor();

    // Log in again: back where we were sent from, name shown.
    await field(page, '비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '로그인', exact: true }).click();
    await page.waitForURL('**/home');
    await page.getByRole('heading', { name: '김민지님, 안녕하세요' }).waitFor();
    expect(await page.getByTestId('user-menu').innerText()).toContain('김민지');

    // Switch to English; the choice survives a reload; switch back.
    await switchLanguage(page, 'English');
    await page.getByRole('heading', { name: 'Hello, 김민지' }).waitFor();
    expect(await navLinks(page)).toEqual(expect.arrayContaining(['Home', 'Find work', 'Wallet', 'My stats']));
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { name: 'Hello, 김민지' }).waitFor();
    await screenshot(page, 'desktop-en-home-worker');

    await switchLanguage(page, '한국어');
    await page.getByRole('heading', { name: '김민지님, 안녕하세요' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '김민지님, 안녕하세요' }).waitFor();
    expect(await navLinks(page)).toContain('작업 찾기');

    // A worker who opens a requester page is told why it is not theirs.
    await page.goto('/projects');
    await page.getByRole('heading', { name: '이 역할로는 볼 수 없는 페이지입니다' }).waitFor();

    await ctx.close();
  });

  it('an English browser gets English; a requester signs up with an organisation and sees Projects', async () => {
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'en-US', viewport: DESKTOP });
    const page = await ctx.newPage();
    const email = uniqueEmail('lab');

    await page.goto('/');
    await page.getByRole('heading', { name: 'Good AI starts with carefully labeled data' }).waitFor();
    await screenshot(page, 'desktop-en-landing');
    await page.getByRole('link', { name: 'Start a data project' }).first().click();
    await page.waitForURL('**/signup?role=requester');
    expect(await page.getByRole('radio', { name: /Request/ }).isChecked()).toBe(true);

    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await field(page, 'Display name').fill('Haneul Park');
    await field(page, 'Organisation name (optional)').fill('Seoul Vision Lab');
    await screenshot(page, 'desktop-en-signup-requester');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/home');
    await page.getByRole('heading', { name: 'Hello, Haneul Park' }).waitFor();

    const links = await navLinks(page);
    expect(links).toEqual(expect.arrayContaining(['Home', 'Projects', 'Billing', 'API tokens']));
    for (const other of ['Find work', 'Wallet', 'My stats', 'Review', 'Users']) expect(links).not.toContain(other);
    await screenshot(page, 'desktop-en-home-requester');

    await page.locator('nav').getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();

    // The same email cannot sign up twice: the form says so (409).
    const other = await newContext(browser, { baseURL: server.url, locale: 'en-US' });
    const p2 = await other.newPage();
    await p2.goto('/signup');
    await field(p2, 'Email').fill(email);
    await field(p2, 'Password').fill(PASSWORD);
    await field(p2, 'Display name').fill('Someone else');
    await p2.getByRole('button', { name: 'Create account' }).click();
    await p2.getByText('An account with this email already exists. Log in instead?').waitFor();
    await other.close();

    await ctx.close();
  });

  it('at phone width the navigation folds into a burger (Korean and English screenshots)', async () => {
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: PHONE });
    const page = await ctx.newPage();

    await page.goto('/');
    await page.getByRole('heading', { name: '좋은 AI는 정성껏 라벨링한 데이터에서 시작됩니다' }).waitFor();
    await screenshot(page, 'phone-ko-landing');

    await page.goto('/signup');
    await page.getByRole('heading', { name: '두레 계정 만들기' }).waitFor();
    await screenshot(page, 'phone-ko-signup');
    await field(page, '이메일').fill(uniqueEmail('jiho'));
    await field(page, '비밀번호').fill(PASSWORD);
    await field(page, '표시 이름').fill('이지호');
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.getByRole('heading', { name: '이지호님, 안녕하세요' }).waitFor();

    // The navbar is off screen until the burger opens it; a tap on an entry closes it again.
    const findWork = page.locator('nav').getByRole('link', { name: '작업 찾기' });
    await findWork.waitFor({ state: 'attached' });
    await waitNavOnScreen(page, false);
    await screenshot(page, 'phone-ko-home', false);
    await page.getByRole('button', { name: '메뉴 열기/닫기' }).click();
    await waitNavOnScreen(page, true);
    await screenshot(page, 'phone-ko-nav-open', false);
    await findWork.click();
    await page.getByRole('heading', { name: '작업 찾기' }).waitFor();
    await waitNavOnScreen(page, false);

    await switchLanguage(page, 'English');
    await page.getByRole('heading', { name: 'Find work' }).waitFor();
    await page.goto('/home');
    await page.getByRole('heading', { name: 'Hello, 이지호' }).waitFor();
    await screenshot(page, 'phone-en-home');

    await ctx.close();
  });
});

/** Waits until the navbar has slid fully onto (or off) the screen. */
async function waitNavOnScreen(page: Page, on: boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const box = await page.locator('nav').first().boundingBox();
    const left = box?.x ?? -1;
    if (on ? left >= 0 : left + (box?.width ?? 0) <= 0) return;
    if (Date.now() > deadline) throw new Error(`the navbar did not slide ${on ? 'in' : 'out'} (left edge at ${left})`);
    await page.waitForTimeout(50);
  }
}
