/**
 * Local stand-in for the slice of the Stripe REST API BookedBarber uses.
 *
 * Point the `stripe` SDK at it with `{ host, port, protocol: 'http' }`. It
 * speaks form-encoded requests (`a[b]=c`, `a[0]=x`), checks the secret key,
 * honours `Idempotency-Key`, keeps PaymentIntents / charges / refunds in
 * memory with Stripe's state machine for the test payment methods
 * (`pm_card_visa` succeeds, `pm_card_chargeDeclined` is declined), and POSTs
 * signed webhook events (`Stripe-Signature: t=...,v1=HMAC`) on state changes.
 * There is no usable Stripe mock on npm (DESIGN.md §6), hence this file.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeServer, debugFor, listen, PayloadTooLarge, readBody } from './http.ts';

export interface StripeStandinOptions {
  port?: number;
  host?: string;
  /** The `sk_test_...` key requests must present. */
  secretKey: string;
  /** `whsec_...`; with webhookUrl, enables signed event delivery. */
  webhookSecret?: string;
  webhookUrl?: string;
}

export interface StripeStandin {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
  /**
   * Test helper: records an event of `type` wrapping `object` and POSTs it,
   * signed, to webhookUrl once (no retries), resolving to the endpoint's response.
   */
  sendEvent(type: string, object: unknown): Promise<Response>;
}

/** The API version the pinned SDK (stripe 23.1.0) sends; events default to it. */
const DEFAULT_API_VERSION = '2026-10-28.endive';
const MAX_BODY_BYTES = 1024 * 1024;
const WEBHOOK_ATTEMPTS = 4;
const WEBHOOK_TIMEOUT_MS = 10_000;
const IDEMPOTENCY_CACHE_SIZE = 10_000;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
/** A decoded form body: nested objects and arrays of strings. */
type Params = { [k: string]: Param };
type Param = string | Param[] | Params;

// ---------------------------------------------------------------------------
// Errors

interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  [k: string]: Json | undefined;
}

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

const invalid = (message: string, extra: Partial<StripeErrorBody> = {}, status = 400) =>
  new StripeApiError(status, { type: 'invalid_request_error', message, ...extra });

const missingParam = (param: string) =>
  invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param });

const noSuch = (what: string, id: string, param = 'id') =>
  invalid(`No such ${what}: '${id}'`, { code: 'resource_missing', param }, 404);

// ---------------------------------------------------------------------------
// Form decoding (the SDK's qs-style `a[b][0]=c` encoding)

function setPath(target: Params, path: string[], value: string): void {
  let node: Params = target;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    // `a[]=x` appends: give it the next free numeric index.
    const key = seg === '' ? String(Object.keys(node).length) : seg;
    if (last) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Params;
  });
}

/** Objects whose keys are exactly 0..n-1 become arrays, as Stripe reads them. */
function arrayify(p: Param): Param {
  if (typeof p === 'string' || Array.isArray(p)) return p;
  const keys = Object.keys(p);
  const out: Params = {};
  for (const k of keys) out[k] = arrayify(p[k] as Param);
  const isArray = keys.length > 0 && keys.every((k, i) => k === String(i));
  return isArray ? keys.map((k) => out[k] as Param) : out;
}

