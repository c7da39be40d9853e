/**
 * The owner's back office for money and clients as a browser without JavaScript uses it, through
 * the Worker: payments and refunds, Stripe, clients, failed messages, and /manage itself.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, memberships, notifications, payments, shops, users } from '../../worker/db/schema';
import { hashPassword } from '../../worker/lib/password';
import { parseAmountInput, formatAmountInput } from '../../app/lib/format';
import { kindText, statusText } from '../../app/routes/manage.$shopId.payments.server';
import { bearer } from './auth';
import { book, createBookingWorld, existingAppointment, localInstant } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { postJson, testDb } from './harness';
import { deliver, eventAbout, payIntent } from './stripe';

const password = 'walnut ferry 73 harbour';
type World = Awaited<ReturnType<typeof createBookingWorld>>;

async function signIn(userId: string): Promise<string> {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  const cookie = cookieOf(await postForm('/login', { email: u!.email!, password }));
  expect(cookie).not.toBe('');
  return cookie;
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const html = async (res: Response) => decode(await res.text());
/** The text of the page without tags (and without the hydration data), for "says so" checks. */
const words = (page: string) =>
  page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

/** Books, pays the deposit (saving the card) and confirms through the webhook — as a client would. */
async function paidBooking(w: World, daysAhead: number, clock: string) {
  const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, daysAhead, clock).toISOString() });
  expect(res.status).toBe(201);
  const held = (await res.json()) as { id: string; payment: { payment_intent_id: string; amount: number } };
  await payIntent(held.payment.payment_intent_id);
  await deliver(await eventAbout('payment_intent.succeeded', held.payment.payment_intent_id));
  return { id: held.id, deposit: held.payment.amount };
}

const cardShop = (policy: Record<string, unknown> = {}) =>
  createBookingWorld(testDb(), { policy: { deposit: { kind: 'percent', value: 20 }, card_on_file: true, cancel_window_hours: 48, ...policy } });

const chargeOf = async (appointmentId: string) =>
  (await testDb().select().from(payments).where(eq(payments.appointmentId, appointmentId))).find((p) => p.kind === 'deposit')!;

