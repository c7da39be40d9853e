import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { barbers, timeOff } from '../../db/schema';
import { createBookingWorld, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { ok, problem, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const book = (token: string, body: Schemas['CreateAppointment']) => workerApi(token).POST('/api/v1/appointments', { body });

async function availability(barberId: string, serviceId: string, from: string, to?: string) {
  const result = await workerApi().GET('/api/v1/barbers/{id}/availability', {
    params: { path: { id: barberId }, query: { service_id: serviceId, from, ...(to ? { to } : {}) } },
  });
  return { res: result.response, result, body: result.data ?? null };
}

describe('GET /api/v1/barbers/{id}/availability', () => {
  it('lists the day’s slots in the shop’s zone; a repeat read costs zero Neon requests', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'Europe/London', hours: ['09:00-12:00', '13:00-17:00'] });
    const day = localDay(w.timezone, 3);
    const first = await availability(w.barber.barber.id, w.long.id, day, day);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('cache-control')).toBe('no-store');
    expect(neonRequests(first.res)).toBe(1);
    expect(first.body!.timezone).toBe('Europe/London');
    const starts = first.body!.slots.map((s) => s.start);
    // 60-minute service, 15-minute grid, lunch break 12:00-13:00.
    expect(starts[0]).toBe(localInstant(w.timezone, 3, '09:00').toISOString());
    expect(starts).toContain(localInstant(w.timezone, 3, '11:00').toISOString());
    expect(starts).not.toContain(localInstant(w.timezone, 3, '11:15').toISOString());
    expect(starts).toContain(localInstant(w.timezone, 3, '13:00').toISOString());
    expect(starts.at(-1)).toBe(localInstant(w.timezone, 3, '16:00').toISOString());
    expect(starts).toHaveLength(9 + 13);

    const again = await availability(w.barber.barber.id, w.long.id, day, day);
    expect(neonRequests(again.res)).toBe(0);
    expect(again.body).toEqual(first.body);
  });

  it('is already correct after a booking, a cancellation and an hours change', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const day = localDay(w.timezone, 2);
    const ten = localInstant(w.timezone, 2, '10:00').toISOString();
    const starts = async () => (await availability(w.barber.barber.id, w.short.id, day, day)).body!.slots.map((s) => s.start);
    expect(await starts()).toContain(ten);
    expect(await starts()).toContain(ten); // now cached

    const booked = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: ten });
    const { id } = ok(booked);
    expect(await starts()).not.toContain(ten);

    const cancelled = await workerApi(w.client.token).POST('/api/v1/appointments/{id}/cancel', { params: { path: { id } }, body: { reason: 'changed plans' } });
    expect(ok(cancelled).appointment.status).toBe('cancelled');
    expect(await starts()).toContain(ten);

    // The owner shortens the day through the management API: the next read shows it.
    const put = await workerApi(w.owner.token).PUT('/api/v1/barbers/{id}/working-hours', {
      params: { path: { id: w.barber.barber.id } },
      body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '13:00', end: '17:00' })) },
    });
    expect(ok(put).rules).toHaveLength(7);
    const after = await starts();
    expect(after).not.toContain(ten);
    expect(after[0]).toBe(localInstant(w.timezone, 2, '13:00').toISOString());
  });

  it('reflects time off and deactivation at once', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const day = localDay(w.timezone, 5);
    const noon = localInstant(w.timezone, 5, '12:00').toISOString();
    expect((await availability(w.barber.barber.id, w.short.id, day, day)).body!.slots.map((s) => s.start)).toContain(noon);
    const block = await workerApi(w.barber.token).POST('/api/v1/barbers/{id}/time-off', {
      params: { path: { id: w.barber.barber.id } },
      body: { starts_at: noon, ends_at: localInstant(w.timezone, 5, '14:00').toISOString() },
    });
    expect(block.response.status).toBe(201);
    expect((await availability(w.barber.barber.id, w.short.id, day, day)).body!.slots.map((s) => s.start)).not.toContain(noon);
    const off = await workerApi(w.owner.token).POST('/api/v1/barbers/{id}/deactivate', { params: { path: { id: w.barber.barber.id } } });
    expect(ok(off).barber.active).toBe(false);
    const [row] = await db.select({ active: barbers.active }).from(barbers).where(eq(barbers.id, w.barber.barber.id));
    expect(row?.active).toBe(false);
    const gone = await availability(w.barber.barber.id, w.short.id, day, day);
    expect(gone.res.status).toBe(404);
    expect(problem(gone.result).code).toBe('not_found');
    void timeOff;
  });

  it('is already correct after a service and a policy change', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const day = localDay(w.timezone, 3);
    const read = async () => (await availability(w.barber.barber.id, w.short.id, day, day)).body!.slots;
    expect((await read())[0]!.end).toBe(localInstant(w.timezone, 3, '09:30').toISOString());
    await read(); // cached
    const owner = workerApi(w.owner.token);
    const service = await owner.PATCH('/api/v1/services/{id}', { params: { path: { id: w.short.id } }, body: { duration_min: 45 } });
    expect(ok(service).duration_min).toBe(45);
    expect((await read())[0]!.end).toBe(localInstant(w.timezone, 3, '09:45').toISOString());
    const shop = await owner.PATCH('/api/v1/shops/{id}', { params: { path: { id: w.shop.id } }, body: { policy: { slot_step_min: 60 } } });
    expect(ok(shop).policy.slot_step_min).toBe(60);
    const hourly = (await read()).map((s) => s.start);
    expect(hourly).toContain(localInstant(w.timezone, 3, '10:00').toISOString());
    expect(hourly).not.toContain(localInstant(w.timezone, 3, '10:15').toISOString());
  });

  it('keeps 09:00 at 09:00 across the spring-forward and fall-back weeks (New York, London)', async () => {
    const db = testDb();
    const cases = [
      { timezone: 'America/New_York', from: '2027-03-13', to: '2027-03-15', nine: ['2027-03-13T14:00:00.000Z', '2027-03-14T13:00:00.000Z', '2027-03-15T13:00:00.000Z'] },
      { timezone: 'America/New_York', from: '2027-11-06', to: '2027-11-08', nine: ['2027-11-06T13:00:00.000Z', '2027-11-07T14:00:00.000Z', '2027-11-08T14:00:00.000Z'] },
      { timezone: 'Europe/London', from: '2027-03-27', to: '2027-03-29', nine: ['2027-03-27T09:00:00.000Z', '2027-03-28T08:00:00.000Z', '2027-03-29T08:00:00.000Z'] },
      { timezone: 'Europe/London', from: '2027-10-30', to: '2027-11-01', nine: ['2027-10-30T08:00:00.000Z', '2027-10-31T09:00:00.000Z', '2027-11-01T09:00:00.000Z'] },
    ];
    for (const c of cases) {
      const w = await createBookingWorld(db, { timezone: c.timezone, hours: ['09:00-10:00'], policy: { booking_window_days: 366 } });
      const { body } = await availability(w.barber.barber.id, w.short.id, c.from, c.to);
      const hour = 3_600_000;
      const expected = c.nine.flatMap((nine) => [0, 15, 30].map((m) => new Date(Date.parse(nine) + (m / 60) * hour).toISOString()));
      expect(body!.slots.map((s) => s.start), c.timezone + ' ' + c.from).toEqual(expected);
    }
  });

  it('is already correct after an offering override, and after time off is lifted', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const day = localDay(w.timezone, 6);
    const read = async () => (await availability(w.barber.barber.id, w.short.id, day, day)).body!.slots;
    const nine = localInstant(w.timezone, 6, '09:00').getTime();
    expect(Date.parse((await read())[0]!.end) - nine).toBe(30 * 60_000);
    await read(); // cached
    const put = await workerApi(w.owner.token).PUT('/api/v1/barbers/{id}/services', {
      params: { path: { id: w.barber.barber.id } },
      body: { services: [{ service_id: w.short.id, duration_min: 40 }, { service_id: w.long.id }] },
    });
    expect(ok(put).services.find((o) => o.service_id === w.short.id)?.effective_duration_min).toBe(40);
    expect(Date.parse((await read())[0]!.end) - nine).toBe(40 * 60_000);

    const noon = localInstant(w.timezone, 6, '12:00').toISOString();
    const barber = workerApi(w.barber.token);
    const block = await barber.POST('/api/v1/barbers/{id}/time-off', {
      params: { path: { id: w.barber.barber.id } },
      body: { starts_at: noon, ends_at: localInstant(w.timezone, 6, '13:00').toISOString() },
    });
    const { time_off } = ok(block);
    expect((await read()).map((s) => s.start)).not.toContain(noon);
    const lifted = await barber.DELETE('/api/v1/barbers/{id}/time-off/{time_off_id}', { params: { path: { id: w.barber.barber.id, time_off_id: time_off.id } } });
    expect(lifted.response.status).toBe(204);
    expect((await read()).map((s) => s.start)).toContain(noon);
  });

  it('validates the range and the ids with clear 4xx answers', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const day = localDay(w.timezone, 1);
    // Raw paths: some of these (no service_id) are requests the typed client cannot even write.
    const cases: [string, number][] = [
      [`/api/v1/barbers/${w.barber.barber.id}/availability?service_id=${w.short.id}&from=2026-02-30`, 422],
      [`/api/v1/barbers/${w.barber.barber.id}/availability?service_id=${w.short.id}&from=${day}&to=2020-01-01`, 422],
      [`/api/v1/barbers/${w.barber.barber.id}/availability?service_id=${w.short.id}&from=${day}&to=2099-01-01`, 422],
      [`/api/v1/barbers/${w.barber.barber.id}/availability?from=${day}`, 422],
      [`/api/v1/barbers/not-a-uuid/availability?service_id=${w.short.id}&from=${day}`, 422],
      [`/api/v1/barbers/${crypto.randomUUID()}/availability?service_id=${w.short.id}&from=${day}`, 404],
      [`/api/v1/barbers/${w.barber.barber.id}/availability?service_id=${crypto.randomUUID()}&from=${day}`, 422],
    ];
    for (const [path, status] of cases) {
      const res = await call(path);
      expect(res.status, path).toBe(status);
      await problemOf(res);
    }
  });

  it('a hold placed by another client takes the slot out until it lapses', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { deposit: { kind: 'percent', value: 50 } } });
    const day = localDay(w.timezone, 2);
    const ten = localInstant(w.timezone, 2, '10:00').toISOString();
    const other = await newClient(db);
    expect(ok(await book(other.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: ten })).status).toBe('held');
    expect((await availability(w.barber.barber.id, w.short.id, day, day)).body!.slots.map((s) => s.start)).not.toContain(ten);
  });
});