function decodeForm(text: string): Params {
  const root: Params = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    if (!m) throw invalid(`Invalid parameter name: ${rawKey}`, { code: 'parameter_unknown', param: rawKey });
    const segs = [m[1] as string, ...[...(m[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((x) => x[1] as string)];
    setPath(root, segs, value);
  }
  return arrayify(root) as Params;
}

// ---------------------------------------------------------------------------
// Parameter helpers

function str(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid string: ${name}`, { code: 'parameter_invalid_string', param: name });
  return v;
}

function int(p: Params, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw invalid(`Invalid integer: ${v}`, { code: 'parameter_invalid_integer', param: name });
  }
  return Number(v);
}

function bool(p: Params, name: string): boolean | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalid(`Invalid boolean: ${v}`, { code: 'parameter_invalid_boolean', param: name });
  return v === 'true';
}

function oneOf<T extends string>(p: Params, name: string, allowed: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid(`Invalid ${name}: must be one of ${allowed.join(', ')}`, { code: 'parameter_invalid_empty', param: name });
  }
  return v as T;
}

/** Stripe rejects parameters it does not know; catching typos early is the point. */
function allowOnly(p: Params, allowed: readonly string[]): void {
  for (const key of Object.keys(p)) {
    if (key !== 'expand' && !allowed.includes(key)) {
      throw invalid(`Received unknown parameter: ${key}`, { code: 'parameter_unknown', param: key });
    }
  }
}

function metadataOf(p: Params, current: Record<string, string> = {}): Record<string, string> {
  const m = p.metadata;
  if (m === undefined) return current;
  if (m === '') return {}; // `metadata=` clears everything
  if (typeof m !== 'object' || Array.isArray(m)) throw invalid('Invalid metadata', { param: 'metadata' });
  const out = { ...current };
  for (const [k, v] of Object.entries(m)) {
    // A bracket in a key arrives as a deeper nesting level, which Stripe refuses too.
    if (typeof v !== 'string') throw invalid(`Invalid value for metadata key ${k}: metadata values must be strings and keys cannot contain brackets`, { param: `metadata[${k}]` });
    if (v === '') delete out[k]; // an empty value unsets the key
    else out[k] = v;
  }
  if (Object.keys(out).length > 50) throw invalid('Metadata can have at most 50 keys', { param: 'metadata' });
  return out;
}

/** Minimum charge amounts in the smallest currency unit (Stripe's table, abridged). */
const MIN_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50, sek: 300, nok: 300, dkk: 250 };
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'xof', 'xaf', 'bif', 'djf', 'gnf', 'kmf', 'mga', 'pyg', 'rwf', 'ugx', 'vuv', 'xpf']);

function currencyOf(p: Params, required: boolean): string | undefined {
  const c = str(p, 'currency')?.toLowerCase();
  if (c === undefined) {
    if (required) throw missingParam('currency');
    return undefined;
  }
  if (!/^[a-z]{3}$/.test(c)) throw invalid(`Invalid currency: ${c}`, { code: 'parameter_invalid_empty', param: 'currency' });
  return c;
}

function formatMoney(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return currency === 'usd' ? `$${major}` : `${major} ${currency}`;
}

function checkAmount(amount: number, currency: string, param = 'amount'): void {
  const min = MIN_AMOUNT[currency] ?? 50;
  if (amount < min) {
    throw invalid(`Amount must be at least ${formatMoney(min, currency)} ${currency}`, { code: 'amount_too_small', param });
  }
  if (amount > 99_999_999) {
    throw invalid(`Amount must be no more than ${formatMoney(99_999_999, currency)}`, { code: 'amount_too_large', param });
  }
}

// ---------------------------------------------------------------------------
// Objects

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}

const now = (): number => Math.floor(Date.now() / 1000);

type PiStatus =
  | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing'
  | 'requires_capture' | 'canceled' | 'succeeded';

interface PaymentIntent extends JsonObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: PiStatus;
  capture_method: string;
  confirmation_method: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  payment_method_types: string[];
  latest_charge: string | null;
  last_payment_error: JsonObject | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  client_secret: string;
  created: number;
  livemode: false;
}

interface Charge extends JsonObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  currency: string;
  payment_intent: string;
  payment_method: string;
  paid: boolean;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  metadata: Record<string, string>;
}

/** Test payment methods: token → card brand/last4 and whether charges succeed. */
const TEST_CARDS: Record<string, { brand: string; last4: string; decline?: string }> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_visa_debit: { brand: 'visa', last4: '5556' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_amex: { brand: 'amex', last4: '8431' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', decline: 'generic_decline' },
  pm_card_visa_chargeDeclined: { brand: 'visa', last4: '0002', decline: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', decline: 'insufficient_funds' },
  pm_card_chargeDeclinedExpiredCard: { brand: 'visa', last4: '0069', decline: 'expired_card' },
};

const CANCELABLE: PiStatus[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
const CONFIRMABLE: PiStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

const PI_CREATE_PARAMS = [
  'amount', 'currency', 'automatic_payment_methods', 'confirm', 'customer', 'description', 'metadata',
  'off_session', 'payment_method', 'receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor',
  'statement_descriptor_suffix', 'application_fee_amount', 'capture_method', 'confirmation_method',
  'confirmation_token', 'error_on_requires_action', 'mandate', 'mandate_data', 'on_behalf_of',
  'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'payment_method_types',
  'radar_options', 'return_url', 'transfer_data', 'transfer_group', 'use_stripe_sdk',
  'excluded_payment_method_types', 'hooks', 'payment_details', 'amount_details',
] as const;
const PI_UPDATE_PARAMS = [
  'amount', 'currency', 'customer', 'description', 'metadata', 'payment_method', 'receipt_email',
  'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix',
  'application_fee_amount', 'capture_method', 'payment_method_data', 'payment_method_options',
  'payment_method_types', 'transfer_data', 'transfer_group', 'payment_method_configuration',
  'excluded_payment_method_types', 'amount_details', 'hooks', 'payment_details',
] as const;
const PI_CONFIRM_PARAMS = [
  'payment_method', 'return_url', 'off_session', 'setup_future_usage', 'capture_method', 'receipt_email',
  'payment_method_options', 'payment_method_data', 'mandate', 'mandate_data', 'error_on_requires_action',
  'use_stripe_sdk', 'shipping', 'confirmation_token', 'radar_options', 'payment_method_types',
] as const;

// ---------------------------------------------------------------------------
// State + handlers

interface Ctx {
  params: Params;
  id?: string;
  requestId: string;
  idempotencyKey?: string;
  apiVersion: string;
}

interface EventRecord extends JsonObject {
  id: string;
  object: 'event';
  type: string;
  created: number;
  api_version: string;
  livemode: false;
  pending_webhooks: number;
  data: { object: Json };
  request: { id: string | null; idempotency_key: string | null };
}

class StripeState {
  readonly customers = new Map<string, JsonObject>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, JsonObject>();
  readonly setupIntents = new Map<string, JsonObject>();
  readonly events = new Map<string, EventRecord>();

  constructor(private readonly onEvent: (e: EventRecord) => void) {}

  emit(type: string, object: Json, ctx?: Ctx): EventRecord {
    const event: EventRecord = {
      id: newId('evt'),
      object: 'event',
      type,
      created: now(),
      api_version: ctx?.apiVersion ?? DEFAULT_API_VERSION,
      livemode: false,
      pending_webhooks: 1,
      // A snapshot, so later mutations do not rewrite history.
      data: { object: structuredClone(object) },
      request: { id: ctx?.requestId ?? null, idempotency_key: ctx?.idempotencyKey ?? null },
    };
    this.events.set(event.id, event);
    this.onEvent(event);
    return event;
  }

  pi(id: string): PaymentIntent {
    const pi = this.paymentIntents.get(id);
    if (!pi) throw noSuch('payment_intent', id, 'intent');
    return pi;
  }

  customerRef(p: Params): string | null {
    const id = str(p, 'customer');
    if (id === undefined) return null;
    if (!this.customers.has(id)) throw noSuch('customer', id, 'customer');
    return id;
  }
}

function balance(s: StripeState): JsonObject {
  const byCurrency = new Map<string, number>();
  for (const ch of s.charges.values()) {
    if (ch.status !== 'succeeded') continue;
    byCurrency.set(ch.currency, (byCurrency.get(ch.currency) ?? 0) + ch.amount_captured - ch.amount_refunded);
  }
  if (byCurrency.size === 0) byCurrency.set('usd', 0);
  const available = [...byCurrency].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
  return {
    object: 'balance',
    available,
    pending: available.map((a) => ({ amount: 0, currency: a.currency, source_types: { card: 0 } })),
    connect_reserved: available.map((a) => ({ amount: 0, currency: a.currency })),
    livemode: false,
  };
}

function createCustomer(s: StripeState, { params: p }: Ctx): JsonObject {
  allowOnly(p, [
    'address', 'description', 'email', 'metadata', 'name', 'payment_method', 'phone', 'shipping', 'tax',
    'tax_exempt', 'tax_id_data', 'test_clock', 'balance', 'cash_balance', 'invoice_prefix',
    'invoice_settings', 'next_invoice_sequence', 'preferred_locales', 'source', 'validate',
  ]);
  const c: JsonObject = {
    id: newId('cus', 14),
    object: 'customer',
    created: now(),
    email: str(p, 'email') ?? null,
    name: str(p, 'name') ?? null,
    phone: str(p, 'phone') ?? null,
    description: str(p, 'description') ?? null,
    balance: int(p, 'balance') ?? 0,
    currency: null,
    default_source: null,
    delinquent: false,
    invoice_prefix: randomBytes(4).toString('hex').toUpperCase(),
    metadata: metadataOf(p),
    livemode: false,
  };
  s.customers.set(c.id as string, c);
  return c;
}

function getCustomer(s: StripeState, { id }: Ctx): JsonObject {
  const c = s.customers.get(id as string);
  if (!c) throw noSuch('customer', id as string);
  return c;
}

function createPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, PI_CREATE_PARAMS);
  const amount = int(p, 'amount');
  if (amount === undefined) throw missingParam('amount');
  const currency = currencyOf(p, true) as string;
  checkAmount(amount, currency);
  const paymentMethod = str(p, 'payment_method') ?? null;
  const id = newId('pi');
  const pi: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_received: 0,
    currency,
    status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    capture_method: oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async',
    confirmation_method: oneOf(p, 'confirmation_method', ['automatic', 'manual'] as const) ?? 'automatic',
    customer: s.customerRef(p),
    description: str(p, 'description') ?? null,
    metadata: metadataOf(p),
    payment_method: paymentMethod,
    payment_method_types: paymentMethodTypes(p),
    latest_charge: null,
    last_payment_error: null,
    canceled_at: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${newId('x', 25).slice(2)}`,
    created: now(),
    livemode: false,
    receipt_email: str(p, 'receipt_email') ?? null,
    setup_future_usage: str(p, 'setup_future_usage') ?? null,
    statement_descriptor: str(p, 'statement_descriptor') ?? null,
    next_action: null,
    automatic_payment_methods: p.payment_method_types === undefined ? { enabled: true } : null,
  };
  s.paymentIntents.set(id, pi);
  if (bool(p, 'confirm')) return confirm(s, pi, {}, ctx);
  return pi;
}

function paymentMethodTypes(p: Params): string[] {
  const v = p.payment_method_types;
  if (v === undefined) return ['card'];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw invalid('Invalid array', { param: 'payment_method_types' });
  }
  return v;
}

function updatePaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, PI_UPDATE_PARAMS);
  const pi = s.pi(ctx.id as string);
  const onlyMetadata = Object.keys(p).every((k) => k === 'metadata' || k === 'description' || k === 'expand');
  if ((pi.status === 'succeeded' || pi.status === 'canceled') && !onlyMetadata) {
    throw unexpectedState(pi, 'update');
  }
  const amount = int(p, 'amount');
  const currency = currencyOf(p, false);
  if (amount !== undefined || currency !== undefined) checkAmount(amount ?? pi.amount, currency ?? pi.currency);
  if (amount !== undefined) pi.amount = amount;
  if (currency !== undefined) pi.currency = currency;
  if (p.customer !== undefined) pi.customer = s.customerRef(p);
  if (p.description !== undefined) pi.description = str(p, 'description') ?? null;
  if (p.receipt_email !== undefined) pi.receipt_email = str(p, 'receipt_email') ?? null;
  if (p.payment_method_types !== undefined) pi.payment_method_types = paymentMethodTypes(p);
  const captureMethod = oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const);
  if (captureMethod) pi.capture_method = captureMethod;
  pi.metadata = metadataOf(p, pi.metadata);
  const pm = str(p, 'payment_method');
  if (pm !== undefined) {
    pi.payment_method = pm;
    if (pi.status === 'requires_payment_method') pi.status = 'requires_confirmation';
  }
  return pi;
}

