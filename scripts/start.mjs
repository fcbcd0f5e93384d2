// `npm start`: build the web app if it is missing or older than its sources, then serve.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const built = path.join(root, 'dist/web/index.html');

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const sources = [path.join(root, 'web'), path.join(root, 'src/core')].filter((d) => fs.existsSync(d));
const stale = !fs.existsSync(built) || sources.some((d) => newest(d) > fs.statSync(built).mtimeMs);
if (stale && fs.existsSync(path.join(root, 'web/index.html'))) {
  console.log('building the web app…');
  const r = spawnSync('npm', ['run', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, [path.join(root, 'bin/dure.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
