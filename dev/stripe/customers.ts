/**
 * Customers, PaymentMethods (Stripe's test cards, by `pm_card_*` token or by
 * card number) and SetupIntents, including 3-D Secure for the card that
 * always asks for it.
 */
import {
  allowOnly, bool, hash, int, invalid, metadataOf, missingParam, noSuch, oneOf, paramsJson, str, strings,
  StripeApiError, type JsonObject, type Params, type StripeErrorBody,
} from './core.ts';
import {
  LIST_PARAMS, previousAttributes, type Ctx, type Customer, type Owner, type PaymentMethod, type SetupIntent,
  type StripeState,
} from './state.ts';

// ---------------------------------------------------------------------------
// Test cards

export interface TestCard {
  number: string;
  brand: string;
  funding?: 'credit' | 'debit';
  /** Charges are declined with this `decline_code` ... */
  decline?: string;
  /** ... and this error `code` (card_declined unless given). */
  code?: string;
  /** Saving the card (SetupIntent, attach) works even though charges are declined. */
  attachable?: boolean;
  /** 3-D Secure on every payment and setup: `requires_action` on-session, `authentication_required` off-session. */
  auth?: boolean;
  /** The charge succeeds and is then disputed (fraudulent). */
  dispute?: boolean;
}

/** Stripe's test payment method tokens (https://docs.stripe.com/testing). */
export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { number: '4242424242424242', brand: 'visa' },
  pm_card_visa_debit: { number: '4000056655665556', brand: 'visa', funding: 'debit' },
  pm_card_mastercard: { number: '5555555555554444', brand: 'mastercard' },
  pm_card_amex: { number: '378282246310005', brand: 'amex' },
  pm_card_chargeDeclined: { number: '4000000000000002', brand: 'visa', decline: 'generic_decline' },
  pm_card_visa_chargeDeclined: { number: '4000000000000002', brand: 'visa', decline: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: { number: '4000000000009995', brand: 'visa', decline: 'insufficient_funds' },
  pm_card_chargeDeclinedLostCard: { number: '4000000000009987', brand: 'visa', decline: 'lost_card' },
  pm_card_chargeDeclinedStolenCard: { number: '4000000000009979', brand: 'visa', decline: 'stolen_card' },
  pm_card_chargeDeclinedFraudulent: { number: '4100000000000019', brand: 'visa', decline: 'fraudulent' },
  pm_card_chargeDeclinedExpiredCard: { number: '4000000000000069', brand: 'visa', decline: 'expired_card', code: 'expired_card' },
  pm_card_chargeDeclinedIncorrectCvc: { number: '4000000000000127', brand: 'visa', decline: 'incorrect_cvc', code: 'incorrect_cvc' },
  pm_card_chargeDeclinedProcessingError: { number: '4000000000000119', brand: 'visa', decline: 'processing_error', code: 'processing_error' },
  pm_card_chargeCustomerFail: { number: '4000000000000341', brand: 'visa', decline: 'generic_decline', attachable: true },
  pm_card_authenticationRequired: { number: '4000002760003184', brand: 'visa', auth: true },
  pm_card_createDispute: { number: '4000000000000259', brand: 'visa', dispute: true },
};

const CARDS_BY_NUMBER = new Map<string, TestCard>();
for (const card of Object.values(TEST_CARDS)) if (!CARDS_BY_NUMBER.has(card.number)) CARDS_BY_NUMBER.set(card.number, card);

/** A valid number that is not a test card: test mode declines it, as Stripe does. */
const LIVE_CARD: Omit<TestCard, 'number'> = { brand: 'visa', decline: 'test_mode_live_card' };

const DECLINE_MESSAGES: Record<string, string> = {
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
  test_mode_live_card: 'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
  authentication_required: 'Your card was declined. This transaction requires authentication.',
};

/** The card behind each stored payment method (the object itself only shows brand and last4). */
const cardOf = new WeakMap<PaymentMethod, TestCard>();

