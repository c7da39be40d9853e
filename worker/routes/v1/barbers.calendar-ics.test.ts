/**
 * GET /api/v1/barbers/{id}/calendar.ics — read back with ical.js, an iCalendar parser that shares
 * no code with worker/domain/ics.ts, and every instant checked against the shop's wall clock with
 * Intl (not our own time helpers).
 */
import ICAL from 'ical.js';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, barbers, shops, users } from '../../db/schema';
import { buildAppointment } from '../../db/seed/builders';
import { hashToken } from '../../auth/tokens';
import { zonedTimeToUtc, type PlainDate } from '../../domain/time';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { call, neonRequests, postJson, problemOf, testDb } from '../../../tests/worker/harness';
import { send } from '../../../tests/worker/world';

const DAY = 86_400_000;
type World = Awaited<ReturnType<typeof createBookingWorld>>;

/** Rotates the barber's feed as the barber and returns the URL (path + query) it answered with. */
async function rotate(w: World, token = w.barber.token): Promise<string> {
  const res = await send('POST', `/api/v1/barbers/${w.barber.barber.id}/calendar-token`, token);
  expect(res.status, await res.clone().text()).toBe(201);
  const { url } = (await res.json()) as { url: string };
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

interface FeedEvent {
  uid: string;
  sequence: number;
  status: string;
  start: number;
  end: number;
  summary: string;
  location: string | null;
}

/** Fetches and parses the feed with ical.js; fails on anything that is not valid iCalendar. */
async function feed(path: string) {
  const res = await call(path);
  expect(res.status, await res.clone().text()).toBe(200);
  const text = await res.text();
  const cal = new ICAL.Component(ICAL.parse(text));
  const events: FeedEvent[] = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      sequence: e.sequence,
      status: String(v.getFirstPropertyValue('status')),
      start: e.startDate.toJSDate().getTime(),
      end: e.endDate.toJSDate().getTime(),
      summary: e.summary,
      location: e.location ?? null,
    };
  });
  const byId = (id: string) => events.find((e) => e.uid === `${id}@bookedbarber.app`);
  return { res, text, cal, events, byId };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall clock and UTC offset of an instant in a zone, by Intl alone. */
function wall(ms: number, timeZone: string): { date: string; time: string; offset: string } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, offset: parts.timeZoneName! };
}

const offsetAt = (ms: number, zone: string) => wall(ms, zone).offset;

/**
 * The next local day inside the feed's window on which `zone` changes its UTC offset, with the
 * offsets either side (hour by hour, so the day is the one the switch happens on). Null when the
 * zone has none in the window.
 */
function dstChangeInWindow(zone: string): { day: PlainDate; before: string; after: string } | null {
  const HOUR = 3_600_000;
  const start = Math.floor(Date.now() / HOUR) * HOUR - 28 * DAY;
  for (let t = start; t < start + 206 * DAY; t += HOUR) {
    const [before, after] = [offsetAt(t, zone), offsetAt(t + HOUR, zone)];
    if (before !== after) {
      const [y, m, d] = wall(t + HOUR, zone).date.split('-').map(Number) as [number, number, number];
      return { day: { year: y, month: m, day: d }, before, after };
    }
  }
  return null;
}

