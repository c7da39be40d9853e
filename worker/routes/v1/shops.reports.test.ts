import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, payments, timeOff, users, workingHours, type NewAppointment, type NewPayment } from '../../db/schema';
import { buildAppointment, buildPayment } from '../../db/seed/builders';
import type { Report } from '../../domain/reports';
import { tokenFor } from '../../../tests/worker/auth';
import { createBookingWorld, newClient } from '../../../tests/worker/booking-world';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { send } from '../../../tests/worker/world';
import { wantsCsv } from './shops.reports';

const report = (shopId: string, token: string | null, query: string, headers: Record<string, string> = {}) =>
  send('GET', `/api/v1/shops/${shopId}/reports${query}`, token, undefined, headers);

const RANGE = '?from=2025-10-31&to=2025-11-03';

/**
 * A New York shop over Fri 31 Oct – Mon 3 Nov 2025, the weekend the clocks go back (Sun 2 Nov,
 * 02:00 EDT → 01:00 EST, at 06:00Z). Every instant below is written in UTC with its wall time.
 *
 * Barber A works every day 09:00-12:00 and 13:00-17:00 (420 min), off Sat 13:00-14:00 EDT.
 * Barber B works Sundays 00:00-04:00 only — five real hours on fall-back day — and is off
 * 03:00-05:00 EST that Sunday (08:00-10:00Z), of which 08:00-09:00Z is working time.
 */
