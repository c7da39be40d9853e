import { describe, expect, it } from 'vitest';
import { createBookingWorld, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { ok, problem, type QueryOf, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const book = (token: string, body: Schemas['CreateAppointment']) => workerApi(token).POST('/api/v1/appointments', { body });

const shopAvailability = (id: string, query: QueryOf<'getShopAvailability'>) =>
  workerApi().GET('/api/v1/shops/{id}/availability', { params: { path: { id }, query } });

describe('GET /api/v1/shops/{id}/availability and barber_id "any"', () => {
  it('lists each opening with the barbers free for it, and the earliest per day', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const day = localDay(w.timezone, 2);
    const ten = localInstant(w.timezone, 2, '10:00').toISOString();
    const read = () => shopAvailability(w.shop.id, { service_id: w.short.id, from: day, to: day });
    const ids = w.barbers.map((b) => b.barber.id).sort();
    const body = ok(await read());
    expect(body.slots.find((s) => s.start === ten)?.barber_ids).toEqual(ids);
    expect(body.earliest_by_day).toEqual([{ date: day, start: localInstant(w.timezone, 2, '09:00').toISOString(), end: localInstant(w.timezone, 2, '09:30').toISOString(), barber_ids: ids }]);

    await book(w.client.token, { barber_id: w.barbers[0]!.barber.id, service_id: w.short.id, start_time: ten });
    const after = ok(await read());
    expect(after.slots.find((s) => s.start === ten)?.barber_ids).toEqual([w.barbers[1]!.barber.id]);
    // Warm: the roster and every barber's day come from the cache.
    const warm = await read();
    expect(neonRequests(warm.response)).toBe(0);
  });

  it('"any" books the free barber when the first choice is taken, and 409s only when all are', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const ten = localInstant(w.timezone, 3, '10:00').toISOString();
    const any = (token: string) => book(token, { barber_id: 'any', shop_id: w.shop.id, service_id: w.short.id, start_time: ten });
    const [c1, c2, c3] = [await newClient(db), await newClient(db), await newClient(db)];
    const a = await any(c1.token);
    const b = await any(c2.token);
    expect(a.response.status).toBe(201);
    expect(b.response.status).toBe(201);
    const barbersBooked = [ok(a).barber_id, ok(b).barber_id].sort();
    expect(barbersBooked).toEqual(w.barbers.map((x) => x.barber.id).sort());
    const c = await any(c3.token);
    expect(c.response.status).toBe(409);
    const refused = problem(c);
    expect(refused.code).toBe('slot_unavailable');
    expect(refused.reason).toBe('taken');
  });

  it('"any" prefers the less booked barber of the day', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const busy = w.barbers[0]!.barber.id;
    await book(w.client.token, { barber_id: busy, service_id: w.long.id, start_time: localInstant(w.timezone, 4, '09:00').toISOString() });
    const other = await newClient(db);
    const res = await book(other.token, { barber_id: 'any', shop_id: w.shop.id, service_id: w.short.id, start_time: localInstant(w.timezone, 4, '14:00').toISOString() });
    expect(res.response.status).toBe(201);
    expect(ok(res).barber_id).toBe(w.barbers[1]!.barber.id);
  });

  it('404s for a service no barber of the shop offers', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const res = await shopAvailability(w.shop.id, { service_id: crypto.randomUUID(), from: localDay(w.timezone, 1) });
    expect(res.response.status).toBe(404);
    expect(problem(res).code).toBe('not_found');
  });
});
