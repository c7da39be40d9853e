/**
 * Payments (ADR 13): the Stripe side of a booking. Destination charges to the shop's Connect
 * account with the platform's fee; deposits and prepayments as PaymentIntents created when the
 * hold is made; a card on file as a SetupIntent; refunds and fees from the outbox rows the
 * barber's object records with a cancellation or no-show. Every Stripe call that creates
 * something carries an idempotency key derived from our own ids, so a retry never doubles it.
 */
import Stripe from 'stripe';
import type { AppointmentRecord } from '../db/queries/booking';
import {
  completeMovements,
  giveUpMovements,
  paymentContext,
  paymentProfile,
  pendingMovements,
  recordIntent,
  saveCustomer,
  stripeCustomerOf,
  type AccountState,
  type MovementOutcome,
  type PendingMovement,
} from '../db/queries/payments';
import { withPolicyDefaults } from '../db/schema';
import type { UpfrontPlan } from '../do/barber-schedule';
import { platformFee, upfrontKind } from '../domain/payments';
import type { AppConfig } from '../env';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import type { Services } from './container';

/** What a client needs to pay (or save a card) with Stripe.js or a mobile SDK. */
export interface PaymentHandle {
  kind: 'deposit' | 'full' | 'setup';
  /** Stripe's status of the intent (requires_payment_method, processing, …). */
  status: string;
  amount: number;
  currency: string;
  client_secret: string;
  publishable_key: string;
  payment_intent_id: string | null;
  setup_intent_id: string | null;
  /** Pay before this, or the slot is released. */
  expires_at: string | null;
}

/** What Stripe says of a Connect account, as the shop row keeps it (`asOfSec`: when it said so). */
export function accountStateOf(account: Stripe.Account, asOfSec: number): AccountState {
  return {
    accountId: account.id,
    chargesEnabled: account.charges_enabled === true,
    payoutsEnabled: account.payouts_enabled === true,
    detailsSubmitted: account.details_submitted === true,
    currentlyDue: account.requirements?.currently_due ?? [],
    disabledReason: account.requirements?.disabled_reason ?? null,
    asOfSec,
  };
}

export function feeConfig(config: Pick<AppConfig, 'PLATFORM_FEE_BPS' | 'PLATFORM_FEE_FIXED_CENTS'>) {
  return {
    bps: config.PLATFORM_FEE_BPS,
    fixedCents: config.PLATFORM_FEE_FIXED_CENTS,
  };
}

const key = {
  customer: (userId: string) => `bb:customer:${userId}`,
  upfront: (appointmentId: string, attempt: number) => `bb:appointment:${appointmentId}:payment:${attempt}`,
  setup: (appointmentId: string, attempt: number) => `bb:appointment:${appointmentId}:setup:${attempt}`,
  movement: (paymentId: string) => `bb:payment:${paymentId}`,
};

type Holder = Pick<
  AppointmentRecord,
  'id' | 'shop_id' | 'barber_id' | 'client_id' | 'client_email' | 'service_name' | 'barber_name' | 'hold_expires_ms'
>;

/** The client's Stripe customer: the known one, or a new one (idempotent per user). */
async function customerFor(
  services: Services,
  userId: string,
  email: string | null,
  known: { customer_id: string } | null
): Promise<{ customerId: string; isNew: boolean }> {
  if (known) return { customerId: known.customer_id, isNew: false };
  const customer = await services.stripe.customers.create(
    { ...(email ? { email } : {}), metadata: { user_id: userId } },
    { idempotencyKey: key.customer(userId) }
  );
  return { customerId: customer.id, isNew: true };
}

/**
 * Opens what a new hold asks for: the PaymentIntent of a deposit/prepayment (to the shop's
 * account, with the platform fee, saving the card for later fees when the shop wants one on
 * file) or the SetupIntent of a card-on-file hold. `attempt` numbers the intents of one
 * appointment, so the idempotency key of a retry of the same attempt returns the same intent.
 */
