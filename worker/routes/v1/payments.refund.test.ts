import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, payments } from '../../db/schema';
import { buildPayment } from '../../db/seed/builders';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, neonRequests, postJson, problemOf, testDb } from '../../../tests/worker/harness';
import { stripe } from '../../../tests/worker/stripe';
import type { PaymentView } from '../../services/shop-payments';

type World = Awaited<ReturnType<typeof createBookingWorld>>;

const refund = (paymentId: string, token: string | null, body?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  body === undefined
    ? call(`/api/v1/payments/${paymentId}/refund`, { method: 'POST', headers: { ...(token ? bearer(token) : {}), ...headers } })
    : postJson(`/api/v1/payments/${paymentId}/refund`, body, { ...(token ? bearer(token) : {}), ...headers });

/** A shop with a finished Stripe account and one appointment with a real, paid destination charge of `paidCents`. */
async function paidWorld(paidCents = 2000, clock = '10:00') {
  const db = testDb();
  const w = await createBookingWorld(db, { stripe: true });
  const appointment = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, clock), paidCents, priceCents: 3000 });
  const [charge] = await db.select().from(payments).where(eq(payments.appointmentId, appointment.id));
  return { w, appointment, charge: charge! };
}

async function rowsOf(appointmentId: string) {
  return testDb().select().from(payments).where(eq(payments.appointmentId, appointmentId));
}

async function appointmentMoney(w: World, appointmentId: string) {
  const res = await call(`/api/v1/appointments/${appointmentId}`, { headers: bearer(w.owner.token) });
  expect(res.status).toBe(200);
  return (await res.json()) as { paid_cents: number; refunded_cents: number; owed_cents: number };
}

