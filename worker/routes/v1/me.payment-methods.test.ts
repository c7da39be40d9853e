import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { stripeCustomers, stripeEvents } from '../../db/schema';
import { newClient } from '../../../tests/worker/booking-world';
import { problemOf, testDb } from '../../../tests/worker/harness';
import { deliver, eventAbout, stripe } from '../../../tests/worker/stripe';
import { send } from '../../../tests/worker/world';
import type { PaymentHandle } from '../../services/payments';

type Card = { card: { brand: string | null; last4: string | null } | null };

const getCard = (token: string | null) => send('GET', '/api/v1/me/payment-methods', token);
const setup = (token: string | null) => send('POST', '/api/v1/me/payment-methods', token);

async function cardOf(token: string): Promise<Card> {
  const res = await getCard(token);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('private, no-store');
  return (await res.json()) as Card;
}

async function startSetup(token: string): Promise<PaymentHandle> {
  const res = await setup(token);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as PaymentHandle;
}

async function customerRow(userId: string) {
  const [row] = await testDb().select().from(stripeCustomers).where(eq(stripeCustomers.userId, userId));
  return row;
}

describe('/api/v1/me/payment-methods', () => {
  it('saves a card on file through a SetupIntent and its webhook; a redelivery changes nothing', async () => {
    const client = await newClient(testDb());
    expect(await cardOf(client.token)).toEqual({ card: null });

    const handle = await startSetup(client.token);
    expect(handle).toMatchObject({
      kind: 'setup',
      amount: 0,
      publishable_key: 'pk_test_local',
      payment_intent_id: null,
      expires_at: null,
    });
    expect(handle.setup_intent_id).toMatch(/^seti_/);
    expect(handle.client_secret).toMatch(new RegExp(`^${handle.setup_intent_id}_secret_`));
    // The client's Stripe customer is made (and remembered) on the way.
    const customer = await customerRow(client.user.id);
    expect(customer?.customerId).toMatch(/^cus_/);
    expect(customer?.paymentMethodId).toBeNull();
    const intent = await stripe().setupIntents.retrieve(handle.setup_intent_id!);
    expect(intent).toMatchObject({ customer: customer!.customerId, usage: 'off_session', metadata: { client_id: client.user.id } });
    expect((await stripe().customers.retrieve(customer!.customerId)) as { metadata: Record<string, string> }).toMatchObject({
      metadata: { user_id: client.user.id },
    });
    // Not saved until Stripe says so.
    expect(await cardOf(client.token)).toEqual({ card: null });

    // The client confirms it in the browser; Stripe sends setup_intent.succeeded.
    await stripe().rawRequest('POST', `/__test/setup_intents/${handle.setup_intent_id}/confirm`, {});
    const event = await eventAbout('setup_intent.succeeded', handle.setup_intent_id!);
    const res = await deliver(event);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('card_saved');
    expect(await cardOf(client.token)).toEqual({ card: { brand: 'visa', last4: '4242' } });
    const saved = await customerRow(client.user.id);
    expect(saved).toMatchObject({ customerId: customer!.customerId, cardBrand: 'visa', cardLast4: '4242' });
    expect(saved!.paymentMethodId).toMatch(/^pm_/);

    const twice = await deliver(event);
    expect(twice.status).toBe(200);
    expect(((await twice.json()) as { outcome: string }).outcome).toBe('duplicate_event');
    expect(await customerRow(client.user.id)).toEqual(saved);
    expect(await testDb().select().from(stripeEvents).where(eq(stripeEvents.eventId, event.id))).toHaveLength(1);
    expect(await cardOf(client.token)).toEqual({ card: { brand: 'visa', last4: '4242' } });
  });

  it('a new card replaces the old one on the same Stripe customer', async () => {
    const client = await newClient(testDb());
    const first = await startSetup(client.token);
    await stripe().rawRequest('POST', `/__test/setup_intents/${first.setup_intent_id}/confirm`, {});
    await deliver(await eventAbout('setup_intent.succeeded', first.setup_intent_id!));
    const customerId = (await customerRow(client.user.id))!.customerId;

    const second = await startSetup(client.token);
    expect(second.setup_intent_id).not.toBe(first.setup_intent_id);
    expect((await stripe().setupIntents.retrieve(second.setup_intent_id!)).customer).toBe(customerId);
    await stripe().rawRequest('POST', `/__test/setup_intents/${second.setup_intent_id}/confirm`, { payment_method: 'pm_card_mastercard' });
    expect((await deliver(await eventAbout('setup_intent.succeeded', second.setup_intent_id!))).status).toBe(200);
    expect(await cardOf(client.token)).toEqual({ card: { brand: 'mastercard', last4: '4444' } });
    expect((await customerRow(client.user.id))!.customerId).toBe(customerId);
  });

  it("needs a token, and shows only the caller's own card", async () => {
    const [owner, someoneElse] = [await newClient(testDb()), await newClient(testDb())];
    const anonymousGet = await getCard(null);
    expect(anonymousGet.status).toBe(401);
    expect((await problemOf(anonymousGet)).code).toBe('unauthorized');
    expect((await setup(null)).status).toBe(401);
    expect((await getCard('not.a.token')).status).toBe(401);

    const handle = await startSetup(owner.token);
    await stripe().rawRequest('POST', `/__test/setup_intents/${handle.setup_intent_id}/confirm`, {});
    await deliver(await eventAbout('setup_intent.succeeded', handle.setup_intent_id!));
    expect(await cardOf(owner.token)).toEqual({ card: { brand: 'visa', last4: '4242' } });
    expect(await cardOf(someoneElse.token)).toEqual({ card: null });
    expect(await customerRow(someoneElse.user.id)).toBeUndefined();
  });
});