export async function openUpfront(
  services: Services,
  a: Holder,
  plan: UpfrontPlan,
  opts: { attempt: number; customer?: { customer_id: string } | null }
): Promise<PaymentHandle> {
  const { config, stripe } = services;
  const metadata = {
    appointment_id: a.id,
    shop_id: a.shop_id,
    barber_id: a.barber_id,
    client_id: a.client_id,
    purpose: plan.kind,
  };
  const expires = a.hold_expires_ms === null ? null : wireInstant(a.hold_expires_ms);
  const wantsCustomer = plan.kind === 'setup' || plan.saveCard;
  const known = wantsCustomer ? (opts.customer !== undefined ? opts.customer : await stripeCustomerOf(services.db, a.client_id)) : null;
  const customer = wantsCustomer ? await customerFor(services, a.client_id, a.client_email, known) : null;
  if (plan.kind === 'setup') {
    if (customer?.isNew) await saveCustomer(services.db, a.client_id, customer.customerId);
    const intent = await stripe.setupIntents.create(
      {
        customer: customer!.customerId,
        usage: 'off_session',
        allowed_payment_method_types: ['card'],
        metadata,
      },
      { idempotencyKey: key.setup(a.id, opts.attempt) }
    );
    return {
      kind: 'setup',
      status: intent.status,
      amount: 0,
      currency: plan.currency,
      client_secret: intent.client_secret ?? '',
      publishable_key: config.STRIPE_PUBLISHABLE_KEY,
      payment_intent_id: null,
      setup_intent_id: intent.id,
      expires_at: expires,
    };
  }
  const applicationFee = platformFee(plan.amountCents, feeConfig(config), plan.currency);
  const intent = await stripe.paymentIntents.create(
    {
      amount: plan.amountCents,
      currency: plan.currency.toLowerCase(),
      allowed_payment_method_types: ['card'],
      transfer_data: { destination: plan.stripeAccountId },
      application_fee_amount: applicationFee,
      description: `${plan.kind === 'full' ? 'Prepayment' : 'Deposit'}: ${a.service_name} with ${a.barber_name}`,
      metadata,
      ...(customer
        ? {
            customer: customer.customerId,
            setup_future_usage: 'off_session' as const,
          }
        : {}),
      ...(a.client_email ? { receipt_email: a.client_email } : {}),
    },
    { idempotencyKey: key.upfront(a.id, opts.attempt) }
  );
  await recordIntent(services.db, {
    appointmentId: a.id,
    shopId: a.shop_id,
    paymentIntentId: intent.id,
    amountCents: plan.amountCents,
    currency: plan.currency,
    kind: plan.kind,
    accountId: plan.stripeAccountId,
    applicationFeeCents: applicationFee,
    ...(customer?.isNew ? { customer: { userId: a.client_id, customerId: customer.customerId } } : {}),
  });
  return handleOf(intent, plan.kind, plan.currency, config, expires);
}

function handleOf(
  intent: Stripe.PaymentIntent,
  kind: 'deposit' | 'full',
  currency: string,
  config: AppConfig,
  expires: string | null
): PaymentHandle {
  return {
    kind,
    status: intent.status,
    amount: intent.amount,
    currency,
    client_secret: intent.client_secret ?? '',
    publishable_key: config.STRIPE_PUBLISHABLE_KEY,
    payment_intent_id: intent.id,
    setup_intent_id: null,
    expires_at: expires,
  };
}

/**
 * The payment of a new hold, or null when Stripe could not be reached: the hold stands either way
 * and `POST /appointments/{id}/payment` opens it again (the booking must not fail after the slot
 * is taken just because Stripe was slow).
 */
export async function upfrontForNewHold(services: Services, a: AppointmentRecord, plan: UpfrontPlan | null): Promise<PaymentHandle | null> {
  if (!plan || a.status !== 'held') return null;
  try {
    const customer = plan.customerId === undefined ? undefined : plan.customerId ? { customer_id: plan.customerId } : null;
    return await openUpfront(services, a, plan, { attempt: 0, ...(customer !== undefined ? { customer } : {}) });
  } catch (err) {
    services.logger.error('opening the payment of a new hold failed', {
      err,
      appointment_id: a.id,
    });
    return null;
  }
}

const REUSABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing']);

/**
 * `POST /appointments/{id}/payment`: the client's open intent while the hold lives — the same one
 * when it can still be paid, a new one when the last was cancelled.
 */
