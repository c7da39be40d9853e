import { describe, expect, it } from 'vitest';
import { book, createBookingWorld, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';

type ShopAvailability = {
  slots: { start: string; end: string; barber_ids: string[] }[];
  earliest_by_day: { date: string; start: string; barber_ids: string[] }[];
};

describe('GET /api/v1/shops/{id}/availability and barber_id "any"', () => {
  it('lists each opening with the barbers free for it, and the earliest per day', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const day = localDay(w.timezone, 2);
    const ten = localInstant(w.timezone, 2, '10:00').toISOString();
    const path = `/api/v1/shops/${w.shop.id}/availability?service_id=${w.short.id}&from=${day}&to=${day}`;
    const ids = w.barbers.map((b) => b.barber.id).sort();
    const first = await call(path);
    expect(first.status).toBe(200);
    const body = (await first.json()) as ShopAvailability;
    expect(body.slots.find((s) => s.start === ten)?.barber_ids).toEqual(ids);
    expect(body.earliest_by_day).toEqual([{ date: day, start: localInstant(w.timezone, 2, '09:00').toISOString(), end: localInstant(w.timezone, 2, '09:30').toISOString(), barber_ids: ids }]);

    await book(w.client.token, { barber_id: w.barbers[0]!.barber.id, service_id: w.short.id, start_time: ten });
    const after = (await (await call(path)).json()) as ShopAvailability;
    expect(after.slots.find((s) => s.start === ten)?.barber_ids).toEqual([w.barbers[1]!.barber.id]);
    // Warm: the roster and every barber's day come from the cache.
    const warm = await call(path);
    expect(neonRequests(warm)).toBe(0);
  });

  it('"any" books the free barber when the first choice is taken, and 409s only when all are', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const ten = localInstant(w.timezone, 3, '10:00').toISOString();
    const any = (token: string) => book(token, { barber_id: 'any', shop_id: w.shop.id, service_id: w.short.id, start_time: ten });
    const [c1, c2, c3] = [await newClient(db), await newClient(db), await newClient(db)];
    const a = await any(c1.token);
    const b = await any(c2.token);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    const barbersBooked = [((await a.json()) as { barber_id: string }).barber_id, ((await b.json()) as { barber_id: string }).barber_id].sort();
    expect(barbersBooked).toEqual(w.barbers.map((x) => x.barber.id).sort());
    const c = await any(c3.token);
    expect(c.status).toBe(409);
    const problem = await problemOf(c);
    expect(problem.code).toBe('slot_unavailable');
    expect(problem.reason).toBe('taken');
  });

  it('"any" prefers the less booked barber of the day', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const busy = w.barbers[0]!.barber.id;
    await book(w.client.token, { barber_id: busy, service_id: w.long.id, start_time: localInstant(w.timezone, 4, '09:00').toISOString() });
    const other = await newClient(db);
    const res = await book(other.token, { barber_id: 'any', shop_id: w.shop.id, service_id: w.short.id, start_time: localInstant(w.timezone, 4, '14:00').toISOString() });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { barber_id: string }).barber_id).toBe(w.barbers[1]!.barber.id);
  });

  it('404s for a service no barber of the shop offers', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const res = await call(`/api/v1/shops/${w.shop.id}/availability?service_id=${crypto.randomUUID()}&from=${localDay(w.timezone, 1)}`);
    expect(res.status).toBe(404);
  });
});
