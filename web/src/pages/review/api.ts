/** The reviewer's side of the API: projects with reviews waiting, the next review, verdicts. */
import type { ItemData, Result, Template } from '@core/templates/index.ts';
import { api } from '../../api/client';

export interface ReviewProject {
  id: string;
  name: string;
  status: string;
  waiting: number;
  crossWaiting: number;
  payPerReview: number;
  reviewerMinLevel: number;
}

export type ReviewReason = 'first_k' | 'sampled' | 'rework' | 'disagreement' | 'cross_review';

export interface Review {
  id: number;
  annotationId: number;
  /** `review` decides the answer; `cross` is a blind second verdict that only checks the first reviewer. */
  kind: 'review' | 'cross';
  reason: ReviewReason | string;
  projectId: string;
  projectName: string;
  instructions: string;
  item: { id: number; data: ItemData };
  result: Result;
  template: Template;
  /** The author's pseudonym in this project. */
  worker: string;
  submittedAt: string;
  durationMs: number;
  reworkCount: number;
  maxReworks: number;
  previous: { result: Result; comment: string } | null;
  expiresAt: string | null;
}

export interface VerdictOut {
  id: number;
  annotationId: number;
  kind: 'review' | 'cross';
  verdict: 'approve' | 'reject';
  comment: string | null;
  /** approved | rework | rejected (final); unchanged for a cross-check. */
  annotationStatus: string;
  agreed: boolean | null;
}

export const reviewKeys = {
  projects: ['review', 'projects'] as const,
};

export const reviewApi = {
  projects: () => api.get<{ projects: ReviewProject[] }>('/api/review/projects').then((r) => r.projects),
  /** The live review or the next one; null when nothing waits (204). */
  next: (projectId: string) =>
    api.post<{ review: Review } | undefined>(`/api/review/projects/${encodeURIComponent(projectId)}/next`).then((r) => r?.review ?? null),
  decide: (annotationId: number, verdict: 'approve' | 'reject', comment?: string) =>
    api.post<{ review: VerdictOut }>(`/api/review/annotations/${annotationId}`, { verdict, comment: comment ?? null }).then((r) => r.review),
};
