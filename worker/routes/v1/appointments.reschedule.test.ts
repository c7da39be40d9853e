import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../../db/schema';
import { createBookingWorld, existingAppointment, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { ok, problem, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const book = (token: string, body: Schemas['CreateAppointment']) => workerApi(token).POST('/api/v1/appointments', { body });

const move = (id: string, token: string, body: Schemas['RescheduleAppointment']) =>
  workerApi(token).POST('/api/v1/appointments/{id}/reschedule', { params: { path: { id } }, body });

async function starts(barberId: string, serviceId: string, day: string) {
  const res = await workerApi().GET('/api/v1/barbers/{id}/availability', {
    params: { path: { id: barberId }, query: { service_id: serviceId, from: day, to: day } },
  });
  return ok(res).slots.map((s) => s.start);
}

describe('POST /api/v1/appointments/{id}/reschedule', () => {
  it('moves to a free slot: the new one is taken and the old one freed', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const day = localDay(w.timezone, 4);
    const [ten, two] = [localInstant(w.timezone, 4, '10:00').toISOString(), localInstant(w.timezone, 4, '14:00').toISOString()];
    const created = ok(await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: ten }));
    const res = await move(created.id, w.client.token, { start_time: two });
    expect(res.response.status).toBe(200);
    expect(neonRequests(res.response)).toBe(2);
    expect(ok(res)).toMatchObject({ id: created.id, start_time: two });
    const free = await starts(w.barber.barber.id, w.short.id, day);
    expect(free).toContain(ten);
    expect(free).not.toContain(two);
  });

  it('onto a taken slot → 409 and the original appointment is untouched', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const [ten, two] = [localInstant(w.timezone, 4, '10:00'), localInstant(w.timezone, 4, '14:00')];
    const mine = ok(await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: ten.toISOString() }));
    const other = await newClient(db);
    expect((await book(other.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: two.toISOString() })).response.status).toBe(201);
    const res = await move(mine.id, w.client.token, { start_time: new Date(two.getTime() + 15 * 60_000).toISOString() });
    expect(res.response.status).toBe(409);
    expect(problem(res).reason).toBe('taken');
    const [row] = await db.select().from(appointments).where(eq(appointments.id, mine.id));
    expect(row).toMatchObject({ status: 'confirmed', startTime: ten });
  });

  it('may overlap its own old time (a 15-minute nudge)', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const ten = localInstant(w.timezone, 4, '10:00');
    const mine = ok(await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.long.id, start_time: ten.toISOString() }));
    const res = await move(mine.id, w.client.token, { start_time: new Date(ten.getTime() + 15 * 60_000).toISOString() });
    expect(res.response.status).toBe(200);
  });

  it('clients cannot move inside the cancellation window; the shop can', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { cancel_window_hours: 48 } });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 1, '10:00') });
    const target = localInstant(w.timezone, 1, '15:00').toISOString();
    const byClient = await move(appt.id, w.client.token, { start_time: target });
    expect(byClient.response.status).toBe(409);
    expect(problem(byClient).reason).toBe('inside_cancel_window');
    expect(ok(await move(appt.id, w.barber.token, { start_time: target })).start_time).toBe(target);
  });

  it('the shop can move it to another barber; the first barber’s slot frees up', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const day = localDay(w.timezone, 3);
    const ten = localInstant(w.timezone, 3, '10:00').toISOString();
    const [from, to] = [w.barbers[0]!, w.barbers[1]!];
    const appt = ok(await book(w.client.token, { barber_id: from.barber.id, service_id: w.short.id, start_time: ten }));
    expect(await starts(from.barber.id, w.short.id, day)).not.toContain(ten);
    const res = await move(appt.id, w.owner.token, { start_time: ten, barber_id: to.barber.id });
    expect(ok(res).barber_id).toBe(to.barber.id);
    expect(await starts(from.barber.id, w.short.id, day)).toContain(ten);
    expect(await starts(to.barber.id, w.short.id, day)).not.toContain(ten);
    // …and the first barber's object, whose snapshot still had it, books that time again.
    const next = await newClient(db);
    expect((await book(next.token, { barber_id: from.barber.id, service_id: w.short.id, start_time: ten })).response.status).toBe(201);
    // Never to a barber of another shop.
    const foreign = await createBookingWorld(db);
    const cross = await move(appt.id, w.owner.token, { start_time: ten, barber_id: foreign.barber.barber.id });
    expect(cross.response.status).toBe(404);
    expect(problem(cross).code).toBe('not_found');
  });
});
