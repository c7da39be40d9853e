/**
 * Payment arithmetic, pure: the platform's fee on a charge, what an up-front payment is called,
 * and what an appointment's money comes to. Minor units of the appointment's currency throughout
 * (Stripe's unit too, zero-decimal currencies included: 2500 JPY is 2500).
 */

export interface FeeConfig {
  /** Basis points of the amount (500 = 5 %). */
  bps: number;
  /** Added per charge, minor units of `fixedCurrency`. */
  fixedCents: number;
  /**
   * The currency the fixed part is in: charges in any other currency pay the percentage only
   * (30 minor units are $0.30 but ¥30 or 0.030 KWD — never the same money).
   */
  fixedCurrency?: string;
}

/**
 * The platform's cut of a charge of `amountCents` (Stripe's application_fee_amount). Half-up on
 * the exact value; never more than the charge itself, never negative.
 */
export function platformFee(amountCents: number, fee: FeeConfig, currency?: string): number {
  if (amountCents <= 0) return 0;
  const fixed = fee.fixedCurrency === undefined || currency === undefined || currency === fee.fixedCurrency ? Math.max(0, fee.fixedCents) : 0;
  const cut = Math.floor((amountCents * fee.bps + 5_000) / 10_000) + fixed;
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