export function testCardOf(pm: PaymentMethod): TestCard {
  return cardOf.get(pm) ?? TEST_CARDS.pm_card_visa as TestCard;
}

/** The card-error body Stripe sends for a decline (402), before the intent is attached. */
export function declineError(card: TestCard, pm: PaymentMethod, declineCode = card.decline ?? 'generic_decline'): StripeErrorBody {
  const code = declineCode === 'authentication_required' ? 'authentication_required' : card.code ?? 'card_declined';
  return {
    type: 'card_error',
    code,
    decline_code: declineCode,
    message: DECLINE_MESSAGES[declineCode] ?? 'Your card was declined.',
    doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`,
    payment_method: structuredClone(pm),
  };
}

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const cardError = (code: string, message: string, param: string) =>
  new StripeApiError(402, { type: 'card_error', code, message, param, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}` });

function newPaymentMethod(s: StripeState, owner: Owner, card: TestCard, extra: { expMonth?: number; expYear?: number; billing?: Params; metadata?: Record<string, string> } = {}): PaymentMethod {
  const billing = extra.billing ? (paramsJson(extra.billing) as JsonObject) : {};
  const pm: PaymentMethod = {
    id: s.id('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null, name: null, phone: null, ...billing,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: extra.expMonth ?? 12,
      exp_year: extra.expYear ?? new Date(s.now() * 1000).getUTCFullYear() + 5,
      fingerprint: s.ids.token(`fingerprint:${card.number}`, 16),
      funding: card.funding ?? 'credit',
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: s.now(),
    customer: null,
    livemode: false,
    metadata: extra.metadata ?? {},
    type: 'card',
  };
  cardOf.set(pm, card);
  return s.put(s.paymentMethods, pm, owner);
}

/** `payment_method_data` / `paymentMethods.create`: `{type:'card', card:{number, exp_month, exp_year, cvc}}` or `card[token]=tok_visa`. */
export function paymentMethodFromData(s: StripeState, owner: Owner, data: Params, prefix: string): PaymentMethod {
  const type = str(data, 'type', `${prefix}type`);
  if (!type) throw missingParam(`${prefix}type`);
  if (type !== 'card') throw invalid(`The stand-in only supports card payment methods, not ${type}.`, { param: `${prefix}type` });
  const card = hash(data, 'card', `${prefix}card`);
  if (!card) throw missingParam(`${prefix}card`);
  const token = str(card, 'token', `${prefix}card[token]`);
  const billing = hash(data, 'billing_details', `${prefix}billing_details`);
  const metadata = metadataOf(data);
  if (token) {
    const known = TEST_CARDS[token.replace(/^tok_/, 'pm_card_')];
    if (!known) throw noSuch('token', token, `${prefix}card[token]`);
    return newPaymentMethod(s, owner, known, { billing, metadata });
  }
  const number = str(card, 'number', `${prefix}card[number]`)?.replace(/[\s-]/g, '');
  if (!number) throw missingParam(`${prefix}card[number]`);
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) throw cardError('incorrect_number', 'Your card number is incorrect.', `${prefix}card[number]`);
  const expMonth = int(card, 'exp_month', `${prefix}card[exp_month]`);
  if (expMonth === undefined) throw missingParam(`${prefix}card[exp_month]`);
  const expYearRaw = int(card, 'exp_year', `${prefix}card[exp_year]`);
  if (expYearRaw === undefined) throw missingParam(`${prefix}card[exp_year]`);
  const expYear = expYearRaw < 100 ? 2000 + expYearRaw : expYearRaw;
  if (expMonth < 1 || expMonth > 12) throw cardError('invalid_expiry_month', "Your card's expiration month is invalid.", `${prefix}card[exp_month]`);
  const today = new Date(s.now() * 1000);
  if (expYear < today.getUTCFullYear() || (expYear === today.getUTCFullYear() && expMonth < today.getUTCMonth() + 1)) {
    throw cardError('invalid_expiry_year', "Your card's expiration year is invalid.", `${prefix}card[exp_year]`);
  }
  const known = CARDS_BY_NUMBER.get(number) ?? { ...LIVE_CARD, number, brand: number.startsWith('5') ? 'mastercard' : number.startsWith('3') ? 'amex' : 'visa' };
  return newPaymentMethod(s, owner, known, { expMonth, expYear, billing, metadata });
}

