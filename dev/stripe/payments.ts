/**
 * PaymentIntents with Stripe's state machine and Connect fields (destination
 * charges via `transfer_data`, direct charges via `Stripe-Account`,
 * `application_fee_amount`, `on_behalf_of`), charges, application fees,
 * transfers, refunds (with `reverse_transfer` / `refund_application_fee`),
 * disputes and the balance.
 */
import {
  allowOnly, bool, checkAmount, currencyOf, formatMoney, hash, int, invalid, metadataOf, missingParam, oneOf,
  paramsJson, proportion, str, StripeApiError, type JsonObject, type Params, type StripeErrorBody,
} from './core.ts';
import { destinationAccount, requireCardPayments } from './connect.ts';
import {
  attach, authAction, checkReusable, customerRef, declineError, liveCustomer, methodTypeFields,
  paymentMethodParam, testCardOf,
} from './customers.ts';
import {
  LIST_PARAMS, subList, type ApplicationFee, type Charge, type Ctx, type Dispute, type Owner, type PaymentIntent,
  type PaymentMethod, type PiStatus, type StripeState, type Transfer,
} from './state.ts';

const CANCELABLE: PiStatus[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
const CONFIRMABLE: PiStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const OPEN_DISPUTE = ['warning_needs_response', 'warning_under_review', 'needs_response', 'under_review'];

const PI_CREATE_PARAMS = [
  'amount', 'currency', 'automatic_payment_methods', 'confirm', 'customer', 'description', 'metadata',
  'off_session', 'payment_method', 'receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor',
  'statement_descriptor_suffix', 'application_fee_amount', 'capture_method', 'confirmation_method',
  'confirmation_token', 'error_on_requires_action', 'mandate', 'mandate_data', 'on_behalf_of',
  'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'payment_method_types',
  'radar_options', 'return_url', 'transfer_data', 'transfer_group', 'use_stripe_sdk',
  'excluded_payment_method_types', 'hooks', 'payment_details', 'amount_details', 'allowed_payment_method_types',
  'customer_account',
] as const;
const PI_UPDATE_PARAMS = [
  'amount', 'currency', 'customer', 'description', 'metadata', 'payment_method', 'receipt_email',
  'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix',
  'application_fee_amount', 'capture_method', 'payment_method_data', 'payment_method_options',
  'payment_method_types', 'transfer_data', 'transfer_group', 'payment_method_configuration',
  'excluded_payment_method_types', 'amount_details', 'hooks', 'payment_details', 'allowed_payment_method_types',
  'customer_account',
] as const;
const PI_CONFIRM_PARAMS = [
  'payment_method', 'return_url', 'off_session', 'setup_future_usage', 'capture_method', 'receipt_email',
  'payment_method_options', 'payment_method_data', 'mandate', 'mandate_data', 'error_on_requires_action',
  'use_stripe_sdk', 'shipping', 'confirmation_token', 'radar_options', 'payment_method_types', 'allowed_payment_method_types',
  'amount_details', 'excluded_payment_method_types', 'hooks', 'payment_details',
] as const;

function unexpectedState(pi: PaymentIntent, message: string): StripeApiError {
  return invalid(message, { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(pi) });
}

function setupFutureUsage(p: Params): string | null | undefined {
  if (p.setup_future_usage === undefined) return undefined;
  return oneOf(p, 'setup_future_usage', ['off_session', 'on_session'] as const) ?? null;
}

/** `off_session`: true/false, or Stripe's `one_off` / `recurring`. */
function offSession(p: Params): boolean {
  const v = str(p, 'off_session');
  if (v === undefined || v === 'false') return false;
  if (v === 'true' || v === 'one_off' || v === 'recurring') return true;
  throw invalid(`Invalid off_session: ${v}`, { code: 'parameter_invalid_boolean', param: 'off_session' });
}

interface ConnectFields {
  application_fee_amount: number | null;
  transfer_data: { destination: string; amount?: number } | null;
  on_behalf_of: string | null;
}

/** Validates the Connect parameters the way Stripe does at creation (and update). */
function connectFields(s: StripeState, p: Params, ctx: Ctx, amount: number, current?: PaymentIntent): ConnectFields {
  const td = hash(p, 'transfer_data');
  let transferData = current?.transfer_data ?? null;
  if (td) {
    allowOnly(td, ['destination', 'amount'], 'transfer_data');
    const destination = str(td, 'destination', 'transfer_data[destination]') ?? current?.transfer_data?.destination;
    if (!destination) throw missingParam('transfer_data[destination]');
    if (ctx.account) {
      throw invalid('`transfer_data` cannot be used when the request is made on a connected account with the Stripe-Account header.', { param: 'transfer_data' });
    }
    destinationAccount(s, destination, 'transfer_data[destination]');
    const tdAmount = int(td, 'amount', 'transfer_data[amount]');
    transferData = { destination, ...(tdAmount !== undefined ? { amount: tdAmount } : {}) };
  }
  const onBehalfOf = current ? current.on_behalf_of : str(p, 'on_behalf_of') ?? null;
  if (!current && onBehalfOf) {
    if (ctx.account) throw invalid('`on_behalf_of` cannot be used when the request is made on a connected account with the Stripe-Account header.', { param: 'on_behalf_of' });
    s.account(onBehalfOf, 'on_behalf_of');
    if (transferData && transferData.destination !== onBehalfOf) {
      throw invalid('The `on_behalf_of` account must be the same as `transfer_data[destination]`.', { param: 'on_behalf_of' });
    }
  }
  const fee = p.application_fee_amount !== undefined ? int(p, 'application_fee_amount') ?? null : current?.application_fee_amount ?? null;
  if (fee !== null) {
    if (!transferData && !ctx.account) {
      throw invalid(
        'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
        { param: 'application_fee_amount' },
      );
    }
    if (fee < 0) throw invalid('The application fee must be a non-negative integer.', { code: 'parameter_invalid_integer', param: 'application_fee_amount' });
    if (fee > amount) {
      throw invalid(`The application fee (${fee}) cannot be greater than the amount of the payment (${amount}).`, { param: 'application_fee_amount' });
    }
    if (transferData?.amount !== undefined) {
      throw invalid('You may only specify one of these parameters: application_fee_amount, transfer_data[amount].', { param: 'application_fee_amount' });
    }
  }
  if (transferData?.amount !== undefined && (transferData.amount < 0 || transferData.amount > amount)) {
    throw invalid('transfer_data[amount] must be between 0 and the amount of the payment.', { param: 'transfer_data[amount]' });
  }
  return { application_fee_amount: fee, transfer_data: transferData, on_behalf_of: onBehalfOf };
}

export function createPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, PI_CREATE_PARAMS);
  const amount = int(p, 'amount');
  if (amount === undefined) throw missingParam('amount');
  const currency = currencyOf(p, true) as string;
  checkAmount(amount, currency);
  const confirmNow = bool(p, 'confirm') ?? false;
  if (p.off_session !== undefined && !confirmNow) {
    throw invalid('`off_session` can only be used when `confirm=true`.', { param: 'off_session' });
  }
  const typeFields = methodTypeFields(p);
  const connect = connectFields(s, p, ctx, amount);
  const customer = customerRef(s, p, ctx.account);
  // A test token becomes a real PaymentMethod now; with confirm=true, confirm() resolves it.
  const pm = confirmNow ? undefined : paymentMethodParam(s, ctx.account, p);
  const id = s.id('pi');
  const pi: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: connect.application_fee_amount,
    ...typeFields,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async',
    client_secret: `${id}_secret_${s.ids.token(`secret:${id}`, 25)}`,
    confirmation_method: oneOf(p, 'confirmation_method', ['automatic', 'manual'] as const) ?? 'automatic',
    created: s.now(),
    currency,
    customer,
    customer_account: null,
    description: str(p, 'description') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: metadataOf(p),
    next_action: null,
    on_behalf_of: connect.on_behalf_of,
    payment_method: pm?.id ?? null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: typeFields.payment_method_types as string[],
    processing: null,
    receipt_email: str(p, 'receipt_email') ?? null,
    review: null,
    setup_future_usage: setupFutureUsage(p) ?? null,
    shipping: null,
    source: null,
    statement_descriptor: str(p, 'statement_descriptor') ?? null,
    statement_descriptor_suffix: str(p, 'statement_descriptor_suffix') ?? null,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: connect.transfer_data,
    transfer_group: str(p, 'transfer_group') ?? null,
  };
  s.put(s.paymentIntents, pi, ctx.account);
  s.emit('payment_intent.created', pi, ctx.account, ctx);
  if (confirmNow) return confirm(s, pi, p, ctx, { authenticated: false });
  return pi;
}