export async function paymentForAppointment(services: Services, actorId: string, appointmentId: string): Promise<PaymentHandle> {
  const ctx = await paymentContext(services.db, appointmentId, actorId);
  if (!ctx || !ctx.allowed) throw new ApiError('not_found', 'No such appointment');
  const a = ctx.appointment;
  if (a.status === 'confirmed' || a.status === 'completed')
    throw new ApiError('conflict', 'This appointment is already secured', {
      reason: 'already_paid',
    });
  if (a.status !== 'held' || (a.hold_expires_ms !== null && a.hold_expires_ms <= Date.now())) {
    throw new ApiError('hold_expired', 'The hold on this slot has expired; book again');
  }
  if (!ctx.payments_ready || !ctx.stripe_account_id) {
    throw new ApiError('payments_unavailable', 'This shop cannot take card payments yet', { reason: 'shop_not_connected' });
  }
  const policy = withPolicyDefaults(ctx.policy);
  const amount = a.deposit_cents > 0 ? a.deposit_cents : 0;
  if (amount === 0 && !policy.card_on_file) throw new ApiError('conflict', 'Nothing is due for this booking', { reason: 'nothing_due' });
  const plan: UpfrontPlan = {
    kind: amount === 0 ? 'setup' : upfrontKind(amount, a.price_cents),
    amountCents: amount,
    currency: a.currency,
    stripeAccountId: ctx.stripe_account_id,
    saveCard: policy.card_on_file,
  };
  const holder = { ...a, hold_expires_ms: a.hold_expires_ms };
  if (plan.kind === 'setup')
    return openUpfront(services, holder, plan, {
      attempt: 0,
      customer: ctx.customer,
    });
  const latest = ctx.intents.find((i) => i.payment_intent_id);
  if (latest?.payment_intent_id) {
    const intent = await services.stripe.paymentIntents.retrieve(latest.payment_intent_id);
    if (intent.status === 'succeeded')
      throw new ApiError('conflict', 'This payment has been made; the booking is being confirmed', { reason: 'already_paid' });
    if (REUSABLE.has(intent.status)) {
      return handleOf(intent, plan.kind, a.currency, services.config, a.hold_expires_ms === null ? null : wireInstant(a.hold_expires_ms));
    }
  }
  return openUpfront(services, holder, plan, {
    attempt: ctx.intents.length,
    customer: ctx.customer,
  });
}

// ── The outbox ────────────────────────────────────────────────────────────────────────────────

/**
 * Sends recorded refunds and fees to Stripe and writes down what happened. Idempotency keys are
 * the row ids, so sending a row twice (a crash in between, the sweep) moves the money once. A
 * declined fee is final; a Stripe outage leaves the row for the sweep.
 */
export async function executeMovements(services: Services, rows: PendingMovement[]): Promise<MovementOutcome[]> {
  const due = rows.filter((r) => (r.kind === 'refund' && r.status === 'processing') || (r.kind === 'fee' && r.status === 'requires_payment'));
  if (due.length === 0) return [];
  return sendMovements(services, due);
}

/** The cron's safety net: movements recorded but never completed (a crash, an outage). */
export async function sweepMovements(services: Services): Promise<number> {
  const rows = await pendingMovements(services.db, { olderThanSec: 120, maxAttempts: SWEEP_ATTEMPTS, limit: 50 });
  const outcomes = await sendMovements(services, rows);
  const gaveUp = await giveUpMovements(services.db, SWEEP_ATTEMPTS);
  if (gaveUp > 0) services.logger.error('money movements given up after retries; owners see them as failed', { count: gaveUp });
  return outcomes.filter((o) => o.status !== 'retry').length;
}

/** Sends of one movement before it is given up (the sweep runs every 5 minutes: ~25 minutes). */
const SWEEP_ATTEMPTS = 5;

async function sendMovements(services: Services, rows: PendingMovement[]): Promise<MovementOutcome[]> {
  const outcomes = await Promise.all(rows.map((row) => sendOne(services, row)));
  await completeMovements(services.db, outcomes);
  return outcomes;
}

