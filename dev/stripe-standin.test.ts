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

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const payload = Buffer.concat(chunks).toString('utf8');
        try {
          const event = await Stripe.webhooks.constructEventAsync(
            payload, String(req.headers['stripe-signature']), WEBHOOK_SECRET, undefined, this.crypto,
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

  async waitFor(type: string, objectId: string, timeoutMs = 5_000): Promise<Delivery> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const hit = this.events.find((d) => d.event.type === type && (d.event.data.object as { id?: string }).id === objectId);
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
    // Events go out one at a time, in order: charge.succeeded first, then payment_intent.succeeded.
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