export function getPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.paymentIntents, ctx.id as string, ctx.account, 'payment_intent', 'intent');
}

export function listPaymentIntents(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, [...LIST_PARAMS, 'customer', 'customer_account']);
  const customer = str(ctx.params, 'customer');
  const rows = s.visible(s.paymentIntents, ctx.account).filter((pi) => customer === undefined || pi.customer === customer);
  return s.list(rows, ctx.params, '/v1/payment_intents');
}

export function updatePaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, PI_UPDATE_PARAMS);
  const pi = s.find(s.paymentIntents, ctx.id as string, ctx.account, 'payment_intent', 'intent');
  const onlyMetadata = Object.keys(p).every((k) => k === 'metadata' || k === 'description' || k === 'expand');
  if ((pi.status === 'succeeded' || pi.status === 'canceled') && !onlyMetadata) {
    throw unexpectedState(pi, `This PaymentIntent could not be updated because it has a status of ${pi.status}. Only metadata and description can be changed once it has succeeded or been canceled.`);
  }
  const amount = int(p, 'amount');
  const currency = currencyOf(p, false);
  if (amount !== undefined || currency !== undefined) checkAmount(amount ?? pi.amount, currency ?? pi.currency);
  if (!onlyMetadata) Object.assign(pi, connectFields(s, p, ctx, amount ?? pi.amount, pi));
  if (amount !== undefined) pi.amount = amount;
  if (currency !== undefined) pi.currency = currency;
  if (p.customer !== undefined) pi.customer = customerRef(s, p, ctx.account);
  if (p.description !== undefined) pi.description = str(p, 'description') ?? null;
  if (p.receipt_email !== undefined) pi.receipt_email = str(p, 'receipt_email') ?? null;
  if (p.payment_method_types !== undefined || p.allowed_payment_method_types !== undefined) Object.assign(pi, methodTypeFields(p));
  if (p.transfer_group !== undefined) pi.transfer_group = str(p, 'transfer_group') ?? null;
  const sfu = setupFutureUsage(p);
  if (sfu !== undefined) pi.setup_future_usage = sfu;
  const captureMethod = oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const);
  if (captureMethod) pi.capture_method = captureMethod;
  pi.metadata = metadataOf(p, pi.metadata);
  const pm = paymentMethodParam(s, ctx.account, p);
  if (pm) {
    pi.payment_method = pm.id;
    if (pi.status === 'requires_payment_method') pi.status = 'requires_confirmation';
  }
  return pi;
}

