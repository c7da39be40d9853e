/**
 * Busy blocking: with block_busy on, Google's busy times make slots unavailable; off, they do
 * not. And disconnecting: the grant is revoked and its blocks go.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { calendarConnections, timeOff } from '../../db/schema';
import { createBookingWorld, localDay, localInstant } from '../../../tests/worker/booking-world';
import { busyAnswer, captured, connectBarber, script } from '../../../tests/worker/google';
import { call, problemOf, testDb } from '../../../tests/worker/harness';
import { send } from '../../../tests/worker/world';

const settingsPath = (barberId: string) => `/api/v1/barbers/${barberId}/integrations/google`;

async function starts(barberId: string, serviceId: string, day: string): Promise<string[]> {
  const res = await call(`/api/v1/barbers/${barberId}/availability?${new URLSearchParams({ service_id: serviceId, from: day, to: day })}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
}

describe('PATCH /api/v1/barbers/{id}/integrations/google', () => {
  it('block_busy on: busy times in Google make the slot unavailable; off: bookable again', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    const google = await connectBarber(barberId);
    const day = localDay(w.timezone, 2);
    const ten = localInstant(w.timezone, 2, '10:00');
    const eleven = localInstant(w.timezone, 2, '11:00');
    await script(google.match, [busyAnswer(google.calendarId, [{ start: ten, end: eleven }])]);

    // Off (the default): Google's busy times are not asked for and block nothing.
    expect(await starts(barberId, w.short.id, day)).toContain(ten.toISOString());

    const on = await send('PATCH', settingsPath(barberId), w.barber.token, { block_busy: true });
    expect(on.status).toBe(200);
    const body = (await on.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ provider: 'google', calendar_id: google.calendarId, block_busy: true, sync_error: null });
    expect(body.synced_at).toEqual(expect.any(String));
    const blocked = await starts(barberId, w.short.id, day);
    expect(blocked).not.toContain(ten.toISOString());
    expect(blocked).not.toContain(localInstant(w.timezone, 2, '10:30').toISOString());
    expect(blocked).toContain(localInstant(w.timezone, 2, '09:30').toISOString());
    expect(blocked).toContain(eleven.toISOString());
    // The barber's object reads time_off too: booking that time is refused.
    const booked = await send('POST', '/api/v1/appointments', w.client.token, { barber_id: barberId, service_id: w.short.id, start_time: ten.toISOString() });
    expect(booked.status).toBe(409);

    const off = await send('PATCH', settingsPath(barberId), w.owner.token, { block_busy: false });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { block_busy: boolean }).block_busy).toBe(false);
    expect(await starts(barberId, w.short.id, day)).toContain(ten.toISOString());
    expect(await db.select().from(timeOff).where(and(eq(timeOff.barberId, barberId), eq(timeOff.source, 'google')))).toEqual([]);
    expect(await captured(google.match)).toHaveLength(1);
  });

  it('a failing busy sync keeps the setting and shows the error; no connection is 404', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2 });
    const google = await connectBarber(w.barber.barber.id);
    await script(google.match, [{ status: 500 }]);
    const res = await send('PATCH', settingsPath(w.barber.barber.id), w.barber.token, { block_busy: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ block_busy: true, sync_error: 'google_500' });
    const none = await send('PATCH', settingsPath(w.barbers[1]!.barber.id), w.owner.token, { block_busy: true });
    expect(none.status).toBe(404);
    expect((await problemOf(none)).code).toBe('not_found');
  });
});

describe('DELETE /api/v1/barbers/{id}/integrations/google', () => {
  it('revokes the grant at Google, forgets the connection and removes its busy blocks', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    const google = await connectBarber(barberId, { blockBusy: true });
    const ten = localInstant(w.timezone, 2, '10:00');
    await db.insert(timeOff).values({ barberId, startsAt: ten, endsAt: new Date(ten.getTime() + 3_600_000), source: 'google', externalId: 'freebusy:x' });
    await script(google.refreshToken, [{ status: 200 }]);

    const res = await send('DELETE', settingsPath(barberId), w.barber.token);
    expect(res.status).toBe(204);
    const [revoke, ...more] = await captured(google.refreshToken);
    expect(more).toHaveLength(0);
    expect(revoke!.path).toBe('/revoke');
    expect(new URLSearchParams(revoke!.body).get('token')).toBe(google.refreshToken);
    expect(await db.select().from(calendarConnections).where(eq(calendarConnections.barberId, barberId))).toEqual([]);
    expect(await db.select().from(timeOff).where(eq(timeOff.barberId, barberId))).toEqual([]);
    expect(await starts(barberId, w.short.id, localDay(w.timezone, 2))).toContain(ten.toISOString());
    // Again: nothing to disconnect, still 204.
    expect((await send('DELETE', settingsPath(barberId), w.owner.token)).status).toBe(204);
  });
});
