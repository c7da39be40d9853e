// @vitest-environment node
/**
 * Contract tests for dev/stripe-standin.ts through the real `stripe` SDK
 * pointed at it with `{ host, port, protocol: 'http' }`, plus a local webhook
 * receiver that verifies every delivery with `constructEventAsync`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { startStripeStandin, type StripeStandin } from './stripe-standin.ts';

const SECRET_KEY = 'sk_test_contract_123456';
const WEBHOOK_SECRET = 'whsec_contract_test';

interface Delivery {
  event: Stripe.Event;
  attempt: number;
}

/** A webhook endpoint that verifies signatures and can be told to fail first attempts. */
class Receiver {
  readonly events: Delivery[] = [];
  readonly rejected: string[] = [];
  failNext = 0;
  private server: Server | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly crypto = Stripe.createSubtleCryptoProvider();

  constructor(public secret = WEBHOOK_SECRET) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const payload = Buffer.concat(chunks).toString('utf8');
        try {
          const event = await Stripe.webhooks.constructEventAsync(
            payload, String(req.headers['stripe-signature']), this.secret, undefined, this.crypto,
          );
          const attempt = (this.attempts.get(event.id) ?? 0) + 1;
          this.attempts.set(event.id, attempt);
          if (this.failNext > 0) {
            this.failNext--;
            res.writeHead(500).end('try again');
            return;
          }
          this.events.push({ event, attempt });
          res.writeHead(200).end('ok');
        } catch (e) {
          this.rejected.push((e as Error).message);
          res.writeHead(400).end('bad signature');
        }
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/webhooks/stripe`;
  }

  async waitFor(type: string, objectId: string, timeoutMs = 5_000, where: (e: Stripe.Event) => boolean = () => true): Promise<Delivery> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const hit = this.events.find((d) => d.event.type === type && (d.event.data.object as { id?: string }).id === objectId && where(d.event));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${type} for ${objectId} within ${timeoutMs} ms`);
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server?.close(() => r());
      this.server?.closeAllConnections();
    });
  }
}

async function stripeError(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (e) {
    return e as Stripe.errors.StripeError;
  }
  throw new Error('expected the Stripe call to fail');
}

