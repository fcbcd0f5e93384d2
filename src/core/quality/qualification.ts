/**
 * A project's qualification test: `goldCount` gold items served before any ordinary work;
 * the score is the share answered correctly. Decided once all are answered: pass (≥ passMark)
 * admits the worker; fail closes the project to them until `cooldownHours` have passed, after
 * which they may take a fresh test (a new attempt starts from zero).
 */
export interface QualificationSettings {
  goldCount: number;
  passMark: number;
  cooldownHours: number;
}

export interface QualificationState {
  status: 'in_progress' | 'passed' | 'failed';
  answered: number;
  correct: number;
  /** correct / answered so far (null before the first answer). */
  score: number | null;
  remaining: number;
}

export function qualificationState(a: { answered: number; correct: number }, q: QualificationSettings): QualificationState {
  const score = a.answered ? a.correct / a.answered : null;
  const remaining = Math.max(0, q.goldCount - a.answered);
  if (remaining > 0) return { status: 'in_progress', answered: a.answered, correct: a.correct, score, remaining };
  const passed = a.correct / a.answered >= q.passMark - 1e-12;
  return { status: passed ? 'passed' : 'failed', answered: a.answered, correct: a.correct, score, remaining: 0 };
}

/** When a failed worker may try again. */
export const retryAt = (failedAt: Date, q: QualificationSettings) => new Date(failedAt.getTime() + q.cooldownHours * 3600_000);
