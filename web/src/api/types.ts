/** Shapes the server answers with (see /docs for the full OpenAPI document). */

export type Role = 'worker' | 'reviewer' | 'requester' | 'admin';
export const ROLES: Role[] = ['worker', 'reviewer', 'requester', 'admin'];

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  level: number;
  orgId: string | null;
  locale: string;
  status: 'active' | 'paused' | 'banned' | string;
  statusReason: string | null;
  createdAt: string;
}

export type TokenScope = 'read' | 'write';

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
