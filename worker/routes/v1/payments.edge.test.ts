/**
 * The payment paths that only go wrong at the edges: a hold moved to another barber before it
 * was paid, a fee's failure arriving before its intent id was written, concurrent partial refunds
 * summed on the appointment, movements that never reach Stripe, card-on-file confirmation.
 */
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, payments } from '../../db/schema';
import { buildPayment } from '../../db/seed/builders';
import { handleScheduled } from '../../scheduled';
import { bearer } from '../../../tests/worker/auth';
import { book, createBookingWorld, existingAppointment, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, postJson, problemOf, testDb } from '../../../tests/worker/harness';
import { deliver, eventAbout, payIntent } from '../../../tests/worker/stripe';

const appointment = async (id: string) => (await testDb().select().from(appointments).where(eq(appointments.id, id)))[0]!;
const rowsOf = (id: string) => testDb().select().from(payments).where(eq(payments.appointmentId, id));
const cron = () => handleScheduled({ cron: '*/5 * * * *', scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env);

describe('payment edges', () => {
  it('a hold moved to another barber before it was paid is confirmed there', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2, policy: { deposit: { kind: 'fixed', value: 800 } } });
    const [a, b] = w.barbers;
    const res = await book(w.client.token, { barber_id: a!.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '10:00').toISOString() });
    const held = (await res.json()) as { id: string; payment: { payment_intent_id: string } };
    const moved = await postJson(
      `/api/v1/appointments/${held.id}/reschedule`,
      { start_time: localInstant(w.timezone, 3, '11:00').toISOString(), barber_id: b!.barber.id },
      bearer(w.client.token),
    );
    expect(moved.status).toBe(200);
    // The intent still names barber A in its metadata.
    await payIntent(held.payment.payment_intent_id);
    const answer = await deliver(await eventAbout('payment_intent.succeeded', held.payment.payment_intent_id));
    expect(((await answer.json()) as { outcome: string }).outcome).toBe('confirmed');
    expect(await appointment(held.id)).toMatchObject({ status: 'confirmed', barberId: b!.barber.id, paidCents: 800 });
    expect((await rowsOf(held.id)).map((r) => [r.kind, r.status])).toEqual([['deposit', 'succeeded']]);
    // Barber B's object knows the slot is taken.
    const clash = await book((await newClient(testDb())).token, {
      barber_id: b!.barber.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 3, '11:00').toISOString(),
    });
    expect(clash.status).toBe(409);
  });

  it("a fee's failure that arrives before its intent id was written marks that row, and adds none", async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { stripe: true });
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() - 30 * 60_000) });
    const [fee] = await db
      .insert(payments)
      .values(buildPayment({ appointmentId: appt.id }, { kind: 'fee', status: 'requires_payment', amountCents: 1500, stripePaymentIntentId: null, shopId: w.shop.id, reason: 'no_show_fee' }))
      .returning();
    const piId = `pi_lost_${crypto.randomUUID().slice(0, 8)}`;
    const event = {
      id: `evt_${crypto.randomUUID()}`,
      object: 'event',
      type: 'payment_intent.payment_failed',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: piId,
          object: 'payment_intent',
          amount: 1500,
          currency: 'usd',
          status: 'requires_payment_method',
          metadata: { purpose: 'fee', payment_id: fee!.id, appointment_id: appt.id, shop_id: w.shop.id },
          last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' },
        },
      },
    };
    expect((await deliver(event)).status).toBe(200);
    const rows = await rowsOf(appt.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: fee!.id, status: 'failed', failureReason: 'insufficient_funds', stripePaymentIntentId: piId });
    // The sweep leaves a decline alone (and has nothing to jam on).
    await cron();
    expect((await rowsOf(appt.id))[0]).toMatchObject({ status: 'failed', attempts: 0 });
  });

  it('concurrent partial refunds both count on the appointment', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { stripe: true });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '10:00'), paidCents: 2000 });
    const [charge] = await rowsOf(appt.id);
    const refund = (amount: number) => postJson(`/api/v1/payments/${charge!.id}/refund`, { amount_cents: amount }, bearer(w.owner.token));
    const answers = await Promise.all([refund(500), refund(700)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201]);
    expect(await appointment(appt.id)).toMatchObject({ paidCents: 2000, refundedCents: 1200 });
    expect((await rowsOf(appt.id)).find((r) => r.id === charge!.id)).toMatchObject({ refundReservedCents: 1200 });
  });

  it('a refund that never reaches Stripe is given up after the sweeps, shown failed, and its amount is refundable again', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { stripe: true });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '12:00'), paidCents: 1000 });
    const [charge] = await rowsOf(appt.id);
    await db.update(payments).set({ refundReservedCents: 400 }).where(eq(payments.id, charge!.id));
    const old = new Date(Date.now() - 3_600_000);
    await db.insert(payments).values(
      buildPayment(
        { appointmentId: appt.id },
        { kind: 'refund', status: 'processing', amountCents: 400, refundOf: charge!.id, stripePaymentIntentId: null, shopId: w.shop.id, attempts: 5, updatedAt: old, reason: 'cancel_refund' },
      ),
    );
    await cron();
    const rows = await rowsOf(appt.id);
    expect(rows.find((r) => r.kind === 'refund')).toMatchObject({ status: 'failed' });
    expect(rows.find((r) => r.kind === 'refund')!.failureReason).toMatch(/^gave_up/);
    expect(rows.find((r) => r.id === charge!.id)).toMatchObject({ refundReservedCents: 0 });
    const list = (await call(`/api/v1/shops/${w.shop.id}/payments?kind=refund&status=failed`, { headers: bearer(w.owner.token) })).json();
    expect(((await list) as { data: unknown[] }).data).toHaveLength(1);
  });

  it('a card-on-file hold cannot be confirmed by asking: it needs the card (402), then confirms', async () => {
    const w = await createBookingWorld(testDb(), { policy: { card_on_file: true } });
    const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '13:00').toISOString() });
    const held = (await res.json()) as { id: string; status: string; payment: { setup_intent_id: string } };
    expect(held.status).toBe('held');
    const asked = await postJson(`/api/v1/appointments/${held.id}/confirm`, {}, bearer(w.client.token));
    expect(asked.status).toBe(402);
    expect(await problemOf(asked)).toMatchObject({ code: 'payment_required', reason: 'card_required' });
    expect((await appointment(held.id)).status).toBe('held');
  });
});
