import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deliveryContext } from '../../worker/db/queries/notifications';
import { appointments, authTokens, users, waitlistEntries } from '../../worker/db/schema';
import { loadConfig } from '../../worker/env';
import { createLogger } from '../../worker/lib/logger';
import { hashPassword } from '../../worker/lib/password';
import { manageLinks } from '../../worker/notifications/manage-links';
import type { NotificationMessage } from '../../worker/queue/messages';
import { cancelPreview } from '../../worker/services/appointments';
import { forgotPassword } from '../../worker/services/auth';
import { createServices } from '../../worker/services/container';
import { createBookingWorld, existingAppointment, localDay } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { call, eventually, testDb } from './harness';

/**
 * A client's own pages and the auth pages, fetched through the Worker as a browser without
 * JavaScript would: plain form posts, redirects followed by hand, the session cookie carried.
 */

const password = 'copper meadow 58 lantern';

const get = (path: string, cookie = '') => getPage(path, cookie);
const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

async function signIn(email: string): Promise<string> {
  const res = await postForm('/login', { email, password });
  expect(res.status).toBe(302);
  return cookieOf(res);
}

/** A booking world whose client can sign in with `password`. */
async function world(opts: Parameters<typeof createBookingWorld>[1] = {}) {
  const db = testDb();
  const w = await createBookingWorld(db, opts);
  await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, w.client.user.id));
  return { db, w };
}

