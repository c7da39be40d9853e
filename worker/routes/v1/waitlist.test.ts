import { describe, expect, it } from 'vitest';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, localDay, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, postJson, problemOf, testDb } from '../../../tests/worker/harness';

describe('/api/v1/waitlist', () => {
  it('joins with a window in the shop’s zone, lists own entries, leaves', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'Europe/London' });
    const [from, to] = [localDay(w.timezone, 3), localDay(w.timezone, 5)];
    const res = await postJson('/api/v1/waitlist', { shop_id: w.shop.id, service_id: w.short.id, from, to, day_start: '17:00', day_end: '19:30' }, bearer(w.client.token));
    expect(res.status).toBe(201);
    const entry = (await res.json()) as { id: string; window_start: string; window_end: string; day_start: string; day_end: string; status: string; barber_id: null };
    expect(entry).toMatchObject({ status: 'waiting', barber_id: null, day_start: '17:00', day_end: '19:30' });
    expect(entry.window_start).toBe(localInstant(w.timezone, 3, '00:00').toISOString());
    expect(entry.window_end).toBe(localInstant(w.timezone, 6, '00:00').toISOString());

    const other = await newClient(db);
    const theirs = (await (await call('/api/v1/waitlist', { headers: bearer(other.token) })).json()) as { data: unknown[] };
    expect(theirs.data).toHaveLength(0);
    const mine = (await (await call('/api/v1/waitlist', { headers: bearer(w.client.token) })).json()) as { data: { id: string }[] };
    expect(mine.data.map((e) => e.id)).toEqual([entry.id]);

    expect((await call(`/api/v1/waitlist/${entry.id}`, { method: 'DELETE', headers: bearer(other.token) })).status).toBe(404);
    expect((await call(`/api/v1/waitlist/${entry.id}`, { method: 'DELETE', headers: bearer(w.client.token) })).status).toBe(204);
    expect((await call(`/api/v1/waitlist/${entry.id}`, { method: 'DELETE', headers: bearer(w.client.token) })).status).toBe(404);
  });

  it('refuses what cannot match: another shop’s service, a barber who does not offer it, half a time range, too many entries', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const day = localDay(w.timezone, 2);
    const join = (body: Record<string, unknown>) => postJson('/api/v1/waitlist', { shop_id: w.shop.id, service_id: w.short.id, from: day, to: day, ...body }, bearer(w.client.token));
    expect((await join({ service_id: other.short.id })).status).toBe(404);
    const wrongBarber = await join({ barber_id: other.barber.barber.id });
    expect(wrongBarber.status).toBe(422);
    expect((await problemOf(wrongBarber)).errors?.[0]?.path).toBe('json.barber_id');
    const half = await join({ day_start: '10:00' });
    expect(half.status).toBe(422);
    expect((await problemOf(half)).errors?.map((e) => e.path)).toContain('json.day_end');
    expect((await join({ to: localDay(w.timezone, 1) })).status).toBe(422);
    for (let i = 0; i < 5; i++) expect((await join({})).status).toBe(201);
    const sixth = await join({});
    expect(sixth.status).toBe(409);
    expect((await problemOf(sixth)).reason).toBe('waitlist_limit');
    expect((await call('/api/v1/waitlist', { method: 'POST' })).status).toBe(401);
  });
});
