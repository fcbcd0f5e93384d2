import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from './foundation.ts';

import type { ProjectStatus } from '../../core/projects/status.ts';
export type { ProjectStatus };
type Json<T> = ColumnType<T, string, string>;

export interface ProjectsTable {
  id: Generated<string>;
  org_id: string;
  created_by: string;
  name: string;
  instructions: Generated<string>;
  template: Json<unknown>;
  settings: Json<Record<string, unknown>>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  status: Generated<ProjectStatus>;
  status_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  published_at: Timestamp | null;
}

export interface AssetsTable {
  sha256: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  created_at: Generated<Date>;
}

export interface ProjectAssetsTable {
  project_id: string;
  sha256: string;
}

export interface ItemsTable {
  id: Generated<number>;
  project_id: string;
  data: Json<Record<string, unknown>>;
  gold: Json<Record<string, unknown> | null> | null;
  is_gold: Generated<boolean>;
  reserved: Generated<number>;
  answers: Generated<number>;
  target: number;
  state: Generated<'open' | 'complete'>;
  label: Json<Record<string, unknown> | null> | null;
  confidence: number | null;
  completed_at: Timestamp | null;
  created_at: Generated<Date>;
}

export type AssignmentStatus = 'leased' | 'submitted' | 'skipped' | 'expired' | 'cancelled';

export interface AssignmentsTable {
  id: Generated<number>;
  project_id: string;
  item_id: number;
  worker_id: string;
  kind: Generated<'new' | 'rework'>;
  status: Generated<AssignmentStatus>;
  expires_at: Timestamp;
  created_at: Generated<Date>;
  finished_at: Timestamp | null;
  previous_annotation_id: number | null;
  rework_comment: string | null;
}

export type AnnotationStatus = 'submitted' | 'pending_review' | 'approved' | 'rejected' | 'rework' | 'excluded' | 'superseded';

export interface AnnotationsTable {
  id: Generated<number>;
  project_id: string;
  item_id: number;
  worker_id: string;
  assignment_id: number;
  result: Json<unknown>;
  status: Generated<AnnotationStatus>;
  is_gold: Generated<boolean>;
  gold_correct: boolean | null;
  duration_ms: number;
  idempotency_key: string | null;
  rework_count: Generated<number>;
  created_at: Generated<Date>;
  decided_at: Timestamp | null;
}

export interface ProjectTables {
  projects: ProjectsTable;
  assets: AssetsTable;
  project_assets: ProjectAssetsTable;
  items: ItemsTable;
  assignments: AssignmentsTable;
  annotations: AnnotationsTable;
}

export type { JSONColumnType };
