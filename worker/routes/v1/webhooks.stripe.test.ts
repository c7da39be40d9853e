import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, barberServices, notifications, payments, services, stripeEvents } from '../../db/schema';
import { buildService } from '../../db/seed/builders';
import { platformFee } from '../../domain/payments';
import { book, createBookingWorld, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, eventually, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { deliver, eventAbout, payIntent, signature, stripe } from '../../../tests/worker/stripe';

type Booked = {
  id: string;
  status: string;
  deposit_cents: number;
  hold_expires_at: string | null;
  payment: { kind: string; amount: number; currency: string; client_secret: string; publishable_key: string; payment_intent_id: string } | null;
};

const FEE = { bps: 500, fixedCents: 30 }; // vitest.config.ts

async function depositWorld(policy: Record<string, unknown> = {}) {
  return createBookingWorld(testDb(), { policy: { deposit: { kind: 'percent', value: 20 }, hold_minutes: 10, ...policy } });
}

async function bookAt(w: Awaited<ReturnType<typeof depositWorld>>, token: string, clock: string, daysAhead = 3): Promise<Booked> {
  const res = await book(token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, daysAhead, clock).toISOString() });
  expect(res.status).toBe(201);
  return (await res.json()) as Booked;
}

const rowsOf = (appointmentId: string) => testDb().select().from(payments).where(eq(payments.appointmentId, appointmentId));
const appointment = async (id: string) => (await testDb().select().from(appointments).where(eq(appointments.id, id)))[0]!;

/** Lets the hold lapse and has the barber's object release it, as its alarm would. */
async function lapse(w: Awaited<ReturnType<typeof depositWorld>>, appointmentId: string) {
  await testDb().update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, appointmentId));
  await runDurableObjectAlarm(env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(w.barber.barber.id)));
}

describe('a deposit booking, paid', () => {
  it("holds the slot with a PaymentIntent for the policy's amount, to the shop's account with the platform fee; the signed success confirms it once, however often it arrives", async () => {
    const w = await depositWorld();
    const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '10:00').toISOString() });
    expect(res.status).toBe(201);
    // A cold object loads its snapshot, books, then the payment's row is written after Stripe made
    // the intent: 3. Warm, the next booking costs the statement and the row: 2.
    expect(neonRequests(res)).toBe(3);
    const warm = await book((await newClient(testDb())).token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '15:00').toISOString() });
    expect(neonRequests(warm)).toBe(2);
    const held = (await res.json()) as Booked;
    expect(held.status).toBe('held');
    expect(held.deposit_cents).toBe(600); // 20 % of 3000
    expect(held.payment).toMatchObject({ kind: 'deposit', amount: 600, currency: 'USD', publishable_key: 'pk_test_local' });
    expect(held.payment!.client_secret).toMatch(/^pi_.+_secret_/);

    const intent = await stripe().paymentIntents.retrieve(held.payment!.payment_intent_id);
    expect(intent).toMatchObject({ amount: 600, currency: 'usd', application_fee_amount: platformFee(600, FEE) });
    expect(intent.application_fee_amount).toBe(60); // 5 % + 30
    expect(intent.transfer_data?.destination).toBe(w.stripeAccountId);
    expect(intent.metadata).toMatchObject({ appointment_id: held.id, shop_id: w.shop.id, barber_id: w.barber.barber.id, purpose: 'deposit' });
    const [pending] = await rowsOf(held.id);
    expect(pending).toMatchObject({ status: 'requires_payment', amountCents: 600, applicationFeeCents: 60, stripeAccountId: w.stripeAccountId, shopId: w.shop.id });

    await payIntent(intent.id);
    const event = await eventAbout('payment_intent.succeeded', intent.id);
    const first = await deliver(event);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'confirmed' });
    // The event, the payment and the confirmation: one statement, through the barber's object.
    expect(neonRequests(first)).toBe(1);
    // Redelivered — twice at once, and once more later: no second effect.
    const again = await Promise.all([deliver(event), deliver(event)]);
    const late = await deliver(event);
    for (const res of [...again, late]) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as { outcome: string }).outcome).toBe('duplicate_event');
    }
    const a = await appointment(held.id);
    expect(a).toMatchObject({ status: 'confirmed', holdExpiresAt: null, paidCents: 600, refundedCents: 0 });
    const rows = await rowsOf(held.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'deposit', status: 'succeeded', amountCents: 600, stripePaymentIntentId: intent.id });
    expect(await testDb().select().from(stripeEvents).where(eq(stripeEvents.eventId, event.id))).toHaveLength(1);
    // The client hears once.
    await eventually(async () => {
      const sent = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, `appointment:${held.id}:confirmed`));
      return sent.length === 1 ? sent : undefined;
    });
  });

  it('two different events racing, each delivered three times at once: one effect each', async () => {
    const w = await depositWorld();
    const a = await bookAt(w, w.client.token, '10:00');
    const b = await bookAt(w, (await newClient(testDb())).token, '11:00');
    const events = [];
    for (const held of [a, b]) {
      await payIntent(held.payment!.payment_intent_id);
      events.push(await eventAbout('payment_intent.succeeded', held.payment!.payment_intent_id));
    }
    const answers = await Promise.all(events.flatMap((e) => [deliver(e), deliver(e), deliver(e)]));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const outcomes = await Promise.all(answers.map(async (r) => ((await r.json()) as { outcome: string }).outcome));
    expect(outcomes.filter((o) => o === 'confirmed')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'duplicate_event')).toHaveLength(4);
    for (const held of [a, b]) {
      expect((await appointment(held.id)).status).toBe('confirmed');
      const rows = await rowsOf(held.id);
      expect(rows.map((r) => [r.kind, r.status, r.amountCents])).toEqual([['deposit', 'succeeded', 600]]);
    }
  });

  it('a prepaying shop charges the full price as `full`', async () => {
    const w = await depositWorld({ deposit: { kind: 'full', value: 0 } });
    const held = await bookAt(w, w.client.token, '12:00');
    expect(held.payment).toMatchObject({ kind: 'full', amount: 3000 });
    await payIntent(held.payment!.payment_intent_id);
    const res = await deliver(await eventAbout('payment_intent.succeeded', held.payment!.payment_intent_id));
    expect(res.status).toBe(200);
    const [row] = await rowsOf(held.id);
    expect(row).toMatchObject({ kind: 'full', status: 'succeeded', amountCents: 3000, applicationFeeCents: platformFee(3000, FEE) });
  });
});