async function fixture() {
  const db = testDb();
  const w = await createBookingWorld(db, { barbers: 2, hours: ['09:00-12:00', '13:00-17:00'], policy: { cancel_window_hours: 24 } });
  const A = w.barbers[0]!.barber;
  const B = w.barbers[1]!.barber;
  await db.delete(workingHours).where(eq(workingHours.barberId, B.id));
  await db.insert(workingHours).values({ barberId: B.id, weekday: 0, startMinute: 0, endMinute: 240 });
  await db.insert(timeOff).values([
    { barberId: A.id, startsAt: new Date('2025-11-01T17:00:00Z'), endsAt: new Date('2025-11-01T18:00:00Z') },
    { barberId: B.id, startsAt: new Date('2025-11-02T08:00:00Z'), endsAt: new Date('2025-11-02T10:00:00Z') },
  ]);
  const [c1, c2, c3, c4, c5] = [await newClient(db), await newClient(db), await newClient(db), await newClient(db), await newClient(db)];

  const appt = async (barberId: string, clientId: string, start: string, o: Partial<NewAppointment> & { durationMin?: number } = {}) => {
    const long = o.durationMin === 60;
    const [row] = await db
      .insert(appointments)
      .values(
        buildAppointment(
          { shopId: w.shop.id, barberId, clientId, serviceId: long ? w.long.id : w.short.id },
          { startTime: new Date(start), priceCents: long ? 5000 : 3000, status: 'completed', ...o },
        ),
      )
      .returning();
    return row!;
  };
  const pay = async (appointmentId: string, createdAt: string, o: Partial<NewPayment>) => {
    const [row] = await db
      .insert(payments)
      .values(buildPayment({ appointmentId }, { shopId: w.shop.id, status: 'succeeded', createdAt: new Date(createdAt), ...o }))
      .returning();
    return row!;
  };

  // In the range.
  const ap1 = await appt(A.id, c1.user.id, '2025-10-31T14:00:00Z'); // Fri 10:00 EDT, completed
  const ap2 = await appt(A.id, c2.user.id, '2025-11-01T15:00:00Z', { status: 'no_show', depositCents: 1000, settlement: 'no_show_fee', feeCents: 1500 }); // Sat 11:00 EDT
  const ap3 = await appt(A.id, c3.user.id, '2025-11-02T15:00:00Z', { durationMin: 60, source: 'staff' }); // Sun 10:00 EST, 60 min
  const ap4 = await appt(A.id, c4.user.id, '2025-11-03T19:00:00Z', {
    status: 'cancelled',
    cancelledBy: c4.user.id,
    cancelledAt: new Date('2025-11-03T13:00:00Z'), // six hours before: late
    cancelReason: 'client_cancelled',
    settlement: 'late_fee',
    feeCents: 1500,
  }); // Mon 14:00 EST
  await appt(A.id, c1.user.id, '2025-11-03T20:00:00Z', {
    status: 'cancelled',
    cancelledBy: c1.user.id,
    cancelledAt: new Date('2025-10-20T12:00:00Z'), // two weeks before: early
    cancelReason: 'client_cancelled',
    settlement: 'none',
  }); // Mon 15:00 EST
  await appt(A.id, c5.user.id, '2025-11-03T21:00:00Z', { source: 'walk_in' }); // Mon 16:00 EST, completed walk-in
  await appt(B.id, c2.user.id, '2025-11-02T05:30:00Z'); // Sun 01:30 EDT (first pass), completed
  await appt(B.id, c3.user.id, '2025-11-02T06:30:00Z', { status: 'confirmed' }); // Sun 01:30 EST (second pass), never marked
  // A hold that lapsed inside the window, and a cancellation by the shop inside it: neither is late.
  await appt(A.id, c1.user.id, '2025-11-03T15:00:00Z', { status: 'cancelled', cancelReason: 'hold_expired', cancelledAt: new Date('2025-11-03T14:55:00Z') });
  await appt(A.id, c4.user.id, '2025-11-03T16:00:00Z', {
    status: 'cancelled',
    cancelledBy: w.owner.user.id,
    cancelledAt: new Date('2025-11-03T15:00:00Z'),
    cancelReason: 'shop_cancelled',
    settlement: 'none',
  });
  // Outside the range: c1's first visit (so c1 is returning) and c2's next one.
  const ap9 = await appt(A.id, c1.user.id, '2025-10-01T14:00:00Z');
  const ap10 = await appt(A.id, c2.user.id, '2025-11-04T15:00:00Z');

  // Money.
  const p1 = await pay(ap1.id, '2025-10-31T14:30:00Z', { kind: 'full', amountCents: 3000, applicationFeeCents: 150, refundReservedCents: 300 });
  await pay(ap2.id, '2025-11-01T03:30:00Z', { kind: 'deposit', amountCents: 1000, applicationFeeCents: 50 }); // Fri 23:30 EDT: counts on the 31st
  await pay(ap2.id, '2025-11-01T16:00:00Z', { kind: 'fee', reason: 'no_show_fee', amountCents: 500, applicationFeeCents: 25 });
  const p4 = await pay(ap3.id, '2025-11-02T14:00:00Z', { kind: 'full', amountCents: 5000, applicationFeeCents: 250, refundReservedCents: 2000 });
  await pay(ap3.id, '2025-11-03T15:00:00Z', { kind: 'refund', reason: 'manual', amountCents: 2000, refundOf: p4.id, stripePaymentIntentId: null, stripeRefundId: `re_${crypto.randomUUID()}` });
  // A refund still on its way to Stripe is not refunded yet.
  await pay(ap1.id, '2025-11-03T16:00:00Z', { kind: 'refund', status: 'processing', reason: 'manual', amountCents: 300, refundOf: p1.id, stripePaymentIntentId: null });
  // The late fee: declined once, then collected.
  await pay(ap4.id, '2025-11-03T13:00:00Z', { kind: 'fee', reason: 'late_cancel_fee', status: 'failed', amountCents: 1500, failureReason: 'card_declined' });
  await pay(ap4.id, '2025-11-03T13:05:00Z', { kind: 'fee', reason: 'late_cancel_fee', amountCents: 1500, applicationFeeCents: 75 });
  await pay(ap9.id, '2025-10-31T03:59:00Z', { kind: 'deposit', amountCents: 700 }); // Thu 23:59 EDT: before the range
  await pay(ap10.id, '2025-11-04T05:30:00Z', { kind: 'full', amountCents: 3000 }); // Tue 00:30 EST: after it

  // Another shop the same weekend, where c3 had been before: none of it is ours.
  const other = await createBookingWorld(db);
  const theirs = { shopId: other.shop.id, barberId: other.barber.barber.id, serviceId: other.short.id };
  const [o1] = await db
    .insert(appointments)
    .values([
      buildAppointment({ ...theirs, clientId: c3.user.id }, { startTime: new Date('2025-10-01T14:00:00Z'), status: 'completed' }),
      buildAppointment({ ...theirs, clientId: other.client.user.id }, { startTime: new Date('2025-11-01T15:00:00Z'), status: 'no_show' }),
    ])
    .returning();
  await db.insert(payments).values(buildPayment({ appointmentId: o1!.id }, { shopId: other.shop.id, amountCents: 9999, createdAt: new Date('2025-11-01T16:00:00Z') }));

  return { w, A, B, other };
}

