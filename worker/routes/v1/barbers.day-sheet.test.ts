import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addDays, formatPlainDate, localDate } from '../../domain/time';
import { appointments, clientNotes, timeOff } from '../../db/schema';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { call, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import type { DaySheet } from '../../services/day-sheet';

const sheet = (barberId: string, token: string, date?: string) =>
  call(`/api/v1/barbers/${barberId}/day-sheet${date ? `?date=${date}` : ''}`, { headers: bearer(token) });
const clockOf = (iso: string, tz: string) => new Date(iso).toLocaleTimeString('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' });

describe('GET /api/v1/barbers/{id}/day-sheet', () => {
  it('lists the day in order with each client’s standing, and the gaps around appointments and time off, in one Neon request', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { hours: ['09:00-12:00', '13:00-17:00'] });
    const tz = w.timezone;
    const date = formatPlainDate(addDays(localDate(new Date(), tz), 2));
    const first = await existingAppointment(db, w, { start: localInstant(tz, 2, '09:30') });
    const second = await existingAppointment(db, w, { start: localInstant(tz, 2, '14:00'), priceCents: 4000 });
    const cancelled = await existingAppointment(db, w, { start: localInstant(tz, 2, '10:30') });
    await db.update(appointments).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(appointments.id, cancelled.id));
    // The client's history at this shop: one earlier visit, one no-show, and a note.
    const past = await existingAppointment(db, w, { start: localInstant(tz, -3, '10:00') });
    await db.update(appointments).set({ status: 'completed' }).where(eq(appointments.id, past.id));
    const missed = await existingAppointment(db, w, { start: localInstant(tz, -2, '10:00') });
    await db.update(appointments).set({ status: 'no_show' }).where(eq(appointments.id, missed.id));
    await db.insert(clientNotes).values({ shopId: w.shop.id, clientId: w.client.user.id, authorId: w.owner.user.id, body: 'Skin fade, no. 1 on the sides' });
    await db.insert(timeOff).values({ barberId: w.barber.barber.id, startsAt: localInstant(tz, 2, '16:00'), endsAt: localInstant(tz, 2, '17:00'), reason: 'School run' });

    const res = await sheet(w.barber.barber.id, w.barber.token, date);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(1);
    const body = (await res.json()) as DaySheet;
    expect(body).toMatchObject({ date, timezone: tz, barber: { id: w.barber.barber.id, shop_id: w.shop.id } });
    expect(body.appointments.map((a) => [a.id, clockOf(a.start_time, tz), a.status])).toEqual([
      [first.id, '09:30', 'confirmed'],
      [cancelled.id, '10:30', 'cancelled'],
      [second.id, '14:00', 'confirmed'],
    ]);
    expect(body.appointments[2]).toMatchObject({ owed_cents: 4000, service_name: w.short.name });
    expect(body.appointments[0]!.client).toEqual({ id: w.client.user.id, name: expect.any(String), visits: 1, no_shows: 1, latest_note: 'Skin fade, no. 1 on the sides' });
    expect(body.working.map((s) => [clockOf(s.start_time, tz), clockOf(s.end_time, tz)])).toEqual([['09:00', '12:00'], ['13:00', '17:00']]);
    expect(body.time_off).toEqual([expect.objectContaining({ reason: 'School run' })]);
    const short = w.short.durationMin;
    const after = (clock: string, min: number) => { const [h, m] = clock.split(':').map(Number) as [number, number]; const t = h * 60 + m + min; return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`; };
    // The cancelled 10:30 leaves its time free.
    expect(body.gaps.map((g) => [clockOf(g.start_time, tz), clockOf(g.end_time, tz)])).toEqual([
      ['09:00', '09:30'],
      [after('09:30', short), '12:00'],
      ['13:00', '14:00'],
      [after('14:00', short), '16:00'],
    ]);
  });

  it('defaults to today on the shop’s clock', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'Pacific/Auckland' });
    const body = (await (await sheet(w.barber.barber.id, w.owner.token)).json()) as DaySheet;
    expect(body.date).toBe(formatPlainDate(localDate(new Date(), 'Pacific/Auckland')));
  });

  it('only the barber, the shop’s owners and platform staff read it; other shops get 404; bad dates 422', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const other = await createBookingWorld(db);
    expect((await sheet(w.barber.barber.id, w.owner.token)).status).toBe(200);
    expect((await sheet(w.barber.barber.id, w.client.token)).status).toBe(404);
    const elsewhere = await sheet(w.barber.barber.id, other.barber.token);
    expect(elsewhere.status).toBe(404);
    expect((await problemOf(elsewhere)).code).toBe('not_found');
    expect((await sheet(w.barber.barber.id, other.owner.token)).status).toBe(404);
    expect((await sheet(w.barbers[1]!.barber.id, w.barber.token)).status).toBe(403);
    expect((await sheet(w.barber.barber.id, w.barber.token, '2026-13-40')).status).toBe(422);
    expect((await call(`/api/v1/barbers/${w.barber.barber.id}/day-sheet`)).status).toBe(401);
  });
});