function chargeFor(s: StripeState, pi: PaymentIntent, pm: PaymentMethod, ok: boolean, captured: boolean, failure?: StripeErrorBody): Charge {
  const card = pm.card as JsonObject;
  const id = s.id('ch');
  return {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: ok && captured ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    authorization_code: ok ? s.ids.token(`auth-code:${id}`, 6).toUpperCase() : null,
    application_fee_amount: pi.application_fee_amount,
    balance_transaction: ok && captured ? s.id('txn') : null,
    billing_details: structuredClone(pm.billing_details as JsonObject),
    calculated_statement_descriptor: pi.statement_descriptor ?? 'BOOKEDBARBER',
    captured: ok && captured,
    created: s.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: ok ? null : failure?.code ?? 'card_declined',
    failure_message: ok ? null : failure?.message ?? 'Your card was declined.',
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: pi.on_behalf_of,
    outcome: ok
      ? { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 12, seller_message: 'Payment complete.', type: 'authorized' }
      : { network_status: 'declined_by_network', reason: failure?.decline_code ?? 'generic_decline', risk_level: 'normal', risk_score: 12, seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' },
    paid: ok,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      type: 'card',
      card: {
        brand: card.brand ?? null, country: card.country ?? null, exp_month: card.exp_month ?? null,
        exp_year: card.exp_year ?? null, fingerprint: card.fingerprint ?? null, funding: card.funding ?? null,
        last4: card.last4 ?? null, network: card.brand ?? null, checks: card.checks ?? null, three_d_secure: null,
      },
    },
    receipt_email: (pi.receipt_email as string | null) ?? null,
    receipt_number: null,
    receipt_url: `${s.publicUrl}/receipts/${id}`,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor ?? null,
    statement_descriptor_suffix: (pi.statement_descriptor_suffix as string | null) ?? null,
    status: ok ? 'succeeded' : 'failed',
    transfer: null,
    transfer_data: pi.transfer_data ? structuredClone(pi.transfer_data) : null,
    transfer_group: pi.transfer_group,
  };
}

interface ConfirmOptions {
  /** 3-D Secure already passed (the test hook, or the authentication page). */
  authenticated: boolean;
  /** Pay with exactly this payment method (after authentication). */
  paymentMethod?: PaymentMethod;
}

/**
 * Confirmation: runs the (instant) test card, moves the state machine and emits
 * events. A decline answers 402 with the intent attached, as Stripe does.
 */
