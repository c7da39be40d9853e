import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, users } from '../../worker/db/schema';
import { hashPassword } from '../../worker/lib/password';
import { formatTime } from '../../app/lib/format';
import { book, createBookingWorld, existingAppointment } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { testDb } from './harness';

/**
 * The walk-in pages as a browser without JavaScript uses them: the public join page and its ticket,
 * the kiosk, the staff queue (barber and owner) and the day sheet's "Walk-in" form — all through the
 * Worker, against a shop whose day has one known gap.
 */
const password = 'walnut ferry 73 harbour';

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
    .replace(/<!-- -->/g, '');

const text = async (res: Response) => decode(await res.text());

/** A zone where it is the middle of the day now, so "today" has hours left on both sides. */
function middayZone(): string {
  const zones = ['Pacific/Kiritimati', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'];
  const hour = (tz: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
  return zones.reduce((best, tz) => (Math.abs(hour(tz) - 13) < Math.abs(hour(best) - 13) ? tz : best));
}

const STEP = 15 * 60_000;

/**
 * A shop open all day with one barber whose next half hour is taken, then free for exactly 30
 * minutes, then taken again: a 30-minute walk-in fits that gap and nothing earlier.
 */
async function worldWithGap() {
  const db = testDb();
  const w = await createBookingWorld(db, { timezone: middayZone(), hours: ['00:00-23:45'] });
  const base = Math.floor(Date.now() / STEP) * STEP;
  await existingAppointment(db, w, { start: new Date(base) });
  const gap = new Date(base + 30 * 60_000);
  await existingAppointment(db, w, { start: new Date(base + 60 * 60_000) });
  return { db, w, gap };
}

const phone = '+1 212 555 0134';

describe('the public walk-in pages', () => {
  it('shows the wait for the known gap, joins into it, and the ticket page shows position 1 and the time; the slot is then taken online; leaving frees it', async () => {
    const { db, w, gap } = await worldWithGap();
    const slug = w.shop.slug;
    const time = formatTime(gap, w.timezone, 'en');

    // No service yet: a plain form to pick one.
    const first = await getPage(`/s/${slug}/walk-in`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    const firstHtml = await text(first);
    expect(firstHtml).toContain('name="service"');
    expect(firstHtml).toContain(w.short.name);

    // The GET that refreshes the estimate (no JavaScript): the gap's start, with the barber.
    const quoted = await getPage(`/s/${slug}/walk-in?service=${w.short.id}&barber=any`);
    expect(quoted.status).toBe(200);
    const quotedHtml = await text(quoted);
    expect(quotedHtml).toContain(`with ${w.barber.barber.displayName}, around ${time}`);
    expect(quotedHtml).toMatch(/About \d+ min/);
    expect(quotedHtml).toContain('aria-live="polite"');
    expect(quotedHtml).toMatch(/inputmode="tel"/i);

    // Join (a plain POST) → the ticket page.
    const joined = await postForm(`/s/${slug}/walk-in?service=${w.short.id}&barber=any`, {
      service: w.short.id,
      barber: 'any',
      first_name: 'Dana',
      phone,
    });
    expect(joined.status).toBe(302);
    const ticketUrl = joined.headers.get('location')!;
    expect(ticketUrl).toMatch(new RegExp(`^/s/${slug}/walk-in/[^/?]+$`));

    const [row] = await db
      .select()
      .from(appointments)
      .where(and(eq(appointments.shopId, w.shop.id), eq(appointments.source, 'walk_in')));
    expect(row).toBeDefined();
    expect(row!.startTime.getTime()).toBe(gap.getTime());
    expect(row!.barberId).toBe(w.barber.barber.id);
    expect(row!.serviceId).toBe(w.short.id);

    const ticket = await getPage(ticketUrl);
    expect(ticket.status).toBe(200);
    expect(ticket.headers.get('cache-control')).toBe('private, no-store');
    const ticketHtml = await text(ticket);
    expect(ticketHtml).toContain('You’re next');
    expect(ticketHtml).toContain('Position 1 in the queue.');
    expect(ticketHtml).toContain(`around ${time}`);
    expect(ticketHtml).toContain('text message when you’re next');
    expect(ticketHtml).toContain('aria-live="polite"');
    expect(ticketHtml).toContain(`href="${ticketUrl}"`); // the Refresh link without JavaScript

    // The same time online is taken now.
    const online = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: gap.toISOString() });
    expect(online.status).toBe(409);

    // Leaving has a confirm step, then frees the time.
    const confirm = await text(await getPage(`${ticketUrl}?leave=confirm`));
    expect(confirm).toContain('Yes, leave the queue');
    const left = await postForm(ticketUrl, { intent: 'leave' });
    expect(left.status).toBe(302);
    expect(await text(await getPage(left.headers.get('location')!))).toContain('You’ve left the queue');
    const [after] = await db.select().from(appointments).where(eq(appointments.id, row!.id));
    expect(['confirmed', 'held']).not.toContain(after!.status);
    const rebooked = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: gap.toISOString() });
    expect(rebooked.status).toBe(201);
  });

  it('a bad phone number is a 422 with the words beside the field; the wrong shop’s ticket is a 404', async () => {
    const { db, w } = await worldWithGap();
    const other = await createBookingWorld(db);
    const bad = await postForm(`/s/${w.shop.slug}/walk-in?service=${w.short.id}&barber=any`, {
      service: w.short.id,
      barber: 'any',
      first_name: 'Dana',
      phone: '12',
    });
    expect(bad.status).toBe(422);
    const html = await text(bad);
    expect(html).toContain('<html');
    expect(html).toContain('id="join-phone-error"');
    expect(html).toMatch(/name="phone"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="phone"/);
    expect(html).toContain('value="Dana"');
    const none = await db.select().from(appointments).where(and(eq(appointments.shopId, w.shop.id), eq(appointments.source, 'walk_in')));
    expect(none).toHaveLength(0);

    // A missing first name is refused by the page itself, also beside its field.
    const noName = await postForm(`/s/${w.shop.slug}/walk-in`, { service: w.short.id, barber: 'any', first_name: ' ', phone });
    expect(noName.status).toBe(422);
    expect(await text(noName)).toContain('Enter your first name');

    // A ticket is only shown under its own shop.
    const joined = await postForm(`/s/${w.shop.slug}/walk-in`, { service: w.short.id, barber: 'any', first_name: 'Ravi', phone });
    expect(joined.status).toBe(302);
    const token = joined.headers.get('location')!.split('/').pop()!;
    const elsewhere = await getPage(`/s/${other.shop.slug}/walk-in/${token}`);
    expect(elsewhere.status).toBe(404);
    expect(await text(elsewhere)).not.toContain('Ravi');
    const forged = await getPage(`/s/${w.shop.slug}/walk-in/not-a-token`);
    expect(forged.status).toBe(404);
  });

  it('too many joins from one address get the rate-limit words, not an error page', async () => {
    const { w } = await worldWithGap();
    const from = { 'cf-connecting-ip': `2001:db8:ffff::${Math.floor(Math.random() * 0xffff).toString(16)}` };
    let last: Response | null = null;
    for (let i = 0; i < 11; i++) {
      last = await postForm(`/s/${w.shop.slug}/walk-in`, { service: w.short.id, barber: 'any', first_name: 'Dana', phone: '12' }, from);
      if (last.status === 429) break;
    }
    expect(last!.status).toBe(429);
    expect(await text(last!)).toContain('Too many tries from here just now');
  });

  it('the kiosk shows each service with its wait, takes a first name and phone, confirms and offers the next person; a shop with nothing left today says so', async () => {
    const { db, w, gap } = await worldWithGap();
    const start = await getPage(`/s/${w.shop.slug}/kiosk`);
    expect(start.status).toBe(200);
    expect(start.headers.get('cache-control')).toBe('private, no-store');
    const html = await text(start);
    expect(html).toContain(w.short.name);
    expect(html).toContain(w.long.name);
    expect(html).toMatch(/About \d+ min wait/);
    expect(html).toContain(`href="/s/${w.shop.slug}/kiosk?service=${w.short.id}"`);

    const form = await text(await getPage(`/s/${w.shop.slug}/kiosk?service=${w.short.id}`));
    expect(form).toMatch(/inputmode="tel"/i);
    expect(form).toContain('name="first_name"');

    const done = await postForm(`/s/${w.shop.slug}/kiosk?service=${w.short.id}`, { service: w.short.id, barber: 'any', first_name: 'Kim', phone });
    expect(done.status).toBe(200);
    const doneHtml = await text(done);
    expect(doneHtml).toContain('You’re in, Kim');
    expect(doneHtml).toMatch(new RegExp(`About \\d+ min with ${w.barber.barber.displayName}`));
    expect(doneHtml).toContain(`Around ${formatTime(gap, w.timezone, 'en')}`);
    expect(doneHtml).toContain('Next person');
    const [row] = await db.select().from(appointments).where(and(eq(appointments.shopId, w.shop.id), eq(appointments.source, 'walk_in')));
    expect(row!.startTime.getTime()).toBe(gap.getTime());
    // The start screen shows nobody's name.
    expect(await text(await getPage(`/s/${w.shop.slug}/kiosk`))).not.toContain('Kim');

    // A day that is over: nothing fits today, in words.
    const closed = await createBookingWorld(db, { timezone: w.timezone, hours: ['00:00-00:30'] });
    const closedHtml = await text(await getPage(`/s/${closed.shop.slug}/kiosk`));
    expect(closedHtml).toContain('Full today');
    const closedJoin = await text(await getPage(`/s/${closed.shop.slug}/walk-in?service=${closed.short.id}`));
    expect(closedJoin).toContain('Nobody can fit this in today any more');
  });
});

