import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, stripeCustomers, waitlistEntries } from '../../db/schema';
import { bearer } from '../../../tests/worker/auth';
import { book, createBookingWorld, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, neonRequests, postJson, problemOf, testDb } from '../../../tests/worker/harness';
import { deliver, eventAbout, payIntent, stripe } from '../../../tests/worker/stripe';

type Handle = { kind: string; amount: number; currency: string; client_secret: string; payment_intent_id: string | null; setup_intent_id: string | null; expires_at: string | null };
const payment = (id: string, token: string) => postJson(`/api/v1/appointments/${id}/payment`, {}, bearer(token));

async function heldBooking(policy: Record<string, unknown> = { deposit: { kind: 'fixed', value: 1000 } }) {
  const w = await createBookingWorld(testDb(), { policy });
  const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 4, '10:00').toISOString() });
  expect(res.status).toBe(201);
  return { w, held: (await res.json()) as { id: string; status: string; hold_expires_at: string; payment: Handle | null } };
}

describe('POST /api/v1/appointments/{id}/payment', () => {
  it('returns the same open intent while it can be paid, and a new one once the last was cancelled', async () => {
    const { w, held } = await heldBooking();
    const first = await payment(held.id, w.client.token);
    expect(first.status).toBe(200);
    const again = (await first.json()) as Handle;
    expect(again).toMatchObject({ kind: 'deposit', amount: 1000, currency: 'USD', payment_intent_id: held.payment!.payment_intent_id, expires_at: held.hold_expires_at });
    expect(again.client_secret).toBe(held.payment!.client_secret);
    // Context, then Stripe: one Neon request.
    expect(neonRequests(first)).toBe(1);

    await stripe().paymentIntents.cancel(held.payment!.payment_intent_id!);
    const fresh = (await (await payment(held.id, w.client.token)).json()) as Handle;
    expect(fresh.payment_intent_id).not.toBe(held.payment!.payment_intent_id);
    expect(fresh.amount).toBe(1000);
    const intent = await stripe().paymentIntents.retrieve(fresh.payment_intent_id!);
    expect(intent.metadata.appointment_id).toBe(held.id);
    // Paying the new one confirms the booking.
    await payIntent(fresh.payment_intent_id!);
    await deliver(await eventAbout('payment_intent.succeeded', fresh.payment_intent_id!));
    expect((await testDb().select().from(appointments).where(eq(appointments.id, held.id)))[0]!.status).toBe('confirmed');
    const paidAlready = await payment(held.id, w.client.token);
    expect(paidAlready.status).toBe(409);
    expect((await problemOf(paidAlready)).reason).toBe('already_paid');
  });

  it('is only for the appointment’s client, and only while the hold lives', async () => {
    const { w, held } = await heldBooking();
    expect((await payment(held.id, (await newClient(testDb())).token)).status).toBe(404);
    expect((await payment(held.id, w.owner.token)).status).toBe(404);
    expect((await call(`/api/v1/appointments/${held.id}/payment`, { method: 'POST' })).status).toBe(401);
    expect((await payment(crypto.randomUUID(), w.client.token)).status).toBe(404);
    await testDb().update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, held.id));
    const lapsed = await payment(held.id, w.client.token);
    expect(lapsed.status).toBe(410);
    expect((await problemOf(lapsed)).code).toBe('hold_expired');
    await runDurableObjectAlarm(env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(w.barber.barber.id)));
    expect((await payment(held.id, w.client.token)).status).toBe(410);
  });

  it('a shop that asks for a card on file (no deposit) holds the booking until the card is saved', async () => {
    const { w, held } = await heldBooking({ card_on_file: true, no_show_fee: { kind: 'percent', value: 50 } });
    expect(held.status).toBe('held');
    expect(held.payment).toMatchObject({ kind: 'setup', amount: 0, payment_intent_id: null });
    expect(held.payment!.setup_intent_id).toMatch(/^seti_/);
    // Asking again returns the same SetupIntent.
    const again = (await (await payment(held.id, w.client.token)).json()) as Handle;
    expect(again.setup_intent_id).toBe(held.payment!.setup_intent_id);

    await stripe().rawRequest('POST', `/__test/setup_intents/${held.payment!.setup_intent_id}/confirm`, {});
    const res = await deliver(await eventAbout('setup_intent.succeeded', held.payment!.setup_intent_id!));
    expect(((await res.json()) as { outcome: string }).outcome).toBe('confirmed');
    expect((await testDb().select().from(appointments).where(eq(appointments.id, held.id)))[0]!.status).toBe('confirmed');
    const [card] = await testDb().select().from(stripeCustomers).where(eq(stripeCustomers.userId, w.client.user.id));
    expect(card?.paymentMethodId).toMatch(/^pm_/);

    // With a card on file, the next booking is confirmed at once.
    const next = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 4, '14:00').toISOString() });
    expect(await next.json()).toMatchObject({ status: 'confirmed', payment: null });
  });

  it('a waitlist offer in a deposit shop is confirmed by paying, not by asking', async () => {
    const db = testDb();
    const { w, held } = await heldBooking();
    const waiting = await newClient(db);
    const day = localDay(w.timezone, 4);
    const joined = await postJson('/api/v1/waitlist', { shop_id: w.shop.id, service_id: w.short.id, from: day, to: day }, bearer(waiting.token));
    expect(joined.status).toBe(201);
    const entryId = ((await joined.json()) as { id: string }).id;
    // The first client lets the hold lapse: the slot is offered to the waiting client, held for them.
    await db.update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, held.id));
    await runDurableObjectAlarm(env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(w.barber.barber.id)));
    const [entry] = await db.select().from(waitlistEntries).where(eq(waitlistEntries.id, entryId));
    expect(entry!.status).toBe('offered');
    const offerId = entry!.offeredAppointmentId!;

    const asked = await postJson(`/api/v1/appointments/${offerId}/confirm`, {}, bearer(waiting.token));
    expect(asked.status).toBe(402);
    expect(await problemOf(asked)).toMatchObject({ code: 'payment_required', reason: 'deposit_due' });
    const handle = (await (await payment(offerId, waiting.token)).json()) as Handle;
    expect(handle).toMatchObject({ kind: 'deposit', amount: 1000 });
    await payIntent(handle.payment_intent_id!);
    await deliver(await eventAbout('payment_intent.succeeded', handle.payment_intent_id!));
    expect((await db.select().from(appointments).where(eq(appointments.id, offerId)))[0]!.status).toBe('confirmed');
    expect((await db.select().from(waitlistEntries).where(eq(waitlistEntries.id, entryId)))[0]!.status).toBe('booked');
  });
});
