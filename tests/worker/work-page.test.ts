import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, users } from '../../worker/db/schema';
import { hashPassword } from '../../worker/lib/password';
import { createBookingWorld, existingAppointment } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { testDb } from './harness';
import { actionsFor } from '../../app/routes/work.server';

/** The barber's day sheet as a browser without JavaScript uses it: GET the page, POST a tap. */
const password = 'walnut ferry 73 harbour';

async function signIn(userId: string): Promise<string> {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  return cookieOf(await postForm('/login', { email: u!.email!, password }));
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&quot;/g, '"');

describe('the day sheet page (/work)', () => {
  it('shows the barber’s own day with clients and gaps; taps check in, complete and mark a no-show through the same services', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { no_show_fee: { kind: 'percent', value: 50 } } });
    const cookie = await signIn(w.barber.user.id);
    expect(await (await getPage('/account', cookie)).text()).toContain('href="/work"');
    const soon = await existingAppointment(db, w, { start: new Date(Date.now() + 20 * 60_000) });
    const late = await existingAppointment(db, w, { start: new Date(Date.now() - 40 * 60_000) });
    // The local day of the one due soon (near midnight it is tomorrow's sheet).
    const day = new Date(soon.startTime).toLocaleDateString('en-CA', { timeZone: w.timezone });
    const res = await getPage(`/work?date=${day}`, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const html = decode(await res.text());
    expect(html).toContain('Working: ');
    expect(html).toMatch(/Free, \d+ min/);
    expect(html).toContain('First visit');
    // The late client can be marked a no-show; the one due soon can be checked in but not yet.
    expect(html).toContain(`name="id" value="${soon.id}"`);

    // /work is the back office's frame; its day sheet is the index route (Remix: `?index`).
    const arrived = await postForm('/work?index', { id: soon.id, intent: 'arrive' }, cookie);
    expect(arrived.status).toBe(200);
    expect(decode(await arrived.text())).toMatch(/Arrived \d/);
    const done = await postForm('/work?index', { id: soon.id, intent: 'complete' }, cookie);
    expect(done.status).toBe(200);
    const noShow = await postForm('/work?index', { id: late.id, intent: 'no_show' }, cookie);
    expect(noShow.status).toBe(200);
    const rows = await db.select().from(appointments).where(eq(appointments.shopId, w.shop.id));
    expect(rows.find((r) => r.id === soon.id)).toMatchObject({ status: 'completed' });
    expect(rows.find((r) => r.id === late.id)).toMatchObject({ status: 'no_show', feeCents: 1500 });
    // A second no-show tap is refused in words, not an error page.
    const again = await postForm('/work?index', { id: late.id, intent: 'no_show' }, cookie);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('<html');
  });

  it('signed out goes to sign-in; a client has no chair; another shop’s barber sees nothing of this one', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() - 10 * 60_000) });
    const out = await getPage('/work');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toMatch(/^\/login/);

    const client = await signIn(w.client.user.id);
    const none = await getPage('/work', client);
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('You have no chair at a shop yet.');

    const stranger = await signIn(other.barber.user.id);
    const peek = await getPage(`/work?barber=${w.barber.barber.id}`, stranger);
    expect(peek.status).toBe(404);
    expect(await peek.text()).not.toContain(w.barber.barber.displayName);
    const tap = await postForm('/work?index', { id: appt.id, intent: 'no_show' }, stranger);
    expect(tap.status).toBe(404);
    const [row] = await db.select().from(appointments).where(eq(appointments.id, appt.id));
    expect(row!.status).toBe('confirmed');
    // The owner reads the barber's sheet by id.
    const owner = await signIn(w.owner.user.id);
    const theirs = await getPage(`/work?barber=${w.barber.barber.id}`, owner);
    expect(theirs.status).toBe(200);
    expect(decode(await theirs.text())).toContain(`${w.barber.barber.displayName}: `);
  });

  it('offers each button only when the services would accept it', () => {
    const now = Date.parse('2026-12-07T15:00:00Z');
    const a = (start: string, extra: Partial<{ status: string; arrived_at: string | null }> = {}) =>
      ({ status: 'confirmed', start_time: start, arrived_at: null, ...extra }) as Parameters<typeof actionsFor>[0];
    expect(actionsFor(a('2026-12-07T18:00:00Z'), now)).toEqual([]);
    expect(actionsFor(a('2026-12-07T16:30:00Z'), now)).toEqual(['arrive']);
    expect(actionsFor(a('2026-12-07T14:50:00Z'), now)).toEqual(['arrive', 'complete', 'no_show']);
    expect(actionsFor(a('2026-12-07T16:30:00Z', { arrived_at: '2026-12-07T14:55:00Z' }), now)).toEqual(['complete']);
    expect(actionsFor(a('2026-12-07T14:00:00Z', { status: 'completed' }), now)).toEqual([]);
  });
});