describe('payments and refunds (/manage/:shopId/payments)', () => {
  it('shows a no-show fee as such: its kind in words, amount and status, and the totals', async () => {
    const w = await cardShop({ no_show_fee: { kind: 'percent', value: 50 } });
    const paid = await paidBooking(w, 2, '10:00');
    await testDb()
      .update(appointments)
      .set({ startTime: new Date(Date.now() - 20 * 60_000), endTime: new Date(Date.now() + 10 * 60_000) })
      .where(eq(appointments.id, paid.id));
    expect((await postJson(`/api/v1/appointments/${paid.id}/no-show`, {}, bearer(w.barber.token))).status).toBe(200);

    const owner = await signIn(w.owner.user.id);
    const res = await getPage(`/manage/${w.shop.id}/payments`, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const page = await html(res);
    const text = words(page);
    expect(page).toContain('<caption>Payments, newest first</caption>');
    expect(page).toContain('<th scope="col">Kind</th>');
    // The fee row: kind, amount, status, in that order in one row.
    expect(text).toMatch(/No-show fee \$9\.00 Paid/);
    expect(text).toMatch(/Deposit \$6\.00 Paid/);
    expect(text).toContain(`${w.client.user.firstName} ${w.client.user.lastName}`);
    // Totals over both: $15.00 taken.
    expect(text).toMatch(/Taken \$15\.00/);
    // Filtered to fees only, the deposit is gone.
    const fees = words(await html(await getPage(`/manage/${w.shop.id}/payments?kind=fee`, owner)));
    expect(fees).toContain('No-show fee');
    expect(fees).not.toMatch(/Deposit \$6\.00/);
  });

  it('refunds part of a charge after a confirm step; more than is left is refused in words and nothing is written', async () => {
    const w = await cardShop();
    const paid = await paidBooking(w, 3, '11:00');
    const charge = await chargeOf(paid.id);
    const owner = await signIn(w.owner.user.id);
    const path = `/manage/${w.shop.id}/payments`;
    const before = await html(await getPage(path, owner));
    expect(before).toContain(`name="payment" value="${charge.id}"`);
    expect(before).toContain('value="6.00"'); // the default: all that is left

    const fields = { payment: charge.id, appointment: paid.id, amount: '2.50' };
    const review = await postForm(path, { ...fields, intent: 'review' }, owner);
    expect(review.status).toBe(200);
    expect(words(await html(review))).toMatch(/Refund \$2\.50 of .*deposit\? This cannot be undone\./);
    // Reviewing wrote nothing.
    expect((await testDb().select().from(payments).where(eq(payments.appointmentId, paid.id))).map((p) => p.kind)).toEqual(['deposit']);

    const done = await postForm(path, { ...fields, intent: 'refund' }, owner);
    expect(done.status).toBe(200);
    const after = words(await html(done));
    expect(after).toContain('Refunded $2.50.');
    expect(after).toMatch(/Refund by the shop −\$2\.50 Refunded/);
    expect(after).toContain('$2.50 refunded');
    expect(after).toContain('$3.50 left');

    const tooMuch = await postForm(path, { ...fields, amount: '4.00', intent: 'refund' }, owner);
    expect(tooMuch.status).toBe(422);
    expect(words(await html(tooMuch))).toContain('at most $3.50 can be refunded on this charge');
    const rows = await testDb().select().from(payments).where(eq(payments.appointmentId, paid.id));
    expect(rows.filter((p) => p.kind === 'refund').map((p) => p.amountCents)).toEqual([250]);
    expect((await chargeOf(paid.id)).refundReservedCents).toBe(250);
    // Nonsense amounts are refused in words, not an error page.
    const junk = await postForm(path, { ...fields, amount: 'lots', intent: 'review' }, owner);
    expect(junk.status).toBe(422);
    expect(words(await html(junk))).toContain('Enter an amount like 3.50.');
  });

  it('reads amounts in the currency’s own digits', () => {
    expect(parseAmountInput('6', 'USD')).toBe(600);
    expect(parseAmountInput('6,5', 'USD')).toBe(650);
    expect(parseAmountInput('6.505', 'USD')).toBeNull();
    expect(parseAmountInput('600', 'JPY')).toBe(600);
    expect(parseAmountInput('6.5', 'JPY')).toBeNull();
    expect(parseAmountInput('0', 'USD')).toBeNull();
    expect(parseAmountInput('-3', 'USD')).toBeNull();
    expect(formatAmountInput(350, 'USD')).toBe('3.50');
    expect(formatAmountInput(600, 'JPY')).toBe('600');
    expect(kindText('fee', 'late_cancel_fee')).toBe('Late-cancel fee');
    expect(statusText({ kind: 'fee', status: 'failed', failure_reason: 'insufficient_funds' })).toBe('Failed: insufficient funds');
  });
});


describe('/manage: the shops the signed-in user runs', () => {
  it('one shop goes straight to it; two are listed; none is refused in words with a way home; the account links to it', async () => {
    const db = testDb();
    const a = await createBookingWorld(db);
    const owner = await signIn(a.owner.user.id);
    const one = await getPage('/manage', owner);
    expect(one.status).toBe(302);
    expect(one.headers.get('location')).toBe(`/manage/${a.shop.id}`);
    expect(await html(await getPage('/account', owner))).toContain(`href="/manage/${a.shop.id}"`);

    const b = await createBookingWorld(db);
    await db.insert(memberships).values({ userId: a.owner.user.id, shopId: b.shop.id, role: 'owner' });
    const two = await getPage('/manage', owner);
    expect(two.status).toBe(200);
    const list = await html(two);
    expect(list).toContain(`href="/manage/${a.shop.id}"`);
    expect(list).toContain(`href="/manage/${b.shop.id}"`);

    const barber = await getPage('/manage', await signIn(a.barber.user.id));
    expect(barber.status).toBe(403);
    const text = await html(barber);
    expect(words(text)).toContain('You do not own a shop on BookedBarber');
    expect(text).toContain('href="/"');

    const out = await getPage('/manage');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toMatch(/^\/login/);
  });
});

describe('Stripe (/manage/:shopId/stripe)', () => {
  it('says an unconnected shop is not set up, and the button leads to Stripe onboarding', async () => {
    const w = await createBookingWorld(testDb(), { stripe: false });
    const owner = await signIn(w.owner.user.id);
    const res = await getPage(`/manage/${w.shop.id}/stripe`, owner);
    expect(res.status).toBe(200);
    const text = words(await html(res));
    expect(text).toContain('Payments are not set up.');
    expect(text).toContain('Set up payments');
    const go = await postForm(`/manage/${w.shop.id}/stripe`, {}, owner);
    expect(go.status).toBe(302);
    const [shop] = await testDb().select().from(shops).where(eq(shops.id, w.shop.id));
    expect(shop!.stripeAccountId).toMatch(/^acct_/);
    expect(go.headers.get('location')).toContain(`/connect/onboard/${shop!.stripeAccountId}`);
    // Back on the page: the account exists, onboarding is not finished.
    const after = words(await html(await getPage(`/manage/${w.shop.id}/stripe`, owner)));
    expect(after).toContain('Stripe setup is not finished.');
    expect(after).toContain('Continue setup');
  });

  it('says payments are on for a finished account', async () => {
    const w = await createBookingWorld(testDb(), { stripe: true });
    const text = words(await html(await getPage(`/manage/${w.shop.id}/stripe`, await signIn(w.owner.user.id))));
    expect(text).toContain('Payments are on.');
  });
});

describe('clients (/manage/:shopId/clients)', () => {
  it('finds a client by first and by last name (and without a name, says so), shows visits and no-shows, and adds a note', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const [client] = await db.update(users).set({ firstName: 'Theodora', lastName: 'Quillfeather' }).where(eq(users.id, w.client.user.id)).returning();
    const done = await existingAppointment(db, w, { start: localInstant(w.timezone, -7, '10:00') });
    const missed = await existingAppointment(db, w, { start: localInstant(w.timezone, -3, '10:00') });
    await db.update(appointments).set({ status: 'completed' }).where(eq(appointments.id, done.id));
    await db.update(appointments).set({ status: 'no_show' }).where(eq(appointments.id, missed.id));
    const owner = await signIn(w.owner.user.id);
    const base = `/manage/${w.shop.id}/clients`;

    for (const q of ['theo', 'Quillfeather']) {
      const res = await getPage(`${base}?q=${q}`, owner);
      expect(res.status).toBe(200);
      const page = await html(res);
      expect(page).toContain(`href="${base}/${client!.id}"`);
      expect(page).toContain('aria-live="polite"');
      expect(words(page)).toContain(`1 client matches “${q}”.`);
    }
    expect(words(await html(await getPage(`${base}?q=zzzyxw`, owner)))).toContain('No client matches “zzzyxw”.');
    // The index as a fetcher loads it answers the same search.
    expect(await html(await getPage(`${base}?index&q=theo`, owner))).toContain(`href="${base}/${client!.id}"`);

    const detail = await getPage(`${base}/${client!.id}`, owner);
    expect(detail.status).toBe(200);
    const text = words(await html(detail));
    expect(text).toContain('Theodora Quillfeather');
    expect(text).toMatch(/Visits 1 No-shows 1 Late cancels 0/);
    expect(text).toContain('Visited');
    expect(text).toContain('No-show');
    expect(text).toContain(w.barber.barber.displayName);
    expect(text).toContain(w.short.name);
    if (client!.phoneLast4) expect(text).toContain(`Phone ending ${client!.phoneLast4}`);

    const added = await postForm(`${base}/${client!.id}`, { body: 'Likes a skin fade, talks football' }, owner);
    expect(added.status).toBe(200);
    const withNote = words(await html(added));
    expect(withNote).toContain('Note added.');
    expect(withNote).toContain('Likes a skin fade, talks football');
    const empty = await postForm(`${base}/${client!.id}`, { body: '   ' }, owner);
    expect(empty.status).toBe(422);
    expect(words(await html(empty))).toContain('Write the note first.');
  });
});