describe('register → verify → sign in, without JavaScript', () => {
  it('creates the account, lands on `next` signed in, verifies through the e-mailed link, signs in again', async () => {
    const email = `reg-${crypto.randomUUID()}@example.test`;
    const fields = { first_name: 'Amara', last_name: 'Okafor', email, phone: '', password };
    const res = await postForm('/register?next=%2Faccount%2Fappointments', fields);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/account/appointments');
    const cookie = cookieOf(res);
    const page = await get('/account/appointments', cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>My appointments</h1>');

    // The same address again: the field says so, tied to the input.
    const again = await postForm('/register', fields);
    expect(again.status).toBe(409);
    const againHtml = await again.text();
    expect(againHtml).toContain('An account with this e-mail already exists');
    expect(againHtml).toMatch(/name="email"[^>]*aria-invalid="true"[^>]*aria-describedby="email-errors"/);

    // The verification e-mail went through the queue to the outbox; its link opens the page.
    const mail = await eventually(async () => {
      const outbox = (await (await call('/dev/outbox.json')).json()) as { data: { recipient: string; text: string }[] };
      return outbox.data.find((m) => m.recipient === email);
    });
    const link = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(mail.text)?.[0];
    expect(link).toBeTruthy();
    const verifyPage = await get(pathOf(link!));
    expect(verifyPage.status).toBe(200);
    expect(await verifyPage.text()).toContain('Verify my e-mail address');
    const token = new URL(link!).searchParams.get('token')!;
    const verified = await postForm('/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(await verified.text()).toContain('E-mail address verified');
    const [row] = await testDb().select().from(users).where(eq(users.email, email));
    expect(row!.verifiedAt).not.toBeNull();

    const login = await postForm('/login?next=%2Faccount%2Fprofile', { email, password });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/account/profile');
  });

  it('keeps the form and names the field when the password is weak; never redirects off-site', async () => {
    const email = `weak-${crypto.randomUUID()}@example.test`;
    const weak = await postForm('/register', { first_name: 'A', last_name: 'B', email, phone: '', password: 'short' });
    expect(weak.status).toBe(422);
    const html = await weak.text();
    expect(html).toMatch(/name="password"[^>]*aria-invalid="true"/);
    expect(html).toContain('id="password-errors"');
    expect(html).toContain(`value="${email}"`);
    const offsite = await postForm('/register?next=https%3A%2F%2Fevil.example%2F', { first_name: 'A', last_name: 'B', email, phone: '', password });
    expect(offsite.status).toBe(302);
    expect(offsite.headers.get('location')).toBe('/account');
  });
});

describe('/forgot-password', () => {
  it('answers the same whether or not the address has an account, and mails only a real one', async () => {
    const { db, w } = await world();
    const known = await postForm('/forgot-password', { email: w.client.user.email! });
    const unknownEmail = `nobody-${crypto.randomUUID()}@example.test`;
    const unknown = await postForm('/forgot-password', { email: unknownEmail });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const strip = (html: string, email: string) => html.replaceAll(email, 'EMAIL').replace(/nonce="[^"]+"/g, '').replace(/"requestId":"[^"]+"/g, '');
    const a = strip(await known.text(), w.client.user.email!);
    const b = strip(await unknown.text(), unknownEmail);
    expect(a).toContain('Check your e-mail');
    expect(a.match(/<main>[\s\S]*<\/main>/)?.[0]).toBe(b.match(/<main>[\s\S]*<\/main>/)?.[0]);
    const tokens = await db.select().from(authTokens).where(and(eq(authTokens.userId, w.client.user.id), eq(authTokens.kind, 'password_reset')));
    expect(tokens).toHaveLength(1);
    const bad = await postForm('/forgot-password', { email: 'not-an-address' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/aria-describedby="email-error"/);
  });
});

describe('/account/appointments', () => {
  it("lists the client's upcoming and past bookings across two shops, and nobody else's", async () => {
    const { db, w } = await world({ timezone: 'America/New_York' });
    const other = await createBookingWorld(db, { timezone: 'Europe/London', currency: 'GBP' });
    const soon = await existingAppointment(db, w, { start: new Date(Date.now() + 3 * 86_400_000) });
    const elsewhere = await existingAppointment(db, other, { start: new Date(Date.now() + 5 * 86_400_000), clientId: w.client.user.id });
    await db.update(appointments).set({ currency: 'GBP' }).where(eq(appointments.id, elsewhere.id));
    const [past] = await db
      .update(appointments)
      .set({ status: 'completed' })
      .where(eq(appointments.id, (await existingAppointment(db, other, { start: new Date(Date.now() - 5 * 86_400_000), clientId: w.client.user.id })).id))
      .returning();
    const strangers = await existingAppointment(db, w, { start: new Date(Date.now() + 4 * 86_400_000), clientId: other.client.user.id });

    const cookie = await signIn(w.client.user.email!);
    const res = await get('/account/appointments', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const html = await res.text();
    const [upcoming, pastPart] = html.split('<h2>Past</h2>') as [string, string];
    expect(upcoming).toContain(`/account/appointments/${soon.id}/cancel`);
    expect(upcoming).toContain(`/account/appointments/${elsewhere.id}/cancel`);
    expect(upcoming).toContain(w.shop.name);
    expect(upcoming).toContain(other.shop.name);
    expect(upcoming).toContain(`/s/${w.shop.slug}?reschedule=${soon.id}`);
    // Soonest first.
    expect(upcoming.indexOf(soon.id)).toBeLessThan(upcoming.indexOf(elsewhere.id));
    // Each shop's money in its own currency, the time in its own zone.
    expect(upcoming).toContain('£30.00');
    expect(upcoming).toMatch(/Eastern (Standard|Daylight) Time/);
    expect(upcoming).toMatch(/Greenwich Mean Time|British Summer Time/);
    expect(pastPart).toContain('Completed');
    expect(pastPart).not.toContain(`/account/appointments/${past!.id}/cancel`);
    expect(html).not.toContain(strangers.id);

    // Another client's booking is not theirs to open.
    const foreign = await get(`/account/appointments/${strangers.id}/cancel`, cookie);
    expect(foreign.status).toBe(404);
    // Signed out: to the sign-in page, coming back here afterwards.
    const anonymous = await get('/account/appointments');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Faccount%2Fappointments');
  });
});

describe('cancel with the money shown first', () => {
  const policy = { deposit: { kind: 'fixed' as const, value: 1200 }, cancel_window_hours: 24, late_cancel_fee: { kind: 'fixed' as const, value: 500 } };

  async function previewThenCancel(startInMs: number) {
    const { db, w } = await world({ policy });
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() + startInMs), paidCents: 1200 });
    const cookie = await signIn(w.client.user.email!);
    const preview = await cancelPreview(db, w.client.user.id, appt.id);
    const page = await get(`/account/appointments/${appt.id}/cancel`, cookie);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain('<h1>Cancel this appointment?</h1>');
    // Showing the page changed nothing.
    const [before] = await db.select().from(appointments).where(eq(appointments.id, appt.id));
    expect(before!.status).toBe('confirmed');

    const done = await postForm(`/account/appointments/${appt.id}/cancel`, { reason: 'Plans changed' }, cookie);
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('Appointment cancelled');
    const [after] = await db.select().from(appointments).where(eq(appointments.id, appt.id));
    expect(after!.status).toBe('cancelled');
    // The preview was the decision the cancel recorded.
    expect(after!.settlement).toBe(preview.decision.outcome);
    expect(after!.feeCents).toBe(preview.decision.fee_cents);
    expect(after!.refundDueCents).toBe(preview.decision.refund_cents);
    return { preview, pageHtml, doneHtml };
  }

  it('outside the window: the whole deposit back, said before and after', async () => {
    const { preview, pageHtml, doneHtml } = await previewThenCancel(6 * 86_400_000);
    expect(preview.decision).toMatchObject({ outcome: 'refund', late: false, fee_cents: 0, refund_cents: 1200 });
    expect(pageHtml).toContain('You will get back the $12.00 you paid.');
    expect(doneHtml).toContain('$12.00 will be refunded to you.');
  });

  it('inside the window: the late fee out of the deposit, the rest back', async () => {
    const { preview, pageHtml, doneHtml } = await previewThenCancel(3 * 3_600_000);
    expect(preview.decision).toMatchObject({ outcome: 'late_fee', late: true, fee_cents: 500, refund_cents: 700, charge_cents: 0 });
    expect(pageHtml).toContain('a late-cancellation fee of $5.00 applies');
    expect(pageHtml).toContain('the other $7.00 is refunded to you');
    expect(doneHtml).toContain('$7.00 will be refunded to you.');
    expect(doneHtml).toContain('A late-cancellation fee of $5.00 applies.');
  });
});

describe('/account/waitlist', () => {
  it('joins from a form post (fields as the booking flow sends them), lists the entry and leaves it', async () => {
    const { db, w } = await world();
    const cookie = await signIn(w.client.user.email!);
    const day = localDay(w.timezone, 3);
    const joined = await postForm(
      '/account/waitlist',
      { intent: 'join', shop_id: w.shop.id, service_id: w.short.id, barber_id: 'any', from: day, return_to: `/s/${w.shop.slug}` },
      cookie,
    );
    expect(joined.status).toBe(302);
    expect(joined.headers.get('location')).toBe(`/s/${w.shop.slug}?waitlist=joined`);
    const [entry] = await db.select().from(waitlistEntries).where(eq(waitlistEntries.clientId, w.client.user.id));
    expect(entry!.status).toBe('waiting');
    expect(entry!.barberId).toBeNull();

    const page = await get('/account/waitlist', cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>My waitlist</h1>');
    expect(html).toContain(`${w.short.name} at ${w.shop.name}`);
    expect(html).toContain('Any barber');
    expect(html).toContain('Leave waitlist');

    const left = await postForm('/account/waitlist', { intent: 'leave', entry_id: entry!.id }, cookie);
    expect(left.status).toBe(200);
    expect(await left.text()).toContain('You have left that waitlist.');
    const [gone] = await db.select().from(waitlistEntries).where(eq(waitlistEntries.id, entry!.id));
    expect(gone!.status).toBe('cancelled');
    // Someone else's entry (or one already left) is not found.
    const twice = await postForm('/account/waitlist', { intent: 'leave', entry_id: entry!.id }, cookie);
    expect(twice.status).toBe(404);

    const bad = await postForm('/account/waitlist', { intent: 'join', shop_id: w.shop.id, service_id: w.short.id, from: day, day_start: '10:00' }, cookie);
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Give a start and an end time, or neither');
    // Not signed in: to the sign-in page, then back to the booking page.
    const anonymous = await postForm('/account/waitlist', { intent: 'join', shop_id: w.shop.id, service_id: w.short.id, from: day, return_to: `/s/${w.shop.slug}` });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/s/${w.shop.slug}`)}`);
  });
});

describe('/account/profile', () => {
  it('saves names, phone and channels; the consumer reads the same preferences at send time', async () => {
    const { db, w } = await world();
    const cookie = await signIn(w.client.user.email!);
    const page = await get('/account/profile', cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/name="notify_sms"[^>]*checked=""/);

    // Unticked boxes are not sent: SMS off, e-mail on.
    const saved = await postForm('/account/profile', { first_name: 'Rui', last_name: 'Costa', phone: '+1 (212) 555-0134', notify_email: 'on' }, cookie);
    expect(saved.status).toBe(200);
    const html = await saved.text();
    expect(html).toContain('Your changes are saved.');
    expect(html).toContain('value="12125550134"');
    expect(html).toMatch(/name="notify_email"[^>]*checked=""/);
    expect(html).not.toMatch(/name="notify_sms"[^>]*checked=""/);
    const [row] = await db.select().from(users).where(eq(users.id, w.client.user.id));
    expect(row).toMatchObject({ firstName: 'Rui', lastName: 'Costa', phoneLast4: '0134', notifyEmail: true, notifySms: false });
    const context = await deliveryContext(db, { userId: w.client.user.id, shopId: null, appointmentId: null });
    expect(context.user).toMatchObject({ notify_email: true, notify_sms: false });

    const invalid = await postForm('/account/profile', { first_name: '', last_name: 'Costa', phone: 'call me' }, cookie);
    expect(invalid.status).toBe(422);
    const invalidHtml = await invalid.text();
    expect(invalidHtml).toMatch(/name="first_name"[^>]*aria-invalid="true"[^>]*aria-describedby="first_name-error"/);
    expect(invalidHtml).toContain('id="phone-error"');
    const [unchanged] = await db.select().from(users).where(eq(users.id, w.client.user.id));
    expect(unchanged!.firstName).toBe('Rui');
  });
});

describe('every link the app e-mails opens a real page', () => {
  it('manage links (view, reschedule, cancel), where reschedule leads, reset and verify links: all 200', async () => {
    const { db, w } = await world({ policy: { cancel_window_hours: 24 } });
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() + 6 * 86_400_000) });
    const config = loadConfig(env);
    const links = await manageLinks(config, { id: appt.id, end_ms: appt.endTime.getTime() });
    for (const [purpose, link] of Object.entries(links)) {
      const res = await get(pathOf(link));
      expect(res.status, purpose).toBe(200);
      const html = await res.text();
      expect(html, purpose).toContain('<h1>Your appointment</h1>');
      // Still outside the window: every manage page offers to move it, to the booking flow.
      expect(html, purpose).toContain(`href="/s/${w.shop.slug}?reschedule=${appt.id}"`);
    }
    // The booking flow may first ask the holder to sign in; either way a real page answers.
    const target = await get(`/s/${w.shop.slug}?reschedule=${appt.id}`);
    expect([200, 302, 303]).toContain(target.status);
    if (target.status !== 200) expect((await get(target.headers.get('location')!)).status).toBe(200);

    const sent: NotificationMessage[] = [];
    const services = { ...createServices(env, config, createLogger('warn')), notify: async (m: NotificationMessage) => void sent.push(m) };
    await forgotPassword(services, w.client.user.email!);
    const reset = sent.find((m) => m.template === 'password_reset')?.secrets?.link;
    expect(reset).toBeTruthy();
    const resetPage = await get(pathOf(reset!));
    expect(resetPage.status).toBe(200);
    expect(await resetPage.text()).toContain('Choose a new password');
    for (const path of ['/login', '/register', '/forgot-password', '/verify-email', '/reset-password']) {
      expect((await get(path)).status, path).toBe(200);
    }
  });

  it('inside the window the reschedule link explains why it cannot move the booking online', async () => {
    const { db, w } = await world({ policy: { cancel_window_hours: 24 } });
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() + 3 * 3_600_000) });
    const links = await manageLinks(loadConfig(env), { id: appt.id, end_ms: appt.endTime.getTime() });
    const res = await get(pathOf(links.reschedule));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('it can no longer be moved online');
    expect(html).not.toContain('?reschedule=');
  });
});
