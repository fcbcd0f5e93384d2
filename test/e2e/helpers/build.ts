import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const WEB_DIR = path.join(ROOT, 'dist/web');
const BUILT = path.join(WEB_DIR, 'index.html');
const LOCK = path.join(ROOT, 'dist/.web-build.lock');

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** True when dist/web is missing or older than web/ or src/core/ (what the web app imports). */
export function webBuildStale(): boolean {
  if (!fs.existsSync(BUILT)) return true;
  const builtAt = fs.statSync(BUILT).mtimeMs;
  return [path.join(ROOT, 'web'), path.join(ROOT, 'src/core')].some((d) => fs.existsSync(d) && newest(d) > builtAt);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let checked = false;

/**
 * Builds the web app (`npm run build:web`) when it is missing or stale, at most once per test
 * process. A lock directory keeps two test processes from building into dist/web at once.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (checked) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // Someone else is building; a lock older than 3 minutes is left over from a crash.
      try {
        if (Date.now() - fs.statSync(LOCK).mtimeMs > 180_000) fs.rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // it vanished between the calls: try again
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
      await sleep(250);
    }
  }
  try {
    if (webBuildStale()) {
      const r = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8', env: process.env });
      if (r.status !== 0) throw new Error(`npm run build:web failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    checked = true;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
