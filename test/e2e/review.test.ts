import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, newContext, PHONE, screenshot } from './helpers/browser.ts';
import { Api, E2E_PASSWORD } from './helpers/api.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// A reviewer reviews in a real chromium with the keyboard: the answer is drawn as the labeler
// saw it (the chosen option, the tagged span); `r` + `1` + Ctrl+Enter sends it back with a
// ready-made reason, `a` approves; the worker's rework comes back showing the previous answer
// and the reason, and is approved. The stored outcome is read back over the API. Then the same
// screen on a phone, in English.

let server: TestServer;
let browser: Browser;
const ADMIN = { email: 'operator@review.e2e.dure.test', password: 'operator-pass-2026' };
const PASSWORD = E2E_PASSWORD;

beforeAll(async () => {
  server = await startServer({ env: { DURE_ADMIN_EMAIL: ADMIN.email, DURE_ADMIN_PASSWORD: ADMIN.password } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const TEMPLATE = {
  display: [{ type: 'text', field: 'sentence', label: '문장' }],
  controls: [
    { type: 'single_choice', name: 'sentiment', label: '감정', options: ['긍정', '부정', '중립'] },
    { type: 'span', name: 'names', label: '개체명', labels: ['인물', '장소'], textField: 'sentence' },
  ],
};
const SENTENCES = ['세종대왕은 한글을 만들었다.', '부산 바다는 언제나 시원하다.'];

async function login(page: Page, email: string, labels: { email: string; password: string; button: string }) {
  await page.goto('/login');
  await page.getByLabel(new RegExp(`^${labels.email}( \\*)?$`)).fill(email);
  await page.getByLabel(new RegExp(`^${labels.password}( \\*)?$`)).fill(PASSWORD);
  await page.getByRole('button', { name: labels.button, exact: true }).click();
  await page.waitForURL('**/home');
}

/** Waits until the review screen shows an annotation other than `notId`; returns its id. */
async function waitForReview(page: Page, notId?: string | null): Promise<string> {
  const screen = page.getByTestId('review-page');
  await page.waitForFunction(
    (prev) => {
      const el = (globalThis as any).document.querySelector('[data-testid="review-page"]');
      return el?.getAttribute('data-phase') === 'ready' && el.getAttribute('data-annotation-id') !== prev;
    },
    notId ?? null,
  );
  return (await screen.getAttribute('data-annotation-id'))!;
}

describe('review screen', () => {
  it('a reviewer sends an answer back with a ready-made reason and approves others, keyboard only', async () => {
    const requester = await Api.signup(server.url, 'requester', '이의뢰');
    const { project } = await requester.json('POST', '/api/projects', {
      name: '문장 감정과 개체명',
      instructions: '## 검수 안내\n\n감정과 **인물/장소** 표시를 확인하세요.',
      template: TEMPLATE,
      settings: { payPerAnnotation: 0, payPerReview: 0, goldRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 }, reviewFirstK: 5, reviewRate: 0, maxReworks: 2 },
    });
    await requester.json('POST', `/api/projects/${project.id}/items`, SENTENCES.map((sentence) => ({ sentence })));
    await requester.json('POST', `/api/projects/${project.id}/publish`);

    // The worker answers both over the API: the first one wrongly.
    const worker = await Api.signup(server.url, 'worker', '정다은');
    const answers = new Map<string, { assignmentId: number; annotationId: number }>();
    for (let i = 0; i < 2; i++) {
      const { assignment } = await worker.json('POST', `/api/work/projects/${project.id}/next`);
      const sentence: string = assignment.item.data.sentence;
      const result = sentence.startsWith('세종')
        ? { sentiment: '부정', names: [{ start: 0, end: 4, label: '장소' }] }
        : { sentiment: '긍정', names: [{ start: 0, end: 2, label: '장소' }] };
      const { annotation } = await worker.json('POST', `/api/work/assignments/${assignment.id}/submit`, { result });
      expect(annotation.status).toBe('pending_review');
      answers.set(sentence, { assignmentId: assignment.id, annotationId: annotation.id });
    }

    const reviewer = await Api.signup(server.url, 'worker', '한검수');
    const admin = await Api.login(server.url, ADMIN);
    await admin.json('POST', `/api/admin/users/${reviewer.user.id}/role`, { role: 'reviewer' });

    const ctx = await newContext(browser, { baseURL: server.url, locale: 'ko-KR', viewport: DESKTOP });
    const page = await ctx.newPage();
    await login(page, reviewer.email, { email: '이메일', password: '비밀번호', button: '로그인' });
    await page.locator('nav').getByRole('link', { name: '검수' }).click();
    await page.getByRole('heading', { name: '검수', level: 1 }).waitFor();
    const card = page.getByTestId('review-project').filter({ hasText: '문장 감정과 개체명' });
    expect(await card.innerText()).toContain('2건 대기');
    await screenshot(page, 'desktop-ko-review-list', false);
    await card.getByRole('link', { name: '검수 시작' }).click();

    // Reviews come oldest first: the wrong answer is shown exactly as it was given.
    let shownId = await waitForReview(page);
    const wrong = [...answers.entries()].find(([, v]) => String(v.annotationId) === shownId)!;
    const answer = page.getByTestId('review-answer');
    await answer.getByText(wrong[0].slice(0, 4)).first().waitFor();
    const checked = wrong[0].startsWith('세종') ? '부정' : '긍정';
    expect(await answer.getByRole('radio', { name: checked }).getAttribute('aria-checked')).toBe('true');
    expect(await answer.getByRole('radio', { name: '중립' }).getAttribute('aria-checked')).toBe('false');
    // the tagged span is drawn over the text at its offsets
    expect(await answer.locator('[data-s="0"]').first().innerText()).toBe(wrong[0].slice(0, wrong[0].startsWith('세종') ? 4 : 2));
    expect(await page.getByTestId('review-facts').innerText()).toMatch(/작업자 w_[0-9a-f]{16}/);
    await screenshot(page, 'desktop-ko-review', false);

    // the instructions are one key away
    await page.keyboard.press('?');
    const drawer = page.getByRole('dialog', { name: '작업 안내' });
    await drawer.getByRole('heading', { name: '검수 안내' }).waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // r: the reject panel; a rejection without a reason is not sent
    await page.keyboard.press('r');
    const panel = page.getByTestId('reject-panel');
    await panel.waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } }); // leave the comment field so the number keys pick reasons
    await page.keyboard.press('Control+Enter');
    await panel.getByText('사유를 쓰거나 고르세요').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('1');
    expect(await panel.getByRole('textbox', { name: '작업자에게 보낼 사유' }).inputValue()).toBe('라벨이 틀렸습니다.');
    await screenshot(page, 'desktop-ko-review-reject', false);
    await page.keyboard.press('Control+Enter');
    shownId = await waitForReview(page, shownId);

    // a: approve the other one; then nothing is left
    const right = [...answers.entries()].find(([, v]) => String(v.annotationId) === shownId)!;
    expect(right[0]).not.toBe(wrong[0]);
    await page.keyboard.press('a');
    await page.getByTestId('no-more-reviews').waitFor();
    expect(await page.getByTestId('reviewed-count').innerText()).toContain('2건');

    const hist = (await worker.json('GET', `/api/work/history?projectId=${project.id}`)).annotations as { id: number; status: string; rework: { comment: string } | null }[];
    expect(hist.find((h) => h.id === wrong[1].annotationId)).toMatchObject({ status: 'rework', rework: { comment: '라벨이 틀렸습니다.' } });
    expect(hist.find((h) => h.id === right[1].annotationId)).toMatchObject({ status: 'approved' });

    // The worker fixes it; the reviewer sees the fix beside the previous answer and the reason.
    const { assignment: rework } = await worker.json('POST', `/api/work/projects/${project.id}/next`);
    expect(rework).toMatchObject({ kind: 'rework', reworkComment: '라벨이 틀렸습니다.' });
    const fixed = wrong[0].startsWith('세종')
      ? { sentiment: '긍정', names: [{ start: 0, end: 4, label: '인물' }] }
      : { sentiment: '긍정', names: [{ start: 0, end: 2, label: '장소' }] };
    const { annotation: fix } = await worker.json('POST', `/api/work/assignments/${rework.id}/submit`, { result: fixed });
    await page.getByRole('button', { name: '다시 확인' }).click();
    shownId = await waitForReview(page, shownId);
    expect(shownId).toBe(String(fix.id));
    expect(await page.getByTestId('review-facts').innerText()).toContain('1번 반려됨');
    const previous = page.getByTestId('review-previous');
    await previous.getByRole('button', { name: '이전 답과 반려 사유' }).click();
    await previous.getByText('라벨이 틀렸습니다.').waitFor();
    await screenshot(page, 'desktop-ko-review-rework', false);
    await page.keyboard.press('a');
    await page.getByTestId('no-more-reviews').waitFor();
    const after = (await worker.json('GET', `/api/work/history?projectId=${project.id}`)).annotations as { id: number; status: string }[];
    expect(after.find((h) => h.id === fix.id)?.status).toBe('approved');
    await ctx.close();
  });

  it('works on a phone, in English, with buttons', async () => {
    const requester = await Api.signup(server.url, 'requester', 'Mina Requester');
    const { project } = await requester.json('POST', '/api/projects', {
      name: 'Sentence sentiment',
      template: { display: [{ type: 'text', field: 'sentence' }], controls: [{ type: 'single_choice', name: 'sentiment', label: 'Sentiment', options: ['positive', 'negative'] }] },
      settings: { payPerAnnotation: 0, payPerReview: 0, goldRate: 0, overlap: 1, dynamicOverlap: { minAnswers: 1 }, reviewFirstK: 5, reviewRate: 0, maxReworks: 0 },
    });
    await requester.json('POST', `/api/projects/${project.id}/items`, [{ sentence: 'What a lovely day.' }]);
    await requester.json('POST', `/api/projects/${project.id}/publish`);
    const worker = await Api.signup(server.url, 'worker', 'Jun Worker');
    const { assignment } = await worker.json('POST', `/api/work/projects/${project.id}/next`);
    const { annotation } = await worker.json('POST', `/api/work/assignments/${assignment.id}/submit`, { result: { sentiment: 'negative' } });
    const reviewer = await Api.signup(server.url, 'worker', 'Ara Reviewer');
    const admin = await Api.login(server.url, ADMIN);
    await admin.json('POST', `/api/admin/users/${reviewer.user.id}/role`, { role: 'reviewer' });

    const ctx = await newContext(browser, { baseURL: server.url, locale: 'en-US', viewport: PHONE });
    const page = await ctx.newPage();
    await login(page, reviewer.email, { email: 'Email', password: 'Password', button: 'Log in' });
    await page.goto(`/review/${project.id}`);
    await waitForReview(page);
    await page.getByText('What a lovely day.').waitFor();
    await screenshot(page, 'phone-en-review', false);
    await page.getByRole('button', { name: 'Send back', exact: true }).click();
    await page.getByTestId('reject-panel').getByRole('button', { name: /The label is wrong\./ }).click();
    // maxReworks 0: this rejection is final
    await page.getByRole('button', { name: 'Reject for good' }).click();
    await page.getByTestId('no-more-reviews').waitFor();
    const hist = (await worker.json('GET', `/api/work/history?projectId=${project.id}`)).annotations as { id: number; status: string }[];
    expect(hist.find((h) => h.id === annotation.id)?.status).toBe('rejected');
    await ctx.close();
  });
});
