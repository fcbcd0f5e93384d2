import type { WorkerKey } from './regions.ts';

/**
 * Free-text answers: the consensus is the answer most similar to the others (the weighted
 * medoid), returned verbatim. Texts are compared after normalisation (Unicode NFKC, lower case,
 * whitespace collapsed). `edit` similarity is 1 − Levenshtein distance / longer length, over
 * code points; `jaccard` is the Jaccard index of the word sets; `auto` (default) uses edit
 * similarity up to TEXT_EDIT_MAX code points and Jaccard beyond (edit distance is quadratic).
 * Confidence is the weighted mean similarity of all answers (the chosen one included) to the
 * chosen answer; a single answer agrees with itself, so dynamic overlap needs minAnswers ≥ 2.
 */
export type TextSimilarity = 'edit' | 'jaccard' | 'auto';

export interface TextOptions {
  similarity?: TextSimilarity;
  workerWeight?: ReadonlyMap<WorkerKey, number>;
}

export interface TextResult {
  /** The chosen answer as given, or null when there were no answers. */
  text: string | null;
  /** Index of the chosen answer in the input array, -1 when none. */
  index: number;
  confidence: number;
  /** Distinct workers whose answers were used. */
  workers: number;
}

export const TEXT_EDIT_MAX = 1000;

export function normalizeText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance between two code-point arrays (two-row dynamic programme). */
export function editDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length < b.length) [a, b] = [b, a];
  const m = b.length;
  if (m === 0) return a.length;
  if (rowA.length < m + 1) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= m; j++) {
      const sub = prev[j - 1] + (ai === b[j - 1] ? 0 : 1);
      const del = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}

function words(s: string): Set<string> {
  return new Set(s.match(/[\p{L}\p{N}]+/gu) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

export function textSimilarity(a: string, b: string, mode: TextSimilarity = 'auto'): number {
  const x = normalizeText(a);
  const y = normalizeText(b);
  if (x === y) return 1;
  const cx = codePoints(x);
  const cy = codePoints(y);
  const useEdit = mode === 'edit' || (mode === 'auto' && Math.max(cx.length, cy.length) <= TEXT_EDIT_MAX);
  if (useEdit) return 1 - editDistance(cx, cy) / Math.max(cx.length, cy.length);
  return jaccard(words(x), words(y));
}

/** The consensus of one item's text answers (one per worker; the last answer of a worker counts). */
export function aggregateText(answers: readonly { worker: WorkerKey; text: string }[], opts: TextOptions = {}): TextResult {
  const mode = opts.similarity ?? 'auto';
  const last = new Map<WorkerKey, number>();
  answers.forEach((a, i) => last.set(a.worker, i));
  const used = [...last.values()].sort((a, b) => a - b);
  if (used.length === 0) return { text: null, index: -1, confidence: 0, workers: 0 };
  const w = used.map((i) => {
    const v = opts.workerWeight?.get(answers[i].worker) ?? 1;
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`worker weight of ${String(answers[i].worker)} must be a finite number ≥ 0`);
    return v;
  });
  const n = used.length;
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    sim[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) sim[i * n + j] = sim[j * n + i] = textSimilarity(answers[used[i]].text, answers[used[j]].text, mode);
  }
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += w[j] * sim[i * n + j];
    // Ties go to the heavier, then the earlier answer.
    if (s > bestScore + 1e-12 || (Math.abs(s - bestScore) <= 1e-12 && w[i] > w[best])) {
      best = i;
      bestScore = s;
    }
  }
  let tot = 0;
  let agree = 0;
  for (let j = 0; j < n; j++) {
    tot += w[j];
    agree += w[j] * sim[best * n + j];
  }
  return { text: answers[used[best]].text, index: used[best], confidence: tot > 0 ? agree / tot : 0, workers: n };
}
