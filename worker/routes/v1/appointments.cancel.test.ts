import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, auditLog, notifications, waitlistEntries } from '../../db/schema';
import { createBookingWorld, existingAppointment, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { eventually, neonRequests, testDb } from '../../../tests/worker/harness';
import { ok, problem, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';
import { env, runDurableObjectAlarm } from 'cloudflare:test';

const book = (token: string, body: Schemas['CreateAppointment']) => workerApi(token).POST('/api/v1/appointments', { body });

const cancel = (id: string, token?: string, reason?: string) =>
  workerApi(token).POST('/api/v1/appointments/{id}/cancel', { params: { path: { id } }, body: reason ? { reason } : {} });

describe('POST /api/v1/appointments/{id}/cancel', () => {
  it('outside the window: the client gets back what was paid, the slot is free again', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { cancel_window_hours: 24, late_cancel_fee: { kind: 'fixed', value: 1500 } } });
    const start = localInstant(w.timezone, 5, '10:00');
    const appt = await existingAppointment(db, w, { start, paidCents: 1000 });
    // Another booking first, so the barber's object is warm (its snapshot already holds `appt`).
    const warm = await book((await newClient(db)).token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 5, '15:00').toISOString() });
    expect(warm.response.status).toBe(201);
    const res = await cancel(appt.id, w.client.token, 'Travelling');
    expect(res.response.status).toBe(200);
    // Locate + authorise, the object's write (which also looked for waiting clients and recorded
    // the refund), then what Stripe said about the refund: 3.
    expect(neonRequests(res.response)).toBe(3);
    const body = ok(res);
    expect(body.settlement).toEqual({ outcome: 'refund', late: false, fee_cents: 0, refund_cents: 1000, charge_cents: 0, currency: 'USD' });
    expect(body.appointment).toMatchObject({ status: 'cancelled', settlement: 'refund', fee_cents: 0, refund_due_cents: 1000, cancel_reason: 'Travelling' });
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.entityId, appt.id), eq(auditLog.action, 'appointment.cancelled')));
    expect(audit).toHaveLength(1);
    const again = await book((await newClient(db)).token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: start.toISOString() });
    expect(again.response.status).toBe(201);
  });

  it('inside the window: the late fee, with what was paid counted towards it', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { cancel_window_hours: 48, late_cancel_fee: { kind: 'fixed', value: 1500 } } });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 1, '15:00'), paidCents: 1000 });
    const body = ok(await cancel(appt.id, w.client.token));
    expect(body.settlement).toEqual({ outcome: 'late_fee', late: true, fee_cents: 1500, refund_cents: 0, charge_cents: 500, currency: 'USD' });
    expect(body.appointment).toMatchObject({ settlement: 'late_fee', fee_cents: 1500, refund_due_cents: 0 });
  });

  it('inside the window with no fee configured: a paid deposit is kept; the shop cancelling refunds it', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { cancel_window_hours: 48 } });
    const mine = await existingAppointment(db, w, { start: localInstant(w.timezone, 1, '11:00'), paidCents: 800 });
    const kept = ok(await cancel(mine.id, w.client.token));
    expect(kept.settlement).toMatchObject({ outcome: 'keep_deposit', fee_cents: 800, refund_cents: 0, charge_cents: 0 });
    const theirs = await existingAppointment(db, w, { start: localInstant(w.timezone, 1, '13:00'), paidCents: 800 });
    const byShop = ok(await cancel(theirs.id, w.barber.token, 'Barber ill'));
    expect(byShop.settlement).toMatchObject({ outcome: 'refund', refund_cents: 800, fee_cents: 0 });
  });

  it('refuses strangers (404, like a missing id), and a second cancel is a 409', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00') });
    const stranger = await newClient(db);
    expect(problem(await cancel(appt.id, stranger.token)).code).toBe('not_found');
    const otherShop = await createBookingWorld(db);
    expect((await cancel(appt.id, otherShop.owner.token)).response.status).toBe(404);
    expect((await cancel(appt.id, otherShop.barber.token)).response.status).toBe(404);
    expect(problem(await cancel(appt.id)).code).toBe('unauthorized');
    const [untouched] = await db.select().from(appointments).where(eq(appointments.id, appt.id));
    expect(untouched?.status).toBe('confirmed');
    expect((await cancel(appt.id, w.owner.token)).response.status).toBe(200);
    const twice = await cancel(appt.id, w.client.token);
    expect(twice.response.status).toBe(409);
    problem(twice);
  });

  it('offers the freed slot to the first matching waitlist entry; when the offer lapses, the next one gets it', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { waitlist_offer_minutes: 15 } });
    const start = localInstant(w.timezone, 2, '10:00');
    const day = localDay(w.timezone, 2);
    const appt = await existingAppointment(db, w, { start });
    const [first, second, elsewhere] = [await newClient(db), await newClient(db), await newClient(db)];
    const join = (token: string, extra: Partial<Schemas['JoinWaitlist']> = {}) =>
      workerApi(token).POST('/api/v1/waitlist', { body: { shop_id: w.shop.id, service_id: w.short.id, from: day, to: day, ...extra } });
    // A client who only wants the evening does not match a 10:00 slot.
    expect((await join(elsewhere.token, { day_start: '17:00', day_end: '20:00' })).response.status).toBe(201);
    const a = ok(await join(first.token, { barber_id: w.barber.barber.id }));
    const b = ok(await join(second.token));

    expect((await cancel(appt.id, w.client.token)).response.status).toBe(200);
    const entry = async (id: string) => (await db.select().from(waitlistEntries).where(eq(waitlistEntries.id, id)))[0]!;
    const offerA = await entry(a.id);
    expect(offerA.status).toBe('offered');
    const [hold] = await db.select().from(appointments).where(eq(appointments.id, offerA.offeredAppointmentId!));
    expect(hold).toMatchObject({ clientId: first.user.id, status: 'held', source: 'waitlist', startTime: start });
    expect((await entry(b.id)).status).toBe('waiting');
    // The offer is on the queue (and delivered once).
    await eventually(async () => {
      const rows = await db.select().from(notifications).where(eq(notifications.dedupeKey, `waitlist:${a.id}:offer:${hold!.id}`));
      return rows.length === 1 ? rows : undefined;
    });

    // The first client lets it lapse: the alarm releases it and the next entry is offered the slot.
    await db.update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, hold!.id));
    const stub = env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(w.barber.barber.id));
    await runDurableObjectAlarm(stub);
    expect((await entry(a.id)).status).toBe('expired');
    const offerB = await entry(b.id);
    expect(offerB.status).toBe('offered');
    const [holdB] = await db.select().from(appointments).where(eq(appointments.id, offerB.offeredAppointmentId!));
    expect(holdB).toMatchObject({ clientId: second.user.id, status: 'held', startTime: start });

    // Accepting the offer confirms it and books the entry.
    const accepted = await workerApi(second.token).POST('/api/v1/appointments/{id}/confirm', { params: { path: { id: holdB!.id } } });
    expect(ok(accepted).appointment).toMatchObject({ id: holdB!.id, status: 'confirmed' });
    expect((await entry(b.id)).status).toBe('booked');
  });
});