const usd = (captured: number, refunded: number, platform: number, noShow: number, late: number) => ({
  currency: 'USD',
  captured_cents: captured,
  refunded_cents: refunded,
  net_cents: captured - refunded,
  platform_fee_cents: platform,
  no_show_fee_cents: noShow,
  late_cancel_fee_cents: late,
});

describe('GET /api/v1/shops/{id}/reports', () => {
  it('matches the hand-computed weekend across the DST change, in one Neon request', async () => {
    const { w, A, B } = await fixture();
    const res = await report(w.shop.id, w.owner.token, RANGE);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    // The access check and every figure: one statement.
    expect(neonRequests(res)).toBe(1);
    const r = (await res.json()) as Report;

    expect(r.from).toBe('2025-10-31');
    expect(r.to).toBe('2025-11-03');
    expect(r.timezone).toBe('America/New_York');
    expect(r.currencies).toEqual(['USD']);
    expect(r.daily).toEqual([
      // ap1; P1 3000 (fee 150) and ap2's deposit 1000 (fee 50) paid at 23:30 EDT.
      { date: '2025-10-31', bookings: 1, walk_ins: 0, completed: 1, no_shows: 0, late_cancels: 0, new_clients: 0, returning_clients: 1, revenue: [usd(4000, 0, 200, 0, 0)] },
      // ap2, c2's first visit; the no-show fee 500 (fee 25).
      { date: '2025-11-01', bookings: 1, walk_ins: 0, completed: 0, no_shows: 1, late_cancels: 0, new_clients: 1, returning_clients: 0, revenue: [usd(500, 0, 25, 500, 0)] },
      // ap3 (c3's first), ap7 (c2 again), ap8 (c3 again, same day); ap3's 5000 (fee 250).
      { date: '2025-11-02', bookings: 3, walk_ins: 0, completed: 2, no_shows: 0, late_cancels: 0, new_clients: 1, returning_clients: 1, revenue: [usd(5000, 0, 250, 0, 0)] },
      // The walk-in (c5, new), ap4's late cancel; late fee 1500 (fee 75), the 2000 refund; the failed fee and the processing refund do not count.
      { date: '2025-11-03', bookings: 0, walk_ins: 1, completed: 1, no_shows: 0, late_cancels: 1, new_clients: 1, returning_clients: 0, revenue: [usd(1500, 2000, 75, 0, 1500)] },
    ]);
    expect(r.totals).toEqual({ bookings: 5, walk_ins: 1, completed: 4, revenue: [usd(11000, 2000, 550, 500, 1500)] });
    // Eligible: ap1, ap2, ap3, ap4 (late), the walk-in, ap7, ap8 = 7. Not: the early cancel, the lapsed hold, the shop's cancel.
    expect(r.rates).toEqual({ eligible: 7, no_shows: 1, late_cancels: 1, no_show_rate: 0.1429, late_cancel_rate: 0.1429 });
    const byId = new Map(r.utilisation.map((u) => [u.barber_id, u]));
    expect(r.utilisation).toHaveLength(2);
    // A: 4 days × 420 − 60 off = 1620; booked 30 + 30 (no-show) + 60 + 30 = 150.
    expect(byId.get(A.id)).toMatchObject({ active: true, booked_minutes: 150, working_minutes: 1620, utilisation: 0.0926 });
    // B: 00:00-04:00 on fall-back Sunday = 300, minus 60 off = 240; booked 30 + 30.
    expect(byId.get(B.id)).toMatchObject({ active: true, booked_minutes: 60, working_minutes: 240, utilisation: 0.25 });
    // Both passes through 01:30 land in Sunday 01:00.
    const cells = r.busiest_hours.counts.flatMap((row, weekday) => row.map((n, hour) => ({ weekday, hour, n })).filter((c) => c.n > 0));
    expect(cells).toEqual([
      { weekday: 0, hour: 1, n: 2 },
      { weekday: 0, hour: 10, n: 1 },
      { weekday: 1, hour: 16, n: 1 },
      { weekday: 5, hour: 10, n: 1 },
      { weekday: 6, hour: 11, n: 1 },
    ]);
    // c2, c3 (their first visits here; c3's visit elsewhere does not count), c5 new; c1 returning; c4 only cancelled.
    expect(r.clients).toEqual({ new_clients: 3, returning_clients: 1 });
  });

  it('exports the daily series as CSV, by ?format=csv or Accept: text/csv', async () => {
    const { w } = await fixture();
    const expected = [
      'date,bookings,walk_ins,completed,no_shows,late_cancels,new_clients,returning_clients,captured_cents_usd,refunded_cents_usd,net_cents_usd,platform_fee_cents_usd,no_show_fee_cents_usd,late_cancel_fee_cents_usd',
      '2025-10-31,1,0,1,0,0,0,1,4000,0,4000,200,0,0',
      '2025-11-01,1,0,0,1,0,1,0,500,0,500,25,500,0',
      '2025-11-02,3,0,2,0,0,1,1,5000,0,5000,250,0,0',
      '2025-11-03,0,1,1,0,1,1,0,1500,2000,-500,75,0,1500',
      '',
    ].join('\r\n');
    const byQuery = await report(w.shop.id, w.owner.token, `${RANGE}&format=csv`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(byQuery.headers.get('content-disposition')).toBe('attachment; filename="report-2025-10-31-2025-11-03.csv"');
    expect(await byQuery.text()).toBe(expected);
    const byAccept = await report(w.shop.id, w.owner.token, RANGE, { accept: 'text/csv' });
    expect(byAccept.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await byAccept.text()).toBe(expected);
  });

  it('gives a platform admin any shop, and 404 for one that does not exist', async () => {
    const { w } = await fixture();
    const db = testDb();
    const staff = await newClient(db);
    await db.update(users).set({ platformAdmin: true }).where(eq(users.id, staff.user.id));
    const res = await report(w.shop.id, staff.token, RANGE);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Report).totals.bookings).toBe(5);
    const missing = await report(crypto.randomUUID(), staff.token, RANGE);
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).code).toBe('not_found');
  });

  it("is the owner's: 401 anonymous, 403 for the shop's barbers, its clients, other shops' owners and unknown shops", async () => {
    const w = await createBookingWorld(testDb());
    const stranger = await createBookingWorld(testDb());
    const anonymous = await report(w.shop.id, null, RANGE);
    expect(anonymous.status).toBe(401);
    expect((await problemOf(anonymous)).code).toBe('unauthorized');
    for (const token of [w.barber.token, w.client.token, stranger.owner.token, await tokenFor(stranger.barber.user.id)]) {
      const res = await report(w.shop.id, token, RANGE);
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('forbidden');
    }
    // Not knowing a shop id tells nothing either.
    expect((await report(crypto.randomUUID(), w.owner.token, RANGE)).status).toBe(403);
    // The owner's own shop, positive control.
    expect((await report(w.shop.id, w.owner.token, RANGE)).status).toBe(200);
  });

  it('refuses bad ranges with 422 validation_failed naming the field', async () => {
    const w = await createBookingWorld(testDb());
    const cases: [string, string][] = [
      ['', 'query.from'],
      ['?from=2025-11-01', 'to'],
      ['?from=2025-02-30&to=2025-03-01', 'query.from'],
      ['?from=2025-11-03&to=2025-11-01', 'query.to'],
      ['?from=2024-01-01&to=2025-01-01', 'query.to'],
      ['?from=01/11/2025&to=2025-11-03', 'from'],
      ['?from=2025-11-01&to=2025-11-03&format=xml', 'format'],
    ];
    for (const [query, field] of cases) {
      const res = await report(w.shop.id, w.owner.token, query);
      expect(res.status, query).toBe(422);
      const problem = await problemOf(res);
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors?.map((e) => e.path).join(' '), query).toContain(field);
    }
    // 366 days inclusive is the most, and fine.
    expect((await report(w.shop.id, w.owner.token, '?from=2024-01-01&to=2024-12-31')).status).toBe(200);
  });
});

describe('wantsCsv', () => {
  it('follows format first, then the Accept header\'s preference', () => {
    expect(wantsCsv('csv', 'application/json')).toBe(true);
    expect(wantsCsv('json', 'text/csv')).toBe(false);
    expect(wantsCsv(undefined, undefined)).toBe(false);
    expect(wantsCsv(undefined, '*/*')).toBe(false);
    expect(wantsCsv(undefined, 'text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'application/json, text/csv;q=0.5')).toBe(false);
    expect(wantsCsv(undefined, 'application/json;q=0.2, text/*')).toBe(true);
  });
});
