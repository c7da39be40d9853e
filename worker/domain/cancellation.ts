import type { ShopPolicy } from '../db/schema';

import { amountFor } from './money';

/**
 * What cancelling an appointment means for money, decided when it happens and recorded on the
 * appointment (the payments work moves the money from this record; nothing is recomputed later,
 * so a policy edit never changes a past decision).
 *
 * - The shop cancelling (barber or owner) is the shop's choice: the client gets back whatever was
 *   paid and owes nothing.
 * - A client cancelling outside the window gets back what was paid.
 * - A client cancelling inside the window (less than `cancel_window_hours` before the start) owes
 *   the late-cancel fee when the policy has one — what was paid counts towards it, the rest is
 *   refunded or charged — and otherwise forfeits what was paid as a deposit.
 * - An appointment nobody paid for and with no fee due has nothing to settle.
 */
export type CancelOutcome = 'none' | 'refund' | 'keep_deposit' | 'late_fee' | 'no_show_fee';

export interface CancelDecision {
  outcome: CancelOutcome;
  /** Inside the policy's cancellation window. */
  late: boolean;
  /** What the client is charged in total for the cancellation (kept deposit included). */
  feeCents: number;
  /** What goes back to the client. */
  refundCents: number;
  /** What still has to be charged to the card on file (fee above what was paid). */
  chargeCents: number;
}

export interface CancelInput {
  policy: Pick<ShopPolicy, 'cancel_window_hours' | 'late_cancel_fee'>;
  startMs: number;
  nowMs: number;
  priceCents: number;
  /** What the client has paid up front and not yet had back. */
  paidCents: number;
  by: 'client' | 'shop';
}

const HOUR_MS = 3_600_000;

export function isInsideCancelWindow(policy: Pick<ShopPolicy, 'cancel_window_hours'>, startMs: number, nowMs: number): boolean {
  return startMs - nowMs < policy.cancel_window_hours * HOUR_MS;
}

export function decideCancellation(input: CancelInput): CancelDecision {
  const late = isInsideCancelWindow(input.policy, input.startMs, input.nowMs);
  const paid = Math.max(0, input.paidCents);
  const settle = (outcome: CancelOutcome, feeCents: number): CancelDecision => ({
    outcome,
    late,
    feeCents,
    refundCents: Math.max(0, paid - feeCents),
    chargeCents: Math.max(0, feeCents - paid),
  });
  if (input.by === 'shop' || !late) return paid > 0 ? settle('refund', 0) : settle('none', 0);
  const fee = amountFor(input.policy.late_cancel_fee, input.priceCents);
  if (fee > 0) return settle('late_fee', fee);
  return paid > 0 ? settle('keep_deposit', paid) : settle('none', 0);
}

/**
 * A no-show owes the no-show fee when the policy has one (what was paid counts towards it);
 * without a fee, a paid deposit is kept. Never more than the price.
 */
export function decideNoShow(input: Pick<CancelInput, 'priceCents' | 'paidCents'> & { policy: Pick<ShopPolicy, 'no_show_fee'> }): CancelDecision {
  const paid = Math.max(0, input.paidCents);
  const fee = amountFor(input.policy.no_show_fee, input.priceCents);
  const total = fee > 0 ? fee : paid;
  return {
    outcome: total > 0 ? 'no_show_fee' : 'none',
    late: true,
    feeCents: total,
    refundCents: Math.max(0, paid - total),
    chargeCents: Math.max(0, total - paid),
  };
}