const addDay = (day: PlainDate, n: number): PlainDate => {
  const t = new Date(Date.UTC(day.year, day.month - 1, day.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
};
const iso = (day: PlainDate) => `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;

describe('GET /api/v1/barbers/{id}/calendar.ics', () => {
  it('is valid iCalendar with every event on its instant across a DST change (America/New_York)', async () => {
    // The US changes twice a year; one change is always inside 30 days back … 180 ahead except in
    // a few weeks of spring, when the test moves south (Sydney changes in April and October).
    const zone = ['America/New_York', 'Australia/Sydney'].find((z) => dstChangeInWindow(z) !== null)!;
    const change = dstChangeInWindow(zone)!;
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: zone });
    await db.update(users).set({ firstName: 'Zoë' }).where(eq(users.id, w.client.user.id));
    await db
      .update(shops)
      .set({ address: { line1: '12 Fade St', city: 'Brooklyn', region: 'NY', postal_code: '11201', country: 'US' } })
      .where(eq(shops.id, w.shop.id));

    // 10:00 the day before, 00:30 and 04:00 on the day (either side of the 01:00–03:00 switch
    // hours) and 10:00 the day after, each written as the shop's wall clock.
    const slots = [
      { day: addDay(change.day, -1), clock: '10:00', minute: 10 * 60, offset: change.before },
      { day: change.day, clock: '00:30', minute: 30, offset: change.before },
      { day: change.day, clock: '04:00', minute: 4 * 60, offset: change.after },
      { day: addDay(change.day, 1), clock: '10:00', minute: 10 * 60, offset: change.after },
    ];
    const rows: (typeof appointments.$inferSelect)[] = [];
    for (const s of slots) rows.push(await existingAppointment(db, w, { start: zonedTimeToUtc(s.day, s.minute, zone) }));
    const path = await rotate(w);

    const { res, text, cal, byId } = await feed(path);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    // The token check and every row: one statement.
    expect(neonRequests(res)).toBe(1);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.split('\r\n').every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe(zone);

    expect(change.before).not.toBe(change.after);
    slots.forEach((s, i) => {
      const event = byId(rows[i]!.id)!;
      expect(event, `event ${i}`).toBeDefined();
      // The instant the database holds, to the millisecond …
      expect(event.start).toBe(rows[i]!.startTime.getTime());
      expect(event.end - event.start).toBe(30 * 60_000);
      // … which is the intended wall clock in the shop's zone, at that side's offset.
      expect(wall(event.start, zone)).toEqual({ date: iso(s.day), time: s.clock, offset: s.offset });
      expect(event.status).toBe('CONFIRMED');
      expect(event.sequence).toBe(0);
      expect(event.summary).toBe(`${w.short.name} — Zoë`);
      expect(event.location).toBe('12 Fade St, Brooklyn, NY 11201, US');
    });
    // Same wall clock either side of the change, so the real gap is a day plus or minus the shift.
    const gap = byId(rows[3]!.id)!.start - byId(rows[0]!.id)!.start;
    expect(Math.abs(gap - 2 * DAY)).toBe(60 * 60_000);
  });

  it('SEQUENCE grows after a reschedule; a cancel stays in the feed as CANCELLED; a hold is TENTATIVE', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const moved = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00') });
    const cancelled = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '14:00') });
    const held = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '10:00'), status: 'held' });
    const path = await rotate(w);

    const before = await feed(path);
    expect(before.byId(moved.id)).toMatchObject({ sequence: 0, status: 'CONFIRMED', start: moved.startTime.getTime() });
    expect(before.byId(cancelled.id)).toMatchObject({ sequence: 0, status: 'CONFIRMED' });
    expect(before.byId(held.id)).toMatchObject({ status: 'TENTATIVE' });

    const target = localInstant(w.timezone, 3, '11:00');
    const res = await postJson(`/api/v1/appointments/${moved.id}/reschedule`, { start_time: target.toISOString() }, bearer(w.owner.token));
    expect(res.status, await res.clone().text()).toBe(200);
    const cancel = await postJson(`/api/v1/appointments/${cancelled.id}/cancel`, {}, bearer(w.owner.token));
    expect(cancel.status, await cancel.clone().text()).toBe(200);

    const after = await feed(path);
    const m = after.byId(moved.id)!;
    expect(m.sequence).toBeGreaterThan(0);
    expect(m).toMatchObject({ status: 'CONFIRMED', start: target.getTime() });
    const c = after.byId(cancelled.id)!;
    expect(c.sequence).toBeGreaterThan(0);
    expect(c.status).toBe('CANCELLED');
    // The same UIDs: calendars update the events they have, never add duplicates.
    expect(after.events.map((e) => e.uid).sort()).toEqual(before.events.map((e) => e.uid).sort());
  });

  it('shows 30 days back to 180 ahead; cancellations only of the last 30 days', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const ids = { shopId: w.shop.id, barberId: w.barber.barber.id, clientId: w.client.user.id, serviceId: w.short.id };
    const at = (days: number) => new Date(Math.floor((Date.now() + days * DAY) / 3_600_000) * 3_600_000);
    const insert = async (o: Parameters<typeof buildAppointment>[1]) => (await db.insert(appointments).values(buildAppointment(ids, o)).returning())[0]!;
    const tooOld = await insert({ startTime: at(-31), status: 'completed' });
    const recent = await insert({ startTime: at(-20), status: 'completed' });
    const noShow = await insert({ startTime: at(-10), status: 'no_show' });
    const farAhead = await insert({ startTime: at(181), status: 'confirmed' });
    const ahead = await insert({ startTime: at(170), status: 'confirmed' });
    const cancelledLongAgo = await insert({ startTime: at(60), status: 'cancelled', cancelledAt: at(-40) });
    const cancelledLately = await insert({ startTime: at(61), status: 'cancelled', cancelledAt: at(-2) });
    // Another barber's appointment never shows.
    const other = await createBookingWorld(db);
    const stranger = await existingAppointment(db, other, { start: localInstant(other.timezone, 2, '10:00') });

    const { events, byId } = await feed(await rotate(w));
    expect(byId(tooOld.id)).toBeUndefined();
    expect(byId(farAhead.id)).toBeUndefined();
    expect(byId(cancelledLongAgo.id)).toBeUndefined();
    expect(byId(stranger.id)).toBeUndefined();
    expect(byId(recent.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(byId(noShow.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(byId(ahead.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(byId(cancelledLately.id)).toMatchObject({ status: 'CANCELLED' });
    expect(events).toHaveLength(4);
    // In time order.
    expect(events.map((e) => e.start)).toEqual([...events.map((e) => e.start)].sort((a, b) => a - b));
  });

  it('rotating kills the old URL; revoked, wrong, missing or foreign tokens are the same 404', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const first = await rotate(w);
    expect((await call(first)).status).toBe(200);
    const second = await rotate(w, w.owner.token);
    expect(second).not.toBe(first);
    expect((await call(second)).status).toBe(200);

    const notFound = async (path: string) => {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      const problem = await problemOf(res);
      expect(problem.code).toBe('not_found');
      return { detail: problem.detail, title: problem.title };
    };
    const barberPath = `/api/v1/barbers/${w.barber.barber.id}/calendar.ics`;
    const secondToken = new URL(second, 'http://x').searchParams.get('token')!;
    const other = await createBookingWorld(db);
    const otherPath = await rotate(other);
    const otherToken = new URL(otherPath, 'http://x').searchParams.get('token')!;
    const answers = [
      await notFound(first), // rotated away
      await notFound(barberPath), // no token
      await notFound(`${barberPath}?token=`),
      await notFound(`${barberPath}?token=${'A'.repeat(43)}`), // well-formed, wrong
      await notFound(`${barberPath}?token=not-a-token`),
      await notFound(`${barberPath}?token=${otherToken}`), // another barber's secret
      await notFound(`/api/v1/barbers/${crypto.randomUUID()}/calendar.ics?token=${secondToken}`), // no such barber
    ];
    // Nothing tells a missing barber from a wrong token.
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);

    const revoke = await send('DELETE', `/api/v1/barbers/${w.barber.barber.id}/calendar-token`, w.barber.token);
    expect(revoke.status).toBe(204);
    await notFound(second);
    expect((await call(otherPath)).status).toBe(200);
  });

  it('only the hash of the secret is stored; a deactivated barber has no feed', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const path = await rotate(w);
    const token = new URL(path, 'http://x').searchParams.get('token')!;
    const [row] = await db.select({ hash: barbers.icsTokenHash }).from(barbers).where(eq(barbers.id, w.barber.barber.id));
    expect(row!.hash).toBe(await hashToken(token));
    expect(row!.hash).not.toContain(token);
    await db.update(barbers).set({ active: false }).where(eq(barbers.id, w.barber.barber.id));
    expect((await call(path)).status).toBe(404);
  });
});
