import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureWebBuilt, ROOT, WEB_DIR } from './build.ts';

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** "pglite" or "postgres" */
  db: string;
  /** Everything the child wrote, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** Extra environment for the server (e.g. DURE_ADMIN_EMAIL / DURE_ADMIN_PASSWORD). */
  env?: Record<string, string>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A brand-new PostgreSQL database next to DATABASE_URL's, and how to drop it. */
async function freshDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `dure_e2e_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `node bin/dure.js serve` as a child process on a free port with a fresh data directory
 * (embedded PGlite), or — when DATABASE_URL is set — a fresh PostgreSQL database created for it and
 * dropped afterwards. Builds the web app first if it is missing or stale. Resolves once
 * /api/health answers.
 */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  await ensureWebBuilt();
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dure-e2e-'));
  const database = process.env.DATABASE_URL ? await freshDatabase(process.env.DATABASE_URL) : null;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DURE_DATA_DIR: dataDir,
    DURE_WEB_DIR: WEB_DIR,
    DURE_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  if (database) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;
  // The test runner's own variables must not leak into the server (it is not under test by vitest).
  delete env.VITEST;
  delete env.NODE_ENV;

  let out = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/dure.js'), 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );

  const cleanup = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exitPromise.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    if (database) await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  let health: { db?: string } | null = null;
  while (!health) {
    if (exited !== undefined) {
      await cleanup();
      throw new Error(`the server exited with code ${exited} before it was healthy:\n${out}`);
    }
    if (Date.now() > deadline) {
      await cleanup();
      throw new Error(`the server was not healthy within 90 s:\n${out}`);
    }
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) health = (await r.json()) as { db?: string };
    } catch {
      // not listening yet
    }
    if (!health) await sleep(150);
  }

  return { url, db: health.db ?? 'unknown', output: () => out, stop: cleanup };
}
