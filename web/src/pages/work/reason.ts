import type { TFunction } from 'i18next';
import { formatNumber, formatWon } from '../../lib/format';
import type { FeedProject } from './api';

/**
 * "Why this project": the server explains in English (`reason`, from feed.ts's rankFeed); the
 * parts we know are said again in the reader's language from the structured figures, anything
 * else is shown as the server wrote it.
 */
export function reasonText(p: FeedProject, t: TFunction): string {
  const [lead = ''] = p.reason.split('; ');
  let why: string;
  if (p.reworkWaiting > 0) why = t('work.reason.rework', { count: p.reworkWaiting });
  else if (lead.startsWith('matches your experience: ')) {
    const parts = lead
      .slice('matches your experience: '.length)
      .split(', ')
      .map((s) => {
        const m = /^(.*) \((\d+) tasks?\)$/.exec(s);
        return m ? t('work.reason.tagCount', { tag: m[1], count: Number(m[2]) }) : s;
      });
    why = t('work.reason.experience', { tags: parts.join(', ') });
  } else if (lead === 'a new kind of work for you') why = t('work.reason.newKind');
  else if (lead === 'open to you') why = t('work.reason.open');
  else return p.reason;
  const pay =
    p.payPerTask === 0
      ? t('work.reason.volunteer')
      : p.hourlyPay !== null
        ? t('work.reason.payHourly', { pay: formatWon(p.payPerTask), hourly: formatWon(p.hourlyPay) })
        : t('work.reason.pay', { pay: formatWon(p.payPerTask) });
  return `${why} · ${pay}`;
}

export const tasksLeftText = (p: { tasksLeft: number; tasksLeftCapped: boolean }) =>
  p.tasksLeftCapped ? `${formatNumber(p.tasksLeft)}+` : formatNumber(p.tasksLeft);

/**
 * The statutory minimum hourly wage in Korea for 2026 (최저임금, 10,320 won), against which a
 * paid project's effective hourly pay is shown. One place to change each year.
 */
export const MINIMUM_WAGE_KRW = 10_320;