/**
 * A `payment_method` parameter: a test token (`pm_card_visa`) becomes a new
 * PaymentMethod each time, as with Stripe; otherwise it must be a stored one
 * of the same account.
 */
export function resolvePaymentMethod(s: StripeState, owner: Owner, ref: string, param = 'payment_method'): PaymentMethod {
  const test = TEST_CARDS[ref];
  if (test) return newPaymentMethod(s, owner, test);
  const pm = s.paymentMethods.get(ref);
  if (!pm || s.ownerOf(ref) !== owner) throw noSuch('PaymentMethod', ref, param);
  return pm;
}

/** `payment_method` or `payment_method_data`, whichever the request has. */
export function paymentMethodParam(s: StripeState, owner: Owner, p: Params): PaymentMethod | undefined {
  const ref = str(p, 'payment_method');
  const data = hash(p, 'payment_method_data');
  if (ref && data) throw invalid('You cannot provide both payment_method and payment_method_data.', { param: 'payment_method_data' });
  if (ref) return resolvePaymentMethod(s, owner, ref);
  if (data) return paymentMethodFromData(s, owner, data, 'payment_method_data[');
  return undefined;
}

const REUSED_MESSAGE =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';

export function checkReusable(s: StripeState, pm: PaymentMethod): void {
  if (s.consumedPaymentMethods.has(pm.id)) throw invalid(REUSED_MESSAGE, { param: 'payment_method' });
}

/** Attaches (after the card's zero-amount check) and fires `payment_method.attached`. */
export function attach(s: StripeState, pm: PaymentMethod, customer: Customer, ctx: Ctx | undefined): PaymentMethod {
  if (pm.customer === customer.id) return pm;
  if (pm.customer) throw invalid('The payment method you provided has already been attached to a customer.', { param: 'payment_method' });
  checkReusable(s, pm);
  const card = testCardOf(pm);
  if (card.decline && !card.attachable) throw new StripeApiError(402, declineError(card, pm));
  pm.customer = customer.id;
  s.emit('payment_method.attached', pm, s.ownerOf(pm.id), ctx);
  return pm;
}

// ---------------------------------------------------------------------------
// Customers

const CUSTOMER_PARAMS = [
  'address', 'description', 'email', 'metadata', 'name', 'payment_method', 'phone', 'shipping', 'tax',
  'tax_exempt', 'tax_id_data', 'test_clock', 'balance', 'cash_balance', 'invoice_prefix',
  'invoice_settings', 'next_invoice_sequence', 'preferred_locales', 'source', 'validate', 'business_name', 'individual_name',
] as const;

const CUSTOMER_UPDATE_PARAMS = CUSTOMER_PARAMS.filter((k) => !['payment_method', 'test_clock', 'tax_id_data'].includes(k));

