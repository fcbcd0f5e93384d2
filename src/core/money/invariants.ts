/**
 * The ledger's invariants, checked over plain data (the caller loads it): tests run this after
 * every step of a random history, and the operator's reconciliation report shows its findings.
 */

export interface LedgerAccountFacts {
  id: number;
  kind: string;
  /** The cached balance, or null for accounts whose balance is only derived from entries. */
  cached: number | null;
  /** Σ of the account's entries. */
  derived: number;
}

export interface LedgerFacts {
  accounts: LedgerAccountFacts[];
  /** Transactions whose entries do not sum to zero, or have fewer than two entries. */
  unbalanced: { txId: number; sum: number; entries: number }[];
  /** Confirmed deposits (money that came in from outside). */
  deposits: number;
  /** Money that left the platform: payouts transferred (net) and withholding remitted. */
  outflows: number;
}

/** Accounts that may hold a negative balance: only the outside world (it is minus what it gave). */
export const OUTSIDE_KINDS = new Set(['world']);

export interface Violation {
  rule: 'balanced' | 'non_negative' | 'cache' | 'reconciliation' | 'stale_reservation';
  message: string;
}

export function checkLedger(f: LedgerFacts): Violation[] {
  const out: Violation[] = [];
  for (const u of f.unbalanced) {
    out.push({ rule: 'balanced', message: `transaction ${u.txId} has ${u.entries} entries summing to ${u.sum}` });
  }
  let inside = 0;
  let outside = 0;
  for (const a of f.accounts) {
    if (OUTSIDE_KINDS.has(a.kind)) outside += a.derived;
    else {
      inside += a.derived;
      if (a.derived < 0) out.push({ rule: 'non_negative', message: `${a.kind} account ${a.id} is at ${a.derived}` });
    }
    if (a.cached !== null && a.cached !== a.derived) {
      out.push({ rule: 'cache', message: `${a.kind} account ${a.id} caches ${a.cached} but its entries sum to ${a.derived}` });
    }
  }
  if (inside !== f.deposits - f.outflows) {
    out.push({ rule: 'reconciliation', message: `balances inside the platform sum to ${inside}, deposits − outflows = ${f.deposits - f.outflows}` });
  }
  if (inside + outside !== 0) {
    out.push({ rule: 'reconciliation', message: `all balances sum to ${inside + outside}, not 0` });
  }
  return out;
}
