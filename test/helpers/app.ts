import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/connect.ts';
import { buildApp } from '../../src/server/app.ts';
import { createTestDb } from './db.ts';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  /** Errors behind 5xx answers, as the server saw them (stack included): for failure messages. */
  serverErrors: string[];
  close(): Promise<void>;
}

/** A real app over a fresh database; close() shuts both. */
export async function buildTestApp(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDb();
  const assetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-assets-'));
  const config = loadConfig({ DURE_LOG_LEVEL: 'silent', ...env }, { assetDir, webDir: '/nonexistent', ...overrides });
  const app = await buildApp({ config, db, logger: process.env.TEST_LOG === '1' ? true : false });
  const serverErrors: string[] = [];
  app.addHook('onError', async (_req, reply, err) => {
    if (reply.statusCode >= 500 || !(err as { statusCode?: number }).statusCode) serverErrors.push(err.stack ?? String(err));
  });
  await app.ready();
  return {
    app,
    db,
    config,
    serverErrors,
    close: async () => {
      await app.close();
      await db.close();
      fs.rmSync(assetDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export const uniqueEmail = (prefix = 'u') => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}@example.kr`;

/** A signed-in client: keeps the session cookie like a browser (minus CSRF headers). */
export class Client {
  cookie = '';
  bearer = '';
  user: any = null;
  constructor(readonly app: FastifyInstance) {}

  async req(method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const opts: InjectOptions = { method, url, headers: h };
    if (body !== undefined) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) opts.payload = body;
      else opts.payload = body as object;
    }
    const res = await this.app.inject(opts);
    const set = res.headers['set-cookie'];
    if (set) {
      const first = (Array.isArray(set) ? set : [set]).find((c) => c.startsWith('dure_session='));
      if (first) this.cookie = first.split(';')[0]!;
    }
    return res;
  }
  get = (url: string, headers?: Record<string, string>) => this.req('GET', url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.req('POST', url, body ?? {}, headers);
  patch = (url: string, body?: unknown) => this.req('PATCH', url, body ?? {});
  del = (url: string) => this.req('DELETE', url);
}

export async function signup(app: FastifyInstance, role: 'worker' | 'requester', extra: Record<string, unknown> = {}): Promise<Client> {
  const c = new Client(app);
  const res = await c.post('/api/auth/signup', {
    email: uniqueEmail(role),
    password: 'a-long-enough-pass-42',
    displayName: role === 'worker' ? '김작업' : '이의뢰',
    role,
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  c.user = res.json().user;
  return c;
}

/** A user of any role, created directly and signed in (admin/reviewer cannot sign up). */
export async function userWithRole(t: TestApp, role: 'admin' | 'reviewer', level = 1): Promise<Client> {
  const base = await signup(t.app, 'worker');
  await t.db.db.updateTable('users').set({ role, level }).where('id', '=', base.user.id).execute();
  base.user = { ...base.user, role, level };
  return base;
}
