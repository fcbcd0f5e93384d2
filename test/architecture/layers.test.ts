import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering rules of ARCHITECTURE.md, held by a test rather than by hope.
const root = path.resolve(import.meta.dirname, '../..');

function files(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

const imports = (file: string) =>
  [...fs.readFileSync(file, 'utf8').matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm), ...fs.readFileSync(file, 'utf8').matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1]!,
  );
const rel = (f: string) => path.relative(root, f);

describe('architecture', () => {
  it('core/ is pure: no database, no HTTP, no Node I/O', () => {
    const bad: string[] = [];
    for (const f of files(path.join(root, 'src/core'), /\.ts$/)) {
      for (const i of imports(f)) {
        if (/^(kysely|pg|@electric-sql|fastify|@fastify|undici)/.test(i) || /\/(db|server)\//.test(i) || /^node:(fs|net|http|child_process)/.test(i)) {
          // type-only imports of table types are tolerated nowhere: core owns its own types
          bad.push(`${rel(f)} imports ${i}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('routes never touch SQL: no kysely import and no repo import in *.routes.ts', () => {
    const bad: string[] = [];
    for (const f of files(path.join(root, 'src/server/modules'), /\.routes\.ts$/)) {
      for (const i of imports(f)) if (i === 'kysely' || /\.repo\.ts$/.test(i)) bad.push(`${rel(f)} imports ${i}`);
      if (/\.(selectFrom|insertInto|updateTable|deleteFrom)\(/.test(fs.readFileSync(f, 'utf8'))) bad.push(`${rel(f)} builds SQL`);
    }
    expect(bad).toEqual([]);
  });

  it('SQL lives in *.repo.ts (services call repositories)', () => {
    const bad: string[] = [];
    for (const f of files(path.join(root, 'src/server/modules'), /\.service\.ts$/)) {
      if (/\.(selectFrom|insertInto|updateTable|deleteFrom)\(/.test(fs.readFileSync(f, 'utf8'))) bad.push(rel(f));
    }
    expect(bad).toEqual([]);
  });
});
