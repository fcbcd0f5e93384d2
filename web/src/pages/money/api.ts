/** Money: wallets, budgets, deposits, payouts and reconciliation (see src/server/modules/payments). */
import { api } from '../../api/client';
import type { ProjectStatus } from '@core/projects/status.ts';

export interface Entry {
  id: number;
  txId: number;
  kind: string;
  account: string;
  amount: number;
  memo: string | null;
  projectId: string | null;
  projectName: string | null;
  annotationId: number | null;
  payoutId: string | null;
  createdAt: string;
}

export interface BankAccount {
  bank: string;
  accountNumber: string;
  holder: string;
  masked: string;
}

export interface Wallet {
  kind: 'worker' | 'organisation';
  balance: number;
  pending: number;
  inFlight?: number;
  paidOut?: number;
  withheld?: number;
  minPayout?: number;
  withholdingPercent?: number;
  bankAccount?: BankAccount | null;
  entries: Entry[];
}

export interface Payout {
  id: string;
  userId: string;
  gross: number;
  withholding: number;
  net: number;
  status: 'requested' | 'approved' | 'paid' | 'cancelled';
  batchId: string | null;
  bank: string;
  accountNumber: string;
  holder: string;
  reason: string | null;
  createdAt: string;
  decidedAt: string | null;
  displayName?: string;
  email?: string;
}

export interface Budget {
  projectId: string;
  balance: number;
  committed: number;
  awaitingApproval: number;
  spent: number;
  fees: number;
  deposited: number;
  pending: number;
  feePercent: number;
  payPerAnnotation: number;
  costPerTask: number;
  tasksCovered: number;
}

export interface PayFacts {
  payPerAnnotation: number;
  medianSeconds: number | null;
  timedAnswers: number;
  effectiveHourlyPay: number | null;
  minimumWage: number;
  belowMinimumWage: boolean;
}

export interface Deposit {
  id: string;
  orgId: string;
  projectId: string | null;
  amount: number;
  provider: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  reference: string;
  instructions: string | null;
  orgName: string | null;
  projectName: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface BatchSummary {
  id: string;
  status: 'approved' | 'paid';
  createdAt: string;
  paidAt: string | null;
  payouts: number;
  gross: number;
  withholding: number;
  net: number;
}

export interface Reconciliation {
  balanced: boolean;
  deposits: number;
  payoutsPaid: number;
  withholdingRemitted: number;
  outflows: number;
  insideTotal: number;
  expectedInside: number;
  byKind: Record<string, number>;
  feeRevenue: number;
  pendingDeposits: number;
  accounts: number;
  violations: { rule: string; message: string }[];
}

export interface ProjectLite {
  id: string;
  name: string;
  status: ProjectStatus;
  statusReason: string | null;
}

/** A fresh key per user action, so a retried request never moves money twice. */
export const idempotencyKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
const idem = (key: string) => ({ headers: { 'Idempotency-Key': key } });

export const moneyApi = {
  wallet: (before?: number) => api.get<Wallet>('/api/wallet', { query: { before, limit: 50 } }),
  setBank: (b: { bank: string; accountNumber: string; holder: string }) => api.put<{ bankAccount: BankAccount }>('/api/wallet/bank-account', b),
  preview: (amount: number) =>
    api.get<{ gross: number; withholding: number; net: number; withholdingPercent: number; minPayout: number }>('/api/wallet/payouts/preview', { query: { amount } }),
  myPayouts: () => api.get<{ payouts: Payout[] }>('/api/wallet/payouts').then((r) => r.payouts),
  requestPayout: (amount: number, key: string) => api.post<{ payout: Payout }>('/api/wallet/payouts', { amount }, idem(key)).then((r) => r.payout),
  cancelMyPayout: (id: string) => api.post<{ payout: Payout }>(`/api/wallet/payouts/${id}/cancel`, {}),
  depositToOrg: (amount: number, key: string) => api.post<{ deposit: Deposit }>('/api/wallet/deposits', { amount }, idem(key)).then((r) => r.deposit),

  projects: () => api.get<{ projects: ProjectLite[] }>('/api/projects').then((r) => r.projects),
  budget: (projectId: string) => api.get<{ budget: Budget; pay: PayFacts }>(`/api/projects/${projectId}/budget`),
  stats: (projectId: string) => api.get<Record<string, number | boolean | null>>(`/api/projects/${projectId}/stats`),
  fund: (projectId: string, amount: number, source: 'deposit' | 'org_funds', key: string) =>
    api.post<{ budget: Budget; deposit: Deposit | null }>(`/api/projects/${projectId}/fund`, { amount, source }, idem(key)),
  withdraw: (projectId: string, amount: number, key: string) => api.post<{ budget: Budget }>(`/api/projects/${projectId}/withdraw`, { amount }, idem(key)),

  payouts: (status?: Payout['status']) => api.get<{ payouts: Payout[] }>('/api/admin/payouts', { query: { status } }).then((r) => r.payouts),
  cancelPayout: (id: string, reason: string) => api.post<{ payout: Payout }>(`/api/admin/payouts/${id}/cancel`, { reason }),
  batches: () => api.get<{ batches: BatchSummary[] }>('/api/admin/payout-batches').then((r) => r.batches),
  createBatch: (payoutIds?: string[]) => api.post<{ batch: BatchSummary }>('/api/admin/payout-batches', payoutIds ? { payoutIds } : {}),
  markPaid: (id: string) => api.post<{ batch: BatchSummary }>(`/api/admin/payout-batches/${id}/paid`, {}),
  batchCsvUrl: (id: string) => `/api/admin/payout-batches/${id}/csv`,
  deposits: (status?: Deposit['status']) => api.get<{ deposits: Deposit[] }>('/api/admin/deposits', { query: { status } }).then((r) => r.deposits),
  decideDeposit: (id: string, action: 'confirm' | 'cancel') => api.post<{ deposit: Deposit }>(`/api/admin/deposits/${id}/${action}`, {}),
  reconciliation: () => api.get<Reconciliation>('/api/admin/reconciliation'),
};
