/**
 * The owner's back office for money and clients as a browser without JavaScript uses it, through
 * the Worker: payments and refunds, Stripe, clients, failed messages, and /manage itself.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, payments, users } from '../../worker/db/schema';
import { hashPassword } from '../../worker/lib/password';
import { parseAmountInput, formatAmountInput } from '../../app/lib/format';
import { kindText, statusText } from '../../app/routes/manage.$shopId.payments.server';
import { bearer } from './auth';
import { book, createBookingWorld, localInstant } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { postJson, testDb } from './harness';
import { deliver, eventAbout, payIntent } from './stripe';

const password = 'walnut ferry 73 harbour';
type World = Awaited<ReturnType<typeof createBookingWorld>>;

async function signIn(userId: string): Promise<string> {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  const cookie = cookieOf(await postForm('/login', { email: u!.email, password }));
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

