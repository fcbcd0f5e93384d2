import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './helpers/api.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// Truth inference in the real `dure serve` process: the inferrer runs in a worker thread that
// loads its TypeScript itself (infer-worker.mjs), which no in-process test can show. API only.

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { DURE_TRUST_PROXY: 'true' } });
});

afterAll(async () => {
  await server?.stop();
});

const SETTINGS = { payPerAnnotation: 0, payPerReview: 0, goldRate: 0, overlap: 3, reviewFirstK: 0, reviewRate: 0 };
const TEMPLATE = { display: [{ type: 'text', field: 'text' }], controls: [{ type: 'single_choice', name: 'label', label: '분류', options: ['스팸', '정상'] }] };

describe('inference in the served app', () => {
  it('three workers answer; the background job infers a label and a confidence for every item', async () => {
    const requester = await Api.signup(server.url, 'requester', '추론 의뢰자');
    const { project } = await requester.json('POST', '/api/projects', { name: '스팸 추론', template: TEMPLATE, settings: SETTINGS });
    await requester.json('POST', `/api/projects/${project.id}/items`, [{ text: '당첨! 링크를 누르세요' }, { text: '회의는 3시입니다' }]);
    await requester.json('POST', `/api/projects/${project.id}/publish`);
    for (const [k, name] of ['가', '나', '다'].entries()) {
      // one address per worker, as three people would have
      const w = await Api.signup(server.url, 'worker', `작업자${name}`, {});
      const ip = { 'x-forwarded-for': `203.0.113.${10 + k}` };
      for (;;) {
        const r = await w.raw('POST', `/api/work/projects/${project.id}/next`, undefined, ip);
        if (r.status === 204) break;
        const { assignment } = (await r.json()) as { assignment: { id: number; item: { data: { text: string } } } };
        const label = assignment.item.data.text.includes('당첨') ? '스팸' : k === 2 ? '스팸' : '정상';
        await w.json('POST', `/api/work/assignments/${assignment.id}/submit`, { result: { label } }, ip);
      }
    }
    expect((await requester.raw('POST', `/api/projects/${project.id}/inference`)).status).toBe(202);
    let status: { pending: boolean; computedAt: string | null; inferredItems: number; method: string } | null = null;
    for (let i = 0; i < 100; i++) {
      status = await requester.json('GET', `/api/projects/${project.id}/inference`);
      if (!status!.pending && status!.computedAt) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status, server.output()).toMatchObject({ pending: false, inferredItems: 2, method: expect.any(String) });
    expect(status!.computedAt).not.toBeNull();
    const stats = await requester.json('GET', `/api/projects/${project.id}/stats`);
    expect(stats.meanConfidence).toBeGreaterThan(0.5);
    expect(server.output()).not.toMatch(/inference (run )?failed/);
  });
});
