/**
 * Money after the booking, end to end through Stripe (the stand-in): a deposit paid with the card
 * saved, then a cancellation outside or inside the window, or a no-show — each must leave exactly
 * the refund and fee rows the policy says, in the shop's currency, and the same at Stripe.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, notifications, payments, stripeCustomers } from '../../db/schema';
import { platformFee } from '../../domain/payments';
import { handleScheduled } from '../../scheduled';
import { env } from 'cloudflare:test';
import { bearer } from '../../../tests/worker/auth';
import { book, createBookingWorld, localInstant } from '../../../tests/worker/booking-world';
import { call, eventually, neonRequests, postJson, testDb } from '../../../tests/worker/harness';
import { deliver, eventAbout, payIntent, stripe } from '../../../tests/worker/stripe';

const FEE = { bps: 500, fixedCents: 30 };
type World = Awaited<ReturnType<typeof createBookingWorld>>;
type Movement = { kind: string; status: string; amount_cents: number; failure_reason: string | null };
type Settled = { appointment: { status: string; paid_cents: number; refunded_cents: number; owed_cents: number; currency: string }; movements: Movement[] };

/** Books, pays the deposit (saving the card, as a card-on-file shop asks) and confirms through the webhook. */
async function paidBooking(w: World, daysAhead: number, clock: string) {
  const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, daysAhead, clock).toISOString() });
  expect(res.status).toBe(201);
  const held = (await res.json()) as { id: string; payment: { payment_intent_id: string; amount: number } };
  await payIntent(held.payment.payment_intent_id);
  const confirmed = await deliver(await eventAbout('payment_intent.succeeded', held.payment.payment_intent_id));
  expect(((await confirmed.json()) as { outcome: string }).outcome).toBe('confirmed');
  return { id: held.id, intentId: held.payment.payment_intent_id, deposit: held.payment.amount };
}

const rows = async (appointmentId: string) =>
  (await testDb().select().from(payments).where(eq(payments.appointmentId, appointmentId))).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
const money = (r: { kind: string; status: string; amountCents: number; currency: string; reason: string | null }) => [r.kind, r.status, r.amountCents, r.currency, r.reason];
/** The client was told (the consumer recorded the message under this key). */
const told = (dedupeKey: string) =>
  eventually(async () => {
    const rows = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    return rows.length === 1 ? rows[0] : undefined;
  });
const cancel = (id: string, token: string) => postJson(`/api/v1/appointments/${id}/cancel`, {}, bearer(token));

/** Moves a confirmed appointment into the past (so it can be marked a no-show). */
async function startedAlready(id: string) {
  await testDb()
    .update(appointments)
    .set({ startTime: new Date(Date.now() - 20 * 60_000), endTime: new Date(Date.now() + 10 * 60_000) })
    .where(eq(appointments.id, id));
}

const cardShop = (policy: Record<string, unknown>, currency?: string) =>
  createBookingWorld(testDb(), {
    policy: { deposit: { kind: 'percent', value: 20 }, card_on_file: true, cancel_window_hours: 48, ...policy },
    ...(currency ? { currency } : {}),
  });

