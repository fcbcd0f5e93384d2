import i18n, { currentLanguage } from '../i18n';

/** Platform time zone: dates are shown as they fall in Seoul unless a page says otherwise. */
export const TIME_ZONE = 'Asia/Seoul';

const intlLocale = () => (currentLanguage() === 'ko' ? 'ko-KR' : 'en-GB');

const wonFormatter = new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' });

/** Integer won (number, bigint or a numeric string from the API) as "₩12,345". */
export function formatWon(amount: number | bigint | string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  if (typeof amount === 'string') {
    if (!/^-?\d+$/.test(amount.trim())) return amount;
    amount = BigInt(amount.trim());
  }
  return wonFormatter.format(amount);
}

/** A plain number in the current language's grouping ("12,345"). */
export function formatNumber(n: number | bigint, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlLocale(), options).format(n);
}

/** A share 0..1 as a percentage ("87.5%"). */
export function formatPercent(share: number, digits = 1): string {
  return new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: digits }).format(share);
}

const toDate = (d: Date | string | number) => (d instanceof Date ? d : new Date(d));

/** A calendar date in Seoul: "2026. 11. 23." (ko) / "23 Nov 2026" (en). */
export function formatDate(d: Date | string | number | null | undefined): string {
  if (d === null || d === undefined) return '—';
  return new Intl.DateTimeFormat(intlLocale(), { timeZone: TIME_ZONE, year: 'numeric', month: 'short', day: 'numeric' }).format(toDate(d));
}

/** Date and time in Seoul: "2026. 11. 23. 오후 3:04" (ko) / "23 Nov 2026, 15:04" (en). */
export function formatDateTime(d: Date | string | number | null | undefined): string {
  if (d === null || d === undefined) return '—';
  return new Intl.DateTimeFormat(intlLocale(), {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(toDate(d));
}

/** "3 minutes ago" / "3분 전", for recent activity. */
export function formatRelative(d: Date | string | number, now: Date = new Date()): string {
  const seconds = Math.round((toDate(d).getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(intlLocale(), { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), 'day');
  return formatDate(d);
}

/** A duration in seconds as "1시간 5분" / "1 h 5 min" (task times, lease left). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const ko = currentLanguage() === 'ko';
  const parts: string[] = [];
  if (h) parts.push(ko ? `${h}시간` : `${h} h`);
  if (m) parts.push(ko ? `${m}분` : `${m} min`);
  if (!h && (sec || !m)) parts.push(ko ? `${sec}초` : `${sec} s`);
  return parts.join(' ');
}

// Re-render consumers on language change is the job of useTranslation(); these helpers read the
// language at call time, so a component that calls them inside render after useTranslation() is current.
export { i18n };
