import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signup, type TestApp, userWithRole } from '../../../../test/helpers/app.ts';
import { CHOICE_TEMPLATE, createProject, insertItems } from '../../../../test/helpers/factories.ts';

describe('projects over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t?.close());

  it('creates a draft project with defaults filled in', async () => {
    const r = await signup(t.app, 'requester');
    const res = await r.post('/api/projects', { name: '감정 분류', instructions: '# 안내', template: CHOICE_TEMPLATE, settings: { overlap: 5 } });
    expect(res.statusCode).toBe(201);
    const p = res.json().project;
    expect(p).toMatchObject({ status: 'draft', name: '감정 분류', orgId: r.user.orgId });
    expect(p.settings.overlap).toBe(5);
    expect(p.settings.leaseSeconds).toBe(600);
    expect((await r.get(`/api/projects/${p.id}`)).json().project.id).toBe(p.id);
    expect((await r.get('/api/projects')).json().projects.map((x: { id: string }) => x.id)).toContain(p.id);
  });

  it('reports every template and settings problem with its JSON path', async () => {
    const r = await signup(t.app, 'requester');
    const res = await r.post('/api/projects', {
      name: 'bad',
      template: { display: [], controls: [{ type: 'single_choice', name: 'label', options: [] }, { type: 'telepathy', name: 'x' }] },
      settings: { overlap: -1, payPerAnnotation: 2.5 },
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('/template/controls/0/options');
    expect(paths.some((p: string) => p.startsWith('/template/controls/1'))).toBe(true);
    expect(paths).toContain('/settings/overlap');
    expect(paths).toContain('/settings/payPerAnnotation');
  });

  it("hides another organisation's project behind 404 and refuses workers with 403", async () => {
    const a = await signup(t.app, 'requester');
    const b = await signup(t.app, 'requester');
    const w = await signup(t.app, 'worker');
    const p = await createProject(a);
    expect((await b.get(`/api/projects/${p.id}`)).statusCode).toBe(404);
    expect((await b.patch(`/api/projects/${p.id}`, { name: 'mine now' })).statusCode).toBe(404);
    expect((await b.get('/api/projects')).json().projects).toEqual([]);
    expect((await w.get(`/api/projects/${p.id}`)).statusCode).toBe(403);
    const admin = await userWithRole(t, 'admin');
    expect((await admin.get(`/api/projects/${p.id}`)).statusCode).toBe(200);
  });

  it('enforces the status lifecycle', async () => {
    const r = await signup(t.app, 'requester');
    const p = await createProject(r);
    const empty = await r.post(`/api/projects/${p.id}/publish`);
    expect(empty.statusCode).toBe(409);
    expect(empty.json().error.message).toMatch(/item/);
    await insertItems(t, p.id, [{ text: 'a' }]);
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'completed' })).statusCode).toBe(409);
    expect((await r.post(`/api/projects/${p.id}/publish`)).json().project).toMatchObject({ status: 'active' });
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'paused' })).json().project.status).toBe('paused');
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'active' })).json().project.status).toBe('active');
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'draft' })).statusCode).toBe(409);
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'completed' })).json().project.status).toBe('completed');
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'archived' })).json().project.status).toBe('archived');
    expect((await r.patch(`/api/projects/${p.id}`, { status: 'active' })).statusCode).toBe(409);
  });

  it('updates settings by merging, and overlap retargets items', async () => {
    const r = await signup(t.app, 'requester');
    const p = await createProject(r, { settings: { overlap: 3, reviewRate: 0.2 } });
    await insertItems(t, p.id, [{ text: 'a' }, { text: 'b' }]);
    const res = await r.patch(`/api/projects/${p.id}`, { settings: { overlap: 4 } });
    expect(res.json().project.settings).toMatchObject({ overlap: 4, reviewRate: 0.2 });
    const items = (await r.get(`/api/projects/${p.id}/items`)).json().items;
    expect(items.map((i: { target: number }) => i.target)).toEqual([4, 4]);
    const stats = (await r.get(`/api/projects/${p.id}/stats`)).json();
    expect(stats).toMatchObject({ items: 2, completedItems: 0, annotations: 0 });
  });
});
