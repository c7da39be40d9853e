/**
 * The owner's side of payments: connecting the shop's Stripe account (Connect onboarding), why
 * payments are on or off, the payments list with totals, and refunds by hand.
 */
import Stripe from 'stripe';
import { encodeCursor } from '../db/queries/cursor';
import {
  linkShopAccount,
  listPayments,
  paymentRow,
  refundableCents,
  requestManualRefund,
  shopStripeState,
  syncAccount,
  type PaymentRow,
  type PaymentTotals,
  type ShopStripeState,
} from '../db/queries/payments';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import type { Services } from './container';
import { authorizeShopRoles } from './management/access';
import { readCursor } from './pagination';
import { accountStateOf, executeMovements } from './payments';

export interface PaymentsStatus {
  connected: boolean;
  stripe_account_id: string | null;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  /** Whether bookings that need a payment (deposit, prepay, card on file) are taken. */
  payments_enabled: boolean;
  /** Why payments are off, for the owner: not_connected, onboarding_incomplete, or Stripe's disabled_reason. */
  reason: string | null;
  currently_due: string[];
  synced_at: string | null;
}

function statusOf(s: ShopStripeState): PaymentsStatus {
  const enabled = s.stripe_account_id !== null && s.charges_enabled;
  // Unfinished onboarding first: Stripe also sets a disabled_reason (requirements.past_due) on
  // every account that has not been through it, which tells an owner nothing.
  const reason = !s.stripe_account_id
    ? 'not_connected'
    : enabled
      ? null
      : !s.details_submitted
        ? 'onboarding_incomplete'
        : (s.requirements?.disabled_reason ?? 'under_review');
  return {
    connected: s.stripe_account_id !== null,
    stripe_account_id: s.stripe_account_id,
    charges_enabled: s.charges_enabled,
    payouts_enabled: s.payouts_enabled,
    details_submitted: s.details_submitted,
    payments_enabled: enabled,
    reason,
    currently_due: s.requirements?.currently_due ?? [],
    synced_at: s.synced_ms === null ? null : wireInstant(s.synced_ms),
  };
}

function fromAccount(s: ShopStripeState, account: Stripe.Account): ShopStripeState {
  const a = accountStateOf(account, Math.floor(Date.now() / 1000));
  return {
    ...s,
    charges_enabled: a.chargesEnabled,
    payouts_enabled: a.payoutsEnabled,
    details_submitted: a.detailsSubmitted,
    requirements: { currently_due: a.currentlyDue, disabled_reason: a.disabledReason },
    synced_ms: a.asOfSec * 1000,
  };
}

async function ownerState(services: Services, actorId: string, shopId: string): Promise<ShopStripeState> {
  await authorizeShopRoles(services.db, actorId, shopId, 'owner');
  const state = await shopStripeState(services.db, shopId, actorId);
  if (!state) throw new ApiError('not_found', 'No such shop');
  return state;
}

const isMissing = (err: unknown) => err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing';