export function createCustomer(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, CUSTOMER_PARAMS);
  const id = s.id('cus', 14);
  const customer: Customer = {
    id,
    object: 'customer',
    address: null,
    balance: int(p, 'balance') ?? 0,
    created: s.now(),
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: str(p, 'description') ?? null,
    discount: null,
    email: str(p, 'email') ?? null,
    invoice_prefix: s.ids.token(`invoice:${id}`, 8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: metadataOf(p),
    name: str(p, 'name') ?? null,
    next_invoice_sequence: 1,
    phone: str(p, 'phone') ?? null,
    preferred_locales: strings(p, 'preferred_locales') ?? [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  s.put(s.customers, customer, ctx.account);
  // `payment_method` at creation attaches it, as Stripe does.
  const pmRef = str(p, 'payment_method');
  if (pmRef) attach(s, resolvePaymentMethod(s, ctx.account, pmRef), customer, ctx);
  const settings = hash(p, 'invoice_settings');
  if (settings) setDefaultPaymentMethod(s, customer, settings);
  s.emit('customer.created', customer, ctx.account, ctx);
  return customer;
}

function setDefaultPaymentMethod(s: StripeState, customer: Customer, settings: Params): void {
  allowOnly(settings, ['custom_fields', 'default_payment_method', 'footer', 'rendering_options'], 'invoice_settings');
  if (settings.default_payment_method === undefined) return;
  const pmId = str(settings, 'default_payment_method', 'invoice_settings[default_payment_method]') ?? null;
  if (pmId !== null) {
    const pm = s.paymentMethods.get(pmId);
    if (!pm || pm.customer !== customer.id) {
      throw invalid(`The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`, {
        code: 'resource_missing', param: 'invoice_settings[default_payment_method]',
      });
    }
  }
  customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pmId };
}

export function getCustomer(s: StripeState, ctx: Ctx): JsonObject {
  const c = s.customers.get(ctx.id as string);
  if (!c || s.ownerOf(c.id) !== ctx.account) throw noSuch('customer', ctx.id as string);
  if (c.deleted) return { id: c.id, object: 'customer', deleted: true };
  return c;
}

export function customerRef(s: StripeState, p: Params, owner: Owner): string | null {
  const id = str(p, 'customer');
  if (id === undefined) return null;
  const c = s.customers.get(id);
  if (!c || c.deleted || s.ownerOf(id) !== owner) throw noSuch('customer', id, 'customer');
  return id;
}

export function liveCustomer(s: StripeState, id: string, owner: Owner, param = 'customer'): Customer {
  const c = s.customers.get(id);
  if (!c || c.deleted || s.ownerOf(id) !== owner) throw noSuch('customer', id, param);
  return c;
}

export function updateCustomer(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, CUSTOMER_UPDATE_PARAMS);
  const c = liveCustomer(s, ctx.id as string, ctx.account, 'id');
  const before = structuredClone(c);
  for (const k of ['email', 'name', 'phone', 'description'] as const) if (p[k] !== undefined) c[k] = str(p, k) ?? null;
  if (p.balance !== undefined) c.balance = int(p, 'balance') ?? 0;
  if (p.preferred_locales !== undefined) c.preferred_locales = strings(p, 'preferred_locales') ?? [];
  const settings = hash(p, 'invoice_settings');
  if (settings) setDefaultPaymentMethod(s, c, settings);
  c.metadata = metadataOf(p, c.metadata);
  const previous = previousAttributes(before, c);
  if (Object.keys(previous).length > 0) s.emit('customer.updated', c, ctx.account, ctx, previous);
  return c;
}

export function deleteCustomer(s: StripeState, ctx: Ctx): JsonObject {
  const c = liveCustomer(s, ctx.id as string, ctx.account, 'id');
  c.deleted = true;
  for (const pm of s.paymentMethods.values()) if (pm.customer === c.id) pm.customer = null;
  s.emit('customer.deleted', c, ctx.account, ctx);
  return { id: c.id, object: 'customer', deleted: true };
}

export function listCustomers(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, [...LIST_PARAMS, 'email', 'test_clock']);
  const email = str(ctx.params, 'email');
  const rows = s.visible(s.customers, ctx.account).filter((c) => !c.deleted && (email === undefined || c.email === email));
  return s.list(rows, ctx.params, '/v1/customers');
}

// ---------------------------------------------------------------------------
// PaymentMethods