function unexpectedState(pi: PaymentIntent, action: string): StripeApiError {
  return invalid(
    `This PaymentIntent could not be ${action}d because it has a status of ${pi.status}. Only metadata and description can be changed once it has succeeded or been canceled.`,
    { code: 'payment_intent_unexpected_state', payment_intent: pi },
  );
}

function chargeFor(pi: PaymentIntent, pm: string, ok: boolean, captured: boolean, decline?: string): Charge {
  const card = TEST_CARDS[pm];
  return {
    id: newId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: ok && captured ? pi.amount : 0,
    amount_refunded: 0,
    balance_transaction: ok && captured ? newId('txn') : null,
    captured: ok && captured,
    created: now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    metadata: { ...pi.metadata },
    paid: ok,
    payment_intent: pi.id,
    payment_method: pm,
    payment_method_details: { type: 'card', card: { brand: card?.brand ?? 'visa', last4: card?.last4 ?? '4242', exp_month: 12, exp_year: 2034 } },
    refunded: false,
    status: ok ? 'succeeded' : 'failed',
    failure_code: ok ? null : 'card_declined',
    failure_message: ok ? null : 'Your card was declined.',
    outcome: ok
      ? { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' }
      : { network_status: 'declined_by_network', reason: decline ?? 'generic_decline', risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' },
    livemode: false,
  };
}

/** Confirmation: runs the (instant) test card, moves the state machine, emits events. */
function confirm(s: StripeState, pi: PaymentIntent, p: Params, ctx: Ctx): JsonObject {
  if (!CONFIRMABLE.includes(pi.status)) {
    throw invalid(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: pi },
    );
  }
  const pm = str(p, 'payment_method') ?? pi.payment_method;
  if (!pm) {
    throw invalid(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
      { code: 'payment_intent_unexpected_state', param: 'payment_method' },
    );
  }
  const card = TEST_CARDS[pm];
  if (!card) throw noSuch('PaymentMethod', pm, 'payment_method');
  const captureMethod = oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const);
  if (captureMethod) pi.capture_method = captureMethod;
  pi.payment_method = pm;
  const ok = card.decline === undefined;
  const manual = pi.capture_method === 'manual';
  const charge = chargeFor(pi, pm, ok, !manual, card.decline);
  s.charges.set(charge.id, charge);
  pi.latest_charge = charge.id;
  if (!ok) {
    const error: StripeErrorBody = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: card.decline,
      message: card.decline === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.',
      charge: charge.id,
      doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    };
    pi.status = 'requires_payment_method';
    pi.last_payment_error = { ...error, payment_method: { id: pm, object: 'payment_method', type: 'card' } } as JsonObject;
    s.emit('payment_intent.payment_failed', pi, ctx);
    // Stripe answers a declined confirmation with 402 and the intent attached.
    throw new StripeApiError(402, { ...error, payment_intent: pi });
  }
  pi.last_payment_error = null;
  if (manual) {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    s.emit('payment_intent.amount_capturable_updated', pi, ctx);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    s.emit('charge.succeeded', charge, ctx);
    s.emit('payment_intent.succeeded', pi, ctx);
  }
  return pi;
}

function confirmPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, PI_CONFIRM_PARAMS);
  return confirm(s, s.pi(ctx.id as string), ctx.params, ctx);
}

function cancelPaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['cancellation_reason']);
  const pi = s.pi(ctx.id as string);
  if (!CANCELABLE.includes(pi.status)) {
    throw invalid(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: pi },
    );
  }
  pi.cancellation_reason = oneOf(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const) ?? null;
  pi.status = 'canceled';
  pi.canceled_at = now();
  pi.amount_capturable = 0;
  s.emit('payment_intent.canceled', pi, ctx);
  return pi;
}

function capturePaymentIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['amount_to_capture', 'metadata', 'application_fee_amount', 'final_capture', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data']);
  const pi = s.pi(ctx.id as string);
  if (pi.status !== 'requires_capture') {
    throw invalid(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      { code: 'payment_intent_unexpected_state', payment_intent: pi },
    );
  }
  const amount = int(p, 'amount_to_capture') ?? pi.amount_capturable;
  if (amount > pi.amount_capturable || amount <= 0) {
    throw invalid('The amount to capture must be positive and no more than the amount capturable.', {
      code: 'amount_too_large',
      param: 'amount_to_capture',
    });
  }
  const charge = s.charges.get(pi.latest_charge as string);
  if (charge) {
    charge.captured = true;
    charge.amount_captured = amount;
    charge.balance_transaction = newId('txn');
    s.emit('charge.captured', charge, ctx);
  }
  pi.metadata = metadataOf(p, pi.metadata);
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  pi.status = 'succeeded';
  s.emit('payment_intent.succeeded', pi, ctx);
  return pi;
}