describe('signatures', () => {
  it('a bad or stale signature is a 400 and changes nothing; an unknown event type is acknowledged and ignored', async () => {
    const w = await depositWorld();
    const held = await bookAt(w, w.client.token, '10:00');
    await payIntent(held.payment!.payment_intent_id);
    const event = await eventAbout('payment_intent.succeeded', held.payment!.payment_intent_id);

    const wrongSecret = await deliver(event, { secret: 'whsec_not_ours' });
    expect(wrongSecret.status).toBe(400);
    expect((await problemOf(wrongSecret)).code).toBe('invalid_signature');
    const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(400);
    expect((await problemOf(stale)).code).toBe('invalid_signature');
    const unsigned = await call('/api/v1/webhooks/stripe', {
      method: 'POST',
      body: JSON.stringify(event),
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(400);
    // A body changed after signing (the amount) fails too.
    const tampered = await call('/api/v1/webhooks/stripe', {
      method: 'POST',
      body: JSON.stringify(event).replace('"amount":600', '"amount":6'),
      headers: { 'content-type': 'application/json', 'stripe-signature': await signature(JSON.stringify(event)) },
    });
    expect(tampered.status).toBe(400);

    expect((await appointment(held.id)).status).toBe('held');
    expect((await rowsOf(held.id))[0]?.status).toBe('requires_payment');
    expect(await testDb().select().from(stripeEvents).where(eq(stripeEvents.eventId, event.id))).toHaveLength(0);

    // Any configured secret verifies (the Connect endpoint's, or an old one while rotating).
    const otherEndpoint = await deliver(event, { secret: 'whsec_test_connect' });
    expect(otherEndpoint.status).toBe(200);
    expect(((await otherEndpoint.json()) as { outcome: string }).outcome).toBe('confirmed');

    const unknown = await deliver({ id: `evt_unknown_${crypto.randomUUID()}`, object: 'event', type: 'customer.tax_id.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'txi_1', object: 'tax_id' } } });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ received: true, outcome: 'ignored' });
    expect(neonRequests(unknown)).toBe(0);
  });
});

describe('late and failed payments', () => {
  it('success after the hold lapsed and the slot was taken: refunded automatically, the client told, no double booking', async () => {
    const w = await depositWorld();
    const held = await bookAt(w, w.client.token, '10:00');
    await lapse(w, held.id);
    expect((await appointment(held.id)).status).toBe('cancelled');
    // Someone else takes the freed slot.
    const other = await bookAt(w, (await newClient(testDb())).token, '10:00');
    expect(other.status).toBe('held');

    await payIntent(held.payment!.payment_intent_id);
    const res = await deliver(await eventAbout('payment_intent.succeeded', held.payment!.payment_intent_id));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('refund');

    const a = await appointment(held.id);
    expect(a.status).toBe('cancelled');
    const rows = await rowsOf(held.id);
    const charge = rows.find((r) => r.kind === 'deposit')!;
    const refund = rows.find((r) => r.kind === 'refund')!;
    expect(charge).toMatchObject({ status: 'succeeded', amountCents: 600 });
    expect(refund).toMatchObject({ status: 'succeeded', amountCents: 600, refundOf: charge.id, reason: 'slot_taken' });
    expect(refund.stripeRefundId).toMatch(/^re_/);
    const atStripe = await stripe().refunds.retrieve(refund.stripeRefundId!);
    expect(atStripe).toMatchObject({ amount: 600, payment_intent: held.payment!.payment_intent_id });
    expect(a).toMatchObject({ paidCents: 600, refundedCents: 600 });
    // One active booking at 10:00 — the other client's.
    const active = await testDb()
      .select()
      .from(appointments)
      .where(and(eq(appointments.barberId, w.barber.barber.id), inArray(appointments.status, ['held', 'pending_payment', 'confirmed'])));
    expect(active.map((x) => x.id)).toEqual([other.id]);
    await eventually(async () => {
      const sent = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, `payment:${refund.id}:refunded`));
      return sent.length === 1 ? sent : undefined;
    });
  });

  it('success after the hold lapsed while the slot is still free: booked again, not refunded', async () => {
    const w = await depositWorld();
    const held = await bookAt(w, w.client.token, '14:00');
    await lapse(w, held.id);
    await payIntent(held.payment!.payment_intent_id);
    const res = await deliver(await eventAbout('payment_intent.succeeded', held.payment!.payment_intent_id));
    expect(((await res.json()) as { outcome: string }).outcome).toBe('rebooked');
    expect(await appointment(held.id)).toMatchObject({ status: 'confirmed', cancelReason: null, paidCents: 600 });
    expect((await rowsOf(held.id)).filter((r) => r.kind === 'refund')).toHaveLength(0);
    // The barber's object knows: the slot is taken again.
    const clash = await book((await newClient(testDb())).token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '14:00').toISOString() });
    expect(clash.status).toBe(409);
  });

  it('a declined card leaves the hold to lapse, and the slot comes back', async () => {
    const w = await depositWorld();
    const held = await bookAt(w, w.client.token, '09:30');
    const declined = (await payIntent(held.payment!.payment_intent_id, 'pm_card_chargeDeclined')) as { statusCode?: number; code?: string };
    expect(declined.statusCode).toBe(402);
    const res = await deliver(await eventAbout('payment_intent.payment_failed', held.payment!.payment_intent_id));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('payment_failed');
    expect((await appointment(held.id)).status).toBe('held');
    expect((await rowsOf(held.id))[0]).toMatchObject({ status: 'failed', failureReason: 'generic_decline' });
    // Another client cannot have the slot while the hold lives …
    const meanwhile = await book((await newClient(testDb())).token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '09:30').toISOString() });
    expect(meanwhile.status).toBe(409);
    // … and can once it lapsed.
    await lapse(w, held.id);
    expect(await appointment(held.id)).toMatchObject({ status: 'cancelled', cancelReason: 'hold_expired' });
    const after = await bookAt(w, (await newClient(testDb())).token, '09:30');
    expect(after.status).toBe('held');
  });
});

