import type { TFunction } from 'i18next';
import { ApiError, isApiError } from '../api/client';

// The server speaks English in its messages; the UI shows a translation when it knows the code
// (or, for weak passwords, the reason) and falls back to the server's own words otherwise.
const PASSWORD_REASONS: [RegExp, string][] = [
  [/at least \d+ characters/, 'too_short'],
  [/at most \d+ characters/, 'too_long'],
  [/different characters/, 'too_few_distinct'],
  [/email/, 'contains_email'],
  [/common/, 'common'],
];

const KNOWN_CODES = new Set([
  'network_error',
  'email_taken',
  'invalid_credentials',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'not_found',
  'internal',
  'csrf_rejected',
  'insufficient_funds',
]);

const sentence = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s);

/** A message for the person in front of the screen, in their language where we can. */
export function errorMessage(err: unknown, t: TFunction): string {
  if (!isApiError(err)) return err instanceof Error && err.message ? err.message : t('common.somethingWrong');
  if (err.code === 'weak_password') {
    const hit = PASSWORD_REASONS.find(([re]) => re.test(err.message));
    if (hit) return t(`errors.password.${hit[1]}` as 'errors.password.too_short');
    return sentence(err.message);
  }
  if (err.code === 'rate_limited') {
    const m = /(\d+) seconds?/.exec(err.message);
    return m ? t('errors.rate_limited_seconds', { seconds: m[1] }) : t('errors.rate_limited');
  }
  if (err.code === 'validation_failed') {
    if (err.fieldProblem('email')) return t('errors.field.email');
    if (err.fieldProblem('displayName')) return t('errors.field.displayName');
  }
  if (KNOWN_CODES.has(err.code)) return t(`errors.${err.code}` as 'errors.internal');
  return sentence(err.message);
}

/** The message for one form field, when the server's details name it. */
export function fieldError(err: unknown, field: string, t: TFunction): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  if (field === 'password' && err.code === 'weak_password') return errorMessage(err, t);
  if (field === 'email' && err.code === 'email_taken') return errorMessage(err, t);
  const d = err.fieldProblem(field);
  if (!d) return undefined;
  if (field === 'email') return t('errors.field.email');
  if (field === 'displayName') return t('errors.field.displayName');
  return sentence(d.problem);
}
