/** Quality figures for workers (/api/me/quality) and abuse flags for operators (/api/admin/flags). */
import { api } from '../../api/client';

export interface Outcome {
  answered: number;
  correct: number;
}
export interface Reviews {
  approved: number;
  rejected: number;
}

export interface MyQuality {
  level: number;
  role: string;
  status: string;
  statusReason: string | null;
  accuracy: number | null;
  approved: number;
  gold: Outcome;
  reviews: Reviews;
  levelChangedAt: string | null;
  levelReason: string | null;
  reviewerEligible: boolean;
  reviewerFromLevel: number;
  progress: {
    nextLevel: number | null;
    approved: { have: number; need: number } | null;
    judged: { have: number; need: number } | null;
    accuracy: { have: number | null; need: number } | null;
    fraction: number;
  };
  asReviewer: { reviews: number; crossReviewed: number; agreement: number | null };
  projects: {
    projectId: string;
    name: string;
    answers: number;
    gold: Outcome & { accuracy: number | null };
    reviews: Reviews;
    minGoldAccuracy: number;
    minGoldAnswers: number;
    standing: string;
    reason: string | null;
  }[];
  skills: { skill: string; gold: Outcome; reviews: Reviews; accuracy: number | null }[];
}

export type FlagDecision = 'dismiss' | 'pause' | 'ban' | 'unpause';

export interface Flag {
  id: number;
  worker: { id: string; email: string; displayName: string; status: string; statusReason: string | null };
  project: { id: string; name: string | null } | null;
  kind: string;
  severity: 'low' | 'medium' | 'high';
  message: string;
  evidence: Record<string, unknown>;
  status: 'open' | 'dismissed' | 'actioned';
  autoPaused: boolean;
  decision: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export const qualityApi = {
  mine: () => api.get<{ quality: MyQuality }>('/api/me/quality').then((r) => r.quality),
  flags: (status: string) => api.get<{ flags: Flag[] }>('/api/admin/flags', { query: { status, limit: 200 } }).then((r) => r.flags),
  decide: (id: number, decision: FlagDecision, note?: string) => api.post<{ flag: Flag }>(`/api/admin/flags/${id}`, { decision, note }).then((r) => r.flag),
};
