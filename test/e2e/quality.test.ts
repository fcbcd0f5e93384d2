import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, newContext, PHONE, screenshot } from './helpers/browser.ts';
import { Api, E2E_PASSWORD } from './helpers/api.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// A worker's "My stats" page (level, accuracy, progress, standing per project) and the
// operator's flags page (evidence, dismiss, pause) in a real chromium. The server trusts
// X-Forwarded-For here so two accounts can be made to work from one address.

let server: TestServer;
let browser: Browser;
const ADMIN = { email: 'operator@quality.e2e.dure.test', password: 'operator-pass-2026' };
const PASSWORD = E2E_PASSWORD;

beforeAll(async () => {
  server = await startServer({ env: { DURE_ADMIN_EMAIL: ADMIN.email, DURE_ADMIN_PASSWORD: ADMIN.password, DURE_TRUST_PROXY: 'true' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel(/^이메일( \*)?$/).fill(email);
  await page.getByLabel(/^비밀번호( \*)?$/).fill(password);
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await page.waitForURL('**/home');
}

const SETTINGS = { payPerAnnotation: 0, payPerReview: 0, goldRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 }, reviewFirstK: 1, reviewRate: 0 };
const TEMPLATE = { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', label: '분류', options: ['스팸', '정상'] }] };

describe('quality pages', () => {
  it('a worker sees their level, accuracy and progress; an operator decides flags with the evidence in view', async () => {
    const requester = await Api.signup(server.url, 'requester', '이의뢰');
    const { project } = await requester.json('POST', '/api/projects', { name: '문자 스팸 분류', template: TEMPLATE, settings: SETTINGS });
    await requester.json('POST', `/api/projects/${project.id}/items`, [{ text: '당첨되셨습니다! 링크를 누르세요' }, { text: '내일 회의 3시입니다' }, { text: '택배가 도착했습니다' }]);
    await requester.json('POST', `/api/projects/${project.id}/publish`);

    // two accounts working from one address; the first one's answer is reviewed and approved
    const ADDRESS = { 'x-forwarded-for': '203.0.113.50' };
    const [w1, w2] = [await Api.signup(server.url, 'worker', '김하나'), await Api.signup(server.url, 'worker', '김둘')];
    const { assignment } = await w1.json('POST', `/api/work/projects/${project.id}/next`, undefined, ADDRESS);
    const { annotation } = await w1.json('POST', `/api/work/assignments/${assignment.id}/submit`, { result: { label: '스팸' } });
    await w2.json('POST', `/api/work/projects/${project.id}/next`, undefined, ADDRESS);
    const reviewer = await Api.signup(server.url, 'worker', '한검수');
    const admin = await Api.login(server.url, ADMIN);
    await admin.json('POST', `/api/admin/users/${reviewer.user.id}/role`, { role: 'reviewer' });
    await reviewer.json('POST', `/api/review/annotations/${annotation.id}`, { verdict: 'approve' });

    // My stats
    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ctx.newPage();
    await login(page, w1.email);
    await page.locator('nav').getByRole('link', { name: '내 실적' }).click();
    await page.getByTestId('my-stats').waitFor();
    expect(await page.getByTestId('level-card').innerText()).toContain('1');
    expect(await page.getByTestId('accuracy').innerText()).toBe('100%');
    expect(await page.getByTestId('level-progress').innerText()).toContain('레벨 2까지 진행률');
    expect(await page.getByTestId('project-figures').innerText()).toContain('문자 스팸 분류');
    await screenshot(page, 'desktop-ko-my-stats', false);
    await ctx.close();

    // The operator's flags: one per account, with the address and the count as evidence
    const opCtx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const op = await opCtx.newPage();
    await login(op, ADMIN.email, ADMIN.password);
    await op.locator('nav').getByRole('link', { name: '부정 탐지' }).click();
    const flags = op.getByTestId('flag');
    await flags.first().waitFor();
    expect(await flags.count()).toBe(2);
    const first = flags.filter({ hasText: '김하나' });
    expect(await first.innerText()).toContain('한 주소에서 여러 계정');
    expect(await first.innerText()).toContain('address: 203.0.113.50');
    expect(await first.innerText()).toContain('accounts: 2');
    await screenshot(op, 'desktop-ko-flags', false);
    await first.getByRole('button', { name: '기각' }).click();
    await flags.filter({ hasText: '김하나' }).waitFor({ state: 'detached' });
    const second = flags.filter({ hasText: '김둘' });
    await second.getByLabel('작업자에게 남길 메모 (선택)').fill('한 사람이 두 계정을 쓰는 것으로 보입니다.');
    await second.getByRole('button', { name: '일시 중지' }).click();
    await op.getByText('해당하는 신고가 없습니다.').waitFor();
    await opCtx.close();

    const me2 = (await w2.json('GET', '/api/me')).user;
    expect(me2).toMatchObject({ status: 'paused', statusReason: expect.stringContaining('한 사람이 두 계정을 쓰는 것으로 보입니다.') });
    expect((await w1.json('GET', '/api/me')).user.status).toBe('active');

    // the paused worker sees why on their stats page (phone)
    const phoneCtx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: PHONE });
    const phone = await phoneCtx.newPage();
    await login(phone, w2.email);
    await phone.goto('/stats');
    await phone.getByText('계정이 일시 중지되었습니다').waitFor();
    expect(await phone.getByTestId('my-stats').innerText()).toContain('한 사람이 두 계정을 쓰는 것으로 보입니다.');
    await screenshot(phone, 'phone-ko-my-stats-paused', false);
    await phoneCtx.close();
  });
});
