import type { ErrorDetail } from '../app-error.ts';

/** A project's settings, every field filled in (defaults applied). See README "Project settings". */
export interface ProjectSettings {
  /** Won paid per approved annotation; 0 = volunteer project. */
  payPerAnnotation: number;
  /** Won paid to a reviewer per review. */
  payPerReview: number;
  /** Answers wanted per item (the maximum when dynamic overlap is on). */
  overlap: number;
  /** Share of tasks served from gold items (when the project has any). */
  goldRate: number;
  minGoldAccuracy: number;
  minGoldAnswers: number;
  /** Share of annotations sent to review. */
  reviewRate: number;
  /** Every annotation of a worker's first K in the project goes to review. */
  reviewFirstK: number;
  /** Lowest worker level admitted. */
  minLevel: number;
  /** Lowest reviewer level admitted to review this project. */
  reviewerMinLevel: number;
  /** How long a claimed task stays reserved, in seconds. */
  leaseSeconds: number;
  /** How unsampled annotations get approved: after the review window, or when they agree with a confident label. */
  autoApprove: 'window' | 'agreement';
  reviewWindowHours: number;
  /** Rejected reworks after which the item's slot returns to the pool. */
  maxReworks: number;
  dynamicOverlap: { enabled: boolean; targetConfidence: number; minAnswers: number };
  qualification: { goldCount: number; passMark: number; cooldownHours: number } | null;
  aggregationMethod: string;
}

export const DEFAULT_SETTINGS: ProjectSettings = {
  payPerAnnotation: 50,
  payPerReview: 10,
  overlap: 3,
  goldRate: 0.1,
  minGoldAccuracy: 0.7,
  minGoldAnswers: 5,
  reviewRate: 0.1,
  reviewFirstK: 5,
  minLevel: 1,
  reviewerMinLevel: 1,
  leaseSeconds: 600,
  autoApprove: 'window',
  reviewWindowHours: 72,
  maxReworks: 2,
  dynamicOverlap: { enabled: false, targetConfidence: 0.95, minAnswers: 2 },
  qualification: null,
  aggregationMethod: 'auto',
};

type Rule = { kind: 'int' | 'number'; min: number; max: number } | { kind: 'enum'; values: string[] } | { kind: 'string' };
const RULES: Record<string, Rule> = {
  payPerAnnotation: { kind: 'int', min: 0, max: 10_000_000 },
  payPerReview: { kind: 'int', min: 0, max: 10_000_000 },
  overlap: { kind: 'int', min: 1, max: 100 },
  goldRate: { kind: 'number', min: 0, max: 0.9 },
  minGoldAccuracy: { kind: 'number', min: 0, max: 1 },
  minGoldAnswers: { kind: 'int', min: 1, max: 1000 },
  reviewRate: { kind: 'number', min: 0, max: 1 },
  reviewFirstK: { kind: 'int', min: 0, max: 1000 },
  minLevel: { kind: 'int', min: 1, max: 10 },
  reviewerMinLevel: { kind: 'int', min: 1, max: 10 },
  leaseSeconds: { kind: 'int', min: 1, max: 7 * 24 * 3600 },
  autoApprove: { kind: 'enum', values: ['window', 'agreement'] },
  reviewWindowHours: { kind: 'number', min: 0, max: 24 * 90 },
  maxReworks: { kind: 'int', min: 0, max: 20 },
  aggregationMethod: { kind: 'string' },
};

function checkScalar(path: string, rule: Rule, v: unknown, problems: ErrorDetail[]): boolean {
  if (rule.kind === 'enum') {
    if (typeof v === 'string' && rule.values.includes(v)) return true;
    problems.push({ path, problem: `must be one of ${rule.values.join(', ')}` });
  } else if (rule.kind === 'string') {
    if (typeof v === 'string' && v) return true;
    problems.push({ path, problem: 'must be a non-empty string' });
  } else if (typeof v !== 'number' || !Number.isFinite(v) || (rule.kind === 'int' && !Number.isInteger(v))) {
    problems.push({ path, problem: `must be ${rule.kind === 'int' ? 'an integer' : 'a number'}` });
  } else if (v < rule.min || v > rule.max) {
    problems.push({ path, problem: `must be between ${rule.min} and ${rule.max}` });
  } else return true;
  return false;
}

