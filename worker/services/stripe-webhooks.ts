/**
 * Stripe's events, turned into exactly-once effects (ADR 13). Each handled event is one
 * statement keyed by the event id (db/queries/payments.ts), so redeliveries and an event racing
 * itself change nothing the second time; events about a barber's time go through that barber's
 * object. Money the event obliges us to move (a payment for a slot that is gone) is recorded in
 * the same statement and sent afterwards (executeMovements).
 */
import type Stripe from 'stripe';
import {
  applyAccountUpdated,
  applyCardSaved,
  applyChargeRefunded,
  applyDispute,
  applyFeeSucceeded,
  applyIntentEnded,
  recordEvent,
  type EventRecord,
} from '../db/queries/payments';
import type { SecureHoldInput } from '../do/barber-schedule';
import { ApiError } from '../lib/errors';
import { currentMetrics } from '../lib/metrics';
import type { Services } from './container';
import { accountStateOf, executeMovements } from './payments';

export type EventOutcome = string;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOr = (v: string | undefined) => (v && UUID.test(v) ? v : null);
const idOf = (v: string | { id: string } | null | undefined) => (v == null ? null : typeof v === 'string' ? v : v.id);

/** What we keep of an event: ids, status, amounts, metadata — no card or personal data. */
function record(event: Stripe.Event): EventRecord {
  const o = event.data.object as unknown as Record<string, unknown>;
  const keep = [
    'id',
    'object',
    'status',
    'amount',
    'amount_refunded',
    'currency',
    'metadata',
    'charges_enabled',
    'payment_intent',
    'charge',
    'reason',
  ];
  return {
    id: event.id,
    type: event.type,
    payload: Object.fromEntries(keep.filter((k) => k in o).map((k) => [k, o[k]])),
  };
}

/** Handles one verified event; returns what it did (for the log and the tests). */
export async function handleStripeEvent(services: Services, event: Stripe.Event): Promise<EventOutcome> {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return intentSucceeded(services, event, event.data.object);
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled': {
      const pi = event.data.object;
      const md = pi.metadata ?? {};
      const failed = event.type === 'payment_intent.payment_failed';
      const error = pi.last_payment_error;
      const fresh = await applyIntentEnded(services.db, record(event), {
        paymentIntentId: pi.id,
        status: failed ? 'failed' : 'canceled',
        reason: failed ? error?.decline_code ?? error?.code ?? 'payment_failed' : pi.cancellation_reason ?? 'canceled',
        appointmentId: uuidOr(md.appointment_id),
        shopId: uuidOr(md.shop_id),
        amountCents: pi.amount,
        currency: pi.currency.toUpperCase(),
        kind: md.purpose === 'full' ? 'full' : md.purpose === 'fee' ? 'fee' : 'deposit',
        paymentId: uuidOr(md.payment_id),
      });
      // The hold stays: the client may try another card until it lapses, then the slot returns.
      return fresh ? (failed ? 'payment_failed' : 'canceled') : 'duplicate_event';
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const listed = charge.refunds?.data ?? (await services.stripe.refunds.list({ charge: charge.id, limit: 100 })).data;
      const fresh = await applyChargeRefunded(services.db, record(event), {
        paymentIntentId: idOf(charge.payment_intent),
        chargeId: charge.id,
        refunds: listed.map((r) => ({
          refundId: r.id,
          amountCents: r.amount,
          status: r.status ?? 'pending',
          paymentId: uuidOr(r.metadata?.payment_id),
        })),
      });
      return fresh ? 'refunds_synced' : 'duplicate_event';
    }
    case 'charge.refund.updated':
    case 'refund.updated':
    case 'refund.failed': {
      // One refund's later news (a pending refund that succeeded or failed): the same reconciliation.
      const refund = event.data.object;
      const chargeId = idOf(refund.charge);
      if (!chargeId) return (await recordEvent(services.db, record(event), 'ignored')) ? 'ignored' : 'duplicate_event';
      const fresh = await applyChargeRefunded(services.db, record(event), {
        paymentIntentId: idOf(refund.payment_intent),
        chargeId,
        refunds: [{ refundId: refund.id, amountCents: refund.amount, status: refund.status ?? 'pending', paymentId: uuidOr(refund.metadata?.payment_id) }],
      });
      return fresh ? 'refunds_synced' : 'duplicate_event';
    }
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const fresh = await applyDispute(services.db, record(event), {
        disputeId: dispute.id,
        status: dispute.status,
        chargeId: idOf(dispute.charge),
        paymentIntentId: idOf(dispute.payment_intent),
      });
      return fresh ? 'dispute_recorded' : 'duplicate_event';
    }
    case 'setup_intent.succeeded':
      return setupSucceeded(services, event, event.data.object);
    case 'account.updated': {
      const account = event.data.object;
      const fresh = await applyAccountUpdated(services.db, record(event), accountStateOf(account, event.created));
      return fresh ? 'account_synced' : 'duplicate_event';
    }
    default:
      return 'ignored';
  }
}