function createRefund(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['amount', 'charge', 'payment_intent', 'reason', 'metadata', 'currency', 'customer', 'instructions_email', 'origin', 'refund_application_fee', 'reverse_transfer']);
  const charge = refundTarget(s, p);
  const pi = s.paymentIntents.get(charge.payment_intent);
  const unrefunded = charge.amount_captured - charge.amount_refunded;
  if (unrefunded <= 0) {
    throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  }
  const amount = int(p, 'amount') ?? unrefunded;
  if (amount <= 0) throw invalid('Refund amount must be positive.', { code: 'parameter_invalid_integer', param: 'amount' });
  if (amount > unrefunded) {
    throw invalid(
      `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(unrefunded, charge.currency)})`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  const refund: JsonObject = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: newId('txn'),
    charge: charge.id,
    created: now(),
    currency: charge.currency,
    metadata: metadataOf(p),
    payment_intent: pi?.id ?? null,
    reason: oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
    receipt_number: null,
    status: 'succeeded',
  };
  s.refunds.set(refund.id as string, refund);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount_captured;
  s.emit('refund.created', refund, ctx);
  s.emit('charge.refunded', charge, ctx);
  return refund;
}

function refundTarget(s: StripeState, p: Params): Charge {
  const chargeId = str(p, 'charge');
  const piId = str(p, 'payment_intent');
  if (!chargeId && !piId) {
    throw invalid('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing' });
  }
  if (chargeId) {
    const charge = s.charges.get(chargeId);
    if (!charge) throw noSuch('charge', chargeId, 'charge');
    return charge;
  }
  const pi = s.paymentIntents.get(piId as string);
  if (!pi) throw noSuch('payment_intent', piId as string, 'payment_intent');
  const charge = pi.latest_charge ? s.charges.get(pi.latest_charge) : undefined;
  if (!charge || pi.status !== 'succeeded') {
    throw invalid(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { code: 'charge_not_refundable', param: 'payment_intent' });
  }
  return charge;
}

function createSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, [
    'automatic_payment_methods', 'confirm', 'customer', 'description', 'metadata', 'payment_method', 'usage',
    'payment_method_types', 'return_url', 'attach_to_self', 'flow_directions', 'mandate_data', 'on_behalf_of',
    'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'single_use',
    'use_stripe_sdk', 'confirmation_token', 'excluded_payment_method_types',
  ]);
  const pm = str(p, 'payment_method') ?? null;
  const confirmNow = bool(p, 'confirm') ?? false;
  if (confirmNow && !pm) throw missingParam('payment_method');
  if (pm && !TEST_CARDS[pm]) throw noSuch('PaymentMethod', pm, 'payment_method');
  const id = newId('seti');
  const si: JsonObject = {
    id,
    object: 'setup_intent',
    client_secret: `${id}_secret_${newId('x', 25).slice(2)}`,
    created: now(),
    customer: s.customerRef(p),
    description: str(p, 'description') ?? null,
    metadata: metadataOf(p),
    payment_method: pm,
    payment_method_types: paymentMethodTypes(p),
    status: confirmNow ? 'succeeded' : pm ? 'requires_confirmation' : 'requires_payment_method',
    usage: oneOf(p, 'usage', ['off_session', 'on_session'] as const) ?? 'off_session',
    last_setup_error: null,
    next_action: null,
    livemode: false,
  };
  s.setupIntents.set(id, si);
  if (confirmNow) s.emit('setup_intent.succeeded', si, ctx);
  return si;
}

function getFrom(map: Map<string, JsonObject>, what: string) {
  return (_s: StripeState, { id }: Ctx): JsonObject => {
    const found = map.get(id as string);
    if (!found) throw noSuch(what, id as string);
    return found;
  };
}

type Handler = (s: StripeState, ctx: Ctx) => JsonObject;
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

