import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, newContext, PHONE, screenshot } from './helpers/browser.ts';
import { Api, E2E_PASSWORD } from './helpers/api.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// Money end to end in a real chromium, with the app as wired in production (claims reserve from
// the budget, submits pay into pending, reviews approve):
//  - a requester funds a project on the Billing page and sees balance, committed and spent move;
//  - a worker labels over the API; an unfunded project hands out nothing;
//  - after review, the worker's wallet shows available and pending, saves a bank account and
//    requests a payout with the 3.3% withholding shown;
//  - the operator approves the payouts as a batch, downloads the bank CSV, marks it paid and reads
//    a balanced reconciliation report.
// Every figure on screen is checked against what the API says and against hand arithmetic.

let server: TestServer;
let browser: Browser;
const ADMIN = { email: 'operator@money.e2e.dure.test', password: 'operator-pass-2026' };
const PASSWORD = E2E_PASSWORD;
const PAY = 4_000; // won per answer; fee 10% → 4,400 a task
const REVIEW_PAY = 0;

beforeAll(async () => {
  server = await startServer({ env: { DURE_ADMIN_EMAIL: ADMIN.email, DURE_ADMIN_PASSWORD: ADMIN.password, DURE_AUTO_CONFIRM_DEPOSITS: 'true' } });
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

/** expect.poll with room for a refetch on a loaded machine (its default gives up after 1 s). */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

/** "₩12,345" or "12,345원" → 12345 */
const won = (s: string) => Number(s.replace(/[^0-9-]/g, ''));

/** The amount shown in a "label … value" row inside `scope`. */
async function rowValue(scope: ReturnType<Page['getByTestId']>, label: string): Promise<number> {
  const lines = (await scope.innerText()).split('\n').map((l) => l.trim()).filter(Boolean);
  const at = lines.findIndex((l) => l.startsWith(label));
  expect(at, `a row "${label}" in:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
  // The value is on the label's line or on the next non-empty one.
  const same = lines[at]!.slice(label.length);
  return won(/\d/.test(same) ? same : lines[at + 1]!);
}

describe('money in the browser', () => {
  it('a requester funds on Billing; a worker is paid after review, requests a payout; the operator pays the batch and the books balance', async () => {
    const requester = await Api.signup(server.url, 'requester', '김예산', { organisationName: '예산연구소' });
    const { project } = await requester.json('POST', '/api/projects', {
      name: '뉴스 제목 분류',
      instructions: '제목의 주제를 고르세요.',
      template: { display: [{ type: 'text', field: 'title' }], controls: [{ type: 'single_choice', name: 'topic', options: ['정치', '경제', '사회'] }] },
      settings: { payPerAnnotation: PAY, payPerReview: REVIEW_PAY, overlap: 1, goldRate: 0, reviewRate: 0, reviewFirstK: 5, dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 1 } },
    });
    const titles = ['국회 예산안 통과', '코스피 상승 마감', '지하철 파업 예고'];
    await requester.json('POST', `/api/projects/${project.id}/items`, titles.map((title) => ({ title })));
    await requester.json('POST', `/api/projects/${project.id}/publish`);

    // Unfunded: the worker gets nothing to do (a worker never does work that cannot be paid).
    const worker = await Api.signup(server.url, 'worker', '이작업');
    const empty = await worker.raw('POST', `/api/work/projects/${project.id}/next`);
    expect(empty.status).toBe(204);

    // ---- the requester funds the project on the Billing page ----------------------------------
    const rctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const rpage = await rctx.newPage();
    const errors: string[] = [];
    rpage.on('pageerror', (e) => errors.push(String(e)));
    await login(rpage, requester.email);
    await rpage.locator('nav').getByRole('link', { name: '결제' }).click();
    const card = rpage.getByTestId('project-budget').filter({ hasText: '뉴스 제목 분류' });
    await card.waitFor();
    // The empty claim paused the project and said why.
    await card.getByText('일시 중지').first().waitFor();
    await poll(async () => card.innerText()).toContain('작업당 ₩4,400');
    await card.getByLabel('충전 금액').fill('20000');
    await card.getByRole('button', { name: '예산 충전' }).click();
    await poll(async () => rowValue(card, '총 충전액')).toBe(20_000);
    expect(await rowValue(card, '남은 예산')).toBe(20_000);
    expect(await rowValue(card, '예산으로 가능한 작업 수')).toBe(4); // 20,000 / 4,400
    await screenshot(rpage, 'desktop-ko-billing-funded');

    // Funding resumed the project the budget had paused.
    expect((await requester.json('GET', `/api/projects/${project.id}`)).project.status).toBe('active');

    // ---- the worker labels all three (over the API) --------------------------------------------
    const annotationIds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { assignment } = await worker.json('POST', `/api/work/projects/${project.id}/next`);
      const { annotation } = await worker.json('POST', `/api/work/assignments/${assignment.id}/submit`, { result: { topic: '경제' } });
      annotationIds.push(annotation.id);
    }
    const budget1 = (await requester.json('GET', `/api/projects/${project.id}/budget`)).budget;
    expect(budget1).toMatchObject({ balance: 20_000 - 3 * 4_400, committed: 3 * 4_400, spent: 0 });
    await rpage.reload();
    await card.waitFor();
    await poll(async () => rowValue(card, '남은 예산')).toBe(6_800);
    expect(await rowValue(card, '진행 중 (작업 중·승인 대기)')).toBe(13_200);

    // ---- the operator approves two answers and sends the third back as a final rejection -------
    const admin = await Api.login(server.url, ADMIN);
    const verdicts = new Map<number, 'approve' | 'reject'>();
    for (let i = 0; i < 3; i++) {
      const { review } = await admin.json('POST', `/api/review/projects/${project.id}/next`);
      const verdict = verdicts.size < 2 ? 'approve' : 'reject';
      verdicts.set(review.annotationId, verdict);
      await admin.json('POST', `/api/review/annotations/${review.annotationId}`, { verdict, comment: verdict === 'reject' ? '주제가 틀렸습니다' : null });
    }
    expect(new Set(verdicts.keys())).toEqual(new Set(annotationIds));
    // The rejected one comes back to the worker as rework; declining it is the final rejection.
    const rework = await worker.json('POST', `/api/work/projects/${project.id}/next`);
    expect(rework.assignment.kind).toBe('rework');
    await worker.json('POST', `/api/work/assignments/${rework.assignment.id}/skip`);

    // Two answers approved: 8,000 available; the rejected task's 4,400 went back to the budget.
    const wallet = await worker.json('GET', '/api/wallet');
    expect(wallet).toMatchObject({ balance: 2 * PAY, pending: 0 });
    const budget2 = (await requester.json('GET', `/api/projects/${project.id}/budget`)).budget;
    expect(budget2).toMatchObject({ balance: 6_800 + 4_400, committed: 0, spent: 2 * 4_400, fees: 2 * 400 });

    // ---- the worker's wallet ------------------------------------------------------------------
    const wctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: PHONE });
    const wpage = await wctx.newPage();
    wpage.on('pageerror', (e) => errors.push(String(e)));
    await login(wpage, worker.email);
    await wpage.goto('/wallet');
    await wpage.getByRole('heading', { name: '내 지갑' }).waitFor();
    await poll(async () => won(await wpage.getByTestId('wallet-available').innerText())).toBe(8_000);
    expect(won(await wpage.getByTestId('wallet-pending').innerText())).toBe(0);
    // History: submits and approvals, newest first.
    await wpage.getByText('작업 승인').first().waitFor();
    // A bank account first, then the payout of everything available.
    await wpage.getByLabel(/^은행/).fill('국민은행');
    await wpage.getByLabel(/^계좌번호/).fill('123456-01-234567');
    await wpage.getByLabel(/^예금주/).fill('이작업');
    await wpage.getByRole('button', { name: '계좌 저장' }).click();
    await wpage.getByText('출금 계좌를 저장했습니다.').waitFor();
    const amount = wpage.getByLabel(/^신청 금액/);
    await amount.fill('8000');
    // Below the minimum payout (10,000 by default): the button stays disabled.
    await poll(async () => wpage.getByRole('button', { name: '출금 신청하기' }).isDisabled()).toBe(true);
    await screenshot(wpage, 'phone-ko-wallet-below-minimum');

    // A bonus from the requester lifts the worker over the minimum.
    await requester.json('POST', `/api/projects/${project.id}/bonuses`, { workerId: worker.user.id, amount: 3_000, reason: '꼼꼼한 작업 감사합니다' });
    await wpage.reload();
    await poll(async () => won(await wpage.getByTestId('wallet-available').innerText())).toBe(11_000);
    await wpage.getByText('꼼꼼한 작업 감사합니다').first().waitFor();
    await wpage.getByLabel(/^신청 금액/).fill('11000');
    const preview = wpage.getByTestId('payout-preview');
    // 3.3% of 11,000 = 363, truncated down to the 10 won: 360; net 10,640.
    await poll(async () => preview.innerText()).toContain('10,640');
    expect(await preview.innerText()).toContain('360');
    await wpage.getByRole('button', { name: '출금 신청하기' }).click();
    await wpage.getByTestId('my-payouts').getByText('신청됨').waitFor();
    await poll(async () => won(await wpage.getByTestId('wallet-available').innerText())).toBe(0);
    await screenshot(wpage, 'phone-ko-wallet-requested');

    // ---- the operator's money desk -------------------------------------------------------------
    const actx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const apage = await actx.newPage();
    apage.on('pageerror', (e) => errors.push(String(e)));
    await login(apage, ADMIN.email, ADMIN.password);
    await apage.locator('nav').getByRole('link', { name: '정산' }).click();
    const requested = apage.getByTestId('requested-payouts');
    await requested.getByText('이작업').first().waitFor();
    expect(await requested.innerText()).toContain('10,640');
    await apage.getByRole('button', { name: '전체를 한 묶음으로 승인' }).click();
    await apage.getByText('대기 중인 출금 신청이 없습니다.').waitFor();

    await apage.getByRole('tab', { name: '지급 묶음' }).click();
    const batches = apage.getByTestId('payout-batches');
    await batches.waitFor();
    const [download] = await Promise.all([apage.waitForEvent('download'), batches.getByRole('link', { name: 'CSV' }).first().click()]);
    const csvText = fs.readFileSync(await download.path(), 'utf8');
    // One row for the bank: the account as digits, the net amount to transfer, gross and tax beside it.
    const rows = parse(csvText, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ bank: '국민은행', account_number: '12345601234567', holder: '이작업', amount: '10640', gross: '11000', withholding: '360' });
    await batches.getByRole('button', { name: '지급 완료 표시' }).click();
    await apage.getByText('지급 완료로 표시했습니다.').first().waitFor();
    await batches.getByText('지급 완료').first().waitFor();

    await apage.getByRole('tab', { name: '정산 대사' }).click();
    const rec = apage.getByTestId('reconciliation');
    await rec.waitFor();
    expect(await rec.innerText()).toContain('장부가 맞습니다');
    await screenshot(apage, 'desktop-ko-admin-books');

    // The same books over the API: balanced, fees = 10% of the two approved tasks and the bonus.
    const books = await admin.json('GET', '/api/admin/reconciliation');
    expect(books.balanced).toBe(true);
    expect(books.violations).toEqual([]);
    expect(books.feeRevenue).toBe(2 * 400 + 300);

    // The worker sees the payout as paid.
    await wpage.reload();
    await wpage.getByTestId('my-payouts').getByText('지급 완료').waitFor();
    expect(errors).toEqual([]);
    await rctx.close();
    await wctx.close();
    await actx.close();
  });
});
