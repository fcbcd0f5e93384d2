/** The worker's side of the API: feed, project, claims, submits, skips, uploads. */
import type { ItemData, Result, Template } from '@core/templates/index.ts';
import { api, ApiError, type ErrorDetail } from '../../api/client';
import type { UploadedFile } from '../../labeling/types';

export interface WorkFigures {
  payPerTask: number;
  /** Items this worker could still get (counted up to 1,000). */
  tasksLeft: number;
  tasksLeftCapped: boolean;
  reworkWaiting: number;
  hasLiveAssignment: boolean;
  /** Won per hour from the median real task time; null until enough tasks are done. */
  hourlyPay: number | null;
  medianSeconds: number | null;
}

export interface FeedProject extends WorkFigures {
  id: string;
  name: string;
  tags: string[];
  instructionsSummary: string;
  /** Why this project is where it is in the feed (the server's words, English). */
  reason: string;
}

export interface WorkProject extends WorkFigures {
  id: string;
  name: string;
  instructions: string;
  template: Template;
  tags: string[];
  status: string;
  settings: { payPerAnnotation: number; leaseSeconds: number; minLevel: number; minGoldAccuracy: number; minGoldAnswers: number; maxReworks: number };
  canWork: boolean;
  blockedReason: string | null;
  today: { count: number; earnings: number };
}

export interface Assignment {
  id: number;
  kind: 'new' | 'rework';
  projectId: string;
  item: { id: number; data: ItemData };
  expiresAt: string;
  previousResult?: Result;
  reworkComment?: string;
}

export interface Annotation {
  id: number;
  itemId: number;
  assignmentId: number;
  result: Result;
  status: string;
  createdAt: string;
  durationMs: number;
}

export const workKeys = {
  feed: ['work', 'feed'] as const,
  project: (id: string) => ['work', 'project', id] as const,
};

/** One key per assignment: a retried submit (lost answer, double press) is stored once. */
export const idempotencyKey = (assignmentId: number) => `assignment-${assignmentId}`;

export const workApi = {
  feed: () => api.get<{ projects: FeedProject[] }>('/api/work/projects').then((r) => r.projects),
  project: (id: string) => api.get<{ project: WorkProject }>(`/api/work/projects/${encodeURIComponent(id)}`).then((r) => r.project),
  /** The live assignment, a rework, or a new item; null when nothing is left for this worker (204). */
  next: (projectId: string) =>
    api.post<{ assignment: Assignment } | undefined>(`/api/work/projects/${encodeURIComponent(projectId)}/next`).then((r) => r?.assignment ?? null),
  submit: (assignmentId: number, result: Result) =>
    api
      .post<{ annotation: Annotation }>(`/api/work/assignments/${assignmentId}/submit`, { result }, { headers: { 'Idempotency-Key': idempotencyKey(assignmentId) } })
      .then((r) => r.annotation),
  skip: (assignmentId: number) => api.post<void>(`/api/work/assignments/${assignmentId}/skip`),
  /** Sends a file for a file control as the raw body, with upload progress. */
  upload: (assignmentId: number, file: File, onProgress?: (share: number) => void) =>
    new Promise<UploadedFile>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/work/assignments/${assignmentId}/files`);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name));
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress?.(e.loaded / e.total);
      };
      xhr.onload = () => {
        let json: unknown;
        try {
          json = JSON.parse(xhr.responseText);
        } catch {
          json = undefined;
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(json as UploadedFile);
        const err = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
        reject(new ApiError(xhr.status, err?.code ?? `http_${xhr.status}`, err?.message ?? 'upload failed', err?.details ?? []));
      };
      xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the server could not be reached'));
      xhr.send(file);
    }),
};
