import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, barberServices, memberships, timeOff, users, workingHours } from '../../worker/db/schema';
import { zonedTimeToUtc } from '../../worker/domain/time';
import { hashPassword } from '../../worker/lib/password';
import { createBookingWorld, existingAppointment, localDay, localInstant } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { call, neonRequests, origin, testDb } from './harness';

/** The barber's back-office pages as a browser without JavaScript uses them. */
const password = 'copper lantern 58 meadow';

async function signIn(userId: string): Promise<string> {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  return cookieOf(await postForm('/login', { email: u!.email!, password }));
}

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s/g, ' ');

const net = Math.floor(Math.random() * 0xffff).toString(16);
let posts = 0;

/** A same-origin form post whose fields may repeat (several intervals on one weekday). */
function postFields(path: string, fields: [string, string][], cookie: string) {
  return call(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: new URL(origin).host,
      origin,
      'cf-connecting-ip': `2001:db8:${net}:1::${(++posts).toString(16)}`,
      cookie,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Every weekday with the same intervals, as the hours form sends them. */
function hoursForm(intervals: [string, string][], extra: [string, string][] = [['intent', 'save']]): [string, string][] {
  return [0, 1, 2, 3, 4, 5, 6].flatMap((w) => intervals.flatMap(([s, e]) => [[`start-${w}`, s], [`end-${w}`, e]] as [string, string][])).concat(extra);
}

async function rulesOf(barberId: string) {
  const rows = await testDb().select().from(workingHours).where(eq(workingHours.barberId, barberId));
  return rows.map((r) => `${r.weekday} ${r.startMinute}-${r.endMinute}`).sort();
}

async function slotStarts(barberId: string, serviceId: string, day: string): Promise<string[]> {
  const res = await call(`/api/v1/barbers/${barberId}/availability?${new URLSearchParams({ service_id: serviceId, from: day, to: day })}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
}

/** The HTML of one day's column on the week page. */
function column(html: string, date: string): string {
  const at = html.indexOf(`aria-labelledby="day-${date}"`);
  expect(at).toBeGreaterThan(-1);
  const next = html.indexOf('aria-labelledby="day-', at + 10);
  return html.slice(at, next === -1 ? html.indexOf('</section>', at) : next);
}

describe('the hours page (/work/hours)', () => {
  it('saves breaks; the availability API and the booking page show the new slots at once', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'America/Chicago' });
    const cookie = await signIn(w.barber.user.id);
    const page = await getPage('/work/hours', cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const html = decode(await page.text());
    expect(html).toContain('<legend>Monday</legend>');
    expect(html).toContain('value="09:00"');

    const day = localDay(w.timezone, 3);
    const barberId = w.barber.barber.id;
    // Read (and cache) the old slots first: the save must not leave them standing.
    const before = await slotStarts(barberId, w.short.id, day);
    expect(before[0]).toBe(localInstant(w.timezone, 3, '09:00').toISOString());

    const saved = await postFields('/work/hours', hoursForm([['10:00', '12:00'], ['14:00', '00:00']]), cookie);
    expect(saved.status).toBe(200);
    expect(decode(await saved.text())).toContain('Hours saved.');
    expect(await rulesOf(barberId)).toEqual([0, 1, 2, 3, 4, 5, 6].flatMap((d) => [`${d} 600-720`, `${d} 840-1440`]).sort());

    const after = await slotStarts(barberId, w.short.id, day);
    expect(after[0]).toBe(localInstant(w.timezone, 3, '10:00').toISOString());
    expect(after).toContain(localInstant(w.timezone, 3, '11:30').toISOString());
    expect(after).not.toContain(localInstant(w.timezone, 3, '12:00').toISOString());
    expect(after).toContain(localInstant(w.timezone, 3, '14:00').toISOString());
    expect(after).toContain(localInstant(w.timezone, 3, '23:30').toISOString());

    // The client's booking page, day step: the same new slots.
    const q = new URLSearchParams({ service: w.short.id, barber: barberId, day });
    const booking = decode(await (await getPage(`/s/${w.shop.slug}/book?${q}`)).text());
    expect(booking).toContain(`value="${localInstant(w.timezone, 3, '14:00').toISOString()}"`);
    expect(booking).not.toContain(`value="${localInstant(w.timezone, 3, '09:00').toISOString()}"`);
  });

  it('refuses overlapping and inverted intervals in words on the page and saves nothing; a row is added without saving', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const cookie = await signIn(w.barber.user.id);
    const barberId = w.barber.barber.id;
    const old = await rulesOf(barberId);
    const res = await postFields(
      '/work/hours',
      [
        ['start-1', '09:00'],
        ['end-1', '13:00'],
        ['start-1', '12:00'],
        ['end-1', '17:00'],
        ['start-2', '17:00'],
        ['end-2', '09:00'],
        ['intent', 'save'],
      ],
      cookie,
    );
    expect(res.status).toBe(422);
    const html = decode(await res.text());
    expect(html).toContain('The hours were not saved');
    expect(html).toContain('Monday, second interval overlaps 09:00–13:00 on the same day');
    expect(html).toContain('Tuesday: the end must be after the start');
    expect(html).toContain('href="#h-1-1-start"');
    expect(html).toContain('href="#h-2-0-end"');
    expect(html).toContain('id="h-2-0-end"');
    expect(html).toMatch(/aria-invalid="true"[^>]*id="h-2-0-end"|id="h-2-0-end"[^>]*aria-invalid="true"/);
    expect(await rulesOf(barberId)).toEqual(old);

    const unreadable = await postFields('/work/hours', [['start-3', 'nine'], ['end-3', '17:00'], ['intent', 'save']], cookie);
    expect(unreadable.status).toBe(422);
    expect(decode(await unreadable.text())).toContain('Wednesday: enter a start time like 09:00');
    expect(await rulesOf(barberId)).toEqual(old);

    // "Add another interval" without JavaScript: the form comes back with one more row, unsaved.
    const added = await postFields('/work/hours', [['start-1', '09:00'], ['end-1', '17:00'], ['intent', 'add-1']], cookie);
    expect(added.status).toBe(200);
    const form = decode(await added.text());
    expect(form).toContain('id="h-1-1-start"');
    expect(await rulesOf(barberId)).toEqual(old);

    // A day off: that weekday's rows go.
    const off = await postFields('/work/hours', [...hoursForm([['09:00', '17:00']]), ['off-0', 'on']], cookie);
    expect(off.status).toBe(200);
    expect((await rulesOf(barberId)).filter((r) => r.startsWith('0 '))).toEqual([]);
    expect(await rulesOf(barberId)).toHaveLength(6);
  });

  it('an owner edits their barber’s hours with ?barber=; another shop’s barber gets 404 and writes nothing', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    const owner = await signIn(w.owner.user.id);
    const mine = await getPage(`/work/hours?barber=${barberId}`, owner);
    expect(mine.status).toBe(200);
    expect(decode(await mine.text())).toContain(`${w.barber.barber.displayName}: weekly hours`);
    const saved = await postFields(`/work/hours?barber=${barberId}`, hoursForm([['08:00', '12:00']]), owner);
    expect(saved.status).toBe(200);
    expect(await rulesOf(barberId)).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => `${d} 480-720`));

    // The owner has no chair of their own.
    const none = await getPage('/work/hours', owner);
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('You have no chair at a shop yet.');

    const stranger = await signIn(other.barber.user.id);
    const peek = await getPage(`/work/hours?barber=${barberId}`, stranger);
    expect(peek.status).toBe(404);
    expect(await peek.text()).not.toContain(w.barber.barber.displayName);
    const write = await postFields(`/work/hours?barber=${barberId}`, hoursForm([['01:00', '02:00']]), stranger);
    expect(write.status).toBe(404);
    expect(await rulesOf(barberId)).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => `${d} 480-720`));
  });
});

describe('the week page (/work/week)', () => {
  it('puts each appointment on its local day in a non-UTC shop, across a DST change too, in one statement', async () => {
    const db = testDb();
    const tz = 'America/Los_Angeles';
    const w = await createBookingWorld(db, { timezone: tz });
    const cookie = await signIn(w.barber.user.id);
    // A week well ahead: Monday 2027-02-01 … Sunday 2027-02-07.
    const at = (date: string, clock: string) => {
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      const [h, min] = clock.split(':').map(Number) as [number, number];
      return zonedTimeToUtc({ year: y, month: m, day: d }, h * 60 + min, tz);
    };
    // 23:00 on Monday in Los Angeles is Tuesday in UTC; 00:30 on Tuesday is still Tuesday.
    await existingAppointment(db, w, { start: at('2027-02-01', '23:00') });
    await existingAppointment(db, w, { start: at('2027-02-02', '00:30') });
    // The next Monday's is another week's.
    await existingAppointment(db, w, { start: at('2027-02-08', '07:45') });
    const res = await getPage('/work/week?date=2027-02-04', cookie);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBeLessThanOrEqual(2);
    const html = decode(await res.text());
    expect(html).toContain('‹ Previous week');
    expect(html).toContain('href="/work/week?date=2027-01-25"');
    expect(html).toContain('href="/work/week?date=2027-02-08"');
    expect(html).toContain('href="/work?date=2027-02-01"');
    const monday = column(html, '2027-02-01');
    expect(monday).toContain('11:00 PM');
    expect(monday).toContain('Booked');
    expect(monday).toContain('9:00 AM–5:00 PM');
    expect(monday).not.toContain('12:30 AM');
    expect(column(html, '2027-02-02')).toContain('12:30 AM');
    expect(column(html, '2027-02-07')).toContain('9:00 AM–5:00 PM');
    expect(html).not.toContain('7:45 AM');
    expect(html).toContain(w.short.name);

    // The week of the spring change (Sunday 2027-03-14): local days still hold their own times.
    await existingAppointment(db, w, { start: at('2027-03-13', '23:30') });
    await existingAppointment(db, w, { start: at('2027-03-14', '10:00') });
    const dst = decode(await (await getPage('/work/week?date=2027-03-14', cookie)).text());
    expect(column(dst, '2027-03-13')).toContain('11:30 PM');
    expect(column(dst, '2027-03-14')).toContain('10:00 AM');
    expect(column(dst, '2027-03-14')).not.toContain('11:30 PM');
    expect(column(dst, '2027-03-14')).toContain('9:00 AM–5:00 PM');
    expect(dst).toContain('href="/work/week?date=2027-03-15"');
  });

  it('an owner reads a barber’s week; another shop’s barber gets 404', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    await existingAppointment(db, w, { start: localInstant(w.timezone, 1, '10:00') });
    const owner = await signIn(w.owner.user.id);
    const theirs = await getPage(`/work/week?barber=${w.barber.barber.id}`, owner);
    expect(theirs.status).toBe(200);
    const html = decode(await theirs.text());
    expect(html).toContain(`${w.barber.barber.displayName}: week of`);
    expect(html).toContain(`barber=${w.barber.barber.id}&amp;date=`.replace('&amp;', '&'));
    const stranger = await signIn(other.barber.user.id);
    const peek = await getPage(`/work/week?barber=${w.barber.barber.id}`, stranger);
    expect(peek.status).toBe(404);
    expect(await peek.text()).not.toContain(w.barber.barber.displayName);
    const rows = await db.select().from(appointments).where(and(eq(appointments.barberId, w.barber.barber.id)));
    expect(rows).toHaveLength(1);
  });
});

describe('the book-a-client page (/work/book)', () => {
  it('finds an existing client by name and by phone digits, and books them with source staff', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const [client] = await db
      .insert(users)
      .values({ email: `marguerite-${Date.now()}@example.test`, firstName: 'Marguerite', lastName: 'Okonkwo', phoneLast4: '4821', phoneEnc: 'not-read-by-search' })
      .returning();
    await db.insert(memberships).values({ userId: client!.id, shopId: w.shop.id, role: 'client' });
    const cookie = await signIn(w.barber.user.id);

    const byName = decode(await (await getPage('/work/book?q=margu', cookie)).text());
    expect(byName).toContain('Marguerite Okonkwo');
    expect(byName).toContain('••• 4821');
    expect(byName).toContain('No visits yet');
    expect(byName).toContain(`name="client" value="${client!.id}"`);
    const byPhone = decode(await (await getPage('/work/book?q=4821', cookie)).text());
    expect(byPhone).toContain('Marguerite Okonkwo');
    // Another shop's clients are not found.
    const other = await createBookingWorld(db);
    const elsewhere = await signIn(other.barber.user.id);
    expect(decode(await (await getPage('/work/book?q=margu', elsewhere)).text())).not.toContain('Marguerite Okonkwo');

    const day = localDay(w.timezone, 2);
    const start = localInstant(w.timezone, 2, '10:00').toISOString();
    const times = decode(await (await getPage(`/work/book?${new URLSearchParams({ client: client!.id, service: w.short.id, day })}`, cookie)).text());
    expect(times).toContain(`name="start" value="${start}"`);

    const booked = await postForm('/work/book', { client: client!.id, service: w.short.id, day, start }, cookie);
    expect(booked.status).toBe(200);
    const html = decode(await booked.text());
    expect(html).toContain('Booked Marguerite Okonkwo');
    expect(html).toContain(`href="/work?date=${day}"`);
    const rows = await db.select().from(appointments).where(eq(appointments.clientId, client!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'staff', barberId: w.barber.barber.id, status: 'confirmed' });
    expect(rows[0]!.startTime.toISOString()).toBe(start);

    // The same time again is refused in words, not an error page.
    const again = await postForm('/work/book', { client: client!.id, service: w.short.id, day, start }, cookie);
    expect(again.status).toBe(409);
    expect(decode(await again.text())).toContain('Choose another time.');
  });

  it('another shop’s barber gets 404 with ?barber= and books nothing', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const stranger = await signIn(other.barber.user.id);
    const peek = await getPage(`/work/book?barber=${w.barber.barber.id}&q=test`, stranger);
    expect(peek.status).toBe(404);
    const start = localInstant(w.timezone, 2, '10:00').toISOString();
    const write = await postForm(`/work/book?barber=${w.barber.barber.id}`, { client: w.client.user.id, service: w.short.id, start }, stranger);
    expect(write.status).toBe(404);
    expect(await db.select().from(appointments).where(eq(appointments.barberId, w.barber.barber.id))).toHaveLength(0);
  });
});

describe('the time-off page (/work/time-off)', () => {
  it('adds a block in the shop’s zone, names the bookings inside it, lists it and removes it; another shop’s barber gets 404', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'Europe/London' });
    const other = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00') });
    const cookie = await signIn(w.barber.user.id);
    const day = localDay(w.timezone, 3);
    const bad = await postForm('/work/time-off', { intent: 'add', from: `${day}T12:00`, to: `${day}T09:00` }, cookie);
    expect(bad.status).toBe(422);
    expect(decode(await bad.text())).toContain('The block ends before it starts');
    const added = await postForm('/work/time-off', { intent: 'add', from: `${day}T09:00`, to: `${day}T13:00`, reason: 'Dentist' }, cookie);
    expect(added.status).toBe(200);
    const html = decode(await added.text());
    expect(html).toContain('Time off added.');
    expect(html).toContain('These bookings fall inside it');
    const [block] = await db.select().from(timeOff).where(eq(timeOff.barberId, barberId));
    expect(block!.startsAt.toISOString()).toBe(localInstant(w.timezone, 3, '09:00').toISOString());
    expect(block!.reason).toBe('Dentist');
    expect(decode(await (await getPage('/work/time-off', cookie)).text())).toContain('Dentist');

    const stranger = await signIn(other.barber.user.id);
    expect((await getPage(`/work/time-off?barber=${barberId}`, stranger)).status).toBe(404);
    const steal = await postForm(`/work/time-off?barber=${barberId}`, { intent: 'remove', id: block!.id }, stranger);
    expect(steal.status).toBe(404);
    expect(await db.select().from(timeOff).where(eq(timeOff.barberId, barberId))).toHaveLength(1);

    const removed = await postForm('/work/time-off', { intent: 'remove', id: block!.id }, cookie);
    expect(removed.status).toBe(200);
    expect(await db.select().from(timeOff).where(eq(timeOff.barberId, barberId))).toHaveLength(0);
  });
});

describe('the services page (/work/services)', () => {
  it('saves which services the barber does at their own price and length, with the shop’s default beside', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    const cookie = await signIn(w.barber.user.id);
    const page = decode(await (await getPage('/work/services', cookie)).text());
    expect(page).toContain(`<legend>${w.short.name}</legend>`);
    expect(page).toContain('Shop: $30.00, 30 min');

    const stranger = await signIn(other.barber.user.id);
    expect((await getPage(`/work/services?barber=${barberId}`, stranger)).status).toBe(404);
    expect((await postForm(`/work/services?barber=${barberId}`, { offer: w.short.id }, stranger)).status).toBe(404);
    expect(await db.select().from(barberServices).where(eq(barberServices.barberId, barberId))).toHaveLength(2);

    const bad = await postForm('/work/services', { offer: w.short.id, [`price-${w.short.id}`]: 'lots' }, cookie);
    expect(bad.status).toBe(422);
    expect(decode(await bad.text())).toContain('enter a price like 25.00');
    const saved = await postForm('/work/services', { offer: w.short.id, [`price-${w.short.id}`]: '35.50', [`duration-${w.short.id}`]: '45' }, cookie);
    expect(saved.status).toBe(200);
    expect(decode(await saved.text())).toContain('Services saved.');
    const rows = await db.select().from(barberServices).where(eq(barberServices.barberId, barberId));
    expect(rows).toEqual([expect.objectContaining({ serviceId: w.short.id, priceCents: 3550, durationMin: 45 })]);
  });
});

describe('the calendar page (/work/calendar)', () => {
  it('makes a feed link, rotates it (the old link gets 404); another shop’s barber gets 404', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const cookie = await signIn(w.barber.user.id);
    expect(decode(await (await getPage('/work/calendar', cookie)).text())).toContain('No feed link yet.');
    const feedOf = async (res: Response) => {
      expect(res.status).toBe(200);
      const m = /id="feed-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="feed-url"/.exec(decode(await res.text()));
      return new URL(m![1] ?? m![2]!);
    };
    const first = await feedOf(await postForm('/work/calendar', { intent: 'rotate' }, cookie));
    expect((await call(`${first.pathname}${first.search}`)).status).toBe(200);
    const second = await feedOf(await postForm('/work/calendar', { intent: 'rotate' }, cookie));
    expect(second.search).not.toBe(first.search);
    expect((await call(`${first.pathname}${first.search}`)).status).toBe(404);
    expect((await call(`${second.pathname}${second.search}`)).status).toBe(200);

    const stranger = await signIn(other.barber.user.id);
    expect((await getPage(`/work/calendar?barber=${w.barber.barber.id}`, stranger)).status).toBe(404);
    expect((await postForm(`/work/calendar?barber=${w.barber.barber.id}`, { intent: 'rotate' }, stranger)).status).toBe(404);
    expect((await call(`${second.pathname}${second.search}`)).status).toBe(200);
  });
});

describe('every barber page with ?barber= of another shop', () => {
  it('answers 404 to a barber of another shop, to reads and writes alike', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const stranger = await signIn(other.barber.user.id);
    const id = w.barber.barber.id;
    for (const page of ['week', 'book', 'hours', 'time-off', 'services', 'calendar']) {
      const read = await getPage(`/work/${page}?barber=${id}`, stranger);
      expect(read.status, page).toBe(404);
      expect(await read.text()).not.toContain(w.barber.barber.displayName);
    }
    for (const page of ['book', 'hours', 'time-off', 'services', 'calendar']) {
      expect((await postForm(`/work/${page}?barber=${id}`, { intent: 'save' }, stranger)).status, page).toBe(404);
    }
    expect(await rulesOf(id)).toHaveLength(7);
  });
});
