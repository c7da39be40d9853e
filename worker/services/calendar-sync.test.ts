/**
 * Appointments → Google Calendar events and Google busy times → time off, against the capture
 * server scripted as Google (tests/worker/google.ts). The queue consumer calls
 * handleCalendarMessage; these tests call it directly.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, calendarConnections, calendarEvents, timeOff } from '../db/schema';
import { decryptField } from '../lib/crypto';
import { bearer } from '../../tests/worker/auth';
import { book, createBookingWorld, existingAppointment, localInstant } from '../../tests/worker/booking-world';
import {
  busyAnswer,
  calendarDeps,
  captured,
  connectBarber,
  eventAnswer,
  script,
  tokenAnswer,
  unauthorizedAnswer,
} from '../../tests/worker/google';
import { eventually, postJson, testDb } from '../../tests/worker/harness';
import { eventIdFor, handleCalendarMessage, REAUTHORIZE, subtractIntervals, syncBusyTimes } from './calendar-sync';

const syncMessage = (appointmentId: string, sequence = 0) => ({
  channel: 'calendar' as const,
  template: 'calendar.sync' as const,
  to: 'barber:x',
  dedupe_key: `calendar:${appointmentId}:${sequence}`,
  data: { appointment_id: appointmentId },
});

async function connection(id: string) {
  const [row] = await testDb().select().from(calendarConnections).where(eq(calendarConnections.id, id));
  return row!;
}

async function eventRow(appointmentId: string) {
  const [row] = await testDb().select().from(calendarEvents).where(eq(calendarEvents.appointmentId, appointmentId));
  return row ?? null;
}

describe('handleCalendarMessage: appointments become events', () => {
  it('through the queue: create → events.insert, reschedule → events.patch, cancel → events.delete, each with the Bearer token', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const google = await connectBarber(w.barber.barber.id);
    const ten = localInstant(w.timezone, 3, '10:00');
    const created = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: ten.toISOString() });
    expect(created.status).toBe(201);
    const appt = (await created.json()) as { id: string; status: string };
    expect(appt.status).toBe('confirmed');
    // The capture server answers event writes as a healthy Google calendar does.
    const eventId = eventIdFor(appt.id);
    const calls = (n: number) => eventually(async () => {
      const seen = await captured(google.match);
      return seen.length >= n ? seen : undefined;
    });
    // The booking's own queue message does the insert; each change waits for the one before.
    await calls(1);
    const two = localInstant(w.timezone, 3, '14:00');
    const moved = await postJson(`/api/v1/appointments/${appt.id}/reschedule`, { start_time: two.toISOString() }, bearer(w.barber.token));
    expect(moved.status).toBe(200);
    await calls(2);
    const patchedRow = await eventRow(appt.id);
    const cancelled = await postJson(`/api/v1/appointments/${appt.id}/cancel`, {}, bearer(w.client.token));
    expect(cancelled.status).toBe(200);
    const all = await calls(3);
    await eventually(async () => ((await eventRow(appt.id)) === null ? true : undefined));

    const path = `/calendar/v3/calendars/${encodeURIComponent(google.calendarId)}/events`;
    expect(all.map((c) => [c.method, c.path])).toEqual([
      ['POST', path],
      ['PATCH', `${path}/${eventId}`],
      ['DELETE', `${path}/${eventId}`],
    ]);
    for (const c of all) expect(c.headers.authorization).toBe(`Bearer ${google.accessToken}`);
    const inserted = JSON.parse(all[0]!.body) as Record<string, { dateTime: string; timeZone: string } | string>;
    expect(inserted.id).toBe(eventId);
    expect(inserted.start).toEqual({ dateTime: ten.toISOString(), timeZone: w.timezone });
    expect(inserted.summary).toContain(w.short.name);
    const patched = JSON.parse(all[1]!.body) as Record<string, { dateTime: string }>;
    expect(patched.start!.dateTime).toBe(two.toISOString());
    expect(patchedRow).toMatchObject({ externalId: eventId, connectionId: google.connectionId });
    expect(patchedRow!.sequence).toBeGreaterThan(0);
    expect(await connection(google.connectionId)).toMatchObject({ syncError: null });
    expect((await connection(google.connectionId)).syncedAt).not.toBeNull();
    // A repeated message for the same change writes nothing more.
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id, 2))).toBe('skip');
    expect(await captured(google.match)).toHaveLength(3);
  });

  it('the appointment moves (or is cancelled) while its event is being written: the calendar ends on the current state, not the old time', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const google = await connectBarber(w.barber.barber.id);
    const ten = localInstant(w.timezone, 3, '10:00');
    const two = localInstant(w.timezone, 3, '14:00');
    const appt = await existingAppointment(db, w, { start: ten });
    // Google takes the first write only after the appointment has moved (a reschedule landing
    // while this job's request is on its way; its own job may already have run).
    let changed = false;
    const moving = async (input: string, init: RequestInit) => {
      if (!changed && input.includes('/events')) {
        changed = true;
        await db.update(appointments).set({ startTime: two, endTime: new Date(two.getTime() + 30 * 60_000) }).where(eq(appointments.id, appt.id));
      }
      return fetch(input, init);
    };
    expect(await handleCalendarMessage({ ...calendarDeps(), fetch: moving }, syncMessage(appt.id))).toBe('done');
    const writes = await captured(google.match);
    expect(writes.map((c) => c.method)).toEqual(['POST', 'PATCH']);
    expect((JSON.parse(writes[0]!.body) as { start: { dateTime: string } }).start.dateTime).toBe(ten.toISOString());
    expect((JSON.parse(writes[1]!.body) as { start: { dateTime: string } }).start.dateTime).toBe(two.toISOString());
    const [now] = await db.select().from(appointments).where(eq(appointments.id, appt.id));
    expect((await eventRow(appt.id))!.sequence).toBe(now!.icsSequence);

    // Cancelled while the write was on its way: the event it wrote is taken off again.
    const w2 = await createBookingWorld(db);
    const google2 = await connectBarber(w2.barber.barber.id);
    const doomed = await existingAppointment(db, w2, { start: ten });
    let cancelled = false;
    const cancelling = async (input: string, init: RequestInit) => {
      if (!cancelled && input.includes('/events')) {
        cancelled = true;
        await db.update(appointments).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(appointments.id, doomed.id));
      }
      return fetch(input, init);
    };
    expect(await handleCalendarMessage({ ...calendarDeps(), fetch: cancelling }, syncMessage(doomed.id))).toBe('done');
    expect((await captured(google2.match)).map((c) => c.method)).toEqual(['POST', 'DELETE']);
    expect(await eventRow(doomed.id)).toBeNull();
  });

  it('a late or repeated message writes nothing; an appointment of a barber without a calendar is skipped', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const google = await connectBarber(w.barber.barber.id);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '11:00') });
    await script(google.match, [eventAnswer(eventIdFor(appt.id))]);
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('done');
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('skip');
    expect(await captured(google.match)).toHaveLength(1);
    const other = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '11:00'), barberId: w.barbers[1]!.barber.id });
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(other.id))).toBe('skip');
    expect(await handleCalendarMessage(calendarDeps(), { channel: 'email', data: {} })).toBe('skip');
  });

  it('moved to another barber: deleted from the first calendar, inserted into the second', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const [first, second] = [w.barbers[0]!, w.barbers[1]!];
    const a = await connectBarber(first.barber.id);
    const b = await connectBarber(second.barber.id);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const id = eventIdFor(appt.id);
    await script(a.match, [eventAnswer(id), { status: 204 }]);
    await script(b.match, [eventAnswer(id)]);
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('done');
    // The move's own queue message does the rest.
    const res = await postJson(
      `/api/v1/appointments/${appt.id}/reschedule`,
      { start_time: localInstant(w.timezone, 2, '10:00').toISOString(), barber_id: second.barber.id },
      bearer(w.owner.token),
    );
    expect(res.status).toBe(200);
    await eventually(async () => ((await captured(b.match)).length >= 1 && (await captured(a.match)).length >= 2 ? true : undefined));
    expect((await captured(a.match)).map((c) => c.method)).toEqual(['POST', 'DELETE']);
    expect((await captured(b.match)).map((c) => [c.method, c.headers.authorization])).toEqual([['POST', `Bearer ${b.accessToken}`]]);
    await eventually(async () => {
      const rows = await db.select().from(calendarEvents).where(eq(calendarEvents.appointmentId, appt.id));
      return rows.length === 1 && rows[0]!.connectionId === b.connectionId ? rows : undefined;
    });
  });
});

describe('handleCalendarMessage: access tokens', () => {
  it('a refused access token is refreshed once: one call to the token endpoint, then the retried call succeeds', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const google = await connectBarber(w.barber.barber.id);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const fresh = `ya29.fresh-${crypto.randomUUID()}`;
    await script(google.match, [unauthorizedAnswer, eventAnswer(eventIdFor(appt.id))]);
    await script(google.refreshToken, [tokenAnswer(fresh)]);

    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('done');
    const tokenCalls = await captured(google.refreshToken);
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.path).toBe('/token');
    const form = new URLSearchParams(tokenCalls[0]!.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: google.refreshToken,
      client_id: 'test-client.apps.googleusercontent.com',
      client_secret: 'test-google-client-secret',
    });
    const calls = await captured(google.match);
    expect(calls.map((c) => [c.method, c.headers.authorization])).toEqual([
      ['POST', `Bearer ${google.accessToken}`],
      ['POST', `Bearer ${fresh}`],
    ]);
    // The new token is stored, encrypted.
    const row = await connection(google.connectionId);
    expect(row.accessTokenEnc).not.toContain(fresh);
    expect(await decryptField(row.accessTokenEnc, calendarDeps().config.FIELD_ENCRYPTION_KEYS)).toBe(fresh);
    expect(row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(row.syncError).toBeNull();
  });

  it('an expired access token is refreshed before the call', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const google = await connectBarber(w.barber.barber.id, { expiresAt: new Date(Date.now() - 60_000) });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const fresh = `ya29.fresh-${crypto.randomUUID()}`;
    await script(google.refreshToken, [tokenAnswer(fresh)]);
    await script(google.match, [eventAnswer(eventIdFor(appt.id))]);
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('done');
    expect(await captured(google.refreshToken)).toHaveLength(1);
    expect((await captured(google.match)).map((c) => c.headers.authorization)).toEqual([`Bearer ${fresh}`]);
  });

  it('a second 401 marks the connection (no second refresh); a refused refresh too; neither is retried', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const google = await connectBarber(w.barber.barber.id);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    await script(google.match, [unauthorizedAnswer, unauthorizedAnswer]);
    await script(google.refreshToken, [tokenAnswer(`ya29.${crypto.randomUUID()}`), { status: 400, body: { error: 'invalid_grant' } }]);
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('skip');
    expect(await captured(google.refreshToken)).toHaveLength(1);
    expect(await captured(google.match)).toHaveLength(2);
    expect((await connection(google.connectionId)).syncError).toBe(REAUTHORIZE);
    expect(await eventRow(appt.id)).toBeNull();

    // Next time the token has expired, and the refresh itself is refused (the grant was revoked).
    await db.update(calendarConnections).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(calendarConnections.id, google.connectionId));
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('skip');
    expect(await captured(google.refreshToken)).toHaveLength(2);
    expect(await captured(google.match)).toHaveLength(2);
    expect((await connection(google.connectionId)).syncError).toBe(REAUTHORIZE);
  });

  it('a Google outage is retried, and recorded on the connection', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const google = await connectBarber(w.barber.barber.id);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    await script(google.match, [{ status: 503, body: { error: { status: 'UNAVAILABLE' } } }]);
    expect(await handleCalendarMessage(calendarDeps(), syncMessage(appt.id))).toBe('retry');
    expect((await connection(google.connectionId)).syncError).toBe('google_503_UNAVAILABLE');
  });
});

describe('syncBusyTimes', () => {
  it("replaces the barber's Google blocks in one go, leaves manual time off alone, and cuts out the barber's own appointments", async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    const google = await connectBarber(barberId, { blockBusy: true });
    const at = (clock: string) => localInstant(w.timezone, 2, clock);
    await db.insert(timeOff).values({ barberId, startsAt: at('16:00'), endsAt: at('17:00'), reason: 'Dentist' });
    await existingAppointment(db, w, { start: at('12:00') });
    await script(google.match, [
      busyAnswer(google.calendarId, [
        { start: at('09:00'), end: at('10:00') },
        // Our own appointment (12:00–12:30, written as an event) inside a longer busy stretch.
        { start: at('11:30'), end: at('13:00') },
      ]),
      busyAnswer(google.calendarId, [{ start: at('15:00'), end: at('15:30') }]),
    ]);
    const now = Date.now();
    expect(await syncBusyTimes(calendarDeps(), barberId, now)).toMatchObject({ ok: true, blocks: 3, changed: true });
    const blocks = async () =>
      (await db.select().from(timeOff).where(and(eq(timeOff.barberId, barberId), eq(timeOff.source, 'google'))))
        .map((t) => [t.startsAt.toISOString(), t.endsAt.toISOString()])
        .sort();
    expect(await blocks()).toEqual([
      [at('09:00').toISOString(), at('10:00').toISOString()],
      [at('11:30').toISOString(), at('12:00').toISOString()],
      [at('12:30').toISOString(), at('13:00').toISOString()],
    ]);
    const [request] = await captured(google.match);
    expect(request!.path).toBe('/calendar/v3/freeBusy');
    expect(request!.headers.authorization).toBe(`Bearer ${google.accessToken}`);
    const body = JSON.parse(request!.body) as { timeMin: string; timeMax: string; items: { id: string }[] };
    expect(body.items).toEqual([{ id: google.calendarId }]);
    expect(Date.parse(body.timeMax) - Date.parse(body.timeMin)).toBe(30 * 86_400_000);

    expect(await syncBusyTimes(calendarDeps(), barberId, now)).toMatchObject({ ok: true, blocks: 1 });
    expect(await blocks()).toEqual([[at('15:00').toISOString(), at('15:30').toISOString()]]);
    const manual = await db.select().from(timeOff).where(and(eq(timeOff.barberId, barberId), eq(timeOff.source, 'manual')));
    expect(manual.map((t) => t.reason)).toEqual(['Dentist']);
  });

  it('does nothing with block_busy off', async () => {
    const w = await createBookingWorld(testDb());
    const google = await connectBarber(w.barber.barber.id, { blockBusy: false });
    expect(await syncBusyTimes(calendarDeps(), w.barber.barber.id, Date.now())).toMatchObject({ ok: true, skipped: true });
    expect(await captured(google.match)).toHaveLength(0);
  });
});

describe('subtractIntervals', () => {
  it('merges what is busy and cuts our own intervals out of it', () => {
    expect(subtractIntervals([{ start: 5, end: 8 }, { start: 0, end: 4 }, { start: 3, end: 6 }], [{ start: 1, end: 2 }, { start: 7, end: 9 }])).toEqual([
      { start: 0, end: 1 },
      { start: 2, end: 7 },
    ]);
    expect(subtractIntervals([{ start: 0, end: 10 }], [{ start: 0, end: 10 }])).toEqual([]);
  });
});