describe('a shop that cannot take payments', () => {
  it('refuses a booking that needs one with a clear error, and still takes free ones', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { deposit: { kind: 'percent', value: 20 } }, stripe: false });
    const refused = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '10:00').toISOString() });
    expect(refused.status).toBe(409);
    const problem = await problemOf(refused);
    expect(problem).toMatchObject({ code: 'payments_unavailable', reason: 'shop_not_connected' });
    expect(problem.detail).toMatch(/cannot accept card payments/);
    expect(await db.select().from(appointments).where(eq(appointments.shopId, w.shop.id))).toHaveLength(0);
    // A free service needs no payment: booked and confirmed.
    const [free] = await db.insert(services).values(buildService({ shopId: w.shop.id }, { priceCents: 0, durationMin: 15 })).returning();
    await db.insert(barberServices).values({ barberId: w.barber.barber.id, serviceId: free!.id });
    const ok = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: free!.id, start_time: localInstant(w.timezone, 3, '10:00').toISOString() });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ status: 'confirmed', payment: null });
    // And a shop without a deposit books as before.
    const plain = await createBookingWorld(db, { stripe: false });
    const fine = await book(plain.client.token, { barber_id: plain.barber.barber.id, service_id: plain.short.id, start_time: localInstant(plain.timezone, 3, '10:00').toISOString() });
    expect(fine.status).toBe(201);
  });
});
