/**
 * Payment arithmetic, pure: the platform's fee on a charge, what an up-front payment is called,
 * and what an appointment's money comes to. Minor units of the appointment's currency throughout
 * (Stripe's unit too, zero-decimal currencies included: 2500 JPY is 2500).
 */

export interface FeeConfig {
  /** Basis points of the amount (500 = 5 %). */
  bps: number;
  /** Added per charge, minor units. */
  fixedCents: number;
}

/**
 * The platform's cut of a charge of `amountCents` (Stripe's application_fee_amount). Half-up on
 * the exact value; never more than the charge itself, never negative.
 */
export function platformFee(amountCents: number, fee: FeeConfig): number {
  if (amountCents <= 0) return 0;
  const cut = Math.floor((amountCents * fee.bps + 5_000) / 10_000) + Math.max(0, fee.fixedCents);
  return Math.min(amountCents, Math.max(0, cut));
}

/** An up-front payment of the whole price is a prepayment (`full`); anything less is a deposit. */
export function upfrontKind(amountCents: number, priceCents: number): 'full' | 'deposit' {
  return amountCents >= priceCents ? 'full' : 'deposit';
}

export interface MoneyState {
  status: string;
  priceCents: number;
  /** Succeeded charges (deposit, prepay, fees). */
  paidCents: number;
  refundedCents: number;
  /** What a cancellation or no-show decided the client owes in total (kept deposit included). */
  feeCents: number;
}

/**
 * What the client still owes: for a cancelled or no-show appointment the fee not yet covered by
 * what they kept paid; for one that is going ahead (or done) the price not yet paid, due at the
 * shop. Never negative.
 */
export function owedCents(m: MoneyState): number {
  const net = m.paidCents - m.refundedCents;
  if (m.status === 'cancelled' || m.status === 'no_show') return Math.max(0, m.feeCents - net);
  return Math.max(0, m.priceCents - net);
}
