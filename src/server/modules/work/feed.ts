/**
 * The worker's project feed: what to show and in which order, with a reason a person can read.
 * Pure; the service gathers the figures and this file decides.
 */

/** Answers a project needs before its median task time is trusted for the hourly figure. */
export const MIN_TASKS_FOR_HOURLY = 10;

/**
 * Effective hourly pay in won from the pay per task and the median real task time:
 * pay × 3600 / median seconds, rounded to whole won. `null` until enough tasks are done.
 */
export function effectiveHourlyPay(payPerTask: number, medianMs: number | null, tasksDone: number): number | null {
  if (medianMs === null || tasksDone < MIN_TASKS_FOR_HOURLY) return null;
  const seconds = Math.max(medianMs, 1) / 1000;
  return Math.round((payPerTask * 3600) / seconds);
}

/**
 * The first paragraph of the instructions as plain text (headings skipped when a paragraph
 * follows), cut at a word near `max` characters.
 */
export function instructionsSummary(instructions: string, max = 160): string {
  const paragraphs = instructions
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => ({
      heading: /^\s{0,3}#{1,6}\s/.test(p) && !p.trim().includes('\n'),
      text: p
        .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
        .replace(/[*_`~]+/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    }))
    .filter((p) => p.text.length > 0);
  const text = (paragraphs.find((p) => !p.heading) ?? paragraphs[0])?.text;
  if (!text) return '';
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Midnight of the current day in Asia/Seoul (UTC+9 all year, no daylight saving). */
export function seoulDayStart(now: Date = new Date()): Date {
  const offset = 9 * 3600_000;
  const day = 24 * 3600_000;
  return new Date(Math.floor((now.getTime() + offset) / day) * day - offset);
}

export interface FeedCandidate {
  id: string;
  tags: string[];
  payPerTask: number;
  hourlyPay: number | null;
  reworkWaiting: number;
}

export interface Ranked {
  id: string;
  score: number;
  reason: string;
}

const won = (n: number) => n.toLocaleString('en-US');

/**
 * Orders the feed: projects with rework waiting for this worker first (most rework first), then
 * best match: 0.6 × tag match with the worker's history + 0.4 × pay relative to the best-paying
 * project in the feed (effective hourly pay where known, else pay per task). `history` counts the
 * worker's past answers per tag. Ties go to the project id for a stable order.
 */
export function rankFeed(cands: FeedCandidate[], history: Map<string, number>): Ranked[] {
  const totalHistory = [...history.values()].reduce((a, b) => a + b, 0);
  const payValue = (c: FeedCandidate) => c.hourlyPay ?? c.payPerTask;
  const bestHourly = Math.max(0, ...cands.filter((c) => c.hourlyPay !== null).map((c) => c.hourlyPay!));
  const bestPerTask = Math.max(0, ...cands.map((c) => c.payPerTask));
  const ranked = cands.map((c) => {
    const matched = c.tags
      .map((t) => ({ tag: t, n: history.get(t) ?? 0 }))
      .filter((m) => m.n > 0)
      .sort((a, b) => b.n - a.n || a.tag.localeCompare(b.tag));
    const tagScore = totalHistory > 0 ? Math.min(1, matched.reduce((a, m) => a + m.n, 0) / totalHistory) : 0;
    const best = c.hourlyPay !== null ? bestHourly : bestPerTask;
    const payScore = best > 0 ? payValue(c) / best : 0;
    const score = (c.reworkWaiting > 0 ? 10 : 0) + 0.6 * tagScore + 0.4 * payScore;

    const pay =
      c.payPerTask === 0
        ? 'volunteer project (unpaid)'
        : `pays ${won(c.payPerTask)} won per task${c.hourlyPay !== null ? ` (about ${won(c.hourlyPay)} won/hour from real task times)` : ''}`;
    let lead: string;
    if (c.reworkWaiting > 0) {
      lead = `${c.reworkWaiting} answer${c.reworkWaiting === 1 ? '' : 's'} sent back to you for rework: fix ${c.reworkWaiting === 1 ? 'it' : 'them'} first`;
    } else if (matched.length > 0) {
      lead = `matches your experience: ${matched
        .slice(0, 3)
        .map((m) => `${m.tag} (${m.n} task${m.n === 1 ? '' : 's'})`)
        .join(', ')}`;
    } else if (totalHistory > 0) {
      lead = 'a new kind of work for you';
    } else {
      lead = 'open to you';
    }
    return { id: c.id, score, reason: `${lead}; ${pay}` };
  });
  return ranked.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