describe('POST /api/v1/payments/{id}/refund', () => {
  it('refunds part of a charge, then the rest; each reaches Stripe with the transfer reversed', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    const pi = charge.stripePaymentIntentId!;

    const first = await refund(charge.id, w.owner.token, { amount_cents: 500, note: 'Goodwill' });
    expect(first.status, await first.clone().text()).toBe(201);
    // The refund recorded (role and amount checked in the same statement), then what Stripe said.
    expect(neonRequests(first)).toBe(3);
    const part = (await first.json()) as PaymentView;
    expect(part).toMatchObject({
      appointment_id: appointment.id,
      kind: 'refund',
      status: 'succeeded',
      amount_cents: 500,
      currency: 'USD',
      refund_of: charge.id,
      reason: 'manual',
      refundable_cents: 0,
    });
    expect(part.stripe_refund_id).toMatch(/^re_/);

    const atStripe = (await stripe().refunds.list({ payment_intent: pi })).data;
    expect(atStripe).toHaveLength(1);
    expect(atStripe[0]).toMatchObject({ id: part.stripe_refund_id, amount: 500, status: 'succeeded', metadata: { payment_id: part.id } });
    // A destination charge: the shop gives back what it received.
    expect(atStripe[0]!.transfer_reversal).toMatch(/^trr_/);
    expect(await appointmentMoney(w, appointment.id)).toMatchObject({ paid_cents: 2000, refunded_cents: 500 });
    const [audit] = await testDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, charge.id), eq(auditLog.action, 'payment.refund_requested')));
    expect(audit).toMatchObject({ shopId: w.shop.id, actorId: w.owner.user.id });
    expect(audit!.data).toMatchObject({ refund: part.id, amount_cents: 500, note: 'Goodwill' });

    // No amount: everything that is left.
    const second = await refund(charge.id, w.owner.token);
    expect(second.status, await second.clone().text()).toBe(201);
    const rest = (await second.json()) as PaymentView;
    expect(rest).toMatchObject({ kind: 'refund', status: 'succeeded', amount_cents: 1500, refund_of: charge.id });
    const both = (await stripe().refunds.list({ payment_intent: pi })).data;
    expect(both.map((r) => r.amount).sort()).toEqual([1500, 500]);
    expect(both.every((r) => typeof r.transfer_reversal === 'string')).toBe(true);
    const paid = await stripe().paymentIntents.retrieve(pi, { expand: ['latest_charge'] });
    expect((paid.latest_charge as { amount_refunded: number }).amount_refunded).toBe(2000);
    expect(await appointmentMoney(w, appointment.id)).toMatchObject({ paid_cents: 2000, refunded_cents: 2000 });

    // The charge as the owner's list shows it now.
    const listed = (await (await call(`/api/v1/shops/${w.shop.id}/payments?kind=deposit`, { headers: bearer(w.owner.token) })).json()) as {
      data: PaymentView[];
    };
    expect(listed.data.find((p) => p.id === charge.id)).toMatchObject({ refunded_cents: 2000, refundable_cents: 0 });
  });

  it('refuses more than is left (422 naming what is left) and writes nothing', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    expect((await refund(charge.id, w.owner.token, { amount_cents: 800 })).status).toBe(201);
    const rowsBefore = await rowsOf(appointment.id);
    const auditBefore = await testDb().select().from(auditLog).where(eq(auditLog.shopId, w.shop.id));

    const res = await refund(charge.id, w.owner.token, { amount_cents: 1500 });
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('unprocessable');
    expect(problem.reason).toBe('exceeds_refundable');
    expect(problem.detail).toContain('1200');
    expect(problem.errors?.[0]?.path).toBe('json.amount_cents');

    // Nothing recorded, nothing sent.
    expect(await rowsOf(appointment.id)).toEqual(rowsBefore);
    expect(await testDb().select().from(auditLog).where(eq(auditLog.shopId, w.shop.id))).toEqual(auditBefore);
    expect((await stripe().refunds.list({ payment_intent: charge.stripePaymentIntentId! })).data).toHaveLength(1);
    expect(await appointmentMoney(w, appointment.id)).toMatchObject({ refunded_cents: 800 });

    // Exactly what is left is fine.
    expect((await refund(charge.id, w.owner.token, { amount_cents: 1200 })).status).toBe(201);
    // And with nothing left, nothing more.
    const empty = await refund(charge.id, w.owner.token, { amount_cents: 1 });
    expect(empty.status).toBe(422);
    expect((await problemOf(empty)).reason).toBe('exceeds_refundable');
  });

  it('validates the amount: zero, negative and fractional amounts are 422', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    for (const amount_cents of [0, -100, 12.5, '500']) {
      const res = await refund(charge.id, w.owner.token, { amount_cents });
      expect(res.status, `amount_cents ${amount_cents}`).toBe(422);
      expect((await problemOf(res)).code).toBe('validation_failed');
    }
    expect(await rowsOf(appointment.id)).toHaveLength(1);
  });

  it('concurrent refunds of the whole remainder: exactly one succeeds, the money moves once', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    // Someone else is busy with the charge row (a webhook, another refund) while the refunds come
    // in, so every one of them is in flight at once and waits for the row — not merely queued.
    // (Promise.resolve starts it now: drizzle queries run only when awaited.)
    const busy = Promise.resolve(testDb().execute(sql`WITH l AS (SELECT id FROM payments WHERE id = ${charge.id} FOR UPDATE) SELECT pg_sleep(0.5) FROM l`));
    await new Promise((r) => setTimeout(r, 100));
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => (i % 2 ? refund(charge.id, w.owner.token, { amount_cents: 2000 }) : refund(charge.id, w.owner.token))),
    );
    await busy;
    // Never more recorded than the charge: one refund row of the whole amount.
    const refunds = (await rowsOf(appointment.id)).filter((p) => p.kind === 'refund');
    expect(refunds.map((r) => `${r.amountCents} ${r.status}`)).toEqual(['2000 succeeded']);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 422)).toBe(true);
    expect((await stripe().refunds.list({ payment_intent: charge.stripePaymentIntentId! })).data).toHaveLength(1);
    expect(await appointmentMoney(w, appointment.id)).toMatchObject({ refunded_cents: 2000 });
  });

  it('replays the same refund for a retried Idempotency-Key', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    const key = { 'idempotency-key': `refund-${crypto.randomUUID()}` };
    const first = await refund(charge.id, w.owner.token, { amount_cents: 300 }, key);
    expect(first.status).toBe(201);
    const again = await refund(charge.id, w.owner.token, { amount_cents: 300 }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect((await rowsOf(appointment.id)).filter((p) => p.kind === 'refund')).toHaveLength(1);
    expect((await stripe().refunds.list({ payment_intent: charge.stripePaymentIntentId! })).data).toHaveLength(1);
    // The same key for a different request is refused.
    const other = await refund(charge.id, w.owner.token, { amount_cents: 301 }, key);
    expect(other.status).toBe(422);
    expect((await problemOf(other)).code).toBe('idempotency_conflict');
    expect(await appointmentMoney(w, appointment.id)).toMatchObject({ refunded_cents: 300 });
  });

  it('is for owners only: 401 without a token, 403 for its barber, the client, another shop', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    const before = await rowsOf(appointment.id);
    expect((await refund(charge.id, null, { amount_cents: 100 })).status).toBe(401);
    const barber = await refund(charge.id, w.barber.token, { amount_cents: 100 });
    expect(barber.status).toBe(403);
    expect((await problemOf(barber)).code).toBe('forbidden');
    // The client who paid cannot refund themselves either.
    expect((await refund(charge.id, w.client.token, { amount_cents: 100 })).status).toBe(403);
    const otherShop = await createBookingWorld(testDb());
    expect([403, 404]).toContain((await refund(charge.id, otherShop.owner.token, { amount_cents: 100 })).status);
    expect([403, 404]).toContain((await refund(charge.id, otherShop.barber.token)).status);
    expect([403, 404]).toContain((await refund(charge.id, (await newClient(testDb())).token)).status);
    expect(await rowsOf(appointment.id)).toEqual(before);
    expect((await stripe().refunds.list({ payment_intent: charge.stripePaymentIntentId! })).data).toHaveLength(0);
  });

  it('only a charge that succeeded can be refunded: a refund row or a failed charge is 409, an unknown id 404', async () => {
    const { w, appointment, charge } = await paidWorld(2000);
    const made = (await (await refund(charge.id, w.owner.token, { amount_cents: 500 })).json()) as PaymentView;
    const ofRefund = await refund(made.id, w.owner.token, { amount_cents: 100 });
    expect(ofRefund.status).toBe(409);
    const problem = await problemOf(ofRefund);
    expect(problem.code).toBe('conflict');
    expect(problem.reason).toBe('not_refundable');
    expect((await refund(made.id, w.owner.token)).status).toBe(409);

    const [failed] = await testDb()
      .insert(payments)
      .values(buildPayment({ appointmentId: appointment.id }, { shopId: w.shop.id, kind: 'deposit', status: 'failed', amountCents: 900 }))
      .returning();
    const res = await refund(failed!.id, w.owner.token);
    expect(res.status).toBe(409);
    expect((await problemOf(res)).reason).toBe('not_refundable');

    const unknown = await refund(crypto.randomUUID(), w.owner.token);
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).code).toBe('not_found');
    expect((await rowsOf(appointment.id)).filter((p) => p.kind === 'refund')).toHaveLength(1);
  });
});
