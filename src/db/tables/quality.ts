import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './foundation.ts';

type Json<T> = ColumnType<T, string, string>;

export interface WorkerQualityTable {
  worker_id: string;
  approved: Generated<number>;
  gold_answered: Generated<number>;
  gold_correct: Generated<number>;
  reviews_approved: Generated<number>;
  reviews_rejected: Generated<number>;
  since_judged: Generated<number>;
  since_correct: Generated<number>;
  level_changed_at: Timestamp | null;
  level_reason: string | null;
  reviewer_auto: Generated<boolean>;
  reviews_done: Generated<number>;
  cross_reviewed: Generated<number>;
  cross_agreed: Generated<number>;
  updated_at: Generated<Date>;
}

export interface WorkerProjectQualityTable {
  project_id: string;
  worker_id: string;
  answers: Generated<number>;
  gold_answered: Generated<number>;
  gold_correct: Generated<number>;
  reviews_approved: Generated<number>;
  reviews_rejected: Generated<number>;
  updated_at: Generated<Date>;
}

export interface WorkerSkillQualityTable {
  worker_id: string;
  skill: string;
  gold_answered: Generated<number>;
  gold_correct: Generated<number>;
  reviews_approved: Generated<number>;
  reviews_rejected: Generated<number>;
  updated_at: Generated<Date>;
}

export type ReviewTaskStatus = 'open' | 'leased' | 'done' | 'cancelled';

export interface ReviewTasksTable {
  id: Generated<number>;
  project_id: string;
  annotation_id: number;
  author_id: string;
  kind: Generated<'review' | 'cross'>;
  reason: string;
  status: Generated<ReviewTaskStatus>;
  reviewer_id: string | null;
  leased_until: Timestamp | null;
  verdict: 'approve' | 'reject' | null;
  comment: string | null;
  first_task_id: number | null;
  agreed: boolean | null;
  created_at: Generated<Date>;
  decided_at: Timestamp | null;
}

export interface QualificationAttemptsTable {
  id: Generated<number>;
  project_id: string;
  worker_id: string;
  status: Generated<'in_progress' | 'passed' | 'failed'>;
  gold_count: number;
  pass_mark: number;
  answered: Generated<number>;
  correct: Generated<number>;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
  retry_at: Timestamp | null;
}

export interface QualificationItemsTable {
  assignment_id: number;
  attempt_id: number;
  item_id: number;
  correct: boolean | null;
}

export interface AbuseFlagsTable {
  id: Generated<number>;
  worker_id: string;
  project_id: string | null;
  kind: string;
  severity: 'low' | 'medium' | 'high';
  message: string;
  evidence: Json<Record<string, unknown>>;
  status: Generated<'open' | 'dismissed' | 'actioned'>;
  auto_paused: Generated<boolean>;
  decision: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WorkerAddressesTable {
  project_id: string;
  worker_id: string;
  address: string;
  first_seen: Generated<Date>;
  last_seen: Generated<Date>;
}

export interface QualityTables {
  worker_quality: WorkerQualityTable;
  worker_project_quality: WorkerProjectQualityTable;
  worker_skill_quality: WorkerSkillQualityTable;
  review_tasks: ReviewTasksTable;
  qualification_attempts: QualificationAttemptsTable;
  qualification_items: QualificationItemsTable;
  abuse_flags: AbuseFlagsTable;
  worker_addresses: WorkerAddressesTable;
}