export function confirm(s: StripeState, pi: PaymentIntent, p: Params, ctx: Ctx | undefined, opts: ConfirmOptions): PaymentIntent {
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(pi, `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`);
  }
  const owner = s.ownerOf(pi.id);
  const offSessionNow = offSession(p);
  const sfu = setupFutureUsage(p);
  if (sfu !== undefined) pi.setup_future_usage = sfu;
  const captureMethod = oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const);
  if (captureMethod) pi.capture_method = captureMethod;
  const pm = opts.paymentMethod ?? paymentMethodParam(s, owner, p) ?? (pi.payment_method ? s.paymentMethods.get(pi.payment_method) : undefined);
  if (!pm) {
    throw invalid(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
      { code: 'payment_intent_unexpected_state', param: 'payment_method', payment_intent: structuredClone(pi) },
    );
  }
  checkReusable(s, pm);
  if (pm.customer && pm.customer !== pi.customer) {
    throw invalid(
      pi.customer
        ? `The provided PaymentMethod (${pm.id}) belongs to a different Customer (${pm.customer}) than the PaymentIntent's Customer (${pi.customer}).`
        : `The provided PaymentMethod (${pm.id}) is attached to a Customer. Please include that Customer in the \`customer\` parameter on the PaymentIntent.`,
      { param: 'payment_method' },
    );
  }
  if (owner) requireCardPayments(s, owner, false);
  if (pi.on_behalf_of) requireCardPayments(s, pi.on_behalf_of, true);
  if (pi.transfer_data) destinationAccount(s, pi.transfer_data.destination, 'transfer_data[destination]');
  pi.payment_method = pm.id;
  const card = testCardOf(pm);

  if (card.auth && !opts.authenticated && !offSessionNow) {
    pi.status = 'requires_action';
    pi.next_action = authAction(s, pi.id, str(p, 'return_url') ?? null);
    s.emit('payment_intent.requires_action', pi, owner, ctx);
    return pi;
  }
  const declineCode = card.decline ?? (card.auth && !opts.authenticated ? 'authentication_required' : undefined);
  const ok = declineCode === undefined;
  const failure = ok ? undefined : declineError(card, pm, declineCode);
  const manual = pi.capture_method === 'manual';
  const charge = s.put(s.charges, chargeFor(s, pi, pm, ok, !manual, failure), owner);
  pi.latest_charge = charge.id;
  pi.next_action = null;
  s.pendingAuth.delete(pi.id);
  if (!ok) {
    const error = { ...(failure as StripeErrorBody), charge: charge.id };
    pi.status = 'requires_payment_method';
    pi.last_payment_error = structuredClone(error) as JsonObject;
    s.emit('charge.failed', charge, owner, ctx);
    s.emit('payment_intent.payment_failed', pi, owner, ctx);
    throw new StripeApiError(402, { ...error, payment_intent: structuredClone(pi) });
  }
  pi.last_payment_error = null;
  // A payment method used without a customer is single-use; with setup_future_usage it is saved.
  if (pi.customer && pi.setup_future_usage) attach(s, pm, liveCustomer(s, pi.customer, owner), ctx);
  else if (!pm.customer) s.consumedPaymentMethods.add(pm.id);
  if (manual) {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    s.emit('payment_intent.amount_capturable_updated', pi, owner, ctx);
    return pi;
  }
  pi.status = 'succeeded';
  pi.amount_received = pi.amount;
  settle(s, pi, charge);
  s.emit('charge.succeeded', charge, owner, ctx);
  s.emit('payment_intent.succeeded', pi, owner, ctx);
  emitSettlement(s, charge, ctx);
  if (card.dispute) openDispute(s, charge, { reason: 'fraudulent' }, ctx);
  return pi;
}

/** Captured money moves: the application fee (direct or destination) and the transfer (destination). */
function settle(s: StripeState, pi: PaymentIntent, charge: Charge): void {
  const owner = s.ownerOf(charge.id);
  const fee = pi.application_fee_amount;
  const connected = owner ?? pi.transfer_data?.destination;
  if (fee !== null && connected) {
    const id = s.id('fee');
    const record: ApplicationFee = {
      id,
      object: 'application_fee',
      account: connected,
      amount: fee,
      amount_refunded: 0,
      application: `ca_${s.ids.token('application', 24)}`,
      balance_transaction: s.id('txn'),
      charge: charge.id,
      created: s.now(),
      currency: charge.currency,
      fee_source: { charge: charge.id, type: 'charge' },
      livemode: false,
      originating_transaction: owner ? null : charge.id,
      refunded: false,
      refunds: subList(`/v1/application_fees/${id}/refunds`),
    };
    s.put(s.applicationFees, record, null);
    charge.application_fee = id;
  }
  if (pi.transfer_data) {
    const id = s.id('tr');
    const amount = pi.transfer_data.amount ?? charge.amount_captured - (fee ?? 0);
    const transfer: Transfer = {
      id,
      object: 'transfer',
      amount,
      amount_reversed: 0,
      balance_transaction: s.id('txn'),
      created: s.now(),
      currency: charge.currency,
      description: null,
      destination: pi.transfer_data.destination,
      destination_payment: s.id('py'),
      livemode: false,
      metadata: {},
      reversals: subList(`/v1/transfers/${id}/reversals`),
      reversed: false,
      source_transaction: charge.id,
      source_type: 'card',
      transfer_group: pi.transfer_group ?? `group_${pi.id}`,
    };
    s.put(s.transfers, transfer, null);
    charge.transfer = id;
  }
}

function emitSettlement(s: StripeState, charge: Charge, ctx: Ctx | undefined): void {
  if (charge.application_fee) s.emit('application_fee.created', s.applicationFees.get(charge.application_fee) as ApplicationFee, null, ctx);
  if (charge.transfer) s.emit('transfer.created', s.transfers.get(charge.transfer) as Transfer, null, ctx);
}

export function confirmPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, PI_CONFIRM_PARAMS);
  const pi = s.find(s.paymentIntents, ctx.id as string, ctx.account, 'payment_intent', 'intent');
  return confirm(s, pi, ctx.params, ctx, { authenticated: false });
}

/**
 * Test hook `POST /__test/payment_intents/:id/pay`: the customer pays in the
 * browser. Confirms with `payment_method` (default pm_card_visa) with 3-D
 * Secure passed; an intent waiting in requires_action completes with its own
 * payment method. Declining cards still decline (402), so demos can show both.
 */
export function testPay(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['payment_method', 'payment_method_data', 'setup_future_usage']);
  const pi = s.find(s.paymentIntents, ctx.id as string, ctx.account, 'payment_intent', 'intent');
  if (pi.status === 'requires_action' && pi.payment_method && ctx.params.payment_method === undefined) {
    return confirm(s, pi, ctx.params, ctx, { authenticated: true, paymentMethod: s.paymentMethods.get(pi.payment_method) });
  }
  const p: Params = { ...ctx.params };
  if (p.payment_method === undefined && p.payment_method_data === undefined) p.payment_method = 'pm_card_visa';
  return confirm(s, pi, p, ctx, { authenticated: true });
}

