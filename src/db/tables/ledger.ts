import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './foundation.ts';

type Json<T> = ColumnType<T, string | null | undefined, string | null>;

export type AccountKind =
  | 'world'
  | 'org_funds'
  | 'project_budget'
  | 'project_committed'
  | 'platform_fees'
  | 'worker_pending'
  | 'worker_available'
  | 'payouts_in_flight'
  | 'withholding_payable';

export interface LedgerAccountsTable {
  id: Generated<number>;
  kind: AccountKind;
  owner_id: string | null;
  /** Cached balance where an atomic sufficiency check needs one; null = derived from entries only. */
  balance: number | null;
  /** Which stripe of a project's budget (see 202611231000_ledger_stripes); 0 for every other account. */
  stripe: Generated<number>;
  created_at: Generated<Date>;
}

export interface LedgerProjectsTable {
  project_id: string;
  org_id: string;
  fee_bp: number;
  budget_account: number;
  committed_account: number;
  fees_account: number;
  pause_reason: string | null;
  created_at: Generated<Date>;
}

export interface LedgerTransactionsTable {
  id: Generated<number>;
  kind: string;
  ref: string;
  settles: string | null;
  project_id: string | null;
  user_id: string | null;
  amount: Generated<number>;
  memo: string | null;
  meta: Json<Record<string, unknown> | null>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  tx_id: number;
  account_id: number;
  amount: number;
}

export type DepositStatus = 'pending' | 'confirmed' | 'cancelled';

export interface DepositsTable {
  id: Generated<string>;
  org_id: string;
  project_id: string | null;
  amount: number;
  provider: string;
  status: Generated<DepositStatus>;
  reference: string;
  idempotency_key: string | null;
  created_by: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  created_at: Generated<Date>;
}

export interface BankAccountsTable {
  user_id: string;
  bank: string;
  account_number: string;
  holder: string;
  updated_at: Generated<Date>;
}

export interface PayoutBatchesTable {
  id: Generated<string>;
  status: Generated<'approved' | 'paid'>;
  created_by: string | null;
  created_at: Generated<Date>;
  paid_by: string | null;
  paid_at: Timestamp | null;
}

export type PayoutStatus = 'requested' | 'approved' | 'paid' | 'cancelled';

export interface PayoutsTable {
  id: Generated<string>;
  user_id: string;
  gross: number;
  withholding: number;
  net: number;
  status: Generated<PayoutStatus>;
  batch_id: string | null;
  bank: string;
  account_number: string;
  holder: string;
  idempotency_key: string | null;
  reason: string | null;
  created_at: Generated<Date>;
  decided_at: Timestamp | null;
}

export interface LedgerTables {
  ledger_accounts: LedgerAccountsTable;
  ledger_projects: LedgerProjectsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  deposits: DepositsTable;
  bank_accounts: BankAccountsTable;
  payout_batches: PayoutBatchesTable;
  payouts: PayoutsTable;
}
