import { describe, expect, it } from 'vitest';
import { payments, type NewPayment } from '../../db/schema';
import { buildPayment } from '../../db/seed/builders';
import { tokenFor } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment, localInstant, newClient } from '../../../tests/worker/booking-world';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { send } from '../../../tests/worker/world';
import type { PaymentTotals } from '../../db/queries/payments';
import type { PaymentView } from '../../services/shop-payments';

type Page = { data: PaymentView[]; next_cursor: string | null; totals: PaymentTotals[] };

const HOUR = 3_600_000;

const list = (shopId: string, token: string | null, query = '') => send('GET', `/api/v1/shops/${shopId}/payments${query}`, token);

async function page(shopId: string, token: string, query = ''): Promise<Page> {
  const res = await list(shopId, token, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

/** Every page of a listing, following next_cursor (with a guard against a cursor that never ends). */
async function allPages(shopId: string, token: string, query: string): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '?';
    pages.push(await page(shopId, token, cursor ? `${query}${sep}cursor=${cursor}` : query));
    cursor = pages[pages.length - 1]!.next_cursor;
  } while (cursor && pages.length < 20);
  return pages;
}

/**
 * A shop with two barbers and three appointments (two clients), and a known mix of payments:
 * charges that succeeded, a refund of one, a fee that failed, an attempt that failed, one
 * disputed charge, and one in another currency — at known instants `base + n h`.
 */
async function ledgerWorld() {
  const db = testDb();
  const w = await createBookingWorld(db, { barbers: 2 });
  const other = await newClient(db);
  const [barberA, barberB] = [w.barbers[0]!, w.barbers[1]!];
  const a1 = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00'), barberId: barberA.barber.id });
  const a2 = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '11:00'), barberId: barberB.barber.id });
  const a3 = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00'), barberId: barberA.barber.id, clientId: other.user.id });
  const base = Date.now() - 30 * 24 * HOUR;
  const at = (h: number) => new Date(base + h * HOUR);
  const row = (appointmentId: string, o: Partial<NewPayment>) => buildPayment({ appointmentId }, { shopId: w.shop.id, ...o });
  // The refund below took 400 of it (the app reserves a refund on its charge: refund_reserved_cents).
  const [dep1] = await db
    .insert(payments)
    .values(row(a1.id, { kind: 'deposit', status: 'succeeded', amountCents: 1000, applicationFeeCents: 80, refundReservedCents: 400, createdAt: at(1) }))
    .returning();
  const [ref1] = await db
    .insert(payments)
    .values(row(a1.id, { kind: 'refund', status: 'succeeded', amountCents: 400, refundOf: dep1!.id, stripePaymentIntentId: null, stripeRefundId: `re_${crypto.randomUUID()}`, reason: 'manual', createdAt: at(2) }))
    .returning();
  const [full1] = await db
    .insert(payments)
    .values(row(a2.id, { kind: 'full', status: 'succeeded', amountCents: 3000, applicationFeeCents: 180, disputeId: 'dp_test', disputeStatus: 'needs_response', createdAt: at(3) }))
    .returning();
  const [fee1] = await db
    .insert(payments)
    .values(row(a1.id, { kind: 'fee', status: 'failed', amountCents: 1500, stripePaymentIntentId: null, failureReason: 'no_card_on_file', reason: 'no_show_fee', createdAt: at(4) }))
    .returning();
  const [dep2] = await db.insert(payments).values(row(a2.id, { kind: 'deposit', status: 'failed', amountCents: 500, failureReason: 'card_declined', createdAt: at(5) })).returning();
  const [eur1] = await db.insert(payments).values(row(a3.id, { kind: 'deposit', status: 'succeeded', amountCents: 2000, currency: 'EUR', applicationFeeCents: 130, createdAt: at(6) })).returning();
  return { w, other, barberA, barberB, a1, a2, a3, base, at, rows: { dep1: dep1!, ref1: ref1!, full1: full1!, fee1: fee1!, dep2: dep2!, eur1: eur1! } };
}

const USD_ALL: PaymentTotals = {
  currency: 'USD',
  captured_cents: 4000,
  refunded_cents: 400,
  net_cents: 3600,
  platform_fee_cents: 260,
  failed_fee_cents: 1500,
  disputed_cents: 3000,
  count: 5,
};
const EUR_ALL: PaymentTotals = {
  currency: 'EUR',
  captured_cents: 2000,
  refunded_cents: 0,
  net_cents: 2000,
  platform_fee_cents: 130,
  failed_fee_cents: 0,
  disputed_cents: 0,
  count: 1,
};