/** The authentication page's verdict on a PaymentIntent in requires_action. */
export function finishPaymentAuthentication(s: StripeState, pi: PaymentIntent, passed: boolean): void {
  const owner = s.ownerOf(pi.id);
  const pm = pi.payment_method ? s.paymentMethods.get(pi.payment_method) : undefined;
  if (passed && pm) {
    try {
      confirm(s, pi, {}, undefined, { authenticated: true, paymentMethod: pm });
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e; // a decline after 3-D Secure is recorded on the intent
    }
    return;
  }
  pi.status = 'requires_payment_method';
  pi.next_action = null;
  pi.last_payment_error = {
    code: 'payment_intent_authentication_failure',
    doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
    message: 'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    payment_method: pm ? structuredClone(pm) : null,
    type: 'invalid_request_error',
  };
  s.pendingAuth.delete(pi.id);
  s.emit('payment_intent.payment_failed', pi, owner);
}

export function cancelPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['cancellation_reason']);
  const pi = s.find(s.paymentIntents, ctx.id as string, ctx.account, 'payment_intent', 'intent');
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      pi,
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
    );
  }
  const owner = s.ownerOf(pi.id);
  pi.cancellation_reason = oneOf(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const) ?? null;
  // Canceling an authorisation releases it: the uncaptured charge shows as refunded.
  const held = pi.status === 'requires_capture' && pi.latest_charge ? s.charges.get(pi.latest_charge) : undefined;
  pi.status = 'canceled';
  pi.canceled_at = s.now();
  pi.amount_capturable = 0;
  pi.next_action = null;
  s.pendingAuth.delete(pi.id);
  if (held) {
    held.amount_refunded = held.amount;
    held.refunded = true;
    s.emit('charge.refunded', held, owner, ctx);
  }
  s.emit('payment_intent.canceled', pi, owner, ctx);
  return pi;
}

export function capturePaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['amount_to_capture', 'metadata', 'application_fee_amount', 'final_capture', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data']);
  const pi = s.find(s.paymentIntents, ctx.id as string, ctx.account, 'payment_intent', 'intent');
  if (pi.status !== 'requires_capture') {
    throw unexpectedState(
      pi,
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    );
  }
  const amount = int(p, 'amount_to_capture') ?? pi.amount_capturable;
  if (amount > pi.amount_capturable || amount <= 0) {
    throw invalid('The amount to capture must be positive and no more than the amount capturable.', { code: 'amount_too_large', param: 'amount_to_capture' });
  }
  const fee = int(p, 'application_fee_amount');
  if (fee !== undefined) {
    if (!pi.transfer_data && !s.ownerOf(pi.id)) throw invalid('Can only apply an application_fee_amount on a direct or destination payment.', { param: 'application_fee_amount' });
    if (fee > amount) throw invalid(`The application fee (${fee}) cannot be greater than the amount captured (${amount}).`, { param: 'application_fee_amount' });
    pi.application_fee_amount = fee;
  }
  const owner = s.ownerOf(pi.id);
  const charge = s.charges.get(pi.latest_charge as string) as Charge;
  charge.captured = true;
  charge.amount_captured = amount;
  charge.application_fee_amount = pi.application_fee_amount;
  charge.balance_transaction = s.id('txn');
  pi.metadata = metadataOf(p, pi.metadata);
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  pi.status = 'succeeded';
  settle(s, pi, charge);
  s.emit('charge.captured', charge, owner, ctx);
  s.emit('payment_intent.succeeded', pi, owner, ctx);
  emitSettlement(s, charge, ctx);
  return pi;
}

// ---------------------------------------------------------------------------
// Charges, fees, transfers

export function getCharge(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.charges, ctx.id as string, ctx.account, 'charge', 'charge');
}

export function listCharges(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, [...LIST_PARAMS, 'customer', 'payment_intent', 'transfer_group']);
  const [customer, pi, group] = [str(p, 'customer'), str(p, 'payment_intent'), str(p, 'transfer_group')];
  const rows = s.visible(s.charges, ctx.account).filter((c) =>
    (customer === undefined || c.customer === customer) && (pi === undefined || c.payment_intent === pi) && (group === undefined || c.transfer_group === group));
  return s.list(rows, p, '/v1/charges');
}

export function getApplicationFee(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.applicationFees, ctx.id as string, ctx.account, 'application fee');
}

export function listApplicationFees(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, [...LIST_PARAMS, 'charge']);
  const charge = str(ctx.params, 'charge');
  const rows = s.visible(s.applicationFees, ctx.account).filter((f) => charge === undefined || f.charge === charge);
  return s.list(rows, ctx.params, '/v1/application_fees');
}