describe('money after the booking', () => {
  it('the deposit saves the card on file', async () => {
    const w = await cardShop({});
    await paidBooking(w, 5, '10:00');
    const [card] = await testDb().select().from(stripeCustomers).where(eq(stripeCustomers.userId, w.client.user.id));
    expect(card).toMatchObject({ cardBrand: 'visa', cardLast4: '4242' });
    expect(card!.paymentMethodId).toMatch(/^pm_/);
    // The next hold uses the same customer, found by the booking statement itself: 2 Neon requests.
    const next = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 5, '14:00').toISOString() });
    expect(neonRequests(next)).toBe(2);
    const intent = await stripe().paymentIntents.retrieve(((await next.json()) as { payment: { payment_intent_id: string } }).payment.payment_intent_id);
    expect(intent.customer).toBe(card!.customerId);
    expect(intent.setup_future_usage).toBe('off_session');
  });

  it('cancel outside the window: the deposit comes back, exactly, from the charge (and at Stripe)', async () => {
    const w = await cardShop({ late_cancel_fee: { kind: 'fixed', value: 1500 } });
    const paid = await paidBooking(w, 5, '10:00');
    const res = await cancel(paid.id, w.client.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Settled;
    expect(body.movements).toEqual([expect.objectContaining({ kind: 'refund', status: 'succeeded', amount_cents: 600 })]);
    expect(body.appointment).toMatchObject({ status: 'cancelled', paid_cents: 600, refunded_cents: 600, owed_cents: 0 });
    const all = await rows(paid.id);
    expect(all.map(money)).toEqual([
      ['deposit', 'succeeded', 600, 'USD', 'deposit'],
      ['refund', 'succeeded', 600, 'USD', 'cancel_refund'],
    ]);
    expect(all[1]!.refundOf).toBe(all[0]!.id);
    // The deposit's receipt, then the refund, each told once.
    expect((await told(`payment:${paid.intentId}:receipt`))!.template).toBe('payment.receipt');
    expect(await told(`payment:${all[1]!.id}:refunded`)).toMatchObject({ template: 'payment.refunded', recipient: w.client.user.email });
    const atStripe = await stripe().refunds.list({ payment_intent: paid.intentId });
    expect(atStripe.data.map((r) => r.amount)).toEqual([600]);
    expect(await testDb().select({ paid: appointments.paidCents, refunded: appointments.refundedCents }).from(appointments).where(eq(appointments.id, paid.id))).toEqual([
      { paid: 600, refunded: 600 },
    ]);
  });

  it('cancel inside the window: the late fee — the deposit counts towards it, the rest is charged off-session to the card on file', async () => {
    const w = await cardShop({ late_cancel_fee: { kind: 'fixed', value: 1500 } });
    const paid = await paidBooking(w, 1, '15:00');
    const body = (await (await cancel(paid.id, w.client.token)).json()) as Settled;
    expect(body.movements).toEqual([expect.objectContaining({ kind: 'fee', status: 'succeeded', amount_cents: 900 })]);
    expect(body.appointment).toMatchObject({ status: 'cancelled', paid_cents: 1500, refunded_cents: 0, owed_cents: 0 });
    const all = await rows(paid.id);
    expect(all.map(money)).toEqual([
      ['deposit', 'succeeded', 600, 'USD', 'deposit'],
      ['fee', 'succeeded', 900, 'USD', 'late_cancel_fee'],
    ]);
    expect((await told(`payment:${all[1]!.id}:fee_charged`))!.template).toBe('payment.fee_charged');
    const fee = await stripe().paymentIntents.retrieve(all[1]!.stripePaymentIntentId!);
    expect(fee).toMatchObject({ amount: 900, currency: 'usd', status: 'succeeded', application_fee_amount: platformFee(900, FEE) });
    expect(fee.transfer_data?.destination).toBe(w.stripeAccountId);
    expect(all[1]!.applicationFeeCents).toBe(platformFee(900, FEE));
  });

  it('cancel inside the window with no fee: the deposit is kept — no movement at all', async () => {
    const w = await cardShop({});
    const paid = await paidBooking(w, 1, '11:00');
    const body = (await (await cancel(paid.id, w.client.token)).json()) as Settled;
    expect(body.movements).toEqual([]);
    expect(body.appointment).toMatchObject({ paid_cents: 600, refunded_cents: 0, owed_cents: 0 });
    expect((await rows(paid.id)).map(money)).toEqual([['deposit', 'succeeded', 600, 'USD', 'deposit']]);
  });

  it('the shop cancelling inside the window refunds the deposit all the same', async () => {
    const w = await cardShop({ late_cancel_fee: { kind: 'fixed', value: 1500 } });
    const paid = await paidBooking(w, 1, '12:00');
    const body = (await (await cancel(paid.id, w.barber.token)).json()) as Settled;
    expect(body.movements).toEqual([expect.objectContaining({ kind: 'refund', status: 'succeeded', amount_cents: 600 })]);
    expect((await rows(paid.id)).map(money)[1]).toEqual(['refund', 'succeeded', 600, 'USD', 'shop_cancelled']);
  });

  it('a no-show pays the no-show fee, the deposit counted, the rest charged to the card', async () => {
    const w = await cardShop({ no_show_fee: { kind: 'percent', value: 50 } });
    const paid = await paidBooking(w, 2, '10:00');
    await startedAlready(paid.id);
    const res = await postJson(`/api/v1/appointments/${paid.id}/no-show`, {}, bearer(w.barber.token));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Settled;
    expect(body.movements).toEqual([expect.objectContaining({ kind: 'fee', status: 'succeeded', amount_cents: 900 })]);
    expect((await rows(paid.id)).map(money)).toEqual([
      ['deposit', 'succeeded', 600, 'USD', 'deposit'],
      ['fee', 'succeeded', 900, 'USD', 'no_show_fee'],
    ]);
  });

  it('a declined no-show fee is recorded and shown to the owner — and never retried', async () => {
    const w = await cardShop({ no_show_fee: { kind: 'full', value: 0 } });
    const paid = await paidBooking(w, 2, '11:00');
    const [card] = await testDb().select().from(stripeCustomers).where(eq(stripeCustomers.userId, w.client.user.id));
    await stripe().rawRequest('POST', `/__test/payment_methods/${card!.paymentMethodId}`, { decline_code: 'insufficient_funds' });
    await startedAlready(paid.id);
    const body = (await (await postJson(`/api/v1/appointments/${paid.id}/no-show`, {}, bearer(w.owner.token))).json()) as Settled;
    expect(body.movements).toEqual([expect.objectContaining({ kind: 'fee', status: 'failed', amount_cents: 2400, failure_reason: 'insufficient_funds' })]);
    expect(body.appointment).toMatchObject({ status: 'no_show', paid_cents: 600, owed_cents: 2400 });
    const list = (await (await call(`/api/v1/shops/${w.shop.id}/payments?kind=fee`, { headers: bearer(w.owner.token) })).json()) as {
      data: { status: string; failure_reason: string }[];
      totals: { failed_fee_cents: number }[];
    };
    expect(list.data).toEqual([expect.objectContaining({ status: 'failed', failure_reason: 'insufficient_funds' })]);
    expect(list.totals[0]!.failed_fee_cents).toBe(2400);
    const [feeRow] = (await rows(paid.id)).filter((r) => r.kind === 'fee');
    expect((await told(`payment:${feeRow!.id}:fee_failed`))!.template).toBe('payment.fee_failed');
    // The cron's sweep leaves a decline alone: one attempt at Stripe, however often it runs.
    const attempts = async () => (await stripe().paymentIntents.list({ customer: card!.customerId, limit: 100 })).data.filter((pi) => pi.metadata.purpose === 'fee');
    expect(await attempts()).toHaveLength(1);
    await handleScheduled({ cron: '*/5 * * * *', scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env);
    await handleScheduled({ cron: '*/5 * * * *', scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env);
    expect(await attempts()).toHaveLength(1);
    const [fee] = (await rows(paid.id)).filter((r) => r.kind === 'fee');
    expect(fee).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('in minor units of the shop’s currency: yen have none, pounds have pence', async () => {
    const yen = await cardShop({}, 'JPY');
    const paidYen = await paidBooking(yen, 5, '10:00');
    expect(paidYen.deposit).toBe(600); // 20 % of ¥3000
    expect((await stripe().paymentIntents.retrieve(paidYen.intentId)).currency).toBe('jpy');
    const refunded = (await (await cancel(paidYen.id, yen.client.token)).json()) as Settled;
    expect(refunded.appointment.currency).toBe('JPY');
    expect((await rows(paidYen.id)).map(money)).toEqual([
      ['deposit', 'succeeded', 600, 'JPY', 'deposit'],
      ['refund', 'succeeded', 600, 'JPY', 'cancel_refund'],
    ]);

    const pounds = await cardShop({ no_show_fee: { kind: 'fixed', value: 2000 } }, 'GBP');
    const paidGbp = await paidBooking(pounds, 2, '10:00');
    await startedAlready(paidGbp.id);
    await postJson(`/api/v1/appointments/${paidGbp.id}/no-show`, {}, bearer(pounds.barber.token));
    expect((await rows(paidGbp.id)).map(money)).toEqual([
      ['deposit', 'succeeded', 600, 'GBP', 'deposit'],
      ['fee', 'succeeded', 1400, 'GBP', 'no_show_fee'],
    ]);
  });
});
