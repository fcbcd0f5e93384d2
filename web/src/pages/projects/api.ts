/** The requester's side of the API: projects, stats, items, import, money, quality, export. */
import type { ProjectSettings } from '@core/projects/settings.ts';
import type { ProjectStatus } from '@core/projects/status.ts';
import type { ItemData, Template } from '@core/templates/index.ts';
import { api, ApiError, type ErrorDetail } from '../../api/client';

export interface Project {
  id: string;
  orgId: string;
  name: string;
  instructions: string;
  template: Template;
  settings: ProjectSettings;
  tags: string[];
  status: ProjectStatus;
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

/** GET /api/projects/:id/stats; the money and quality modules add their figures when present. */
export interface ProjectStats {
  items: number;
  goldItems: number;
  completedItems: number;
  annotations: number;
  approved: number;
  rejected: number;
  pendingReview: number;
  inRework: number;
  liveAssignments: number;
  workers: number;
  medianSeconds: number | null;
  // money (payments module)
  spent?: number;
  budget?: number;
  committed?: number;
  fees?: number;
  deposited?: number;
  costPerTask?: number;
  projectedCostToFinish?: number;
  fundingNeeded?: number;
  effectiveHourlyPay?: number | null;
  belowMinimumWage?: boolean;
  minimumWage?: number;
}

export interface ProjectItem {
  id: number;
  data: ItemData;
  gold: Record<string, unknown> | null;
  isGold: boolean;
  answers: number;
  target: number;
  state: 'open' | 'complete';
  label: Record<string, unknown> | null;
  confidence: number | null;
  createdAt: string;
}

export interface ControlAgreement {
  control: string;
  type: string;
  scale: string;
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  items: number;
  answers: number;
}

export interface Agreement {
  projectId: string;
  controls: ControlAgreement[];
  answers: number;
  capped: boolean;
  computedAt: string;
}

export interface Deposit {
  id: string;
  amount: number;
  status: string;
  reference: string;
  instructions: string | null;
}

export interface FundResult {
  budget: { balance: number; committed: number; spent: number; pending: number; deposited: number };
  deposit: Deposit | null;
}

export interface ImportResult {
  imported: number;
  gold: number;
  skipped?: { name: string; reason: string }[];
}

/** What the editor sends: the template as the requester wrote it (the server normalises it). */
export interface ProjectInput {
  name?: string;
  instructions?: string;
  template?: unknown;
  settings?: Partial<ProjectSettings>;
  tags?: string[];
  status?: ProjectStatus;
}

export const projectKeys = {
  all: ['projects'] as const,
  list: ['projects', 'list'] as const,
  one: (id: string) => ['projects', id] as const,
  stats: (id: string) => ['projects', id, 'stats'] as const,
  items: (id: string, after: number) => ['projects', id, 'items', after] as const,
  firstItem: (id: string) => ['projects', id, 'items', 'first'] as const,
  agreement: (id: string) => ['projects', id, 'agreement'] as const,
};

export const projectsApi = {
  list: () => api.get<{ projects: Project[] }>('/api/projects').then((r) => r.projects),
  get: (id: string) => api.get<{ project: Project }>(`/api/projects/${id}`).then((r) => r.project),
  create: (input: ProjectInput & { name: string; template: unknown }) => api.post<{ project: Project }>('/api/projects', input).then((r) => r.project),
  update: (id: string, input: ProjectInput) => api.patch<{ project: Project }>(`/api/projects/${id}`, input).then((r) => r.project),
  publish: (id: string) => api.post<{ project: Project }>(`/api/projects/${id}/publish`).then((r) => r.project),
  stats: (id: string) => api.get<ProjectStats>(`/api/projects/${id}/stats`),
  items: (id: string, after: number, limit: number) =>
    api.get<{ items: ProjectItem[] }>(`/api/projects/${id}/items`, { query: { after, limit } }).then((r) => r.items),
  agreement: (id: string) => api.get<{ agreement: Agreement }>(`/api/projects/${id}/agreement`).then((r) => r.agreement),
  fund: (id: string, amount: number, source: 'deposit' | 'org_funds', idempotencyKey: string) =>
    api.post<FundResult>(`/api/projects/${id}/fund`, { amount, source }, { headers: { 'Idempotency-Key': idempotencyKey } }),
};

/** Export formats of GET /api/projects/:id/export, in the order the buttons show them. */
export const EXPORT_FORMATS = ['jsonl', 'json', 'csv', 'coco', 'yolo', 'labelstudio', 'conll', 'hf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function exportUrl(id: string, format: ExportFormat, opts: { completed?: boolean; gold?: 'exclude' | 'include' | 'only' } = {}): string {
  const q = new URLSearchParams({ format });
  if (opts.completed) q.set('completed', 'true');
  if (opts.gold && opts.gold !== 'exclude') q.set('gold', opts.gold);
  return `/api/projects/${id}/export?${q.toString()}`;
}

// ---- import -----------------------------------------------------------------------------------

export type ImportKind = 'json' | 'jsonl' | 'csv' | 'zip';

/** The import format a file name stands for (by extension), or null when it is not one we take. */
export function importKind(fileName: string): ImportKind | null {
  const ext = /\.([^.]+)$/.exec(fileName.toLowerCase())?.[1];
  if (ext === 'json') return 'json';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (ext === 'zip') return 'zip';
  return null;
}

export const CONTENT_TYPES: Record<ImportKind, string> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
  zip: 'application/zip',
};

export interface ImportOptions {
  labelStudio?: boolean;
  /** Label Studio: each task's annotation becomes the item's gold answer. */
  answersAsGold?: boolean;
  onProgress?: (share: number) => void;
  signal?: AbortSignal;
}

/**
 * POST /api/projects/:id/items with the file as the body. XMLHttpRequest rather than the api
 * client: fetch cannot report upload progress, and an import may be hundreds of megabytes.
 * Errors are the same ApiError the client throws.
 */
export function uploadItems(projectId: string, file: File, kind: ImportKind, opts: ImportOptions = {}): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const q = new URLSearchParams();
    if (opts.labelStudio && kind === 'json') {
      q.set('format', 'labelstudio');
      if (opts.answersAsGold) q.set('answers', 'gold');
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/projects/${projectId}/items${q.size ? `?${q}` : ''}`);
    xhr.setRequestHeader('Content-Type', CONTENT_TYPES[kind]);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) opts.onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      let json: unknown;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        opts.onProgress?.(1);
        resolve(json as ImportResult);
        return;
      }
      const err = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
      reject(new ApiError(xhr.status, err?.code ?? `http_${xhr.status}`, err?.message ?? xhr.statusText ?? 'request failed', err?.details ?? []));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the server could not be reached'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
