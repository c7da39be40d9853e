import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, payments, users } from '../../worker/db/schema';
import { hashPassword } from '../../worker/lib/password';
import { book, createBookingWorld, existingAppointment, localInstant } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { testDb } from './harness';
import { deliver, eventAbout } from './stripe';
import { testCheckoutEnabled } from '../../app/routes/s.$slug_.pay.$id.server';

/**
 * The booking pages as a browser without JavaScript uses them: every step a GET of a link or a
 * form the previous page rendered, the hold and the payment POSTed as forms, through the Worker.
 * Nothing here calls the JSON API for the client — only the pages.
 */

const password = 'copper meadow 58 lantern';

const get = getPage;
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&quot;/g, '"');

/** The href of the link whose text (or aria-label) contains `text`. */
function hrefOf(html: string, text: string): string {
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/g)) {
    const attrs = m[1]!;
    const label = /aria-label="([^"]*)"/.exec(attrs)?.[1] ?? '';
    if (m[2]!.replace(/<[^>]+>/g, '').includes(text) || label.includes(text)) return decode(/href="([^"]*)"/.exec(attrs)![1]!);
  }
  throw new Error(`no link "${text}" in page`);
}

/** The GET a form's submit button makes: its action with the form's fields and the button's name=value. */
function submitGet(html: string, buttonName: string, buttonValue: string): string {
  for (const f of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const body = f[2]!;
    if (!body.includes(`name="${buttonName}" value="${buttonValue}"`)) continue;
    const action = decode(/action="([^"]*)"/.exec(f[1]!)![1]!);
    const params = new URLSearchParams();
    for (const i of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) params.set(i[1]!, decode(i[2]!));
    params.set(buttonName, buttonValue);
    return `${action}?${params}`;
  }
  throw new Error(`no form with ${buttonName}=${buttonValue}`);
}

/** The slot buttons' values (ISO instants) in the order shown. */
const slotsIn = (html: string) => [...html.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]!);

async function signableClient(userId: string) {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  return u!.email!;
}