function refundFee(s: StripeState, fee: ApplicationFee, amount: number, metadata: Record<string, string>, ctx: Ctx | undefined): JsonObject {
  const refund: JsonObject = {
    id: s.id('fr'), object: 'fee_refund', amount, balance_transaction: s.id('txn'), created: s.now(),
    currency: fee.currency, fee: fee.id, metadata,
  };
  fee.amount_refunded += amount;
  fee.refunded = fee.amount_refunded >= fee.amount;
  fee.refunds.data.unshift(refund);
  fee.refunds.total_count++;
  s.emit('application_fee.refunded', fee, null, ctx);
  return refund;
}

/** `applicationFees.createRefund(fee, {amount?})`. */
export function createFeeRefund(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['amount', 'metadata']);
  const fee = s.find(s.applicationFees, ctx.id as string, ctx.account, 'application fee');
  const left = fee.amount - fee.amount_refunded;
  const amount = int(ctx.params, 'amount') ?? left;
  if (left <= 0) throw invalid(`Application fee ${fee.id} has already been refunded.`, { code: 'charge_already_refunded' });
  if (amount <= 0 || amount > left) {
    throw invalid(`Refund amount (${formatMoney(amount, fee.currency)}) is greater than unrefunded amount on fee (${formatMoney(left, fee.currency)})`, { code: 'amount_too_large', param: 'amount' });
  }
  return refundFee(s, fee, amount, metadataOf(ctx.params), ctx);
}

export function listFeeRefunds(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, LIST_PARAMS);
  const fee = s.find(s.applicationFees, ctx.id as string, ctx.account, 'application fee');
  return s.list([...fee.refunds.data].reverse(), ctx.params, fee.refunds.url as string);
}

export function getTransfer(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.transfers, ctx.id as string, ctx.account, 'transfer');
}

export function listTransfers(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, [...LIST_PARAMS, 'destination', 'transfer_group']);
  const [destination, group] = [str(ctx.params, 'destination'), str(ctx.params, 'transfer_group')];
  const rows = s.visible(s.transfers, ctx.account).filter((t) => (destination === undefined || t.destination === destination) && (group === undefined || t.transfer_group === group));
  return s.list(rows, ctx.params, '/v1/transfers');
}

// ---------------------------------------------------------------------------
// Refunds

export function createRefund(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['amount', 'charge', 'payment_intent', 'reason', 'metadata', 'currency', 'customer', 'instructions_email', 'origin', 'refund_application_fee', 'reverse_transfer']);
  const charge = refundTarget(s, p, ctx.account);
  const owner = s.ownerOf(charge.id);
  const dispute = [...s.disputes.values()].find((d) => d.charge === charge.id);
  if (dispute && (OPEN_DISPUTE.includes(dispute.status) || dispute.status === 'lost')) {
    throw invalid(`Charge ${charge.id} has been charged back; cannot issue a refund.`, { code: 'charge_disputed' });
  }
  const unrefunded = charge.amount_captured - charge.amount_refunded;
  if (unrefunded <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  const amount = int(p, 'amount') ?? unrefunded;
  if (amount <= 0) throw invalid('Refund amount must be positive.', { code: 'parameter_invalid_integer', param: 'amount' });
  if (amount > unrefunded) {
    throw invalid(
      `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(unrefunded, charge.currency)})`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  const reverseTransfer = bool(p, 'reverse_transfer') ?? false;
  const refundFeeToo = bool(p, 'refund_application_fee') ?? false;
  const transfer = charge.transfer ? s.transfers.get(charge.transfer) : undefined;
  if (reverseTransfer && !transfer) {
    throw invalid(`The charge ${charge.id} has no transfer to reverse: reverse_transfer is only for destination charges.`, { param: 'reverse_transfer' });
  }
  const final = amount === unrefunded;
  const refund: JsonObject & { id: string } = {
    id: s.id('re'),
    object: 'refund',
    amount,
    balance_transaction: s.id('txn'),
    charge: charge.id,
    created: s.now(),
    currency: charge.currency,
    customer: charge.customer,
    description: null,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    failure_balance_transaction: null,
    failure_reason: null,
    instructions_email: str(p, 'instructions_email') ?? null,
    metadata: metadataOf(p),
    next_action: null,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    pending_reason: null,
    reason: oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  s.put(s.refunds, refund, owner);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount_captured;
  s.emit('refund.created', refund, owner, ctx);
  s.emit('charge.refunded', charge, owner, ctx);
  if (reverseTransfer && transfer) {
    const left = transfer.amount - transfer.amount_reversed;
    const reversalAmount = final ? left : Math.min(left, proportion(transfer.amount, amount, charge.amount_captured));
    const reversal: JsonObject = {
      id: s.id('trr'), object: 'transfer_reversal', amount: reversalAmount, balance_transaction: s.id('txn'), created: s.now(),
      currency: transfer.currency, destination_payment_refund: s.id('pyr'), metadata: {}, source_refund: refund.id as string, transfer: transfer.id,
    };
    transfer.amount_reversed += reversalAmount;
    transfer.reversed = transfer.amount_reversed >= transfer.amount;
    transfer.reversals.data.unshift(reversal);
    transfer.reversals.total_count++;
    refund.transfer_reversal = reversal.id as string;
    s.emit('transfer.reversed', transfer, null, ctx);
  }
  const fee = charge.application_fee ? s.applicationFees.get(charge.application_fee) : undefined;
  if (refundFeeToo && fee) {
    const left = fee.amount - fee.amount_refunded;
    const feeAmount = final ? left : Math.min(left, proportion(fee.amount, amount, charge.amount_captured));
    if (feeAmount > 0) refundFee(s, fee, feeAmount, {}, ctx);
  }
  return refund;
}

function refundTarget(s: StripeState, p: Params, owner: Owner): Charge {
  const chargeId = str(p, 'charge');
  const piId = str(p, 'payment_intent');
  if (!chargeId && !piId) {
    throw invalid('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing' });
  }
  if (chargeId) {
    const charge = s.find(s.charges, chargeId, owner, 'charge', 'charge');
    if (charge.status !== 'succeeded' || !charge.captured) {
      throw invalid(`Charge ${charge.id} has not been captured and cannot be refunded.`, { code: 'charge_not_refundable', param: 'charge' });
    }
    return charge;
  }
  const pi = s.find(s.paymentIntents, piId as string, owner, 'payment_intent', 'payment_intent');
  const charge = pi.latest_charge ? s.charges.get(pi.latest_charge) : undefined;
  if (!charge || pi.status !== 'succeeded') {
    throw invalid(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { code: 'charge_not_refundable', param: 'payment_intent' });
  }
  return charge;
}

export function getRefund(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.refunds, ctx.id as string, ctx.account, 'refund');
}

export function updateRefund(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['metadata']);
  const refund = s.find(s.refunds, ctx.id as string, ctx.account, 'refund');
  refund.metadata = metadataOf(ctx.params, refund.metadata as Record<string, string>);
  return refund;
}

