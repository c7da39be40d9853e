/**
 * Stripe for worker tests: the same SDK the Worker uses, pointed at the plane's stand-in. A test
 * cannot receive the stand-in's HTTP webhooks (the Worker runs inside workerd), so it does what
 * Stripe would: makes something happen (a test hook or an API call), reads the resulting event
 * back from `events.list`, signs it with the Worker's webhook secret and POSTs it to the webhook.
 */
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../worker/db/client';
import { shops } from '../../worker/db/schema';
import { loadConfig } from '../../worker/env';
import { stripeClient } from '../../worker/lib/stripe';
import { call } from './harness';

export function stripe(): Stripe {
  return stripeClient(loadConfig(env));
}

const WEBHOOK_SECRET = () => loadConfig(env).STRIPE_WEBHOOK_SECRET[0]!;

/** A Connect account that finished onboarding (charges and payouts on). */
export async function finishedAccount(country = 'US'): Promise<string> {
  const account = await stripe().accounts.create({
    type: 'express',
    country,
    metadata: { test: 'true' },
  });
  await stripe().rawRequest('POST', `/__test/accounts/${account.id}`, {
    complete: 'true',
  });
  return account.id;
}

/** Gives the shop a finished stand-in account (as onboarding + account.updated would). */
export async function connectShop(db: Db, shopId: string, country = 'US'): Promise<string> {
  const accountId = await finishedAccount(country);
  await db
    .update(shops)
    .set({
      stripeAccountId: accountId,
      stripeChargesEnabled: true,
      stripePayoutsEnabled: true,
      stripeDetailsSubmitted: true,
      stripeRequirements: { currently_due: [], disabled_reason: null },
    })
    .where(eq(shops.id, shopId));
  return accountId;
}

/** The stand-in "pays" an intent with a test method (default pm_card_visa), as a client's browser would. */
export async function payIntent(paymentIntentId: string, paymentMethod = 'pm_card_visa'): Promise<unknown> {
  try {
    return await stripe().rawRequest('POST', `/__test/payment_intents/${paymentIntentId}/pay`, { payment_method: paymentMethod });
  } catch (err) {
    // A decline answers 402 like Stripe; the intent and its payment_failed event are recorded anyway.
    return err;
  }
}

/** The newest event of `type` about object `objectId` (waits a little: events are written as they happen). */
export async function eventAbout(type: string, objectId: string): Promise<Stripe.Event> {
  for (let i = 0; i < 50; i++) {
    const page = await stripe().events.list({ type, limit: 100 });
    const found = page.data.find((e) => (e.data.object as { id?: string }).id === objectId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${type} event for ${objectId}`);
}

/** Signs a payload with the Worker's webhook secret (`timestamp` in seconds, default now). */
export async function signature(payload: string, timestamp?: number): Promise<string> {
  return stripe().webhooks.generateTestHeaderStringAsync({
    payload,
    secret: WEBHOOK_SECRET(),
    ...(timestamp !== undefined ? { timestamp } : {}),
  });
}

/** Delivers an event to the Worker's webhook, signed as Stripe would. */
export async function deliver(event: object, opts: { timestamp?: number; secret?: string } = {}): Promise<Response> {
  const payload = JSON.stringify(event);
  const header = opts.secret
    ? await stripe().webhooks.generateTestHeaderStringAsync({
        payload,
        secret: opts.secret,
        ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
      })
    : await signature(payload, opts.timestamp);
  return call('/api/v1/webhooks/stripe', {
    method: 'POST',
    body: payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
}
