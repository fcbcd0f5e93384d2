import { describe, expect, it } from 'vitest';
import { effectiveHourlyPay, instructionsSummary, rankFeed, seoulDayStart } from './feed.ts';

describe('effective hourly pay', () => {
  it('is pay × 3600 / median seconds in whole won, once 10 tasks are done', () => {
    expect(effectiveHourlyPay(50, 12_000, 10)).toBe(15_000);
    expect(effectiveHourlyPay(30, 7_000, 500)).toBe(Math.round((30 * 3600) / 7));
    expect(effectiveHourlyPay(50, 12_000, 9)).toBeNull();
    expect(effectiveHourlyPay(50, null, 100)).toBeNull();
    expect(effectiveHourlyPay(0, 5_000, 100)).toBe(0);
  });
});

describe('instructions summary', () => {
  it('takes the first paragraph as plain text and cuts at a word', () => {
    expect(instructionsSummary('# 안내\n\n**사진**을 보고 [고양이](http://x)인지 고르세요.')).toBe('사진을 보고 고양이인지 고르세요.');
    expect(instructionsSummary('# 안내')).toBe('안내');
    expect(instructionsSummary('\n\nPick *the* `label`.\nSecond line.\n\nMore.')).toBe('Pick the label. Second line.');
    const long = instructionsSummary('word '.repeat(100), 40);
    expect(long.length).toBeLessThanOrEqual(41);
    expect(long.endsWith('…')).toBe(true);
    expect(instructionsSummary('')).toBe('');
  });
});

describe('Seoul day start', () => {
  it('is midnight KST (15:00 UTC the day before)', () => {
    expect(seoulDayStart(new Date('2026-11-23T14:59:00Z')).toISOString()).toBe('2026-11-22T15:00:00.000Z');
    expect(seoulDayStart(new Date('2026-11-23T15:00:00Z')).toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });
});

describe('feed ranking', () => {
  const base = { tags: [] as string[], payPerTask: 50, hourlyPay: null, reworkWaiting: 0 };

  it('puts projects with rework waiting first, whatever they pay', () => {
    const r = rankFeed(
      [
        { ...base, id: 'rich', payPerTask: 500 },
        { ...base, id: 'rework', payPerTask: 10, reworkWaiting: 2 },
      ],
      new Map(),
    );
    expect(r.map((x) => x.id)).toEqual(['rework', 'rich']);
    expect(r[0]!.reason).toMatch(/2 answers sent back to you for rework/);
  });

  it('prefers projects whose tags match the worker history, and explains the match', () => {
    const history = new Map([
      ['sentiment', 120],
      ['news', 30],
    ]);
    const r = rankFeed(
      [
        { ...base, id: 'images', tags: ['image'], payPerTask: 60 },
        { ...base, id: 'reviews', tags: ['sentiment', 'ko'] },
      ],
      history,
    );
    expect(r.map((x) => x.id)).toEqual(['reviews', 'images']);
    expect(r[0]!.reason).toMatch(/matches your experience: sentiment \(120 tasks\)/);
    expect(r[1]!.reason).toMatch(/new kind of work for you; pays 60 won per task/);
  });

  it('without history, ranks by pay (hourly where known) and says so', () => {
    const r = rankFeed(
      [
        { ...base, id: 'a', payPerTask: 30, hourlyPay: 9_000 },
        { ...base, id: 'b', payPerTask: 30, hourlyPay: 18_000 },
        { ...base, id: 'c', payPerTask: 0 },
      ],
      new Map(),
    );
    expect(r.map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(r[0]!.reason).toBe('open to you; pays 30 won per task (about 18,000 won/hour from real task times)');
    expect(r[2]!.reason).toMatch(/volunteer project/);
  });
});