export function createPaymentMethod(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['type', 'card', 'billing_details', 'metadata', 'allow_redisplay', 'customer', 'payment_method']);
  // Cloning a platform payment method onto a connected account (`customer` + `payment_method`).
  const source = str(p, 'payment_method');
  if (source) {
    const original = resolvePaymentMethod(s, null, source);
    if (ctx.account === null) throw invalid('payment_method can only be cloned onto a connected account (Stripe-Account header).', { param: 'payment_method' });
    return newPaymentMethod(s, ctx.account, testCardOf(original), { metadata: metadataOf(p) });
  }
  return paymentMethodFromData(s, ctx.account, p, '');
}

/**
 * Test hook `POST /__test/payment_methods/:id`: `decline_code` (insufficient_funds, expired_card,
 * card_declined → generic_decline, authentication_required, …) makes every later charge on the
 * card decline with it, as when a card on file lapses between booking and a no-show fee; saving
 * and attaching it still work. An empty `decline_code` approves it again.
 */
export function setPaymentMethodState(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['decline_code']);
  const pm = s.find(s.paymentMethods, ctx.id as string, ctx.account, 'PaymentMethod');
  if (ctx.params.decline_code === undefined) throw missingParam('decline_code');
  const raw = str(ctx.params, 'decline_code');
  const declineCode = raw === 'card_declined' ? 'generic_decline' : raw;
  const { number, brand, funding } = testCardOf(pm);
  const code = Object.values(TEST_CARDS).find((c) => c.decline === declineCode)?.code;
  cardOf.set(pm, declineCode ? { number, brand, funding, decline: declineCode, code, attachable: true } : { number, brand, funding });
  return pm;
}

export function getPaymentMethod(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.paymentMethods, ctx.id as string, ctx.account, 'PaymentMethod');
}

export function attachPaymentMethod(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['customer', 'customer_account']);
  const pm = s.find(s.paymentMethods, ctx.id as string, ctx.account, 'PaymentMethod');
  const customerId = str(ctx.params, 'customer');
  if (!customerId) throw missingParam('customer');
  return attach(s, pm, liveCustomer(s, customerId, ctx.account), ctx);
}

export function detachPaymentMethod(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, []);
  const pm = s.find(s.paymentMethods, ctx.id as string, ctx.account, 'PaymentMethod');
  if (!pm.customer) throw invalid('The payment method you provided is not attached to a customer so detachment is impossible.', { param: 'payment_method' });
  const customer = s.customers.get(pm.customer);
  if (customer?.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
  pm.customer = null;
  s.consumedPaymentMethods.add(pm.id); // a detached method cannot be used again
  s.emit('payment_method.detached', pm, ctx.account, ctx);
  return pm;
}

export function listPaymentMethods(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  const nested = ctx.id !== undefined; // /v1/customers/:id/payment_methods
  allowOnly(p, [...LIST_PARAMS, 'type', 'allow_redisplay', ...(nested ? [] : ['customer', 'customer_account'])]);
  const customerId = nested ? liveCustomer(s, ctx.id as string, ctx.account, 'customer').id : str(p, 'customer');
  if (!customerId) throw missingParam('customer');
  const type = str(p, 'type');
  const rows = s.visible(s.paymentMethods, ctx.account).filter((pm) => pm.customer === customerId && (type === undefined || pm.type === type));
  return s.list(rows, p, nested ? `/v1/customers/${customerId}/payment_methods` : '/v1/payment_methods');
}

export function getCustomerPaymentMethod(s: StripeState, ctx: Ctx): JsonObject {
  const customer = liveCustomer(s, ctx.id as string, ctx.account, 'customer');
  const pm = s.paymentMethods.get(ctx.sub as string);
  if (!pm || pm.customer !== customer.id) throw noSuch('PaymentMethod', ctx.sub as string);
  return pm;
}

// ---------------------------------------------------------------------------
// SetupIntents