/** Every same-origin link on a page answers something other than 404 or 500. */
async function linksWork(html: string, cookie: string) {
  const hrefs = new Set([...html.matchAll(/href="(\/[^"]*)"/g)].map((m) => decode(m[1]!)).filter((h) => !h.startsWith('/assets/')));
  for (const href of hrefs) {
    const res = await get(href, cookie);
    await res.body?.cancel();
    expect({ href, status: res.status }).not.toMatchObject({ status: 404 });
    expect(res.status).toBeLessThan(500);
  }
}

describe('shop and barber pages', () => {
  it('shows hours this week, services and barbers with links into booking, cacheable with a weak ETag and 304', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2 });
    const res = await get(`/s/${w.shop.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(res.headers.get('vary')).toContain('Accept-Language');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const html = await res.text();
    expect(html).toContain('Opening hours this week');
    expect(html).toContain('9:00 AM – 5:00 PM');
    expect(html).toContain('$30.00 · 30 min');
    expect(html).toContain('$50.00 · 1 h');
    expect(hrefOf(html, 'Book an appointment')).toBe(`/s/${w.shop.slug}/book`);
    expect(html).toContain(`href="/s/${w.shop.slug}/barbers/${w.barber.barber.id}"`);

    const again = await get(`/s/${w.shop.slug}`, '', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    // Another language is another page (and another validator).
    const other = await get(`/s/${w.shop.slug}`, '', { 'accept-language': 'de-DE', 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(await other.text()).toContain('30,00');

    const barber = await get(`/s/${w.shop.slug}/barbers/${w.barber.barber.id}`);
    expect(barber.status).toBe(200);
    expect(barber.headers.get('etag')).toBeTruthy();
    const bhtml = await barber.text();
    expect(bhtml).toContain('Working hours this week');
    expect(bhtml).toContain(`/s/${w.shop.slug}/book?service=${w.short.id}&amp;barber=${w.barber.barber.id}`);
    expect((await get(`/s/${w.shop.slug}/barbers/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});

describe('booking without JavaScript', () => {
  it('free shop: service → barber → day → time → inline sign-in → confirm → confirmation → .ics, and no link 404s', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2 });
    const email = await signableClient(w.client.user.id);
    const start = await get(`/s/${w.shop.slug}/book`);
    expect(start.status).toBe(200);
    expect(start.headers.get('cache-control')).toBe('private, no-store');
    let html = await start.text();
    expect(html).toContain('1. Choose a service');

    html = await (await get(hrefOf(html, w.short.name))).text();
    expect(html).toContain('2. Choose a barber');
    const anyHref = hrefOf(html, 'Any barber');
    expect(anyHref).toContain('barber=any');
    const page = await get(hrefOf(html, w.barber.barber.displayName));
    html = await page.text();
    expect(html).toContain('3. Choose a day');
    expect(html).toContain('4. Choose a time');
    expect(html).toMatch(/aria-live="polite"/);
    const slots = slotsIn(html);
    expect(slots.length).toBeGreaterThan(0);
    // Day buttons are named by the full date; the chosen one is pressed.
    expect(html).toMatch(/<button type="submit" name="day" value="\d{4}-\d{2}-\d{2}" aria-pressed="true"[^>]*>(?:(?!<\/button>)[\s\S])*<span class="sr-only">\w+day, \w+ \d+, \d{4}<\/span>/);

    // A later day through its day button.
    const days = [...html.matchAll(/name="day" value="([\d-]+)" aria-pressed="false" class="day"/g)].map((m) => m[1]!);
    expect(days.length).toBeGreaterThan(0);
    const dayPage = await (await get(submitGet(html, 'day', days[days.length - 1]!))).text();
    const laterSlots = slotsIn(dayPage);
    expect(laterSlots.length).toBeGreaterThan(0);
    const chosen = laterSlots[2]!;

    const reviewPath = submitGet(dayPage, 'start', chosen);
    let review = await (await get(reviewPath)).text();
    expect(review).toContain('Review your booking');
    expect(review).toContain('Cancellation policy');
    expect(review).toContain('Nothing to pay now');
    expect(review).toContain('Sign in to book');

    const signIn = await postForm(reviewPath, { intent: 'signin', email, password });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toBe(reviewPath);
    const cookie = cookieOf(signIn);
    review = await (await get(reviewPath, cookie)).text();
    expect(review).toMatch(/<button type="submit" name="intent" value="book"[^>]*>Confirm booking<\/button>/);

    const booked = await postForm(reviewPath, { intent: 'book' }, cookie);
    expect(booked.status).toBe(302);
    const confirmation = booked.headers.get('location')!;
    expect(confirmation).toMatch(new RegExp(`^/s/${w.shop.slug}/booked/[0-9a-f-]{36}$`));
    const id = confirmation.split('/').pop()!;
    const [row] = await testDb().select().from(appointments).where(eq(appointments.id, id));
    expect(row!.status).toBe('confirmed');
    expect(row!.startTime.getTime()).toBe(Date.parse(chosen));
    expect(row!.clientId).toBe(w.client.user.id);

    const done = await get(confirmation, cookie);
    expect(done.headers.get('cache-control')).toBe('private, no-store');
    const doneHtml = await done.text();
    expect(doneHtml).toContain('You’re booked');
    const ics = await get(hrefOf(doneHtml, 'Add to calendar'), cookie);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    const body = await ics.text();
    expect(body).toContain('BEGIN:VEVENT');
    expect(body).toContain(`UID:${id}@bookedbarber.app`);
    expect(body).toContain(`DTSTART:${new Date(chosen).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);

    // Someone else's appointment is not found, signed out is sent to sign in.
    const stranger = await get(`/s/${w.shop.slug}/booked/${id}`);
    expect(stranger.status).toBe(302);
    expect(stranger.headers.get('location')).toMatch(/^\/login\?next=/);

    for (const p of [`/s/${w.shop.slug}`, `/s/${w.shop.slug}/book?service=${w.short.id}&barber=any`, reviewPath, confirmation]) {
      await linksWork(await (await get(p, cookie)).text(), cookie);
    }
  });

  it('deposit shop: the review names the deposit, the hold leads to the test checkout, and the webhook confirms it', async () => {
    const w = await createBookingWorld(testDb(), { policy: { deposit: { kind: 'percent', value: 20 } } });
    const email = await signableClient(w.client.user.id);
    const signIn = await postForm('/login', { email, password });
    const cookie = cookieOf(signIn);
    const html = await (await get(`/s/${w.shop.slug}/book?service=${w.long.id}&barber=${w.barber.barber.id}`, cookie)).text();
    const reviewPath = submitGet(html, 'start', slotsIn(html)[0]!);
    const review = await (await get(reviewPath, cookie)).text();
    expect(review).toContain('You pay a deposit of $10.00 now');
    expect(review).toContain('We hold this time for you for 10 minutes');
    expect(review).toContain('Continue to payment');

    const held = await postForm(reviewPath, { intent: 'book' }, cookie);
    expect(held.status).toBe(302);
    const payPath = held.headers.get('location')!;
    expect(payPath).toMatch(new RegExp(`^/s/${w.shop.slug}/pay/`));
    const id = payPath.split('/').pop()!;
    const pay = await get(payPath, cookie);
    expect(pay.status).toBe(200);
    expect(pay.headers.get('cache-control')).toBe('private, no-store');
    const payHtml = await pay.text();
    expect(payHtml).toContain('Test checkout');
    expect(payHtml).toContain('Deposit due now: $10.00');
    expect(payHtml).toMatch(/role="timer"[^>]*>\d+:\d{2}</);
    // The stand-in checkout pays on the server: no client secret in the page.
    expect(payHtml).not.toContain('_secret_');

    const paid = await postForm(payPath, { intent: 'test-checkout' }, cookie);
    expect(paid.status).toBe(302);
    expect(paid.headers.get('location')).toBe(`/s/${w.shop.slug}/booked/${id}?paid=1`);
    const waiting = await (await get(`/s/${w.shop.slug}/booked/${id}?paid=1`, cookie)).text();
    expect(waiting).toContain('Confirming your payment…');

    // Stripe's webhook (the stand-in cannot reach workerd from here, so the test delivers it).
    const [payment] = await testDb().select().from(payments).where(eq(payments.appointmentId, id));
    const event = await eventAbout('payment_intent.succeeded', payment!.stripePaymentIntentId!);
    expect((await deliver(event)).status).toBe(200);
    const confirmed = await (await get(`/s/${w.shop.slug}/booked/${id}?paid=1`, cookie)).text();
    expect(confirmed).toContain('You’re booked');
    expect(confirmed).toContain('$10.00');
    // Paid: the pay page sends the client to the booking.
    const payAgain = await get(payPath, cookie);
    expect(payAgain.status).toBe(302);
    expect(payAgain.headers.get('location')).toBe(`/s/${w.shop.slug}/booked/${id}`);
  });

  it('a time taken meanwhile answers 409 with the message and that day’s fresh times, not an error page', async () => {
    const w = await createBookingWorld(testDb());
    const email = await signableClient(w.client.user.id);
    const cookie = cookieOf(await postForm('/login', { email, password }));
    // Tomorrow, a whole working day: late in the shop's day, today's few remaining times may all
    // overlap the taken one and leave nothing to offer.
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: w.timezone });
    const html = await (await get(`/s/${w.shop.slug}/book?service=${w.short.id}&barber=${w.barber.barber.id}&day=${tomorrow}`, cookie)).text();
    const slots = slotsIn(html);
    expect(slots.length).toBeGreaterThan(4);
    expect(slots[0]!.startsWith(tomorrow)).toBe(true);
    const taken = slots[1]!;
    const reviewPath = submitGet(html, 'start', taken);
    // Someone else books it through the API first.
    const other = await createBookingWorld(testDb());
    const res = await book(other.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: taken });
    expect(res.status).toBe(201);

    const lost = await postForm(reviewPath, { intent: 'book' }, cookie);
    expect(lost.status).toBe(409);
    const page = await lost.text();
    expect(page).toContain('someone booked that time a moment ago');
    expect(page).toContain('Pick another time');
    const fresh = slotsIn(page);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh).not.toContain(taken);
    // Times that do not overlap the taken one are still offered.
    expect(fresh).toContain(slots[slots.length - 1]!);
  });
});

describe('the test checkout', () => {
  it('exists only outside production, with a test key, against an explicit stand-in URL', () => {
    const local = { APP_ENV: 'development' as const, STRIPE_API_URL: 'http://127.0.0.1:4446', STRIPE_SECRET_KEY: 'sk_test_x' };
    expect(testCheckoutEnabled(local)).toBe(true);
    expect(testCheckoutEnabled({ ...local, APP_ENV: 'production' })).toBe(false);
    expect(testCheckoutEnabled({ ...local, STRIPE_API_URL: undefined })).toBe(false);
    expect(testCheckoutEnabled({ ...local, STRIPE_SECRET_KEY: 'sk_live_x' })).toBe(false);
  });
});

describe('holds that run out, and any barber', () => {
  it('a lapsed hold shows the expired state with the same choice again, never an error', async () => {
    const w = await createBookingWorld(testDb(), { policy: { deposit: { kind: 'fixed', value: 500 } } });
    const email = await signableClient(w.client.user.id);
    const cookie = cookieOf(await postForm('/login', { email, password }));
    const html = await (await get(`/s/${w.shop.slug}/book?service=${w.short.id}&barber=${w.barber.barber.id}`, cookie)).text();
    const reviewPath = submitGet(html, 'start', slotsIn(html)[0]!);
    const held = await postForm(reviewPath, { intent: 'book' }, cookie);
    const payPath = held.headers.get('location')!;
    const id = payPath.split('/').pop()!;

    // Past its expiry but not yet swept: the payment service refuses it.
    await testDb().update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, id));
    const pay = await get(payPath, cookie);
    expect(pay.status).toBe(200);
    const page = await pay.text();
    expect(page).toContain('Your hold has run out');
    expect(hrefOf(page, 'Pick a time again')).toContain(`service=${w.short.id}`);
    expect(page).not.toContain('Test checkout');

    // Swept (as the object's alarm leaves it): the pay page and the booking page both say so.
    await testDb().update(appointments).set({ status: 'cancelled', cancelReason: 'hold_expired', cancelledAt: new Date() }).where(eq(appointments.id, id));
    expect(await (await get(payPath, cookie)).text()).toContain('Your hold has run out');
    const booked = await (await get(`/s/${w.shop.slug}/booked/${id}`, cookie)).text();
    expect(booked).toContain('Your hold has run out');
    const again = await get(hrefOf(booked, 'Pick a time again'), cookie);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('4. Choose a time');
  });

  it('"any barber" books one of the barbers free at that time', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2 });
    const email = await signableClient(w.client.user.id);
    const cookie = cookieOf(await postForm('/login', { email, password }));
    const html = await (await get(`/s/${w.shop.slug}/book?service=${w.short.id}&barber=any`, cookie)).text();
    const reviewPath = submitGet(html, 'start', slotsIn(html)[0]!);
    const review = await (await get(reviewPath, cookie)).text();
    expect(review).toContain('Any barber');
    const done = await postForm(reviewPath, { intent: 'book' }, cookie);
    expect(done.status).toBe(302);
    const id = done.headers.get('location')!.split('/').pop()!;
    const [row] = await testDb().select().from(appointments).where(eq(appointments.id, id));
    expect(w.barbers.map((b) => b.barber.id)).toContain(row!.barberId);
    expect(await (await get(done.headers.get('location')!, cookie)).text()).toContain('You’re booked');
  });
});

describe('reschedule mode', () => {
  it('the e-mailed link signs in inline, keeps service and barber, and moves the appointment', async () => {
    const w = await createBookingWorld(testDb());
    const email = await signableClient(w.client.user.id);
    const a = await existingAppointment(testDb(), w, { start: localInstant(w.timezone, 5, '10:00') });

    const link = await get(`/s/${w.shop.slug}?reschedule=${a.id}`);
    expect(link.status).toBe(302);
    const bookPath = link.headers.get('location')!;
    expect(bookPath).toBe(`/s/${w.shop.slug}/book?reschedule=${a.id}`);
    const signedOut = await (await get(bookPath)).text();
    expect(signedOut).toContain('Reschedule your appointment');
    expect(signedOut).toContain('Sign in to reschedule');
    const signIn = await postForm(bookPath, { intent: 'signin', email, password });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toBe(bookPath);
    const cookie = cookieOf(signIn);

    const html = await (await get(bookPath, cookie)).text();
    expect(html).toContain('Choose a new time below');
    const slot = slotsIn(html)[0]!;
    const reviewPath = submitGet(html, 'start', slot);
    expect(reviewPath).toContain(`reschedule=${a.id}`);
    const review = await (await get(reviewPath, cookie)).text();
    expect(review).toContain('Review the new time');
    expect(review).toContain('Current time');
    expect(review).toContain('Confirm new time');

    const moved = await postForm(reviewPath, { intent: 'reschedule' }, cookie);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe(`/s/${w.shop.slug}/booked/${a.id}?rescheduled=1`);
    const [row] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect(row!.startTime.getTime()).toBe(Date.parse(slot));
    const movedPage = await (await get(moved.headers.get('location')!, cookie)).text();
    expect(movedPage).toContain('Your appointment has been moved');
    // The download after a move outranks the e-mailed confirmation (same UID, higher SEQUENCE),
    // so a calendar that imported the first one moves the event instead of keeping the old time.
    const ics = await (await get(hrefOf(movedPage, 'Add to calendar'), cookie)).text();
    const stamp = new Date(Date.parse(slot)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    expect(ics).toContain(`DTSTART:${stamp}`);
    expect(Number(/SEQUENCE:(\d+)/.exec(ics)?.[1])).toBeGreaterThanOrEqual(1);

    // Another client's appointment id is not found.
    const other = await createBookingWorld(testDb());
    const otherEmail = await signableClient(other.client.user.id);
    const otherCookie = cookieOf(await postForm('/login', { email: otherEmail, password }));
    expect((await get(bookPath, otherCookie)).status).toBe(404);
  });
});