async function sendOne(services: Services, row: PendingMovement): Promise<MovementOutcome> {
  const { stripe, config } = services;
  const metadata = {
    payment_id: row.id,
    appointment_id: row.appointment_id,
    shop_id: row.shop_id,
    reason: row.reason ?? '',
  };
  try {
    if (row.kind === 'refund') {
      if (!row.refund_of_payment_intent)
        return {
          id: row.id,
          status: 'failed',
          failureReason: 'no_charge_to_refund',
        };
      const refund = await stripe.refunds.create(
        {
          payment_intent: row.refund_of_payment_intent,
          amount: row.amount_cents,
          metadata,
          // Destination charge: the shop gives back what it received, the platform its fee.
          ...(row.stripe_account_id ? { reverse_transfer: true, refund_application_fee: true } : {}),
        },
        { idempotencyKey: key.movement(row.id) }
      );
      const status =
        refund.status === 'succeeded' ? 'succeeded' : refund.status === 'failed' || refund.status === 'canceled' ? 'failed' : 'processing';
      return {
        id: row.id,
        status,
        stripeRefundId: refund.id,
        ...(status === 'failed' ? { failureReason: refund.failure_reason ?? 'refund_failed' } : {}),
      };
    }
    if (!row.customer_id || !row.payment_method_id) return { id: row.id, status: 'failed', failureReason: 'no_card_on_file' };
    if (!row.stripe_account_id)
      return {
        id: row.id,
        status: 'failed',
        failureReason: 'payments_unavailable',
      };
    const fee = platformFee(row.amount_cents, feeConfig(config), row.currency);
    const intent = await stripe.paymentIntents.create(
      {
        amount: row.amount_cents,
        currency: row.currency.toLowerCase(),
        customer: row.customer_id,
        payment_method: row.payment_method_id,
        off_session: true,
        confirm: true,
        allowed_payment_method_types: ['card'],
        transfer_data: { destination: row.stripe_account_id },
        application_fee_amount: fee,
        description: row.reason === 'no_show_fee' ? 'No-show fee' : 'Late cancellation fee',
        metadata: { ...metadata, purpose: 'fee' },
      },
      { idempotencyKey: key.movement(row.id) }
    );
    const charge = typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id ?? null;
    if (intent.status === 'succeeded') {
      return {
        id: row.id,
        status: 'succeeded',
        stripePaymentIntentId: intent.id,
        stripeChargeId: charge,
        applicationFeeCents: fee,
      };
    }
    // Off-session and the bank wants the client present (3-D Secure): not collectable now.
    return {
      id: row.id,
      status: 'failed',
      stripePaymentIntentId: intent.id,
      failureReason: intent.status === 'requires_action' ? 'authentication_required' : intent.status,
    };
  } catch (err) {
    if (err instanceof Stripe.errors.StripeCardError) {
      const raw = err.raw as { payment_intent?: { id?: string } } | undefined;
      return {
        id: row.id,
        status: 'failed',
        stripePaymentIntentId: raw?.payment_intent?.id ?? null,
        failureReason: err.decline_code ?? err.code ?? 'card_declined',
      };
    }
    if (err instanceof Stripe.errors.StripeInvalidRequestError) {
      services.logger.error('Stripe refused a money movement', {
        err,
        payment_id: row.id,
      });
      return {
        id: row.id,
        status: 'failed',
        failureReason: err.code ?? 'invalid_request',
      };
    }
    services.logger.warn('money movement not sent; the sweep retries it', {
      err,
      payment_id: row.id,
    });
    return { id: row.id, status: 'retry', failureReason: 'stripe_unreachable' };
  }
}

// ── Cards on file ─────────────────────────────────────────────────────────────────────────────

/** `GET /me/payment-methods`: the caller's saved card (brand and last four only). */
export async function cardOnFile(services: Services, userId: string): Promise<{ card: { brand: string | null; last4: string | null } | null }> {
  const profile = await paymentProfile(services.db, userId);
  return {
    card: profile?.payment_method_id ? { brand: profile.card_brand, last4: profile.card_last4 } : null,
  };
}

/**
 * `POST /me/payment-methods`: a SetupIntent on the caller's customer (made on first use). Its
 * `setup_intent.succeeded` webhook saves the card; a new call replaces it.
 */
export async function setupCard(services: Services, userId: string): Promise<PaymentHandle> {
  const profile = await paymentProfile(services.db, userId);
  const known = profile?.customer_id ? { customer_id: profile.customer_id } : null;
  const customer = await customerFor(services, userId, profile?.email ?? null, known);
  if (customer.isNew) await saveCustomer(services.db, userId, customer.customerId);
  const intent = await services.stripe.setupIntents.create({
    customer: customer.customerId,
    usage: 'off_session',
    allowed_payment_method_types: ['card'],
    metadata: { client_id: userId, purpose: 'card_on_file' },
  });
  return {
    kind: 'setup',
    status: intent.status,
    amount: 0,
    currency: '',
    client_secret: intent.client_secret ?? '',
    publishable_key: services.config.STRIPE_PUBLISHABLE_KEY,
    payment_intent_id: null,
    setup_intent_id: intent.id,
    expires_at: null,
  };
}