const SI_CREATE_PARAMS = [
  'automatic_payment_methods', 'confirm', 'customer', 'description', 'metadata', 'payment_method', 'usage',
  'payment_method_types', 'return_url', 'attach_to_self', 'flow_directions', 'mandate_data', 'on_behalf_of',
  'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'single_use',
  'use_stripe_sdk', 'confirmation_token', 'excluded_payment_method_types', 'allowed_payment_method_types', 'customer_account',
] as const;
const SI_UPDATE_PARAMS = [
  'customer', 'description', 'metadata', 'payment_method', 'payment_method_types', 'attach_to_self', 'flow_directions',
  'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'excluded_payment_method_types',
  'allowed_payment_method_types', 'customer_account',
] as const;
const SI_CONFIRM_PARAMS = [
  'payment_method', 'payment_method_data', 'payment_method_options', 'return_url', 'mandate_data', 'use_stripe_sdk',
  'confirmation_token', 'allowed_payment_method_types',
] as const;

export function paymentMethodTypes(p: Params): string[] {
  const v = strings(p, 'allowed_payment_method_types') ?? strings(p, 'payment_method_types');
  return v === undefined || v.length === 0 ? ['card'] : v;
}

/**
 * The payment-method-type fields of an intent. This API version takes
 * `allowed_payment_method_types` (older ones `payment_method_types`; both
 * are accepted) and answers with both, plus `automatic_payment_methods`,
 * which is on unless a type list is given.
 */
export function methodTypeFields(p: Params): JsonObject {
  const listed = p.allowed_payment_method_types !== undefined || p.payment_method_types !== undefined;
  if (p.automatic_payment_methods !== undefined && listed) {
    throw invalid(
      `You may only specify one of these parameters: automatic_payment_methods, ${p.allowed_payment_method_types !== undefined ? 'allowed_payment_method_types' : 'payment_method_types'}.`,
      { code: 'parameters_exclusive', param: 'automatic_payment_methods' },
    );
  }
  return {
    allowed_payment_method_types: strings(p, 'allowed_payment_method_types') ?? null,
    automatic_payment_methods: automaticPaymentMethods(p, listed),
    excluded_payment_method_types: strings(p, 'excluded_payment_method_types') ?? null,
    payment_method_types: paymentMethodTypes(p),
  };
}

function automaticPaymentMethods(p: Params, listed: boolean): JsonObject | null {
  const apm = hash(p, 'automatic_payment_methods');
  if (apm) {
    allowOnly(apm, ['enabled', 'allow_redirects'], 'automatic_payment_methods');
    return { allow_redirects: str(apm, 'allow_redirects') ?? 'always', enabled: bool(apm, 'enabled', 'automatic_payment_methods[enabled]') ?? false };
  }
  return listed ? null : { allow_redirects: 'always', enabled: true };
}

export function createSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, SI_CREATE_PARAMS);
  const typeFields = methodTypeFields(p);
  const confirmNow = bool(p, 'confirm') ?? false;
  const customer = customerRef(s, p, ctx.account);
  const onBehalfOf = str(p, 'on_behalf_of') ?? null;
  if (onBehalfOf) s.account(onBehalfOf, 'on_behalf_of');
  const id = s.id('seti');
  const pm = confirmNow ? undefined : paymentMethodParam(s, ctx.account, p);
  const si: SetupIntent = {
    id,
    object: 'setup_intent',
    application: null,
    ...typeFields,
    cancellation_reason: null,
    client_secret: `${id}_secret_${s.ids.token(`secret:${id}`, 25)}`,
    created: s.now(),
    customer,
    customer_account: null,
    description: str(p, 'description') ?? null,
    flow_directions: strings(p, 'flow_directions') ?? null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: metadataOf(p),
    next_action: null,
    on_behalf_of: onBehalfOf,
    payment_method: pm?.id ?? null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    single_use_mandate: null,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    usage: oneOf(p, 'usage', ['off_session', 'on_session'] as const) ?? 'off_session',
  };
  s.put(s.setupIntents, si, ctx.account);
  s.emit('setup_intent.created', si, ctx.account, ctx);
  if (confirmNow) return confirmSetup(s, si, p, ctx, false);
  return si;
}

