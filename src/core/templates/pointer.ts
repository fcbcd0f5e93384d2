import type { Problem } from './types.ts';

/** Escapes one JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapeSegment(segment: string | number): string {
  if (typeof segment === 'number') return String(segment);
  return segment.includes('~') || segment.includes('/') ? segment.replace(/~/g, '~0').replace(/\//g, '~1') : segment;
}

/** `pointer('', 'controls', 0, 'options')` → `/controls/0/options`. */
export function pointer(base: string, ...segments: (string | number)[]): string {
  let out = base;
  for (const s of segments) out += '/' + escapeSegment(s);
  return out;
}

/** Splits a JSON pointer into its unescaped segments (`''` → `[]`). */
export function parsePointer(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Puts problems under a prefix, e.g. `prefixProblems(p, '/template')` before answering
 * `{"path": "/template/controls/0/options", ...}` as API.md shows.
 */
export function prefixProblems(problems: Problem[], prefix: string): Problem[] {
  return problems.map((p) => ({ path: prefix + p.path, problem: p.problem }));
}