describe('the staff queue and the day sheet’s walk-in form', () => {
  it('lists the walk-in for the barber and the owner; adds one from the desk; another shop’s barber or owner gets 404 with nothing shown', async () => {
    const { db, w, gap } = await worldWithGap();
    const other = await createBookingWorld(db);
    const joined = await postForm(`/s/${w.shop.slug}/walk-in`, { service: w.short.id, barber: 'any', first_name: 'Dana', phone });
    expect(joined.status).toBe(302);
    const time = formatTime(gap, w.timezone, 'en');

    const barber = await signIn(w.barber.user.id);
    const mine = await getPage('/work/queue', barber);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('private, no-store');
    const html = await text(mine);
    expect(html).toContain(`Walk-ins at ${w.shop.name}`);
    expect(html).toContain('Dana');
    expect(html).toContain(time);
    expect(html).toContain('<th scope="col">Next free</th>');
    expect(html).toContain(`${w.barber.barber.displayName} (you)`);
    expect(html).toContain('Add to the queue');

    const owner = await signIn(w.owner.user.id);
    const owners = await getPage(`/manage/${w.shop.id}/queue`, owner);
    expect(owners.status).toBe(200);
    expect(await text(owners)).toContain('Dana');
    const viaWork = await getPage(`/work/queue?shop=${w.shop.id}`, owner);
    expect(viaWork.status).toBe(200);
    expect(await text(viaWork)).toContain('Dana');

    // The desk adds one (no JavaScript: a document post) and says where it went.
    const added = await postForm(`/manage/${w.shop.id}/queue`, { intent: 'walk_in', shop: w.shop.id, tz: w.timezone, service: w.short.id, barber: 'any', first_name: 'Lee', phone }, owner);
    expect(added.status).toBe(200);
    expect(await text(added)).toMatch(new RegExp(`Placed at [^<]+ with ${w.barber.barber.displayName} \\(in [^)]+\\)`));
    const rows = await db.select().from(appointments).where(and(eq(appointments.shopId, w.shop.id), eq(appointments.source, 'walk_in')));
    expect(rows).toHaveLength(2);

    // Another shop's barber and owner: 404 and nothing of this shop.
    const stranger = await signIn(other.barber.user.id);
    const peek = await getPage(`/work/queue?shop=${w.shop.id}`, stranger);
    expect(peek.status).toBe(404);
    const peekHtml = await text(peek);
    expect(peekHtml).not.toContain('Dana');
    expect(peekHtml).not.toContain(w.shop.name);
    const otherOwner = await signIn(other.owner.user.id);
    const theirs = await getPage(`/manage/${w.shop.id}/queue`, otherOwner);
    expect(theirs.status).toBe(404);
    const theirsHtml = await text(theirs);
    expect(theirsHtml).not.toContain('Dana');
    expect(theirsHtml).not.toContain(w.shop.name);
    const sneak = await postForm(`/manage/${w.shop.id}/queue`, { intent: 'walk_in', shop: w.shop.id, service: w.short.id, barber: 'any', first_name: 'Eve', phone }, otherOwner);
    expect(sneak.status).toBe(404);
    expect(await db.select().from(appointments).where(and(eq(appointments.shopId, w.shop.id), eq(appointments.source, 'walk_in')))).toHaveLength(2);
    // Their own queue does not list this shop's walk-ins.
    const ownQueue = await text(await getPage('/work/queue', stranger));
    expect(ownQueue).not.toContain('Dana');

    // Signed out: to sign-in.
    const out = await getPage('/work/queue');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toMatch(/^\/login/);
  });

  it('the day sheet’s Walk-in form places the client with this barber and the new row shows on the sheet', async () => {
    const { w, gap } = await worldWithGap();
    const barber = await signIn(w.barber.user.id);
    const sheet = await text(await getPage('/work', barber));
    expect(sheet).toContain('<summary>Walk-in</summary>');
    expect(sheet).toContain(`Me (${w.barber.barber.displayName})`);

    const placed = await postForm(
      '/work?index',
      { intent: 'walk_in', shop: w.shop.id, tz: w.timezone, own_barber: w.barber.barber.id, service: w.short.id, barber: w.barber.barber.id, first_name: 'Sam', phone },
      barber,
    );
    expect(placed.status).toBe(200);
    const html = await text(placed);
    expect(html).toContain(`Placed at ${formatTime(gap, w.timezone, 'en')} with you (in `);
    expect(html).toContain('· walk-in');
    expect(html).toContain('Sam');
  });
});