function routes(s: StripeState): Route[] {
  const r = (method: Route['method'], path: string, handler: Handler): Route => ({
    method,
    pattern: new RegExp(`^${path.replace(':id', '([A-Za-z0-9_]+)')}$`),
    handler,
  });
  return [
    r('GET', '/v1/balance', (st) => balance(st)),
    r('POST', '/v1/customers', createCustomer),
    r('GET', '/v1/customers/:id', getCustomer),
    r('POST', '/v1/payment_intents', createPaymentIntent),
    r('GET', '/v1/payment_intents/:id', (st, ctx) => st.pi(ctx.id as string)),
    r('POST', '/v1/payment_intents/:id', updatePaymentIntent),
    r('POST', '/v1/payment_intents/:id/confirm', confirmPaymentIntent),
    r('POST', '/v1/payment_intents/:id/cancel', cancelPaymentIntent),
    r('POST', '/v1/payment_intents/:id/capture', capturePaymentIntent),
    r('GET', '/v1/charges/:id', getFrom(s.charges as Map<string, JsonObject>, 'charge')),
    r('POST', '/v1/refunds', createRefund),
    r('GET', '/v1/refunds/:id', getFrom(s.refunds, 'refund')),
    r('POST', '/v1/setup_intents', createSetupIntent),
    r('GET', '/v1/setup_intents/:id', getFrom(s.setupIntents, 'setup_intent')),
    r('GET', '/v1/events/:id', getFrom(s.events as Map<string, JsonObject>, 'event')),
  ];
}

// ---------------------------------------------------------------------------
// Idempotency

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: string;
}

/** Same key + same request → replay; same key + different request → idempotency_error. */
class IdempotencyCache {
  private readonly entries = new Map<string, StoredResponse>();

  lookup(key: string, fingerprint: string): StoredResponse | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.fingerprint !== fingerprint) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    return hit;
  }

  store(key: string, value: StoredResponse): void {
    if (this.entries.size >= IDEMPOTENCY_CACHE_SIZE) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}

// ---------------------------------------------------------------------------
// Webhooks

function signatureHeader(payload: string, secret: string, timestamp = now()): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** Delivers events one at a time, in order, retrying non-2xx answers with backoff. */
class WebhookDispatcher {
  private chain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(
    private readonly url: string | undefined,
    private readonly secret: string | undefined,
  ) {}

  get enabled(): boolean {
    return Boolean(this.url && this.secret);
  }

  post(event: EventRecord): Promise<Response> {
    const payload = JSON.stringify(event, null, 2);
    return fetch(this.url as string, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signatureHeader(payload, this.secret as string),
      },
      body: payload,
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
    });
  }

  /** Queued after the API response, as Stripe delivers asynchronously. */
  enqueue(event: EventRecord): void {
    if (!this.enabled) return;
    this.chain = this.chain.then(() => this.deliver(event));
  }

  private async deliver(event: EventRecord): Promise<void> {
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS && !this.abort.signal.aborted; attempt++) {
      try {
        const res = await this.post(event);
        await res.arrayBuffer().catch(() => undefined); // free the socket
        if (res.ok) return;
        debug(`webhook ${event.type} → HTTP ${res.status} (attempt ${attempt})`);
      } catch (e) {
        debug(`webhook ${event.type} failed (attempt ${attempt}): ${(e as Error).message}`);
      }
      await sleep(100 * 4 ** (attempt - 1), this.abort.signal);
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.chain.catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    if (signal.aborted) return resolveSleep();
    const t = setTimeout(resolveSleep, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolveSleep();
    }, { once: true });
  });
}

// ---------------------------------------------------------------------------
// HTTP

const debug = debugFor('stripe-standin');

function send(res: ServerResponse, status: number, body: string, requestId: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'request-id': requestId,
    'stripe-version': extra['stripe-version'] ?? DEFAULT_API_VERSION,
    ...extra,
  });
  res.end(body);
}

function errorJson(e: StripeApiError, requestId: string): string {
  return JSON.stringify({ error: { ...e.body, request_log_url: null, request_id: requestId } }, null, 2);
}