export function getSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.setupIntents, ctx.id as string, ctx.account, 'setup_intent', 'intent');
}

export function updateSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, SI_UPDATE_PARAMS);
  const si = s.find(s.setupIntents, ctx.id as string, ctx.account, 'setup_intent', 'intent');
  if (si.status === 'succeeded' || si.status === 'canceled') {
    throw invalid(`You cannot update this SetupIntent because it has a status of ${si.status}.`, { code: 'setup_intent_unexpected_state', setup_intent: si });
  }
  if (p.customer !== undefined) si.customer = customerRef(s, p, ctx.account);
  if (p.description !== undefined) si.description = str(p, 'description') ?? null;
  if (p.payment_method_types !== undefined || p.allowed_payment_method_types !== undefined) Object.assign(si, methodTypeFields(p));
  si.metadata = metadataOf(p, si.metadata);
  const pm = paymentMethodParam(s, ctx.account, p);
  if (pm) {
    si.payment_method = pm.id;
    if (si.status === 'requires_payment_method') si.status = 'requires_confirmation';
  }
  return si;
}

export function confirmSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, SI_CONFIRM_PARAMS);
  return confirmSetup(s, s.find(s.setupIntents, ctx.id as string, ctx.account, 'setup_intent', 'intent'), ctx.params, ctx, false);
}

export function cancelSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['cancellation_reason']);
  const si = s.find(s.setupIntents, ctx.id as string, ctx.account, 'setup_intent', 'intent');
  if (si.status === 'succeeded' || si.status === 'canceled' || si.status === 'processing') {
    throw invalid(
      `You cannot cancel this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be canceled: requires_payment_method, requires_confirmation, requires_action.`,
      { code: 'setup_intent_unexpected_state', setup_intent: si },
    );
  }
  si.cancellation_reason = oneOf(ctx.params, 'cancellation_reason', ['abandoned', 'duplicate', 'requested_by_customer'] as const) ?? null;
  si.status = 'canceled';
  si.next_action = null;
  s.pendingAuth.delete(si.id);
  s.emit('setup_intent.canceled', si, ctx.account, ctx);
  return si;
}

export function listSetupIntents(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, [...LIST_PARAMS, 'customer', 'payment_method', 'attach_to_self', 'customer_account']);
  const customer = str(p, 'customer');
  const pm = str(p, 'payment_method');
  const rows = s.visible(s.setupIntents, ctx.account).filter((si) => (customer === undefined || si.customer === customer) && (pm === undefined || si.payment_method === pm));
  return s.list(rows, p, '/v1/setup_intents');
}

/** `next_action` for 3-D Secure, pointing at the stand-in's own authentication page. */
export function authAction(s: StripeState, intentId: string, returnUrl: string | null): JsonObject {
  const token = s.ids.token(`auth:${s.id('auth')}`, 24);
  s.pendingAuth.set(intentId, { token, returnUrl });
  const url = `${s.publicUrl}/authenticate/${intentId}?token=${token}`;
  if (returnUrl) return { type: 'redirect_to_url', redirect_to_url: { return_url: returnUrl, url } };
  return { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: s.id('src') } };
}

/**
 * Confirms a SetupIntent: a card that declines fails with 402 and
 * `setup_intent.setup_failed`; the 3-D Secure card waits in `requires_action`
 * unless `authenticated`; otherwise it succeeds, attaching the payment method
 * to the intent's customer (`payment_method.attached`, `setup_intent.succeeded`).
 */