describe('stripe-standin', () => {
  let standin: StripeStandin;
  let stripe: Stripe;
  const receiver = new Receiver();

  const client = (key: string) =>
    new Stripe(key, { host: standin.host, port: standin.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });

  beforeAll(async () => {
    const webhookUrl = await receiver.start();
    standin = await startStripeStandin({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, webhookUrl });
    stripe = client(SECRET_KEY);
  });

  afterAll(async () => {
    await standin?.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.failNext = 0;
  });

  it('listens on loopback and retrieves the balance', async () => {
    expect(standin.host).toBe('127.0.0.1');
    expect(standin.url).toBe(`http://127.0.0.1:${standin.port}`);
    const balance = await stripe.balance.retrieve();
    expect(balance.object).toBe('balance');
    expect(balance.livemode).toBe(false);
    expect(balance.available[0]?.currency).toBe('usd');
  });

  it('creates and retrieves customers with nested metadata', async () => {
    const created = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada', metadata: { shop_id: 's_1', 'note key': 'ünïcode ✓ & = ?' } });
    expect(created.id).toMatch(/^cus_/);
    expect(created.object).toBe('customer');
    expect(created.metadata).toEqual({ shop_id: 's_1', 'note key': 'ünïcode ✓ & = ?' });
    const fetched = await stripe.customers.retrieve(created.id);
    expect(fetched).toMatchObject({ id: created.id, email: 'ada@example.com', livemode: false });
    const missing = await stripeError(stripe.customers.retrieve('cus_missing'));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('resource_missing');
  });

  it('runs create → confirm → partial and full refund, emitting signed webhooks', async () => {
    const customer = await stripe.customers.create({ email: 'pay@example.com' });
    const pi = await stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer: customer.id,
      metadata: { booking_id: 'b_42' },
    });
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', amount: 2500, livemode: false });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    expect(pi.payment_method_types).toEqual(['card']);

    const confirmed = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(confirmed.status).toBe('succeeded');
    expect(confirmed.amount_received).toBe(2500);
    expect(confirmed.latest_charge).toMatch(/^ch_/);
    const succeeded = await receiver.waitFor('payment_intent.succeeded', pi.id);
    expect((succeeded.event.data.object as Stripe.PaymentIntent).metadata).toEqual({ booking_id: 'b_42' });
    const stored = await stripe.events.retrieve(succeeded.event.id);
    expect(stored.type).toBe('payment_intent.succeeded');

    const partial = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000, reason: 'requested_by_customer' });
    expect(partial).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', payment_intent: pi.id });
    const tooMuch = await stripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 1501 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.code).toBe('amount_too_large');
    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(1500);
    const again = await stripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 50 }));
    expect(again.code).toBe('charge_already_refunded');
    const refunded = await receiver.waitFor('charge.refunded', confirmed.latest_charge as string);
    expect(refunded.event.data.object).toMatchObject({ object: 'charge' });
    const charge = await stripe.charges.retrieve(confirmed.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 2500, refunded: true });
  });

  it('declines pm_card_chargeDeclined with a card error and a payment_failed event', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    const err = await stripeError(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe('card_declined');
    expect(err.decline_code).toBe('generic_decline');
    expect(err.payment_intent?.status).toBe('requires_payment_method');
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after.last_payment_error?.code).toBe('card_declined');
    await receiver.waitFor('payment_intent.payment_failed', pi.id);
    // The intent can be retried with a good card.
    expect((await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' })).status).toBe('succeeded');
  });

  it('confirms at creation, supports manual capture, update and cancel', async () => {
    const direct = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    expect(direct.status).toBe('succeeded');

    const held = await stripe.paymentIntents.create({ amount: 4000, currency: 'usd', capture_method: 'manual' });
    const updated = await stripe.paymentIntents.update(held.id, { amount: 5000, metadata: { tip: 'yes' } });
    expect(updated).toMatchObject({ amount: 5000, metadata: { tip: 'yes' } });
    const authorised = await stripe.paymentIntents.confirm(held.id, { payment_method: 'pm_card_mastercard' });
    expect(authorised).toMatchObject({ status: 'requires_capture', amount_capturable: 5000 });
    const captured = await stripe.paymentIntents.capture(held.id, { amount_to_capture: 4500 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 4500, amount_capturable: 0 });
    const late = await stripeError(stripe.paymentIntents.update(held.id, { amount: 100 }));
    expect(late.code).toBe('payment_intent_unexpected_state');

    const dropped = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(dropped.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    await receiver.waitFor('payment_intent.canceled', dropped.id);
    const twice = await stripeError(stripe.paymentIntents.cancel(dropped.id));
    expect(twice.code).toBe('payment_intent_unexpected_state');
  });

  it('validates parameters like Stripe', async () => {
    const noAmount = await stripeError(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
    expect(noAmount).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noAmount.code).toBe('parameter_missing');
    expect(noAmount.param).toBe('amount');
    const noCurrency = await stripeError(stripe.paymentIntents.create({ amount: 100 } as Stripe.PaymentIntentCreateParams));
    expect(noCurrency.param).toBe('currency');
    const small = await stripeError(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    expect(small.code).toBe('amount_too_small');
    const fractional = await stripeError(stripe.paymentIntents.create({ amount: 10.5, currency: 'usd' }));
    expect(fractional.code).toBe('parameter_invalid_integer');
    const unknown = await stripeError(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', bogus: 1 } as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown.code).toBe('parameter_unknown');
    const unknownPm = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_nope', confirm: true }));
    expect(unknownPm.code).toBe('resource_missing');
  });

  it('rejects a wrong API key with StripeAuthenticationError', async () => {
    const err = await stripeError(client('sk_test_wrong').balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.type).toBe('StripeAuthenticationError');
    const raw = await fetch(`${standin.url}/v1/balance`);
    expect(raw.status).toBe(401);
    const body = (await raw.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('replays idempotent requests and rejects a reused key with other params', async () => {
    const first = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd' }, { idempotencyKey: 'idem-contract-1' });
    const second = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd' }, { idempotencyKey: 'idem-contract-1' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    const clash = await stripeError(stripe.paymentIntents.create({ amount: 1300, currency: 'usd' }, { idempotencyKey: 'idem-contract-1' }));
    expect(clash).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(clash.statusCode).toBe(400);
  });

  it('creates setup intents', async () => {
    const customer = await stripe.customers.create({});
    const si = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session' });
    expect(si).toMatchObject({ object: 'setup_intent', status: 'requires_payment_method', customer: customer.id });
    expect(si.id).toMatch(/^seti_/);
  });

  it('retries webhook deliveries that are not answered with 2xx', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 800, currency: 'usd', payment_method: 'pm_card_visa' });
    // Events go out one at a time, in order: once payment_intent.created is in, the queue is empty
    // and the next two answers fail charge.succeeded; payment_intent.succeeded follows.
    await receiver.waitFor('payment_intent.created', pi.id);
    receiver.failNext = 2;
    const confirmed = await stripe.paymentIntents.confirm(pi.id);
    const charge = await receiver.waitFor('charge.succeeded', confirmed.latest_charge as string);
    expect(charge.attempt).toBe(3);
    const delivered = await receiver.waitFor('payment_intent.succeeded', pi.id);
    expect(delivered.attempt).toBe(1);
    expect(receiver.rejected).toEqual([]);
  });

  it('sends arbitrary signed test events with sendEvent', async () => {
    const res = await standin.sendEvent('payment_intent.succeeded', { id: 'pi_manual', object: 'payment_intent', amount: 5000 });
    expect(res.status).toBe(200);
    const delivered = await receiver.waitFor('payment_intent.succeeded', 'pi_manual');
    expect(delivered.event.livemode).toBe(false);
    // The header verifies with the SDK's own test-header generator's format too.
    const payload = JSON.stringify({ id: 'evt_x', object: 'event' });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET });
    const event = await stripe.webhooks.constructEventAsync(payload, header, WEBHOOK_SECRET);
    expect(event.id).toBe('evt_x');
  });

  it('answers unknown routes with a Stripe-shaped 404', async () => {
    const res = await fetch(`${standin.url}/v1/nope`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

/**
 * What a Connect platform taking deposits calls: accounts and onboarding, customers and saved
 * cards, destination and direct charges with application fees, refunds that reverse transfers
 * and fees, disputes, the test hooks, events and webhook endpoints. All through the real SDK.
 */
describe('stripe-standin: Connect platform taking deposits', () => {
  let standin: StripeStandin;
  let stripe: Stripe;
  const receiver = new Receiver();

  const client = (key: string) =>
    new Stripe(key, { host: standin.host, port: standin.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  /** A test hook, through the SDK like any other call. */
  const hook = <T>(path: string, params: Record<string, unknown> = {}, stripeAccount?: string): Promise<T> =>
    stripe.rawRequest('POST', path, params, stripeAccount ? { stripeAccount } : undefined) as Promise<T>;
  const browse = (url: string) => fetch(url, { redirect: 'manual' });

  /** An express account that has finished onboarding (through the test hook). */
  async function onboardedAccount(email = 'barber@example.com'): Promise<Stripe.Account> {
    const account = await stripe.accounts.create({ type: 'express', country: 'US', email });
    return hook<Stripe.Account>(`/__test/accounts/${account.id}`, { complete: true });
  }

  /** A customer with a saved card: SetupIntent confirmed with `card`. */
  async function savedCard(card = 'pm_card_visa', stripeAccount?: string): Promise<{ customer: Stripe.Customer; pm: string }> {
    const opts = stripeAccount ? { stripeAccount } : undefined;
    const customer = await stripe.customers.create({ email: 'client@example.com' }, opts);
    const si = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session', allowed_payment_method_types: ['card'] }, opts);
    const done = await stripe.setupIntents.confirm(si.id, { payment_method: card }, opts);
    return { customer, pm: done.payment_method as string };
  }

  beforeAll(async () => {
    const webhookUrl = await receiver.start();
    standin = await startStripeStandin({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, webhookUrl });
    stripe = client(SECRET_KEY);
  });

  afterAll(async () => {
    await standin?.close();
    await receiver.close();
  });

  describe('accounts and onboarding', () => {
    it('creates express and standard accounts with Stripe fields, retrieves and updates them', async () => {
      const account = await stripe.accounts.create({ type: 'express', country: 'US', email: 'ana@example.com', metadata: { shop_id: 'shop_1' } });
      expect(account.id).toMatch(/^acct_/);
      expect(account).toMatchObject({
        object: 'account', type: 'express', country: 'US', email: 'ana@example.com', default_currency: 'usd',
        charges_enabled: false, payouts_enabled: false, details_submitted: false, metadata: { shop_id: 'shop_1' },
        capabilities: { card_payments: 'inactive', transfers: 'inactive' },
      });
      expect(account.requirements?.currently_due).toContain('external_account');
      expect(account.requirements?.disabled_reason).toBe('requirements.past_due');
      expect(account.controller?.stripe_dashboard?.type).toBe('express');

      const fetched = await stripe.accounts.retrieve(account.id);
      expect(fetched).toMatchObject({ id: account.id, email: 'ana@example.com' });
      const updated = await stripe.accounts.update(account.id, { email: 'ana2@example.com', metadata: { plan: 'pro' } });
      expect(updated).toMatchObject({ email: 'ana2@example.com', metadata: { shop_id: 'shop_1', plan: 'pro' } });
      const event = await receiver.waitFor('account.updated', account.id);
      expect(event.event.account).toBe(account.id);
      expect(event.event.data.previous_attributes).toMatchObject({ email: 'ana@example.com' });

      const standard = await stripe.accounts.create({ type: 'standard', country: 'GB', email: 'uk@example.com' });
      expect(standard).toMatchObject({ type: 'standard', default_currency: 'gbp', charges_enabled: false });
      const gb = await stripe.accounts.list({ limit: 1 });
      expect(gb.data[0]?.id).toBe(standard.id);

      const noType = await stripeError(stripe.accounts.create({ country: 'US' }));
      expect(noType).toMatchObject({ code: 'parameter_missing', param: 'type' });
      const missing = await stripeError(stripe.accounts.retrieve('acct_missing'));
      expect(missing.statusCode).toBe(404);
      expect(missing.code).toBe('resource_missing');
    });

    it('onboards through an account link: GET completes it, fires account.updated, redirects 303', async () => {
      const account = await stripe.accounts.create({ type: 'express', country: 'US', email: 'link@example.com' });
      const link = await stripe.accountLinks.create({
        account: account.id,
        refresh_url: 'http://127.0.0.1:8787/connect/refresh?shop=1',
        return_url: 'http://127.0.0.1:8787/connect/return?shop=1',
        type: 'account_onboarding',
      });
      expect(link.object).toBe('account_link');
      expect(link.expires_at - link.created).toBe(300);
      const url = new URL(link.url);
      expect(url.origin).toBe(standin.url);
      expect(url.pathname).toBe(`/connect/onboard/${account.id}`);
      expect(url.searchParams.get('return_url')).toBe('http://127.0.0.1:8787/connect/return?shop=1');

      const res = await browse(link.url);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('http://127.0.0.1:8787/connect/return?shop=1');

      const after = await stripe.accounts.retrieve(account.id);
      expect(after).toMatchObject({ charges_enabled: true, payouts_enabled: true, details_submitted: true, capabilities: { card_payments: 'active', transfers: 'active' } });
      expect(after.requirements?.currently_due).toEqual([]);
      expect(after.requirements?.disabled_reason).toBeNull();
      const delivered = await receiver.waitFor('account.updated', account.id, 5_000, (e) => (e.data.object as Stripe.Account).charges_enabled);
      expect(delivered.event.account).toBe(account.id);
      expect(delivered.event.data.previous_attributes).toMatchObject({ charges_enabled: false, details_submitted: false });
      // Connect events live on the connected account: retrieve them with Stripe-Account.
      const stored = await stripe.events.retrieve(delivered.event.id, {}, { stripeAccount: account.id });
      expect(stored.type).toBe('account.updated');
      expect((await stripeError(stripe.events.retrieve(delivered.event.id))).statusCode).toBe(404);

      // Links are single use: a second visit goes to refresh_url, where the platform mints a new one.
      const again = await browse(link.url);
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('http://127.0.0.1:8787/connect/refresh?shop=1');

      const login = await stripe.accounts.createLoginLink(account.id);
      expect(login.url).toBe(`${standin.url}/connect/dashboard/${account.id}`);
      const wrongType = await stripeError(stripe.accountLinks.create({ account: account.id, type: 'account_update', return_url: 'http://127.0.0.1/r' }));
      expect(wrongType.param).toBe('type');
      const noAccount = await stripeError(stripe.accountLinks.create({ account: 'acct_nope', type: 'account_onboarding' }));
      expect(noAccount.code).toBe('resource_missing');
    });

    it('sets account state directly with the test hook', async () => {
      const account = await onboardedAccount();
      expect(account.charges_enabled).toBe(true);
      const restricted = await hook<Stripe.Account>(`/__test/accounts/${account.id}`, {
        charges_enabled: false,
        requirements: { currently_due: ['individual.verification.document'], disabled_reason: 'requirements.past_due' },
      });
      expect(restricted).toMatchObject({ charges_enabled: false, payouts_enabled: true, capabilities: { card_payments: 'inactive', transfers: 'inactive' } });
      expect(restricted.requirements).toMatchObject({ currently_due: ['individual.verification.document'], disabled_reason: 'requirements.past_due' });
      await receiver.waitFor('account.updated', account.id, 5_000, (e) => (e.data.object as Stripe.Account).charges_enabled === false && (e.data.previous_attributes as { charges_enabled?: boolean } | undefined)?.charges_enabled === true);
      const unknown = await stripeError(hook('/__test/accounts/acct_nope', { complete: true }));
      expect(unknown.statusCode).toBe(404);
    });

    it('expires account links after five minutes (injected clock)', async () => {
      let nowMs = Date.UTC(2031, 0, 6, 9, 0, 0);
      const timed = await startStripeStandin({ secretKey: SECRET_KEY, clock: () => nowMs });
      try {
        const s = new Stripe(SECRET_KEY, { host: timed.host, port: timed.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
        const account = await s.accounts.create({ type: 'express' });
        expect(account.created).toBe(nowMs / 1000);
        const link = await s.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'http://127.0.0.1:8787/refresh', return_url: 'http://127.0.0.1:8787/return' });
        nowMs += 301_000;
        const res = await browse(link.url);
        expect(res.headers.get('location')).toBe('http://127.0.0.1:8787/refresh');
        expect((await s.accounts.retrieve(account.id)).details_submitted).toBe(false);
      } finally {
        await timed.close();
      }
    });
  });

  describe('customers and saved cards', () => {
    it('confirms a SetupIntent: succeeded, the payment method attached to the customer, setup_intent.succeeded', async () => {
      const customer = await stripe.customers.create({ email: 'save@example.com', name: 'Sam' });
      const si = await stripe.setupIntents.create({
        customer: customer.id, automatic_payment_methods: { enabled: true }, usage: 'off_session', metadata: { booking_id: 'b_1' },
      });
      expect(si).toMatchObject({ object: 'setup_intent', status: 'requires_payment_method', usage: 'off_session', customer: customer.id, metadata: { booking_id: 'b_1' } });
      expect(si.client_secret).toMatch(new RegExp(`^${si.id}_secret_`));
      expect((await stripe.setupIntents.retrieve(si.id)).id).toBe(si.id);

      const done = await stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
      expect(done.status).toBe('succeeded');
      expect(done.payment_method).toMatch(/^pm_/);
      expect(done.payment_method).not.toBe('pm_card_visa'); // the token becomes a PaymentMethod of its own
      const pm = await stripe.paymentMethods.retrieve(done.payment_method as string);
      expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: customer.id, card: { brand: 'visa', last4: '4242' } });
      const listed = await stripe.customers.listPaymentMethods(customer.id);
      expect(listed.data.map((x) => x.id)).toEqual([pm.id]);
      const delivered = await receiver.waitFor('setup_intent.succeeded', si.id);
      expect((delivered.event.data.object as Stripe.SetupIntent).payment_method).toBe(pm.id);
      await receiver.waitFor('payment_method.attached', pm.id);

      const withDefault = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
      expect(withDefault.invoice_settings.default_payment_method).toBe(pm.id);
      const notTheirs = await stripeError(stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: 'pm_other' } }));
      expect(notTheirs.param).toBe('invoice_settings[default_payment_method]');
      const twice = await stripeError(stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' }));
      expect(twice.code).toBe('setup_intent_unexpected_state');
    });

    it('declines saving pm_card_chargeDeclined with a card error and setup_intent.setup_failed', async () => {
      const customer = await stripe.customers.create({});
      const si = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session' });
      const err = await stripeError(stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_chargeDeclined' }));
      expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(err).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
      expect((err.raw as { setup_intent?: Stripe.SetupIntent }).setup_intent?.status).toBe('requires_payment_method');
      await receiver.waitFor('setup_intent.setup_failed', si.id);
      expect((await stripe.customers.listPaymentMethods(customer.id)).data).toEqual([]);
      // The test hook stands in for the customer entering a good card in the browser.
      const saved = await hook<Stripe.SetupIntent>(`/__test/setup_intents/${si.id}/confirm`);
      expect(saved.status).toBe('succeeded');
    });
  });

  describe('payment intents', () => {
    it('takes an off-session deposit as a destination charge with an application fee', async () => {
      const shop = await onboardedAccount();
      const { customer, pm } = await savedCard();
      const pi = await stripe.paymentIntents.create({
        amount: 2000, currency: 'usd', customer: customer.id, payment_method: pm, off_session: true, confirm: true,
        application_fee_amount: 150, transfer_data: { destination: shop.id }, on_behalf_of: shop.id,
        metadata: { booking_id: 'b_77', kind: 'deposit' },
      }, { idempotencyKey: 'deposit-b_77' });
      expect(pi).toMatchObject({
        status: 'succeeded', amount_received: 2000, application_fee_amount: 150, on_behalf_of: shop.id,
        transfer_data: { destination: shop.id }, customer: customer.id, payment_method: pm, metadata: { booking_id: 'b_77', kind: 'deposit' },
      });
      const withCharge = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
      const charge = withCharge.latest_charge as Stripe.Charge;
      expect(charge.id).toMatch(/^ch_/);
      expect(charge).toMatchObject({ object: 'charge', amount: 2000, amount_captured: 2000, captured: true, paid: true, status: 'succeeded', application_fee_amount: 150, transfer_data: { destination: shop.id } });
      expect(charge.application_fee).toMatch(/^fee_/);
      expect(charge.transfer).toMatch(/^tr_/);
      const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
      expect(fee).toMatchObject({ object: 'application_fee', amount: 150, account: shop.id, charge: charge.id, amount_refunded: 0 });
      expect((await stripe.applicationFees.list({ charge: charge.id })).data.map((f) => f.id)).toEqual([fee.id]);
      const transfer = await stripe.transfers.retrieve(charge.transfer as string);
      expect(transfer).toMatchObject({ amount: 1850, destination: shop.id, source_transaction: charge.id });

      const succeeded = await receiver.waitFor('payment_intent.succeeded', pi.id);
      expect(succeeded.event.account).toBeUndefined(); // destination charges are the platform's
      await receiver.waitFor('charge.succeeded', charge.id);
      await receiver.waitFor('application_fee.created', fee.id);
      await receiver.waitFor('transfer.created', transfer.id);

      // The same key and params replay the same intent; other params under that key are refused.
      const replay = await stripe.paymentIntents.create({
        amount: 2000, currency: 'usd', customer: customer.id, payment_method: pm, off_session: true, confirm: true,
        application_fee_amount: 150, transfer_data: { destination: shop.id }, on_behalf_of: shop.id,
        metadata: { booking_id: 'b_77', kind: 'deposit' },
      }, { idempotencyKey: 'deposit-b_77' });
      expect(replay.id).toBe(pi.id);
      const clash = await stripeError(stripe.paymentIntents.create({ amount: 2500, currency: 'usd' }, { idempotencyKey: 'deposit-b_77' }));
      expect(clash).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(clash.statusCode).toBe(400);
      expect(clash.type).toBe('StripeIdempotencyError');
      expect((await stripe.charges.list({ payment_intent: pi.id })).data).toHaveLength(1);
    });

    it('refuses Connect parameters Stripe refuses', async () => {
      const pending = await stripe.accounts.create({ type: 'express' });
      const notReady = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', transfer_data: { destination: pending.id } }));
      expect(notReady).toMatchObject({ code: 'insufficient_capabilities_for_transfer', param: 'transfer_data[destination]' });
      const noSuchDestination = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', transfer_data: { destination: 'acct_nope' } }));
      expect(noSuchDestination.code).toBe('resource_missing');
      const feeAlone = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', application_fee_amount: 100 }));
      expect(feeAlone.param).toBe('application_fee_amount');
      const shop = await onboardedAccount();
      const feeTooBig = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', application_fee_amount: 1001, transfer_data: { destination: shop.id } }));
      expect(feeTooBig.param).toBe('application_fee_amount');
      const offSessionAlone = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', off_session: true }));
      expect(offSessionAlone.param).toBe('off_session');
      const badAccount = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd' }, { stripeAccount: 'acct_unknown' }));
      expect(badAccount).toBeInstanceOf(Stripe.errors.StripePermissionError);
      expect(badAccount).toMatchObject({ statusCode: 403, code: 'account_invalid' });
    });

    it('makes direct charges with Stripe-Account: objects live on the connected account, events carry it', async () => {
      const shop = await onboardedAccount();
      const opts = { stripeAccount: shop.id };
      const customer = await stripe.customers.create({ email: 'direct@example.com' }, opts);
      const pi = await stripe.paymentIntents.create(
        { amount: 3000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 300, setup_future_usage: 'off_session' },
        opts,
      );
      expect(pi.status).toBe('succeeded');
      expect((await stripe.paymentIntents.retrieve(pi.id, {}, opts)).id).toBe(pi.id);
      expect((await stripeError(stripe.paymentIntents.retrieve(pi.id))).statusCode).toBe(404);
      expect((await stripeError(stripe.customers.retrieve(customer.id))).statusCode).toBe(404);
      const delivered = await receiver.waitFor('payment_intent.succeeded', pi.id);
      expect(delivered.event.account).toBe(shop.id);
      // setup_future_usage saved the card on the connected customer.
      expect((await stripe.customers.listPaymentMethods(customer.id, {}, opts)).data.map((m) => m.id)).toEqual([pi.payment_method]);
      // The fee is the platform's.
      const charge = await stripe.charges.retrieve(pi.latest_charge as string, {}, opts);
      const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
      expect(fee).toMatchObject({ amount: 300, account: shop.id });
      const balance = await stripe.balance.retrieve({}, opts);
      expect(balance.available[0]?.amount).toBe(2700);

      const restricted = await stripe.accounts.create({ type: 'express' });
      const blocked = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: restricted.id }));
      expect(blocked.message).toContain('card_payments');
    });

    it('declines card 4000 0000 0000 0002 with card_declined / generic_decline and payment_intent.payment_failed', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
      const err = await stripeError(stripe.paymentIntents.confirm(pi.id, {
        payment_method_data: { type: 'card', card: { number: '4000 0000 0000 0002', exp_month: 12, exp_year: 2034, cvc: '123' } } as Stripe.PaymentIntentConfirmParams.PaymentMethodData,
      }));
      expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(err).toMatchObject({ statusCode: 402, type: 'StripeCardError', code: 'card_declined', decline_code: 'generic_decline' });
      expect(err.payment_intent?.status).toBe('requires_payment_method');
      expect(err.payment_method?.card?.last4).toBe('0002');
      await receiver.waitFor('payment_intent.payment_failed', pi.id);
      const failedCharge = (await stripe.paymentIntents.retrieve(pi.id)).latest_charge as string;
      await receiver.waitFor('charge.failed', failedCharge);

      const created = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000000002', exp_month: 1, exp_year: 2035 } } as Stripe.PaymentMethodCreateParams);
      expect(created.card?.last4).toBe('0002');
      const again = await stripeError(stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: created.id, confirm: true }));
      expect(again.decline_code).toBe('generic_decline');
      const badNumber = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', exp_month: 1, exp_year: 2035 } } as Stripe.PaymentMethodCreateParams));
      expect(badNumber).toMatchObject({ statusCode: 402, code: 'incorrect_number' });
    });

    it('saves pm_card_chargeCustomerFail but declines the later off-session charge', async () => {
      const { customer, pm } = await savedCard('pm_card_chargeCustomerFail');
      const err = await stripeError(stripe.paymentIntents.create({ amount: 2500, currency: 'usd', customer: customer.id, payment_method: pm, off_session: true, confirm: true }));
      expect(err).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline' });
      expect(err.payment_intent?.last_payment_error?.code).toBe('card_declined');
    });

    it('handles 3-D Secure: authentication_required off-session, requires_action on-session, completed by /pay or the page', async () => {
      const { customer, pm } = await savedCard('pm_card_visa');
      const authCard = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000002760003184', exp_month: 1, exp_year: 2035 } } as Stripe.PaymentMethodCreateParams);
      await stripe.paymentMethods.attach(authCard.id, { customer: customer.id });
      const offSession = await stripeError(stripe.paymentIntents.create({ amount: 2500, currency: 'usd', customer: customer.id, payment_method: authCard.id, off_session: true, confirm: true }));
      expect(offSession).toMatchObject({ statusCode: 402, code: 'authentication_required', decline_code: 'authentication_required' });
      expect(offSession.payment_intent?.status).toBe('requires_payment_method');

      const onSession = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', customer: customer.id, payment_method: authCard.id, confirm: true });
      expect(onSession.status).toBe('requires_action');
      expect(onSession.next_action?.type).toBe('use_stripe_sdk');
      const paid = await hook<Stripe.PaymentIntent>(`/__test/payment_intents/${onSession.id}/pay`);
      expect(paid).toMatchObject({ status: 'succeeded', payment_method: authCard.id });

      const redirect = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', customer: customer.id, payment_method: authCard.id, confirm: true, return_url: 'http://127.0.0.1:8787/book/done' });
      const next = redirect.next_action?.redirect_to_url;
      expect(next?.url?.startsWith(`${standin.url}/authenticate/${redirect.id}`)).toBe(true);
      const page = await browse(next?.url as string);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Complete authentication');
      const done = await browse(`${next?.url}&outcome=succeed`);
      expect(done.status).toBe(303);
      const back = new URL(done.headers.get('location') as string);
      expect(`${back.origin}${back.pathname}`).toBe('http://127.0.0.1:8787/book/done');
      expect(Object.fromEntries(back.searchParams)).toEqual({ payment_intent: redirect.id, payment_intent_client_secret: redirect.client_secret, redirect_status: 'succeeded' });
      expect((await stripe.paymentIntents.retrieve(redirect.id)).status).toBe('succeeded');
      void pm;
    });

    it('pays with the test hook (pm_card_visa), firing signed payment_intent.succeeded and charge.succeeded', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd', automatic_payment_methods: { enabled: true }, metadata: { booking_id: 'b_hook' } });
      const paid = await hook<Stripe.PaymentIntent>(`/__test/payment_intents/${pi.id}/pay`);
      expect(paid).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 4200 });
      const delivered = await receiver.waitFor('payment_intent.succeeded', pi.id);
      expect(delivered.event).toMatchObject({ object: 'event', livemode: false, api_version: expect.any(String) });
      expect(delivered.event.id).toMatch(/^evt_/);
      expect(delivered.event.created).toBeGreaterThan(1_600_000_000);
      await receiver.waitFor('charge.succeeded', paid.latest_charge as string);
      expect(receiver.rejected).toEqual([]);

      const declined = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd' });
      const err = await stripeError(hook(`/__test/payment_intents/${declined.id}/pay`, { payment_method: 'pm_card_chargeDeclined' }));
      expect(err).toMatchObject({ statusCode: 402, code: 'card_declined' });
      const after = await stripeError(hook(`/__test/payment_intents/${paid.id}/pay`));
      expect(after.code).toBe('payment_intent_unexpected_state');
    });

    it('cancels with payment_intent.canceled and releases a held authorisation', async () => {
      const held = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
      expect(held.status).toBe('requires_capture');
      const canceled = await stripe.paymentIntents.cancel(held.id, { cancellation_reason: 'requested_by_customer' });
      expect(canceled.status).toBe('canceled');
      await receiver.waitFor('payment_intent.canceled', held.id);
      const released = await receiver.waitFor('charge.refunded', held.latest_charge as string);
      expect((released.event.data.object as Stripe.Charge).amount_refunded).toBe(5000);
    });
  });

  describe('refunds and disputes', () => {
    it('refunds partially and fully, reversing the transfer and the fee in proportion, never beyond what was captured', async () => {
      const shop = await onboardedAccount();
      const pi = await stripe.paymentIntents.create({
        amount: 4000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
        application_fee_amount: 400, transfer_data: { destination: shop.id },
      });
      const chargeId = pi.latest_charge as string;
      const partial = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000, reverse_transfer: true, refund_application_fee: true, metadata: { reason: 'late_cancel' } });
      expect(partial).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', charge: chargeId, payment_intent: pi.id, metadata: { reason: 'late_cancel' } });
      expect(partial.transfer_reversal).toMatch(/^trr_/);
      const refunded = await receiver.waitFor('charge.refunded', chargeId);
      expect((refunded.event.data.object as Stripe.Charge).amount_refunded).toBe(1000);
      await receiver.waitFor('refund.created', partial.id);

      const charge = await stripe.charges.retrieve(chargeId, { expand: ['transfer', 'application_fee'] });
      expect((charge.transfer as Stripe.Transfer).amount_reversed).toBe(900); // 3600 × 1000/4000
      expect((charge.application_fee as Stripe.ApplicationFee).amount_refunded).toBe(100);

      const tooMuch = await stripeError(stripe.refunds.create({ charge: chargeId, amount: 3001 }));
      expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
      const rest = await stripe.refunds.create({ charge: chargeId, reverse_transfer: true, refund_application_fee: true });
      expect(rest.amount).toBe(3000);
      const after = await stripe.charges.retrieve(chargeId, { expand: ['transfer', 'application_fee'] });
      expect(after).toMatchObject({ amount_refunded: 4000, refunded: true });
      expect((after.transfer as Stripe.Transfer).amount_reversed).toBe(3600);
      expect((after.application_fee as Stripe.ApplicationFee)).toMatchObject({ amount_refunded: 400, refunded: true });
      expect((await stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.id)).toEqual([rest.id, partial.id]);
      const none = await stripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 50 }));
      expect(none.code).toBe('charge_already_refunded');

      const plain = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const noTransfer = await stripeError(stripe.refunds.create({ payment_intent: plain.id, reverse_transfer: true }));
      expect(noTransfer.param).toBe('reverse_transfer');
      const unpaid = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      expect((await stripeError(stripe.refunds.create({ payment_intent: unpaid.id }))).code).toBe('charge_not_refundable');
    });

    it('opens a dispute with the test hook (charge.dispute.created) and closes it', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 2200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const chargeId = pi.latest_charge as string;
      const dispute = await hook<Stripe.Dispute>(`/__test/charges/${chargeId}/dispute`, { reason: 'product_not_received' });
      expect(dispute.id).toMatch(/^dp_/);
      expect(dispute).toMatchObject({ object: 'dispute', amount: 2200, charge: chargeId, payment_intent: pi.id, reason: 'product_not_received', status: 'needs_response' });
      await receiver.waitFor('charge.dispute.created', dispute.id);
      expect((await stripe.charges.retrieve(chargeId)).disputed).toBe(true);
      const refund = await stripeError(stripe.refunds.create({ charge: chargeId }));
      expect(refund.code).toBe('charge_disputed');

      const submitted = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'Customer attended the appointment.' } });
      expect(submitted).toMatchObject({ status: 'under_review', evidence: { uncategorized_text: 'Customer attended the appointment.' } });
      const won = await hook<Stripe.Dispute>(`/__test/disputes/${dispute.id}/close`, { status: 'won' });
      expect(won.status).toBe('won');
      await receiver.waitFor('charge.dispute.closed', dispute.id);
      expect((await stripe.disputes.list({ charge: chargeId })).data.map((d) => d.id)).toEqual([dispute.id]);

      const auto = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
      const disputes = await stripe.disputes.list({ payment_intent: auto.id });
      expect(disputes.data[0]).toMatchObject({ status: 'needs_response', reason: 'fraudulent' });
    });
  });

  it('serves the fetch HTTP client and retry settings the Worker uses (worker/lib/stripe.ts)', async () => {
    const worker = new Stripe(SECRET_KEY, {
      httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 1, timeout: 8000,
      host: standin.host, port: standin.port, protocol: 'http',
    });
    const shop = await worker.accounts.create({ type: 'express', email: 'fetch@example.com', metadata: { shop_id: 's_fetch' } });
    await worker.rawRequest('POST', `/__test/accounts/${shop.id}`, { complete: true });
    const customer = await worker.customers.create({ email: 'fetch-client@example.com' });
    const pi = await worker.paymentIntents.create(
      { amount: 1800, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 180, transfer_data: { destination: shop.id } },
      { idempotencyKey: 'fetch-deposit-1' },
    );
    expect(pi.status).toBe('succeeded');
    const replay = await worker.paymentIntents.create(
      { amount: 1800, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 180, transfer_data: { destination: shop.id } },
      { idempotencyKey: 'fetch-deposit-1' },
    );
    expect(replay.id).toBe(pi.id);
    const declined = await stripeError(worker.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    const direct = await worker.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: shop.id });
    expect((await worker.paymentIntents.retrieve(direct.id, {}, { stripeAccount: shop.id })).status).toBe('succeeded');
  });

  describe('events and webhook endpoints', () => {
    it('lists events newest first with type filters and cursors', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 990, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const recent = await stripe.events.list({ limit: 3 });
      expect(recent.object).toBe('list');
      expect(recent.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.created']);
      expect(recent.has_more).toBe(true);
      const next = await stripe.events.list({ limit: 1, starting_after: recent.data[2]?.id });
      expect(next.data[0]?.id).not.toBe(recent.data[2]?.id);
      const succeeded = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 1 });
      expect((succeeded.data[0]?.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
      const wildcard = await stripe.events.list({ type: 'charge.*', limit: 100 });
      expect(wildcard.data.every((e) => e.type.startsWith('charge.'))).toBe(true);
      const either = await stripe.events.list({ types: ['payment_intent.created', 'payment_intent.succeeded'], limit: 2 });
      expect(either.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'payment_intent.created']);
      const all = await stripe.events.list({ type: 'payment_intent.created', limit: 2 }).autoPagingToArray({ limit: 1000 });
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      const event = await stripe.events.retrieve(recent.data[0]?.id as string);
      expect(event).toMatchObject({ object: 'event', type: 'payment_intent.succeeded', livemode: false, pending_webhooks: 1 });
    });

    it('delivers to webhook endpoints created through the API, each signed with its own secret and filtered', async () => {
      const platform = new Receiver('unset');
      const connect = new Receiver('unset');
      try {
        const platformEndpoint = await stripe.webhookEndpoints.create({ url: await platform.start(), enabled_events: ['payment_intent.succeeded'] });
        const connectEndpoint = await stripe.webhookEndpoints.create({ url: await connect.start(), enabled_events: ['*'], connect: true });
        expect(platformEndpoint.secret).toMatch(/^whsec_/);
        expect(platformEndpoint.secret).not.toBe(connectEndpoint.secret);
        platform.secret = platformEndpoint.secret as string;
        connect.secret = connectEndpoint.secret as string;
        expect((await stripe.webhookEndpoints.retrieve(platformEndpoint.id)).secret).toBeUndefined();

        const pi = await stripe.paymentIntents.create({ amount: 1100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
        const shop = await onboardedAccount();
        await platform.waitFor('payment_intent.succeeded', pi.id);
        const onboarded = await connect.waitFor('account.updated', shop.id);
        expect(onboarded.event.account).toBe(shop.id);
        await receiver.waitFor('account.updated', shop.id); // the configured endpoint gets everything
        expect(platform.events.map((d) => d.event.type)).toEqual(['payment_intent.succeeded']);
        expect(connect.events.every((d) => d.event.account !== undefined)).toBe(true);
        expect(platform.rejected).toEqual([]);
        expect(connect.rejected).toEqual([]);

        // Redelivery (Stripe may send an event twice): same id, verified again.
        await hook(`/__test/events/${platform.events[0]?.event.id}/redeliver`);
        await expect.poll(() => platform.events.length).toBe(2);
        expect(platform.events[1]?.event.id).toBe(platform.events[0]?.event.id);

        await stripe.webhookEndpoints.del(platformEndpoint.id);
        await stripe.webhookEndpoints.del(connectEndpoint.id);
        expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
      } finally {
        await platform.close();
        await connect.close();
      }
    });

    it('makes the same ids for the same seed and calls', async () => {
      const run = async (idSeed: string) => {
        const s = await startStripeStandin({ secretKey: SECRET_KEY, idSeed });
        try {
          const sdk = new Stripe(SECRET_KEY, { host: s.host, port: s.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
          const account = await sdk.accounts.create({ type: 'express' });
          const customer = await sdk.customers.create({});
          const pi = await sdk.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
          const events = await sdk.events.list({ limit: 100 });
          return [account.id, customer.id, pi.id, pi.client_secret, pi.payment_method, pi.latest_charge, ...events.data.map((e) => e.id)];
        } finally {
          await s.close();
        }
      };
      const first = await run('seed-a');
      expect(await run('seed-a')).toEqual(first);
      expect((await run('seed-b'))[0]).not.toBe(first[0]);
      // Without a seed each start gets its own, so ids never repeat across restarts.
      const fresh = async () => {
        const s = await startStripeStandin({ secretKey: SECRET_KEY });
        try {
          const sdk = new Stripe(SECRET_KEY, { host: s.host, port: s.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
          return (await sdk.customers.create({})).id;
        } finally {
          await s.close();
        }
      };
      expect(await fresh()).not.toBe(await fresh());
    });
  });
});

/**
 * The calls the Worker's payments (issue #10) make, in the shapes it makes them: a shop's Express
 * account finished through a link or the test hook, a client's platform customer and card saved by
 * a SetupIntent, a deposit as a destination charge under an idempotency key (paid by the API or by
 * the test hook, with the same events), off-session fees on the saved card, refunds that give the
 * transfer and the fee back, and the events API a test reads the outcome from.
 */
describe('stripe-standin: what the payments code calls', () => {
  let standin: StripeStandin;
  let stripe: Stripe;
  const receiver = new Receiver();

  const hook = <T>(path: string, params: Record<string, unknown> = {}): Promise<T> =>
    stripe.rawRequest('POST', path, params) as Promise<T>;

  /** Every event about `ids` (an intent, its charge, ...), oldest first, as types. */
  async function eventTypes(ids: string[]): Promise<string[]> {
    const all = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    return all
      .filter((e) => {
        const o = e.data.object as { id?: string; charge?: string; source_transaction?: string };
        return [o.id, o.charge, o.source_transaction].some((id) => id !== undefined && ids.includes(id));
      })
      .reverse()
      .map((e) => e.type);
  }

  async function shopAccount(shopId: string): Promise<Stripe.Account> {
    const account = await stripe.accounts.create({
      type: 'express', country: 'US', email: `owner+${shopId}@example.test`,
      business_profile: { name: `Shop ${shopId}` }, metadata: { shop_id: shopId },
    });
    return hook<Stripe.Account>(`/__test/accounts/${account.id}`, { complete: true });
  }

  async function clientWithCard(card = 'pm_card_visa'): Promise<{ customer: Stripe.Customer; pm: string }> {
    const customer = await stripe.customers.create({ email: 'client@example.test', metadata: { user_id: 'u_1' } });
    const si = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session', allowed_payment_method_types: ['card'] });
    const done = await stripe.setupIntents.confirm(si.id, { payment_method: card });
    return { customer, pm: done.payment_method as string };
  }

  beforeAll(async () => {
    const webhookUrl = await receiver.start();
    standin = await startStripeStandin({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, webhookUrl });
    stripe = new Stripe(SECRET_KEY, { host: standin.host, port: standin.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  });

  afterAll(async () => {
    await standin?.close();
    await receiver.close();
  });

  it('creates a shop account with its name and shop_id, finished by an account link or the test hook (account.updated)', async () => {
    const account = await stripe.accounts.create({
      type: 'express', country: 'GB', email: 'owner@kingscross.test', business_profile: { name: 'Kings Cross Cuts' }, metadata: { shop_id: 'shop_kx' },
    });
    expect(account).toMatchObject({ business_profile: { name: 'Kings Cross Cuts' }, metadata: { shop_id: 'shop_kx' }, default_currency: 'gbp', charges_enabled: false });
    expect((await stripe.accounts.retrieve(account.id)).business_profile?.name).toBe('Kings Cross Cuts');
    const link = await stripe.accountLinks.create({
      account: account.id, type: 'account_onboarding',
      refresh_url: 'http://127.0.0.1:8787/owner/stripe/refresh', return_url: 'http://127.0.0.1:8787/owner/stripe/return',
    });
    expect((await fetch(link.url, { redirect: 'manual' })).status).toBe(303);
    const finished = await receiver.waitFor('account.updated', account.id, 5_000, (e) => (e.data.object as Stripe.Account).charges_enabled);
    expect(finished.event.account).toBe(account.id);
    expect(finished.event.data.object).toMatchObject({
      id: account.id, charges_enabled: true, payouts_enabled: true, details_submitted: true,
      requirements: { currently_due: [], disabled_reason: null }, metadata: { shop_id: 'shop_kx' },
    });

    const other = await stripe.accounts.create({ type: 'express', country: 'US', metadata: { shop_id: 'shop_fs' } });
    const done = await hook<Stripe.Account>(`/__test/accounts/${other.id}`, { complete: true });
    expect(done).toMatchObject({ charges_enabled: true, payouts_enabled: true, details_submitted: true, requirements: { currently_due: [], disabled_reason: null } });
    await receiver.waitFor('account.updated', other.id, 5_000, (e) => (e.data.object as Stripe.Account).charges_enabled);
  });

  it('saves a card with a SetupIntent: setup_intent.succeeded names the payment method, which has brand and last4', async () => {
    const customer = await stripe.customers.create({ email: 'ava@example.test', name: 'Ava Johnson', metadata: { user_id: 'u_ava' } });
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ id: customer.id, metadata: { user_id: 'u_ava' } });
    const si = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session', allowed_payment_method_types: ['card'], metadata: { appointment_id: 'a_1' } });
    const fetched = await stripe.setupIntents.retrieve(si.id);
    expect(fetched.client_secret).toBe(si.client_secret);
    expect(fetched.status).toBe('requires_payment_method');
    const done = await stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
    expect(done).toMatchObject({ status: 'succeeded', customer: customer.id });
    const delivered = await receiver.waitFor('setup_intent.succeeded', si.id);
    const object = delivered.event.data.object as Stripe.SetupIntent;
    expect(object).toMatchObject({ payment_method: done.payment_method, customer: customer.id, metadata: { appointment_id: 'a_1' } });
    expect(typeof object.payment_method).toBe('string');
    const pm = await stripe.paymentMethods.retrieve(object.payment_method as string);
    expect(pm).toMatchObject({ customer: customer.id, card: { brand: 'visa', last4: '4242' } });

    // The customer in the browser, through the test hook: any test card, 3-D Secure passed.
    const again = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session', automatic_payment_methods: { enabled: true } });
    const viaHook = await hook<Stripe.SetupIntent>(`/__test/setup_intents/${again.id}/confirm`, { payment_method: 'pm_card_mastercard' });
    expect(viaHook.status).toBe('succeeded');
    expect((await stripe.paymentMethods.retrieve(viaHook.payment_method as string)).card).toMatchObject({ brand: 'mastercard', last4: '4444' });
  });

  it('takes a deposit as a destination charge under an idempotency key; confirm and the /pay hook give the same events', async () => {
    const shop = await shopAccount('shop_dep');
    const customer = await stripe.customers.create({ email: 'noah@example.test' });
    const params = (bookingId: string): Stripe.PaymentIntentCreateParams => ({
      amount: 900, currency: 'usd', customer: customer.id, setup_future_usage: 'off_session',
      transfer_data: { destination: shop.id }, application_fee_amount: 45,
      metadata: { appointment_id: bookingId, payment_id: `p_${bookingId}`, kind: 'deposit' },
    });
    const viaApi = await stripe.paymentIntents.create({ ...params('b_api'), automatic_payment_methods: { enabled: true } }, { idempotencyKey: 'pay-b_api' });
    expect(viaApi).toMatchObject({
      status: 'requires_payment_method', amount: 900, customer: customer.id, setup_future_usage: 'off_session',
      transfer_data: { destination: shop.id }, application_fee_amount: 45, latest_charge: null,
    });
    // Same key, same values (in another order) → the same intent; other values → Stripe's 400.
    const reordered: Stripe.PaymentIntentCreateParams = {
      metadata: { kind: 'deposit', payment_id: 'p_b_api', appointment_id: 'b_api' }, automatic_payment_methods: { enabled: true },
      application_fee_amount: 45, transfer_data: { destination: shop.id }, setup_future_usage: 'off_session', customer: customer.id, currency: 'usd', amount: 900,
    };
    expect((await stripe.paymentIntents.create(reordered, { idempotencyKey: 'pay-b_api' })).id).toBe(viaApi.id);
    const clash = await stripeError(stripe.paymentIntents.create({ ...params('b_api'), amount: 1000 }, { idempotencyKey: 'pay-b_api' }));
    expect(clash).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(clash).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });

    const fetched = await stripe.paymentIntents.retrieve(viaApi.id);
    expect(fetched.client_secret).toMatch(new RegExp(`^${viaApi.id}_secret_`));
    const paidByApi = await stripe.paymentIntents.confirm(viaApi.id, { payment_method: 'pm_card_visa' });
    expect(paidByApi).toMatchObject({ status: 'succeeded', amount_received: 900, latest_charge: expect.stringMatching(/^ch_/) });

    const viaHook = await stripe.paymentIntents.create({ ...params('b_hook'), allowed_payment_method_types: ['card'] }, { idempotencyKey: 'pay-b_hook' });
    const paidByHook = await hook<Stripe.PaymentIntent>(`/__test/payment_intents/${viaHook.id}/pay`);
    expect(paidByHook).toMatchObject({ status: 'succeeded', latest_charge: expect.stringMatching(/^ch_/) });

    for (const pi of [paidByApi, paidByHook]) {
      const succeeded = (await receiver.waitFor('payment_intent.succeeded', pi.id)).event.data.object as Stripe.PaymentIntent;
      expect(succeeded).toMatchObject({
        status: 'succeeded', latest_charge: pi.latest_charge, customer: customer.id, payment_method: pi.payment_method,
        transfer_data: { destination: shop.id }, application_fee_amount: 45, metadata: { appointment_id: expect.any(String), kind: 'deposit' },
      });
      const charge = (await receiver.waitFor('charge.succeeded', pi.latest_charge as string)).event.data.object as Stripe.Charge;
      expect(charge).toMatchObject({ payment_intent: pi.id, amount_captured: 900, metadata: succeeded.metadata, payment_method_details: { card: { brand: 'visa', last4: '4242' } } });
      // setup_future_usage saved the card on the platform customer.
      expect((await stripe.paymentMethods.retrieve(pi.payment_method as string)).customer).toBe(customer.id);
    }
    const sequence = ['payment_intent.created', 'payment_method.attached', 'charge.succeeded', 'payment_intent.succeeded', 'application_fee.created', 'transfer.created'];
    expect(await eventTypes([paidByApi.id, paidByApi.latest_charge as string, paidByApi.payment_method as string])).toEqual(sequence);
    expect(await eventTypes([paidByHook.id, paidByHook.latest_charge as string, paidByHook.payment_method as string])).toEqual(sequence);

    const dropped = await stripe.paymentIntents.create(params('b_drop'));
    expect((await stripe.paymentIntents.cancel(dropped.id)).status).toBe('canceled');
    await receiver.waitFor('payment_intent.canceled', dropped.id);
  });

  it('declines pm_card_chargeDeclined and 4000 0000 0000 0002: 402 card_error with decline_code and the intent, payment_intent.payment_failed', async () => {
    for (const pay of [
      { payment_method: 'pm_card_chargeDeclined' },
      { payment_method_data: { type: 'card', card: { number: '4000000000000002', exp_month: 12, exp_year: 2040, cvc: '123' } } as Stripe.PaymentIntentConfirmParams.PaymentMethodData },
    ]) {
      const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', allowed_payment_method_types: ['card'] });
      const err = await stripeError(stripe.paymentIntents.confirm(pi.id, pay as Stripe.PaymentIntentConfirmParams));
      expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(err).toMatchObject({ statusCode: 402, rawType: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
      expect(err.payment_intent).toMatchObject({ id: pi.id, status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } });
      const failed = await receiver.waitFor('payment_intent.payment_failed', pi.id);
      expect((failed.event.data.object as Stripe.PaymentIntent).last_payment_error?.decline_code).toBe('generic_decline');
    }
  });

  it('charges a saved card off-session; a saved card that declines throws StripeCardError (test card, or any card after the decline hook)', async () => {
    const shop = await shopAccount('shop_fee');
    const fee = (customer: string, pm: string, key: string) =>
      stripe.paymentIntents.create({
        amount: 1750, currency: 'usd', customer, payment_method: pm, off_session: true, confirm: true,
        transfer_data: { destination: shop.id }, application_fee_amount: 88, metadata: { kind: 'fee', reason: 'no_show_fee' },
      }, { idempotencyKey: key });
    const good = await clientWithCard();
    const charged = await fee(good.customer.id, good.pm, 'fee-1');
    expect(charged).toMatchObject({ status: 'succeeded', amount_received: 1750, latest_charge: expect.stringMatching(/^ch_/) });
    expect((await fee(good.customer.id, good.pm, 'fee-1')).id).toBe(charged.id);

    const failing = await clientWithCard('pm_card_chargeCustomerFail');
    const declined = await stripeError(fee(failing.customer.id, failing.pm, 'fee-2'));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    // A decline is stored under its key like any answer: the retry gets the same 402, not a second attempt.
    const replayed = await stripeError(fee(failing.customer.id, failing.pm, 'fee-2'));
    expect(replayed.payment_intent?.id).toBe(declined.payment_intent?.id);

    // A card saved fine (by a deposit, say) that lapses before the fee.
    const lapsed = await hook<Stripe.PaymentMethod>(`/__test/payment_methods/${good.pm}`, { decline_code: 'insufficient_funds' });
    expect(lapsed.id).toBe(good.pm);
    const broke = await stripeError(fee(good.customer.id, good.pm, 'fee-3'));
    expect(broke).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(broke).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds' });
    await receiver.waitFor('payment_intent.payment_failed', broke.payment_intent?.id as string);
    const expired = await stripeError((async () => {
      await hook(`/__test/payment_methods/${good.pm}`, { decline_code: 'expired_card' });
      return fee(good.customer.id, good.pm, 'fee-4');
    })());
    expect(expired).toMatchObject({ code: 'expired_card', decline_code: 'expired_card' });
    await hook(`/__test/payment_methods/${good.pm}`, { decline_code: '' });
    expect((await fee(good.customer.id, good.pm, 'fee-5')).status).toBe('succeeded');
    expect((await stripeError(hook('/__test/payment_methods/pm_nope', { decline_code: 'lost_card' }))).statusCode).toBe(404);
  });

  it('refunds a deposit, giving back the transfer and the fee, never more than is left (charge.refunded)', async () => {
    const shop = await shopAccount('shop_ref');
    const pi = await stripe.paymentIntents.create({
      amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: shop.id }, application_fee_amount: 100,
    });
    const refund = (amount: number, key: string) =>
      stripe.refunds.create({ payment_intent: pi.id, amount, reverse_transfer: true, refund_application_fee: true, metadata: { payment_id: key } }, { idempotencyKey: key });
    const first = await refund(1500, 'refund-1');
    expect(first).toMatchObject({ status: 'succeeded', amount: 1500, payment_intent: pi.id, charge: pi.latest_charge });
    expect((await refund(1500, 'refund-1')).id).toBe(first.id); // the outbox's retry: once only
    const refunded = await receiver.waitFor('charge.refunded', pi.latest_charge as string);
    expect(refunded.event.data.object).toMatchObject({ amount_refunded: 1500, refunded: false });
    const over = await stripeError(refund(501, 'refund-2'));
    expect(over).toMatchObject({ statusCode: 400, code: 'amount_too_large' });
    expect((await refund(500, 'refund-3')).amount).toBe(500);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['transfer', 'application_fee'] });
    expect(charge).toMatchObject({ amount_refunded: 2000, refunded: true });
    expect(charge.transfer as Stripe.Transfer).toMatchObject({ amount: 1900, amount_reversed: 1900 });
    expect(charge.application_fee as Stripe.ApplicationFee).toMatchObject({ amount: 100, amount_refunded: 100 });
  });

  it('lets a test read what happened from the events API, and answers the balance health check', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', metadata: { appointment_id: 'a_events' } });
    await hook(`/__test/payment_intents/${pi.id}/pay`);
    const page = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 });
    const event = page.data.find((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id);
    expect(event).toBeDefined();
    const stored = await stripe.events.retrieve(event?.id as string);
    expect(stored).toMatchObject({ type: 'payment_intent.succeeded', data: { object: { id: pi.id, metadata: { appointment_id: 'a_events' } } } });
    const balance = await stripe.balance.retrieve();
    expect(balance).toMatchObject({ object: 'balance', livemode: false });
  });
});