describe('failed messages (/manage/:shopId/notifications)', () => {
  it('lists a failed message with the recipient masked, its channel, kind in words and the provider’s error', async () => {
    const w = await createBookingWorld(testDb());
    await testDb().insert(notifications).values({
      dedupeKey: `test:page:${crypto.randomUUID()}`,
      channel: 'sms',
      recipient: '+15555550123',
      template: 'appointment.reminder',
      status: 'failed',
      attempts: 1,
      shopId: w.shop.id,
      lastError: 'permanent: twilio 400 21211 invalid_number: The To number is not valid',
    });
    const res = await getPage(`/manage/${w.shop.id}/notifications`, await signIn(w.owner.user.id));
    expect(res.status).toBe(200);
    const page = await html(res);
    expect(page).toContain('<caption>Failed messages, newest first</caption>');
    const text = words(page);
    expect(text).toMatch(/\*\*\*0123 Text message Reminder Failed for good/);
    expect(text).toContain('twilio 400 21211 invalid_number: The To number is not valid');
    expect(page).not.toContain('5555550123');
  });
});

describe('tenancy of the owner pages', () => {
  it("an owner of another shop gets 404 everywhere and sees nothing of this shop; a barber of it gets 403; signed out goes to sign-in", async () => {
    const db = testDb();
    const a = await cardShop();
    const paid = await paidBooking(a, 4, '10:00');
    const charge = await chargeOf(paid.id);
    await db.insert(notifications).values({
      dedupeKey: `test:tenancy:${crypto.randomUUID()}`,
      channel: 'email',
      recipient: 'victim@example.test',
      template: 'appointment.confirmed',
      status: 'failed',
      attempts: 2,
      shopId: a.shop.id,
      lastError: 'sendgrid 500: secret-victim-error',
    });
    const b = await createBookingWorld(db);
    const stranger = await signIn(b.owner.user.id);
    const barber = await signIn(a.barber.user.id);
    const paths = ['payments', 'stripe', 'clients', `clients?q=${a.client.user.lastName}`, `clients/${a.client.user.id}`, 'notifications'].map(
      (p) => `/manage/${a.shop.id}/${p}`,
    );
    const secrets = [a.shop.name, a.client.user.lastName, a.client.user.email, '$6.00', 'secret-victim-error', a.barber.barber.displayName];
    for (const path of paths) {
      const res = await getPage(path, stranger);
      expect(res.status, path).toBe(404);
      const text = await html(res);
      for (const s of secrets) expect(text, `${path} shows ${s}`).not.toContain(s);
      const staff = await getPage(path, barber);
      expect(staff.status, path).toBe(403);
      expect(words(await html(staff))).toContain("Only the shop's owners run this part of the shop");
      const out = await getPage(path);
      expect(out.status, path).toBe(302);
      expect(out.headers.get('location')).toMatch(/^\/login/);
    }
    // Writes too: no refund, no note, no Stripe account through another shop's pages.
    const refund = await postForm(`/manage/${a.shop.id}/payments`, { payment: charge.id, appointment: paid.id, amount: '1.00', intent: 'refund' }, stranger);
    expect(refund.status).toBe(404);
    // Nor through the stranger's own shop's page.
    const sideways = await postForm(`/manage/${b.shop.id}/payments`, { payment: charge.id, appointment: paid.id, amount: '1.00', intent: 'refund' }, stranger);
    expect(sideways.status).toBe(404);
    const barberRefund = await postForm(`/manage/${a.shop.id}/payments`, { payment: charge.id, appointment: paid.id, amount: '1.00', intent: 'refund' }, barber);
    expect(barberRefund.status).toBe(403);
    expect((await db.select().from(payments).where(eq(payments.appointmentId, paid.id))).map((p) => p.kind)).toEqual(['deposit']);
    const note = await postForm(`/manage/${a.shop.id}/clients/${a.client.user.id}`, { body: 'mole' }, stranger);
    expect(note.status).toBe(404);
    const onboard = await postForm(`/manage/${b.shop.id}/stripe`, {}, barber);
    expect(onboard.status).toBe(404);
    // Another shop's client is not a client of the stranger's shop either.
    expect((await getPage(`/manage/${b.shop.id}/clients/${a.client.user.id}`, stranger)).status).toBe(404);
    expect((await getPage('/manage/not-a-shop/payments', stranger)).status).toBe(404);
  });
});