export function confirmSetup(s: StripeState, si: SetupIntent, p: Params, ctx: Ctx | undefined, authenticated: boolean): SetupIntent {
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(si.status)) {
    throw invalid(`You cannot confirm this SetupIntent because it has a status of ${si.status}.`, { code: 'setup_intent_unexpected_state', setup_intent: si });
  }
  const owner = s.ownerOf(si.id);
  const given = paymentMethodParam(s, owner, p);
  const pm = given ?? (si.payment_method ? s.paymentMethods.get(si.payment_method) : undefined);
  if (!pm) {
    throw invalid(
      "You cannot confirm this SetupIntent because it's missing a payment method. You can either update the SetupIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      { code: 'setup_intent_unexpected_state', param: 'payment_method', setup_intent: si },
    );
  }
  checkReusable(s, pm);
  const customer = si.customer ? liveCustomer(s, si.customer, owner) : undefined;
  if (pm.customer && customer && pm.customer !== customer.id) {
    throw invalid('The payment method you provided has already been attached to a customer.', { param: 'payment_method' });
  }
  si.payment_method = pm.id;
  const returnUrl = str(p, 'return_url') ?? null;
  const card = testCardOf(pm);
  si.latest_attempt = s.id('setatt');
  if (card.decline && !card.attachable) {
    const error = declineError(card, pm);
    si.status = 'requires_payment_method';
    si.last_setup_error = structuredClone(error) as JsonObject;
    si.payment_method = null;
    s.emit('setup_intent.setup_failed', si, owner, ctx);
    throw new StripeApiError(402, { ...error, setup_intent: structuredClone(si) });
  }
  if (card.auth && !authenticated) {
    si.status = 'requires_action';
    si.next_action = authAction(s, si.id, returnUrl);
    s.emit('setup_intent.requires_action', si, owner, ctx);
    return si;
  }
  si.status = 'succeeded';
  si.next_action = null;
  si.last_setup_error = null;
  s.pendingAuth.delete(si.id);
  if (customer) attach(s, pm, customer, ctx);
  s.emit('setup_intent.succeeded', si, owner, ctx);
  return si;
}

/** Test hook `POST /__test/setup_intents/:id/confirm`: the customer saves a card (pm_card_visa unless given), 3-D Secure passed. */
export function testConfirmSetupIntent(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['payment_method', 'payment_method_data']);
  const si = s.find(s.setupIntents, ctx.id as string, ctx.account, 'setup_intent', 'intent');
  const p: Params = si.status === 'requires_action' || ctx.params.payment_method !== undefined || ctx.params.payment_method_data !== undefined
    ? ctx.params
    : { payment_method: 'pm_card_visa' };
  return confirmSetup(s, si, p, ctx, true);
}

/** Fails a pending 3-D Secure on a SetupIntent (the customer gave up or failed the challenge). */
export function failSetupAuthentication(s: StripeState, si: SetupIntent): void {
  const pm = si.payment_method ? s.paymentMethods.get(si.payment_method) : undefined;
  si.status = 'requires_payment_method';
  si.next_action = null;
  si.last_setup_error = {
    code: 'setup_intent_authentication_failure',
    doc_url: 'https://stripe.com/docs/error-codes/setup-intent-authentication-failure',
    message: 'The latest attempt to set up the payment method has failed because authentication failed.',
    payment_method: pm ? structuredClone(pm) : null,
    type: 'invalid_request_error',
  };
  si.payment_method = null;
  s.pendingAuth.delete(si.id);
  s.emit('setup_intent.setup_failed', si, s.ownerOf(si.id));
}

/** The authentication page's verdict on a SetupIntent in requires_action. */
export function finishSetupAuthentication(s: StripeState, si: SetupIntent, passed: boolean): void {
  if (!passed) return failSetupAuthentication(s, si);
  try {
    confirmSetup(s, si, {}, undefined, true);
  } catch (e) {
    if (!(e instanceof StripeApiError)) throw e; // recorded on the intent
  }
}