describe('GET /api/v1/shops/{id}/payments', () => {
  it('lists newest first with what the owner needs per row, and totals per currency, in 2 Neon requests', async () => {
    const { w, barberA, barberB, a1, rows } = await ledgerWorld();
    // Another shop's money never shows.
    const elsewhere = await createBookingWorld(testDb());
    const theirs = await existingAppointment(testDb(), elsewhere, { start: localInstant(elsewhere.timezone, 2, '10:00') });
    await testDb().insert(payments).values(buildPayment({ appointmentId: theirs.id }, { shopId: elsewhere.shop.id, amountCents: 9999 }));

    const res = await list(w.shop.id, w.owner.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    // Authorise, then the page and the totals in one statement.
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as Page;
    const { dep1, ref1, full1, fee1, dep2, eur1 } = rows;
    expect(body.data.map((p) => p.id)).toEqual([eur1.id, dep2.id, fee1.id, full1.id, ref1.id, dep1.id]);
    expect(body.next_cursor).toBeNull();
    expect(body.totals).toEqual([EUR_ALL, USD_ALL]);

    const byId = new Map(body.data.map((p) => [p.id, p]));
    expect(byId.get(dep1.id)).toMatchObject({
      appointment_id: a1.id,
      kind: 'deposit',
      status: 'succeeded',
      amount_cents: 1000,
      currency: 'USD',
      application_fee_cents: 80,
      refunded_cents: 400,
      refundable_cents: 600,
      refund_of: null,
      client: { id: w.client.user.id, name: `${w.client.user.firstName} ${w.client.user.lastName}` },
      barber: { id: barberA.barber.id, name: barberA.barber.displayName },
      appointment_start_time: a1.startTime.toISOString(),
      created_at: dep1.createdAt.toISOString(),
    });
    expect(byId.get(ref1.id)).toMatchObject({ kind: 'refund', refund_of: dep1.id, refunded_cents: 0, refundable_cents: 0, reason: 'manual' });
    expect(byId.get(full1.id)).toMatchObject({ refundable_cents: 3000, dispute_status: 'needs_response', barber: { id: barberB.barber.id } });
    expect(byId.get(fee1.id)).toMatchObject({ status: 'failed', refundable_cents: 0, failure_reason: 'no_card_on_file', reason: 'no_show_fee' });
    expect(byId.get(dep2.id)).toMatchObject({ status: 'failed', refundable_cents: 0, failure_reason: 'card_declined' });
  });

  it('filters by kind, status, barber, client, appointment and time — totals follow the filters', async () => {
    const { w, other, barberB, a1, at, rows } = await ledgerWorld();
    const { dep1, ref1, full1, fee1, dep2, eur1 } = rows;
    const ids = (p: Page) => p.data.map((x) => x.id);
    const usd = (p: Page) => p.totals.find((t) => t.currency === 'USD');

    const deposits = await page(w.shop.id, w.owner.token, '?kind=deposit');
    expect(ids(deposits)).toEqual([eur1.id, dep2.id, dep1.id]);
    expect(usd(deposits)).toMatchObject({ captured_cents: 1000, refunded_cents: 0, platform_fee_cents: 80, count: 2 });

    const refunds = await page(w.shop.id, w.owner.token, '?kind=refund');
    expect(ids(refunds)).toEqual([ref1.id]);
    expect(refunds.totals).toEqual([{ ...USD_ALL, captured_cents: 0, refunded_cents: 400, net_cents: -400, platform_fee_cents: 0, failed_fee_cents: 0, disputed_cents: 0, count: 1 }]);

    const succeeded = await page(w.shop.id, w.owner.token, '?status=succeeded');
    expect(ids(succeeded)).toEqual([eur1.id, full1.id, ref1.id, dep1.id]);
    expect(usd(succeeded)).toMatchObject({ captured_cents: 4000, refunded_cents: 400, net_cents: 3600, failed_fee_cents: 0, count: 3 });

    const failed = await page(w.shop.id, w.owner.token, '?status=failed');
    expect(ids(failed)).toEqual([dep2.id, fee1.id]);
    expect(failed.totals).toEqual([{ ...USD_ALL, captured_cents: 0, refunded_cents: 0, net_cents: 0, platform_fee_cents: 0, failed_fee_cents: 1500, disputed_cents: 0, count: 2 }]);

    const ofB = await page(w.shop.id, w.owner.token, `?barber_id=${barberB.barber.id}`);
    expect(ids(ofB)).toEqual([dep2.id, full1.id]);
    expect(ofB.totals).toEqual([{ ...USD_ALL, captured_cents: 3000, refunded_cents: 0, net_cents: 3000, platform_fee_cents: 180, failed_fee_cents: 0, disputed_cents: 3000, count: 2 }]);

    expect(ids(await page(w.shop.id, w.owner.token, `?client_id=${other.user.id}`))).toEqual([eur1.id]);
    expect(ids(await page(w.shop.id, w.owner.token, `?appointment_id=${a1.id}`))).toEqual([fee1.id, ref1.id, dep1.id]);

    // [from, to): made at or after `from`, before `to`.
    const window = await page(w.shop.id, w.owner.token, `?from=${at(2).toISOString()}&to=${at(5).toISOString()}`);
    expect(ids(window)).toEqual([fee1.id, full1.id, ref1.id]);
    expect(window.totals).toEqual([{ ...USD_ALL, captured_cents: 3000, refunded_cents: 400, net_cents: 2600, platform_fee_cents: 180, count: 3 }]);

    // Filters combine.
    const combined = await page(w.shop.id, w.owner.token, `?kind=deposit&status=succeeded&to=${at(6).toISOString()}`);
    expect(ids(combined)).toEqual([dep1.id]);
    expect(combined.totals).toEqual([{ ...USD_ALL, captured_cents: 1000, refunded_cents: 0, net_cents: 1000, platform_fee_cents: 80, failed_fee_cents: 0, disputed_cents: 0, count: 1 }]);
    const nothing = await page(w.shop.id, w.owner.token, `?from=${at(100).toISOString()}`);
    expect(nothing).toEqual({ data: [], next_cursor: null, totals: [] });
  });

  it('pages by cursor; every page carries the totals over all matching rows, not just its own', async () => {
    const { w, rows } = await ledgerWorld();
    const { dep1, ref1, full1, fee1, dep2, eur1 } = rows;
    const pages = await allPages(w.shop.id, w.owner.token, '?limit=2');
    expect(pages.map((p) => p.data.map((x) => x.id))).toEqual([
      [eur1.id, dep2.id],
      [fee1.id, full1.id],
      [ref1.id, dep1.id],
    ]);
    expect(pages.map((p) => p.next_cursor === null)).toEqual([false, false, true]);
    for (const p of pages) expect(p.totals).toEqual([EUR_ALL, USD_ALL]);
    // Filtered paging keeps the filter's totals.
    const usdDeposits = await allPages(w.shop.id, w.owner.token, '?kind=deposit&limit=1');
    expect(usdDeposits.map((p) => p.data.map((x) => x.id))).toEqual([[eur1.id], [dep2.id], [dep1.id]]);
    for (const p of usdDeposits) expect(p.totals.map((t) => t.count)).toEqual([1, 2]);
  });

  it('pages exactly once over rows the database timestamped itself (microseconds, same instant)', async () => {
    // Rows the API writes (refunds, webhook payments) take created_at from now(): microsecond
    // precision, and rows of one statement share the instant. Paging must neither repeat nor skip.
    const db = testDb();
    const w = await createBookingWorld(db);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const row = () => buildPayment({ appointmentId: appt.id }, { shopId: w.shop.id });
    const one = await db.insert(payments).values(row()).returning();
    const two = await db.insert(payments).values(row()).returning();
    const batch = await db.insert(payments).values([row(), row(), row()]).returning();
    const expected = [...one, ...two, ...batch].map((p) => p.id).sort();

    const pages = await allPages(w.shop.id, w.owner.token, '?limit=2');
    const seen = pages.flatMap((p) => p.data.map((x) => x.id));
    expect(pages.length).toBeLessThan(20);
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual(expected);
    expect(pages[pages.length - 1]!.next_cursor).toBeNull();
  });

  it('is for owners only: 401 without a token, 403 for its barber, a client, another shop', async () => {
    const { w } = await ledgerWorld();
    const anonymous = await list(w.shop.id, null);
    expect(anonymous.status).toBe(401);
    const barber = await list(w.shop.id, w.barber.token);
    expect(barber.status).toBe(403);
    expect((await problemOf(barber)).code).toBe('forbidden');
    expect((await list(w.shop.id, w.client.token)).status).toBe(403);
    const otherShop = await createBookingWorld(testDb());
    expect([403, 404]).toContain((await list(w.shop.id, otherShop.owner.token)).status);
    expect([403, 404]).toContain((await list(w.shop.id, otherShop.barber.token)).status);
    expect([403, 404]).toContain((await list(crypto.randomUUID(), w.owner.token)).status);
    // A platform admin is not needed for this; the owner's own token of another role is not enough.
    expect((await list(w.shop.id, await tokenFor(w.barber.user.id))).status).toBe(403);
  });

  it('rejects a forged cursor, a bad limit and unknown filter values with 422', async () => {
    const { w } = await ledgerWorld();
    const forged = await list(w.shop.id, w.owner.token, '?cursor=abc');
    expect(forged.status).toBe(422);
    expect((await problemOf(forged)).errors?.[0]?.path).toBe('query.cursor');
    const wrongShape = await list(w.shop.id, w.owner.token, `?cursor=${btoa(JSON.stringify(['x', 'y'])).replace(/=+$/, '')}`);
    expect(wrongShape.status).toBe(422);
    expect((await list(w.shop.id, w.owner.token, '?limit=0')).status).toBe(422);
    expect((await list(w.shop.id, w.owner.token, '?limit=101')).status).toBe(422);
    expect((await list(w.shop.id, w.owner.token, '?kind=tip')).status).toBe(422);
    expect((await list(w.shop.id, w.owner.token, '?status=lost')).status).toBe(422);
    expect((await list(w.shop.id, w.owner.token, '?barber_id=nope')).status).toBe(422);
    expect((await list(w.shop.id, w.owner.token, '?from=yesterday')).status).toBe(422);
  });
});