export function listRefunds(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, [...LIST_PARAMS, 'charge', 'payment_intent']);
  const [charge, pi] = [str(ctx.params, 'charge'), str(ctx.params, 'payment_intent')];
  const rows = s.visible(s.refunds, ctx.account).filter((r) => (charge === undefined || r.charge === charge) && (pi === undefined || r.payment_intent === pi));
  return s.list(rows, ctx.params, '/v1/refunds');
}

// ---------------------------------------------------------------------------
// Disputes

const DISPUTE_REASONS = [
  'bank_cannot_process', 'check_returned', 'credit_not_processed', 'customer_initiated', 'debit_not_authorized',
  'duplicate', 'fraudulent', 'general', 'incorrect_account_details', 'insufficient_funds', 'product_not_received',
  'product_unacceptable', 'subscription_canceled', 'unrecognized',
] as const;

const EMPTY_EVIDENCE: JsonObject = Object.fromEntries([
  'access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal',
  'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature',
  'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt',
  'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation',
  'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number',
  'uncategorized_file', 'uncategorized_text',
].map((k) => [k, null]));

/** Opens a dispute on a captured charge: `charge.dispute.created`, then `charge.dispute.funds_withdrawn`. */
export function openDispute(s: StripeState, charge: Charge, opts: { amount?: number; reason?: string }, ctx?: Ctx): Dispute {
  if (charge.status !== 'succeeded' || !charge.captured) throw invalid(`Charge ${charge.id} was not captured and cannot be disputed.`, { param: 'charge' });
  if (charge.disputed) throw invalid(`Charge ${charge.id} is already disputed.`, { param: 'charge' });
  const owner = s.ownerOf(charge.id);
  const amount = opts.amount ?? charge.amount_captured - charge.amount_refunded;
  if (amount <= 0 || amount > charge.amount_captured) throw invalid('The dispute amount must be positive and no more than the amount captured.', { param: 'amount' });
  const created = s.now();
  const dispute: Dispute = {
    id: s.id('dp'),
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...EMPTY_EVIDENCE },
    evidence_details: { due_by: created + 21 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: '10.4',
    payment_intent: charge.payment_intent,
    payment_method_details: { card: { brand: (charge.payment_method_details as JsonObject & { card: JsonObject }).card.brand ?? null, case_type: 'chargeback', network_reason_code: '10.4' }, type: 'card' },
    reason: opts.reason ?? 'fraudulent',
    status: 'needs_response',
  };
  s.put(s.disputes, dispute, owner);
  charge.disputed = true;
  s.emit('charge.dispute.created', dispute, owner, ctx);
  (dispute.balance_transactions as JsonObject[]).push({
    id: s.id('txn'), object: 'balance_transaction', amount: -amount, currency: charge.currency, fee: 1500,
    net: -amount - 1500, reporting_category: 'dispute', type: 'adjustment', status: 'available', created,
  });
  s.emit('charge.dispute.funds_withdrawn', dispute, owner, ctx);
  return dispute;
}

/** Test hook `POST /__test/charges/:id/dispute` (`amount?`, `reason?` = fraudulent). */
export function testDispute(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['amount', 'reason']);
  const charge = s.find(s.charges, ctx.id as string, ctx.account, 'charge', 'charge');
  return openDispute(s, charge, { amount: int(ctx.params, 'amount'), reason: oneOf(ctx.params, 'reason', DISPUTE_REASONS) }, ctx);
}