/** Accepts `Bearer sk_...` (the SDK) and `Basic base64(sk_...:)` (curl -u). */
function presentedKey(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(h);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(h);
  if (basic) return Buffer.from(basic[1] as string, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

function authError(key: string | undefined): StripeApiError {
  const message = key
    ? `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
    : 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').';
  return invalid(message, { code: key ? 'api_key_invalid' : 'api_key_missing' }, 401);
}

function sameKey(given: string | undefined, want: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface App {
  state: StripeState;
  routes: Route[];
  idempotency: IdempotencyCache;
  secretKey: string;
}

async function handle(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newId('req', 14);
  const url = new URL(req.url ?? '/', 'http://stripe.local');
  const method = req.method ?? 'GET';
  const apiVersion = String(req.headers['stripe-version'] ?? DEFAULT_API_VERSION);
  const reply = (status: number, body: string, extra: Record<string, string> = {}) =>
    send(res, status, body, requestId, { 'stripe-version': apiVersion, ...extra });
  let text: string;
  try {
    text = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
  } catch (e) {
    if (e instanceof PayloadTooLarge) {
      reply(413, errorJson(invalid('Request body too large.'), requestId));
      res.once('finish', () => req.destroy());
    } else req.destroy();
    return;
  }
  try {
    const key = presentedKey(req);
    if (!sameKey(key, app.secretKey)) throw authError(key);
    const found = matchRoute(app.routes, method, url.pathname);
    const params = decodeForm(method === 'GET' ? url.search.slice(1) : text);
    const idemKey = method === 'POST' ? req.headers['idempotency-key'] : undefined;
    const idempotencyKey = typeof idemKey === 'string' && idemKey !== '' ? idemKey : undefined;
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${text}`).digest('hex');
    if (idempotencyKey) {
      const hit = app.idempotency.lookup(idempotencyKey, fingerprint);
      if (hit) {
        reply(hit.status, hit.body, { 'idempotent-replayed': 'true', 'idempotency-key': idempotencyKey });
        return;
      }
    }
    const ctx: Ctx = { params, id: found.id, requestId, idempotencyKey, apiVersion };
    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(found.route.handler(app.state, ctx), null, 2);
    } catch (e) {
      // Stripe saves results once an endpoint started executing (card declines
      // included) but not plain validation failures, which may be retried.
      if (!(e instanceof StripeApiError) || e.status !== 402) throw e;
      status = 402;
      body = errorJson(e, requestId);
    }
    if (idempotencyKey) app.idempotency.store(idempotencyKey, { fingerprint, status, body });
    reply(status, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  } catch (e) {
    if (e instanceof StripeApiError) {
      reply(e.status, errorJson(e, requestId));
      return;
    }
    debug('internal error', e);
    reply(500, errorJson(new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' }), requestId));
  }
}

function matchRoute(all: Route[], method: string, path: string): { route: Route; id?: string } {
  let pathKnown = false;
  for (const route of all) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (route.method === method) return { route, id: m[1] };
  }
  // Stripe answers an unsupported method on a known path with 404 too.
  const hint = pathKnown ? ' This path exists, but not for this method.' : '';
  throw invalid(`Unrecognized request URL (${method}: ${path}).${hint} Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {}, 404);
}

export async function startStripeStandin(opts: StripeStandinOptions): Promise<StripeStandin> {
  if (!opts.secretKey) throw new Error('startStripeStandin: secretKey is required');
  const host = opts.host ?? '127.0.0.1';
  const webhooks = new WebhookDispatcher(opts.webhookUrl, opts.webhookSecret);
  const state = new StripeState((event) => webhooks.enqueue(event));
  const app: App = { state, routes: routes(state), idempotency: new IdempotencyCache(), secretKey: opts.secretKey };
  const server = createServer((req, res) => {
    handle(app, req, res).catch((e: unknown) => {
      debug('unhandled', e);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  const address = await listen(server, opts.port ?? 0, host);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    host,
    port: address.port,
    close: () => {
      closing ??= Promise.all([closeServer(server), webhooks.close()]).then(() => undefined);
      return closing;
    },
    sendEvent: async (type, object) => {
      if (!webhooks.enabled) throw new Error('sendEvent needs webhookUrl and webhookSecret');
      // Recorded without queued delivery: the caller gets this one response.
      const event: EventRecord = {
        id: newId('evt'),
        object: 'event',
        type,
        created: now(),
        api_version: DEFAULT_API_VERSION,
        livemode: false,
        pending_webhooks: 1,
        data: { object: structuredClone(object) as Json },
        request: { id: null, idempotency_key: null },
      };
      state.events.set(event.id, event);
      return webhooks.post(event);
    },
  };
}