/**
 * Merges `input` over `base` (defaults for a new project, the current settings for an update)
 * and validates the result. Unknown keys are refused so a typo never silently does nothing.
 */
export function resolveSettings(
  input: unknown,
  base: ProjectSettings = DEFAULT_SETTINGS,
  prefix = '/settings',
): { settings: ProjectSettings; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const out: ProjectSettings = structuredClone(base);
  if (input === undefined || input === null) return { settings: out, problems };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { settings: out, problems: [{ path: prefix, problem: 'must be an object' }] };
  }
  for (const [key, v] of Object.entries(input as Record<string, unknown>)) {
    const path = `${prefix}/${key}`;
    if (key in RULES) {
      if (checkScalar(path, RULES[key]!, v, problems)) (out as unknown as Record<string, unknown>)[key] = v;
    } else if (key === 'dynamicOverlap') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        problems.push({ path, problem: 'must be an object {enabled, targetConfidence, minAnswers}' });
        continue;
      }
      const d = v as Record<string, unknown>;
      for (const k of Object.keys(d)) if (!['enabled', 'targetConfidence', 'minAnswers'].includes(k)) problems.push({ path: `${path}/${k}`, problem: 'unknown setting' });
      if (d.enabled !== undefined) {
        if (typeof d.enabled !== 'boolean') problems.push({ path: `${path}/enabled`, problem: 'must be true or false' });
        else out.dynamicOverlap.enabled = d.enabled;
      }
      if (d.targetConfidence !== undefined && checkScalar(`${path}/targetConfidence`, { kind: 'number', min: 0.5, max: 0.9999 }, d.targetConfidence, problems))
        out.dynamicOverlap.targetConfidence = d.targetConfidence as number;
      if (d.minAnswers !== undefined && checkScalar(`${path}/minAnswers`, { kind: 'int', min: 1, max: 100 }, d.minAnswers, problems))
        out.dynamicOverlap.minAnswers = d.minAnswers as number;
    } else if (key === 'qualification') {
      if (v === null) {
        out.qualification = null;
        continue;
      }
      if (typeof v !== 'object' || Array.isArray(v)) {
        problems.push({ path, problem: 'must be null or an object {goldCount, passMark, cooldownHours}' });
        continue;
      }
      const q = v as Record<string, unknown>;
      const next = { goldCount: 5, passMark: 0.8, cooldownHours: 24, ...(out.qualification ?? {}) };
      for (const k of Object.keys(q)) if (!['goldCount', 'passMark', 'cooldownHours'].includes(k)) problems.push({ path: `${path}/${k}`, problem: 'unknown setting' });
      if (q.goldCount !== undefined && checkScalar(`${path}/goldCount`, { kind: 'int', min: 1, max: 200 }, q.goldCount, problems)) next.goldCount = q.goldCount as number;
      if (q.passMark !== undefined && checkScalar(`${path}/passMark`, { kind: 'number', min: 0, max: 1 }, q.passMark, problems)) next.passMark = q.passMark as number;
      if (q.cooldownHours !== undefined && checkScalar(`${path}/cooldownHours`, { kind: 'number', min: 0, max: 24 * 365 }, q.cooldownHours, problems))
        next.cooldownHours = q.cooldownHours as number;
      out.qualification = next;
    } else {
      problems.push({ path, problem: 'unknown setting' });
    }
  }
  if (out.dynamicOverlap.enabled && out.dynamicOverlap.minAnswers > out.overlap) {
    problems.push({ path: `${prefix}/dynamicOverlap/minAnswers`, problem: `must not exceed overlap (${out.overlap})` });
  }
  return { settings: out, problems };
}

/** The answers an item needs before it is complete, given the settings. */
export const itemTarget = (s: ProjectSettings) => s.overlap;