function closeDispute(s: StripeState, dispute: Dispute, status: 'won' | 'lost' | 'warning_closed', ctx: Ctx): Dispute {
  if (!OPEN_DISPUTE.includes(dispute.status)) throw invalid(`This dispute is already closed (status ${dispute.status}).`, { code: 'dispute_already_closed' });
  const owner = s.ownerOf(dispute.id);
  dispute.status = status;
  dispute.is_charge_refundable = status !== 'lost';
  s.emit('charge.dispute.closed', dispute, owner, ctx);
  if (status === 'won') {
    (dispute.balance_transactions as JsonObject[]).push({
      id: s.id('txn'), object: 'balance_transaction', amount: dispute.amount, currency: dispute.currency as string, fee: -1500,
      net: dispute.amount + 1500, reporting_category: 'dispute_reversal', type: 'adjustment', status: 'available', created: s.now(),
    });
    s.emit('charge.dispute.funds_reinstated', dispute, owner, ctx);
  }
  return dispute;
}

/** Test hook `POST /__test/disputes/:id/close` (`status` = won | lost | warning_closed): the bank decides. */
export function testCloseDispute(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['status']);
  const dispute = s.find(s.disputes, ctx.id as string, ctx.account, 'dispute', 'dispute');
  const status = oneOf(ctx.params, 'status', ['won', 'lost', 'warning_closed'] as const);
  if (!status) throw missingParam('status');
  return closeDispute(s, dispute, status, ctx);
}

export function getDispute(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.disputes, ctx.id as string, ctx.account, 'dispute', 'dispute');
}

export function listDisputes(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, [...LIST_PARAMS, 'charge', 'payment_intent']);
  const [charge, pi] = [str(ctx.params, 'charge'), str(ctx.params, 'payment_intent')];
  const rows = s.visible(s.disputes, ctx.account).filter((d) => (charge === undefined || d.charge === charge) && (pi === undefined || d.payment_intent === pi));
  return s.list(rows, ctx.params, '/v1/disputes');
}

/** `disputes.update`: evidence and metadata; `submit=true` sends it (status under_review). */
export function updateDispute(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['evidence', 'metadata', 'submit', 'intended_submission_method']);
  const dispute = s.find(s.disputes, ctx.id as string, ctx.account, 'dispute', 'dispute');
  if (!['needs_response', 'warning_needs_response'].includes(dispute.status)) {
    throw invalid(`This dispute cannot be updated because it has a status of ${dispute.status}.`, { code: 'dispute_already_closed' });
  }
  const evidence = hash(p, 'evidence');
  if (evidence) {
    allowOnly(evidence, Object.keys(EMPTY_EVIDENCE), 'evidence');
    dispute.evidence = { ...dispute.evidence, ...(paramsJson(evidence) as JsonObject) };
    dispute.evidence_details.has_evidence = true;
  }
  dispute.metadata = metadataOf(p, dispute.metadata);
  const submit = bool(p, 'submit') ?? true; // Stripe submits unless submit=false
  if (submit) {
    dispute.status = dispute.status === 'warning_needs_response' ? 'warning_under_review' : 'under_review';
    dispute.evidence_details.submission_count++;
  }
  s.emit('charge.dispute.updated', dispute, s.ownerOf(dispute.id), ctx);
  return dispute;
}

/** `disputes.close`: accepting the dispute, which loses it. */
export function acceptDispute(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, []);
  const dispute = s.find(s.disputes, ctx.id as string, ctx.account, 'dispute', 'dispute');
  return closeDispute(s, dispute, 'lost', ctx);
}

// ---------------------------------------------------------------------------
// Balance

/**
 * Money each account holds, without Stripe's processing fees: captured minus
 * refunded charges, transfers out (platform) or in (destination), application
 * fees to the platform, and disputed funds withdrawn.
 */
export function balance(s: StripeState, ctx: Ctx): JsonObject {
  const owner = ctx.account;
  const sums = new Map<string, number>();
  const add = (currency: string, amount: number) => sums.set(currency, (sums.get(currency) ?? 0) + amount);
  for (const ch of s.visible(s.charges, owner)) if (ch.status === 'succeeded') add(ch.currency, ch.amount_captured - ch.amount_refunded);
  for (const t of s.transfers.values()) {
    const net = t.amount - t.amount_reversed;
    if (owner === null) add(t.currency, -net);
    else if (t.destination === owner) add(t.currency, net);
  }
  for (const f of s.applicationFees.values()) {
    const net = f.amount - f.amount_refunded;
    const direct = s.ownerOf(f.charge) !== null;
    if (owner === null && direct) add(f.currency, net);
    if (owner !== null && direct && f.account === owner) add(f.currency, -net);
  }
  for (const d of s.visible(s.disputes, owner)) {
    const lost = OPEN_DISPUTE.includes(d.status) || d.status === 'lost';
    if (lost) add(d.currency as string, -d.amount);
  }
  if (sums.size === 0) sums.set('usd', 0);
  const available = [...sums].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
  return {
    object: 'balance',
    available,
    pending: available.map((a) => ({ amount: 0, currency: a.currency, source_types: { card: 0 } })),
    connect_reserved: available.map((a) => ({ amount: 0, currency: a.currency })),
    livemode: false,
  };
}