async function cardOf(services: Services, paymentMethod: string | Stripe.PaymentMethod | null) {
  if (!paymentMethod) return null;
  const pm = typeof paymentMethod === 'string' ? await services.stripe.paymentMethods.retrieve(paymentMethod) : paymentMethod;
  return {
    paymentMethodId: pm.id,
    brand: pm.card?.brand ?? null,
    last4: pm.card?.last4 ?? null,
  };
}

async function intentSucceeded(services: Services, event: Stripe.Event, pi: Stripe.PaymentIntent): Promise<EventOutcome> {
  const md = pi.metadata ?? {};
  if (md.purpose === 'fee') {
    const paymentId = uuidOr(md.payment_id);
    if (!paymentId) return (await recordEvent(services.db, record(event), 'ignored')) ? 'ignored' : 'duplicate_event';
    const fresh = await applyFeeSucceeded(services.db, record(event), {
      paymentId,
      paymentIntentId: pi.id,
      chargeId: idOf(pi.latest_charge),
    });
    return fresh ? 'fee_paid' : 'duplicate_event';
  }
  const appointmentId = uuidOr(md.appointment_id);
  const barberId = uuidOr(md.barber_id);
  const clientId = uuidOr(md.client_id);
  if (!appointmentId || !barberId || (md.purpose !== 'deposit' && md.purpose !== 'full')) {
    // Not one of ours (another integration on the account): recorded, no effect.
    return (await recordEvent(services.db, record(event), 'ignored')) ? 'ignored' : 'duplicate_event';
  }
  const customer = idOf(pi.customer);
  const card = pi.setup_future_usage && customer && clientId ? await cardOf(services, pi.payment_method) : null;
  const input: SecureHoldInput = {
    event: record(event),
    appointmentId,
    payment: {
      paymentIntentId: pi.id,
      chargeId: idOf(pi.latest_charge),
      amountCents: pi.amount_received || pi.amount,
      currency: pi.currency.toUpperCase(),
      kind: md.purpose,
      accountId: idOf(pi.transfer_data?.destination),
      applicationFeeCents: pi.application_fee_amount ?? 0,
      shopId: uuidOr(md.shop_id) ?? '',
    },
    ...(card && clientId && customer ? { card: { userId: clientId, customerId: customer, ...card } } : {}),
  };
  return secure(services, barberId, input);
}

async function setupSucceeded(services: Services, event: Stripe.Event, si: Stripe.SetupIntent): Promise<EventOutcome> {
  const md = si.metadata ?? {};
  const clientId = uuidOr(md.client_id);
  const customer = idOf(si.customer);
  const card = await cardOf(services, si.payment_method);
  if (!clientId || !customer || !card) return (await recordEvent(services.db, record(event), 'ignored')) ? 'ignored' : 'duplicate_event';
  const appointmentId = uuidOr(md.appointment_id);
  const barberId = uuidOr(md.barber_id);
  const saved = { userId: clientId, customerId: customer, ...card };
  if (appointmentId && barberId)
    return secure(services, barberId, {
      event: record(event),
      appointmentId,
      card: saved,
    });
  return (await applyCardSaved(services.db, record(event), saved)) ? 'card_saved' : 'duplicate_event';
}

/** Through the barber's object; a refund it recorded (the slot is gone) is sent at once. */
async function secure(services: Services, claimedBarberId: string, input: SecureHoldInput): Promise<EventOutcome> {
  let barberId = claimedBarberId;
  let result = await services.barberSchedule(barberId).secureHold(barberId, input);
  count(result.neon);
  if (result.ok && result.outcome === 'moved' && result.currentBarberId) {
    // The hold was moved to another barber after its intent was made: that barber's object decides.
    barberId = result.currentBarberId;
    result = await services.barberSchedule(barberId).secureHold(barberId, input);
    count(result.neon);
  }
  if (!result.ok && result.error.code === 'slot_unavailable') {
    // The constraint refused booking the lapsed hold again after all: record it as lost instead.
    result = await services.barberSchedule(barberId).secureHold(barberId, { ...input, rebook: false });
    count(result.neon);
  }
  if (!result.ok && result.error.code === 'not_found') {
    // No such barber any more: nothing to confirm; redelivering would not change that.
    return (await recordEvent(services.db, input.event, 'unknown_barber')) ? 'unknown_barber' : 'duplicate_event';
  }
  if (!result.ok && result.error.code === 'dependency_unavailable') {
    // The database or the lock did not answer: a retryable 503, and Stripe delivers it again.
    throw new ApiError('dependency_unavailable', result.error.detail, { headers: { 'Retry-After': '1' } });
  }
  if (!result.ok) {
    // Stripe redelivers on a non-2xx answer: a transient failure here is retried by Stripe.
    throw new Error(`secureHold failed: ${result.error.code} ${result.error.detail}`);
  }
  if (result.refund) await executeMovements(services, [result.refund]);
  return result.outcome;
}

function count(neon: number): void {
  const metrics = currentMetrics();
  if (metrics) metrics.neonRequests += neon;
}
