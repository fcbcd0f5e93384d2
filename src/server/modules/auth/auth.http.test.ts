import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, signup, type TestApp, uniqueEmail, userWithRole } from '../../../../test/helpers/app.ts';

describe('accounts over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t?.close());

  it('signs up, sets an HttpOnly SameSite=Lax cookie and answers /api/me', async () => {
    const c = new Client(t.app);
    const email = uniqueEmail();
    const res = await c.post('/api/auth/signup', { email, password: 'good-password-9', displayName: '박라벨', role: 'worker' });
    expect(res.statusCode).toBe(201);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/);
    const me = await c.get('/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ email, displayName: '박라벨', role: 'worker', level: 1, orgId: null });
    expect(JSON.stringify(me.json())).not.toContain('password');
  });

  it('stores passwords as argon2id, never in clear', async () => {
    const c = await signup(t.app, 'worker');
    const row = await t.db.db.selectFrom('users').select('password_hash').where('id', '=', c.user.id).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
  });

  it('gives a requester an organisation at signup', async () => {
    const c = await signup(t.app, 'requester', { organisationName: '두레 AI 연구소' });
    expect(c.user.orgId).toMatch(/[0-9a-f-]{36}/);
    const org = await t.db.db.selectFrom('organisations').selectAll().where('id', '=', c.user.orgId).executeTakeFirstOrThrow();
    expect(org.name).toBe('두레 AI 연구소');
  });

  it('refuses a duplicate email (any case) with 409', async () => {
    const email = uniqueEmail();
    const a = new Client(t.app);
    expect((await a.post('/api/auth/signup', { email, password: 'good-password-9', displayName: 'A', role: 'worker' })).statusCode).toBe(201);
    const res = await new Client(t.app).post('/api/auth/signup', { email: email.toUpperCase(), password: 'good-password-9', displayName: 'B', role: 'worker' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('email_taken');
  });

  it('refuses a weak password with 400 saying why', async () => {
    const res = await new Client(t.app).post('/api/auth/signup', { email: uniqueEmail(), password: 'short', displayName: 'A', role: 'worker' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'weak_password' });
    expect(res.json().error.message).toContain('at least 10 characters');
  });

  it('refuses signing up as admin or reviewer (schema) with a path in details', async () => {
    const res = await new Client(t.app).post('/api/auth/signup', { email: uniqueEmail(), password: 'good-password-9', displayName: 'A', role: 'admin' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.details.some((d: { path: string }) => d.path.startsWith('/role'))).toBe(true);
  });

  it('answers bad credentials with one 401 that does not say which part was wrong', async () => {
    const c = await signup(t.app, 'worker');
    const wrongPass = await new Client(t.app).post('/api/auth/login', { email: c.user.email, password: 'not-the-password' });
    const wrongEmail = await new Client(t.app).post('/api/auth/login', { email: uniqueEmail(), password: 'a-long-enough-pass-42' });
    expect(wrongPass.statusCode).toBe(401);
    expect(wrongEmail.statusCode).toBe(401);
    expect(wrongPass.json()).toEqual(wrongEmail.json());
  });

  it('logs in and out; a logged-out session is dead even if the cookie is replayed', async () => {
    const c = await signup(t.app, 'worker');
    const l = new Client(t.app);
    expect((await l.post('/api/auth/login', { email: c.user.email, password: 'a-long-enough-pass-42' })).statusCode).toBe(200);
    const stolen = l.cookie;
    expect((await l.post('/api/auth/logout')).statusCode).toBe(204);
    const replay = new Client(t.app);
    replay.cookie = stolen;
    const me = await replay.get('/api/me');
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('unauthorized');
  });

  it('treats an expired session as missing (401)', async () => {
    const c = await signup(t.app, 'worker');
    await t.db.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', c.user.id).execute();
    expect((await c.get('/api/me')).statusCode).toBe(401);
  });

  it('rate limits failed log-ins per account with 429 and Retry-After', async () => {
    const c = await signup(t.app, 'worker');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await new Client(t.app).post('/api/auth/login', { email: c.user.email, password: `wrong-${i}-password` })).statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const blocked = await new Client(t.app).post('/api/auth/login', { email: c.user.email, password: 'a-long-enough-pass-42' });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses cross-site mutating requests made with the cookie (CSRF)', async () => {
    const c = await signup(t.app, 'worker');
    const cross = await c.post('/api/tokens', { name: 'x' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(cross.statusCode).toBe(403);
    expect(cross.json().error.code).toBe('csrf_rejected');
    const foreignOrigin = await c.post('/api/tokens', { name: 'x' }, { origin: 'https://evil.example' });
    expect(foreignOrigin.statusCode).toBe(403);
    const same = await c.post('/api/tokens', { name: 'x' }, { origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' });
    expect(same.statusCode).toBe(201);
  });

  it('API tokens: shown once, stored hashed, work as Bearer, scopes enforced, revocable', async () => {
    const c = await signup(t.app, 'requester');
    const created = await c.post('/api/tokens', { name: 'pipeline', scopes: ['read'] });
    expect(created.statusCode).toBe(201);
    const token: string = created.json().token;
    expect(token.startsWith('dure_')).toBe(true);
    const stored = await t.db.db.selectFrom('api_tokens').selectAll().where('user_id', '=', c.user.id).execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
    expect(JSON.stringify((await c.get('/api/tokens')).json())).not.toContain(token);

    const b = new Client(t.app);
    b.bearer = token;
    expect((await b.get('/api/me')).json().user.id).toBe(c.user.id);
    const write = await b.post('/api/tokens', { name: 'escalate' });
    expect(write.statusCode).toBe(403);

    expect((await c.del(`/api/tokens/${created.json().apiToken.id}`)).statusCode).toBe(204);
    expect((await b.get('/api/me')).statusCode).toBe(401);
  });

  it('only the operator changes roles; a worker becomes a reviewer', async () => {
    const admin = await userWithRole(t, 'admin');
    const worker = await signup(t.app, 'worker');
    const requester = await signup(t.app, 'requester');
    const denied = await worker.post(`/api/admin/users/${worker.user.id}/role`, { role: 'reviewer' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    const ok = await admin.post(`/api/admin/users/${worker.user.id}/role`, { role: 'reviewer' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.role).toBe('reviewer');
    expect((await worker.get('/api/me')).json().user.role).toBe('reviewer');
    const cross = await admin.post(`/api/admin/users/${requester.user.id}/role`, { role: 'worker' });
    expect(cross.statusCode).toBe(409);
    const missing = await admin.post('/api/admin/users/00000000-0000-0000-0000-000000000000/role', { role: 'reviewer' });
    expect(missing.statusCode).toBe(404);
  });

  it('bootstraps the operator from DURE_ADMIN_EMAIL/PASSWORD once', async () => {
    const email = uniqueEmail('op');
    const t2 = await buildTestApp({}, { DURE_ADMIN_EMAIL: email, DURE_ADMIN_PASSWORD: 'operator-pass-77' });
    try {
      expect(await t2.app.authService.bootstrapAdmin()).toBe('created');
      expect(await t2.app.authService.bootstrapAdmin()).toBe('exists');
      const c = new Client(t2.app);
      const res = await c.post('/api/auth/login', { email, password: 'operator-pass-77' });
      expect(res.json().user.role).toBe('admin');
    } finally {
      await t2.close();
    }
  });

  it('answers unknown routes and health in the documented shapes', async () => {
    const c = new Client(t.app);
    const h = await c.get('/api/health');
    expect(h.json()).toMatchObject({ status: 'ok', db: process.env.DATABASE_URL ? 'postgres' : 'pglite' });
    const nf = await c.get('/api/nope');
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('not_found');
    const docs = await c.get('/docs/json');
    expect(docs.json().paths['/api/auth/signup']).toBeTruthy();
  });
});