/** The shop's account as Stripe has it now (null: Stripe no longer knows it), written back. */
async function freshAccount(services: Services, state: ShopStripeState): Promise<Stripe.Account | null> {
  if (!state.stripe_account_id) return null;
  try {
    const account = await services.stripe.accounts.retrieve(state.stripe_account_id);
    await syncAccount(services.db, accountStateOf(account, Math.floor(Date.now() / 1000)));
    return account;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** `GET /shops/{id}/stripe`: the account's state, read fresh from Stripe when there is one. */
export async function paymentsStatus(services: Services, actorId: string, shopId: string): Promise<PaymentsStatus> {
  const state = await ownerState(services, actorId, shopId);
  if (!state.stripe_account_id) return statusOf(state);
  try {
    const account = await freshAccount(services, state);
    return statusOf(account ? fromAccount(state, account) : { ...state, stripe_account_id: null });
  } catch (err) {
    // Stripe unreachable: what the last webhook said is still a true answer, if an older one.
    services.logger.warn('Stripe account read failed; answering from the last known state', { err });
    return statusOf(state);
  }
}

/**
 * `POST /shops/{id}/stripe/onboarding`: creates the shop's Express account on first use (one per
 * shop: the idempotency key is the shop id) and an Account Link to Stripe's onboarding. Coming
 * back to it gives a fresh link to the same account.
 */
export async function startOnboarding(
  services: Services,
  actorId: string,
  shopId: string
): Promise<{ url: string; expires_at: string; status: PaymentsStatus }> {
  const state = await ownerState(services, actorId, shopId);
  const { stripe, config } = services;
  let accountId = state.stripe_account_id;
  let account = accountId ? await freshAccount(services, state) : null;
  if (!account) {
    // None yet, or one Stripe no longer knows (a test-mode reset): start a new one.
    const attempt = accountId ? `:${accountId}` : '';
    account = await stripe.accounts.create(
      {
        type: 'express',
        country: state.country ?? 'US',
        ...(state.owner_email ? { email: state.owner_email } : {}),
        business_profile: { name: state.name },
        capabilities: {
          card_payments: { requested: true },
          transfers: { requested: true },
        },
        metadata: { shop_id: shopId },
      },
      { idempotencyKey: `bb:shop:${shopId}:account${attempt}` }
    );
    accountId = await linkShopAccount(services.db, shopId, account.id, state.stripe_account_id);
  }
  const back = `${config.APP_ORIGIN}/account?shop=${shopId}`;
  const link = await stripe.accountLinks.create({
    account: accountId!,
    type: 'account_onboarding',
    refresh_url: `${back}&stripe=refresh`,
    return_url: `${back}&stripe=return`,
  });
  const current =
    accountId === account.id ? fromAccount({ ...state, stripe_account_id: accountId }, account) : { ...state, stripe_account_id: accountId };
  return {
    url: link.url,
    expires_at: wireInstant(link.expires_at * 1000),
    status: statusOf(current),
  };
}

export interface PaymentView {
  id: string;
  appointment_id: string;
  kind: PaymentRow['kind'];
  status: string;
  amount_cents: number;
  currency: string;
  application_fee_cents: number;
  refunded_cents: number;
  refundable_cents: number;
  reason: string | null;
  failure_reason: string | null;
  refund_of: string | null;
  dispute_status: string | null;
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  stripe_refund_id: string | null;
  client: { id: string; name: string };
  barber: { id: string; name: string };
  appointment_start_time: string;
  created_at: string;
}

export function paymentView(r: PaymentRow): PaymentView {
  const charge = r.kind !== 'refund';
  return {
    id: r.id,
    appointment_id: r.appointment_id,
    kind: r.kind,
    status: r.status,
    amount_cents: r.amount_cents,
    currency: r.currency,
    application_fee_cents: r.application_fee_cents,
    refunded_cents: r.refunded_cents,
    refundable_cents: charge && r.status === 'succeeded' ? Math.max(0, r.amount_cents - r.refunded_cents) : 0,
    reason: r.reason,
    failure_reason: r.failure_reason,
    refund_of: r.refund_of,
    dispute_status: r.dispute_status,
    stripe_payment_intent_id: r.stripe_payment_intent_id,
    stripe_charge_id: r.stripe_charge_id,
    stripe_refund_id: r.stripe_refund_id,
    client: { id: r.client_id, name: r.client_name },
    barber: { id: r.barber_id, name: r.barber_name },
    appointment_start_time: wireInstant(r.appointment_start_ms),
    created_at: wireInstant(r.created_ms),
  };
}

export interface PaymentQuery {
  from?: string;
  to?: string;
  status?: string;
  kind?: string;
  barber_id?: string;
  client_id?: string;
  appointment_id?: string;
  cursor?: string;
  limit: number;
}

const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /shops/{id}/payments`: newest first, with totals per currency over everything the filters match. */
export async function shopPayments(
  services: Services,
  actorId: string,
  shopId: string,
  q: PaymentQuery
): Promise<{
  data: PaymentView[];
  next_cursor: string | null;
  totals: PaymentTotals[];
}> {
  await authorizeShopRoles(services.db, actorId, shopId, 'owner');
  const key = readCursor(q.cursor, 2, ([at, id]) => typeof at === 'string' && MICROS.test(at) && typeof id === 'string' && UUID.test(id));
  const { rows, totals } = await listPayments(services.db, {
    shopId,
    ...(q.from ? { fromMs: Date.parse(q.from) } : {}),
    ...(q.to ? { toMs: Date.parse(q.to) } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.barber_id ? { barberId: q.barber_id } : {}),
    ...(q.client_id ? { clientId: q.client_id } : {}),
    ...(q.appointment_id ? { appointmentId: q.appointment_id } : {}),
    ...(key ? { after: { createdAt: key[0] as string, id: key[1] as string } } : {}),
    limit: q.limit,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(paymentView),
    next_cursor: rows.length > q.limit && last ? encodeCursor([last.cursor_ts, last.id]) : null,
    totals,
  };
}

/**
 * `POST /payments/{id}/refund`: an owner's refund, partial allowed, never more than is left of
 * the charge. Recorded first (one statement that checks role and amount), then sent.
 */
export async function refundPayment(
  services: Services,
  actorId: string,
  paymentId: string,
  body: { amount_cents?: number | undefined; note?: string | undefined }
): Promise<PaymentView> {
  const result = await requestManualRefund(services.db, {
    paymentId,
    actorId,
    amountCents: body.amount_cents ?? null,
    note: body.note ?? null,
  });
  switch (result.status) {
    case 'not_found':
      throw new ApiError('not_found', 'No such payment');
    case 'forbidden':
      throw new ApiError('forbidden', 'Only an owner of the shop refunds its payments');
    case 'not_refundable':
      throw new ApiError('conflict', 'Only a charge that succeeded can be refunded', { reason: 'not_refundable' });
    case 'exceeds': {
      // Re-read: a refund racing this one may have taken what the statement's snapshot still saw.
      const left = (await refundableCents(services.db, paymentId)) ?? 0;
      throw new ApiError('unprocessable', `At most ${left} minor units are left to refund on this charge`, {
        reason: 'exceeds_refundable',
        errors: [{ path: 'json.amount_cents', message: `At most ${left}` }],
      });
    }
    case 'created':
      break;
  }
  const [outcome] = await executeMovements(services, [result.refund]);
  if (outcome?.status === 'failed') {
    throw new ApiError('conflict', `Stripe refused the refund (${outcome.failureReason ?? 'unknown'}); nothing was refunded`, { reason: 'refund_refused' });
  }
  const row = await paymentRow(services.db, result.refund.id);
  if (!row) throw new Error('refund row vanished');
  return paymentView(row);
}
