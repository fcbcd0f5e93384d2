/**
 * How each project setting (src/core/projects/settings.ts) is edited: its kind (won, whole number,
 * share shown as %, hours, seconds, choice) and range. The ranges repeat the server's rules so
 * the inputs can say them; `resolveSettings` — the server's own function — still judges the values.
 */
import type { ProjectSettings } from '@core/projects/settings.ts';

export type ScalarKey = Exclude<keyof ProjectSettings, 'dynamicOverlap' | 'qualification'>;

export type SettingKind = 'won' | 'int' | 'share' | 'hours' | 'seconds' | 'level' | 'choice';

export interface SettingSpec {
  /** Path inside settings: `overlap`, `dynamicOverlap/minAnswers`, `qualification/passMark`. */
  path: string;
  kind: SettingKind;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export const MINIMUM_WAGE_KRW = 10_320;

/** `auto` = the most accurate method the project has (src/core/aggregation). */
export const AGGREGATION_METHODS = ['auto', 'mv', 'wmv', 'ds', 'onecoin', 'glad', 'ibcc', 'ebcc'] as const;

export const SECTIONS: { id: 'pay' | 'answers' | 'gold' | 'review' | 'workers'; settings: SettingSpec[] }[] = [
  {
    id: 'pay',
    settings: [
      { path: 'payPerAnnotation', kind: 'won', min: 0, max: 10_000_000 },
      { path: 'payPerReview', kind: 'won', min: 0, max: 10_000_000 },
    ],
  },
  {
    id: 'answers',
    settings: [
      { path: 'overlap', kind: 'int', min: 1, max: 100 },
      { path: 'dynamicOverlap/enabled', kind: 'choice' },
      { path: 'dynamicOverlap/targetConfidence', kind: 'share', min: 0.5, max: 0.9999 },
      { path: 'dynamicOverlap/minAnswers', kind: 'int', min: 1, max: 100 },
      { path: 'aggregationMethod', kind: 'choice', choices: AGGREGATION_METHODS },
    ],
  },
  {
    id: 'gold',
    settings: [
      { path: 'goldRate', kind: 'share', min: 0, max: 0.9 },
      { path: 'minGoldAccuracy', kind: 'share', min: 0, max: 1 },
      { path: 'minGoldAnswers', kind: 'int', min: 1, max: 1000 },
      { path: 'qualification/goldCount', kind: 'int', min: 1, max: 200 },
      { path: 'qualification/passMark', kind: 'share', min: 0, max: 1 },
      { path: 'qualification/cooldownHours', kind: 'hours', min: 0, max: 24 * 365 },
    ],
  },
  {
    id: 'review',
    settings: [
      { path: 'reviewRate', kind: 'share', min: 0, max: 1 },
      { path: 'reviewFirstK', kind: 'int', min: 0, max: 1000 },
      { path: 'reviewerMinLevel', kind: 'level', min: 1, max: 10 },
      { path: 'autoApprove', kind: 'choice', choices: ['window', 'agreement'] },
      { path: 'reviewWindowHours', kind: 'hours', min: 0, max: 24 * 90 },
      { path: 'maxReworks', kind: 'int', min: 0, max: 20 },
    ],
  },
  {
    id: 'workers',
    settings: [
      { path: 'minLevel', kind: 'level', min: 1, max: 10 },
      { path: 'leaseSeconds', kind: 'seconds', min: 1, max: 7 * 24 * 3600 },
    ],
  },
];

/** Reads `a/b` out of the settings. */
export function readSetting(s: ProjectSettings, path: string): unknown {
  let v: unknown = s;
  for (const k of path.split('/')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export const QUALIFICATION_DEFAULTS = { goldCount: 5, passMark: 0.8, cooldownHours: 24 };

/** A copy of the settings with `a/b` set (creating `qualification` from its defaults when needed). */
export function writeSetting(s: ProjectSettings, path: string, value: unknown): ProjectSettings {
  const out = structuredClone(s);
  const [a, b] = path.split('/') as [string, string | undefined];
  const o = out as unknown as Record<string, unknown>;
  if (b === undefined) o[a] = value;
  else {
    const inner = (o[a] as Record<string, unknown> | null) ?? (a === 'qualification' ? { ...QUALIFICATION_DEFAULTS } : {});
    o[a] = { ...inner, [b]: value };
  }
  return out;
}

/** Effective hourly pay in won for `pay` won per task at `seconds` per task (null when unknown). */
export function hourlyPay(pay: number, seconds: number | null | undefined): number | null {
  if (!seconds || seconds <= 0 || !Number.isFinite(seconds)) return null;
  return Math.round((pay * 3600) / seconds);
}
