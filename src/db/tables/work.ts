import type { Generated } from 'kysely';

export type ProjectWorkerStatus = 'active' | 'qualifying' | 'qualified' | 'failed' | 'removed';

/** A worker's standing in one project; no row means 'active'. Only 'removed' blocks work. */
export interface ProjectWorkersTable {
  project_id: string;
  worker_id: string;
  status: Generated<ProjectWorkerStatus>;
  reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WorkTables {
  project_workers: ProjectWorkersTable;
}
