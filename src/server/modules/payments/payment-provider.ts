import { randomBytes } from 'node:crypto';

/**
 * How money comes in. A provider is told of each new deposit and answers whether the money is
 * already known to have arrived ('confirmed': a card gateway that captured the payment) or must
 * be confirmed later ('pending': the operator sees the bank transfer arrive and confirms it with
 * POST /api/admin/deposits/:id/confirm; a gateway would confirm from its webhook the same way).
 */
export interface PaymentProvider {
  readonly name: string;
  open(deposit: { id: string; amount: number; reference: string }): Promise<{ status: 'pending' | 'confirmed'; instructions: string }>;
}

/** A short code the payer writes as the depositor name of the bank transfer, to match it. */
export function depositReference(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(6);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `DURE${s}`;
}

/**
 * The built-in provider: manual bank transfer (무통장 입금). With `autoConfirm` (development,
 * DURE_AUTO_CONFIRM_DEPOSITS=true) every deposit counts as arrived at once.
 */
export function manualBankTransfer(autoConfirm: boolean): PaymentProvider {
  return {
    name: 'manual_bank_transfer',
    async open(d) {
      const instructions = `Transfer ${d.amount.toLocaleString('ko-KR')} won to the platform's bank account with "${d.reference}" as the depositor name (입금자명); an operator confirms it when it arrives.`;
      return autoConfirm
        ? { status: 'confirmed', instructions: 'Confirmed automatically (DURE_AUTO_CONFIRM_DEPOSITS=true: development mode, no money is checked).' }
        : { status: 'pending', instructions };
    },
  };
}
