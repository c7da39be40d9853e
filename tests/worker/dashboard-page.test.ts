/**
 * The owner's dashboard (/manage/:shopId) and its CSV export, through the Worker: a New York shop
 * over Fri 31 Oct – Mon 3 Nov 2025 (the clocks go back on Sun 2 Nov) whose every figure is
 * computed by hand below, the range picker's refusals, and who may see it.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, payments, timeOff, users, workingHours, type NewAppointment, type NewPayment } from '../../worker/db/schema';
import { buildAppointment, buildPayment } from '../../worker/db/seed/builders';
import { assembleReport } from '../../worker/domain/reports';
import { parsePlainDate } from '../../worker/domain/time';
import { dashboardPage, presets } from '../../app/routes/manage.$shopId._index.server';
import { hashPassword } from '../../worker/lib/password';
import { createBookingWorld, newClient } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { testDb } from './harness';

const password = 'walnut ferry 73 harbour';
const RANGE = '?from=2025-10-31&to=2025-11-03';

async function signIn(userId: string): Promise<string> {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  const cookie = cookieOf(await postForm('/login', { email: u!.email ?? '', password }));
  expect(cookie).not.toBe('');
  return cookie;
}

const decode = (s: string) =>
  s.replace(/<!-- -->/g, '').replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const html = async (res: Response) => decode(await res.text());
const words = (page: string) =>
  page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
const text = (fragment: string) => words(fragment).trim();

/** The rows of the table with this id: each row's header and cells as text. */
function table(page: string, id: string): string[][] {
  const m = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(page);
  expect(m, `table ${id}`).not.toBeNull();
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(m![1]!)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!)));
}

/** The value a form field of the page starts with. */
function fieldValue(page: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(page)?.[0] ?? '';
  return /value="([^"]*)"/.exec(tag)?.[1];
}

function metric(page: string, key: string): string {
  const m = new RegExp(`<dd data-metric="${key}"[^>]*>([\\s\\S]*?)</dd>`).exec(page);
  expect(m, `metric ${key}`).not.toBeNull();
  return text(m![1]!);
}

/**
 * The same weekend as the reports API's own test. Barber A works every day 09:00-12:00 and
 * 13:00-17:00 (420 min) and is off Sat 13:00-14:00; barber B works Sundays 00:00-04:00 only (five
 * real hours on fall-back day) and is off 03:00-05:00 EST, of which one hour is working time.
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

  const ap1 = await appt(A.id, c1.user.id, '2025-10-31T14:00:00Z'); // Fri 10:00 EDT, completed
  const ap2 = await appt(A.id, c2.user.id, '2025-11-01T15:00:00Z', { status: 'no_show', depositCents: 1000, settlement: 'no_show_fee', feeCents: 1500 }); // Sat 11:00
  const ap3 = await appt(A.id, c3.user.id, '2025-11-02T15:00:00Z', { durationMin: 60, source: 'staff' }); // Sun 10:00 EST, 60 min
  const ap4 = await appt(A.id, c4.user.id, '2025-11-03T19:00:00Z', {
    status: 'cancelled',
    cancelledBy: c4.user.id,
    cancelledAt: new Date('2025-11-03T13:00:00Z'), // six hours before: late
    cancelReason: 'client_cancelled',
    settlement: 'late_fee',
    feeCents: 1500,
  });
  await appt(A.id, c1.user.id, '2025-11-03T20:00:00Z', {
    status: 'cancelled',
    cancelledBy: c1.user.id,
    cancelledAt: new Date('2025-10-20T12:00:00Z'), // early
    cancelReason: 'client_cancelled',
    settlement: 'none',
  });
  await appt(A.id, c5.user.id, '2025-11-03T21:00:00Z', { source: 'walk_in' }); // Mon 16:00 EST, walk-in
  await appt(B.id, c2.user.id, '2025-11-02T05:30:00Z'); // Sun 01:30 EDT
  await appt(B.id, c3.user.id, '2025-11-02T06:30:00Z', { status: 'confirmed' }); // Sun 01:30 EST
  const ap9 = await appt(A.id, c1.user.id, '2025-10-01T14:00:00Z'); // before the range: c1 is returning

  const p1 = await pay(ap1.id, '2025-10-31T14:30:00Z', { kind: 'full', amountCents: 3000, applicationFeeCents: 150, refundReservedCents: 300 });
  await pay(ap2.id, '2025-11-01T03:30:00Z', { kind: 'deposit', amountCents: 1000, applicationFeeCents: 50 }); // Fri 23:30 EDT
  await pay(ap2.id, '2025-11-01T16:00:00Z', { kind: 'fee', reason: 'no_show_fee', amountCents: 500, applicationFeeCents: 25 });
  const p4 = await pay(ap3.id, '2025-11-02T14:00:00Z', { kind: 'full', amountCents: 5000, applicationFeeCents: 250, refundReservedCents: 2000 });
  await pay(ap3.id, '2025-11-03T15:00:00Z', { kind: 'refund', reason: 'manual', amountCents: 2000, refundOf: p4.id, stripePaymentIntentId: null, stripeRefundId: `re_${crypto.randomUUID()}` });
  await pay(ap1.id, '2025-11-03T16:00:00Z', { kind: 'refund', status: 'processing', reason: 'manual', amountCents: 300, refundOf: p1.id, stripePaymentIntentId: null });
  await pay(ap4.id, '2025-11-03T13:00:00Z', { kind: 'fee', reason: 'late_cancel_fee', status: 'failed', amountCents: 1500, failureReason: 'card_declined' });
  await pay(ap4.id, '2025-11-03T13:05:00Z', { kind: 'fee', reason: 'late_cancel_fee', amountCents: 1500, applicationFeeCents: 75 });
  await pay(ap9.id, '2025-10-31T03:59:00Z', { kind: 'deposit', amountCents: 700 }); // Thu 23:59 EDT: before the range

  const other = await createBookingWorld(db);
  return { w, A, B, other };
}

describe('the owner dashboard', () => {
  it('shows the hand-computed figures, and every chart the exact numbers it draws in its table', async () => {
    const { w, A, B } = await fixture();
    const res = await getPage(`/manage/${w.shop.id}${RANGE}`, await signIn(w.owner.user.id));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/private/);
    const page = await html(res);
    expect(words(page)).toContain('Fri, Oct 31 – Mon, Nov 3');
    expect(words(page)).toContain('America/New_York');

    // Captured 3000 + 1000 + 500 + 5000 + 1500 = 11000; refunded 2000 (the processing 300 is not yet) → net 9000.
    expect(metric(page, 'revenue_net')).toBe('$90.00');
    // ap1, ap2, ap3 and B's two: 5 bookings; the Monday walk-in.
    expect(metric(page, 'bookings')).toBe('5');
    expect(metric(page, 'walk_ins')).toBe('1');
    // 1 no-show and 1 late cancel of 7 eligible: 1/7 = 14.29%.
    expect(metric(page, 'no_show_rate')).toBe('14.3%');
    expect(metric(page, 'late_cancel_rate')).toBe('14.3%');
    // Booked (150 + 60) / working (1620 + 240) = 210 / 1860 = 11.29%.
    expect(metric(page, 'utilisation')).toBe('11.3%');

    expect(table(page, 'data-chart-revenue')).toEqual([
      // P1 3000 (fee 150) + ap2's deposit 1000 (fee 50) at 23:30 EDT Friday.
      ['2025-10-31', '$40.00', '$0.00', '$2.00', '$40.00'],
      // The no-show fee 500 (fee 25).
      ['2025-11-01', '$5.00', '$0.00', '$0.25', '$5.00'],
      // ap3's 5000 (fee 250).
      ['2025-11-02', '$50.00', '$0.00', '$2.50', '$50.00'],
      // Late fee 1500 (fee 75) after a failed try; ap3's 2000 refund: 1500 − 2000 = −500.
      ['2025-11-03', '$15.00', '$20.00', '$0.75', '-$5.00'],
      ['Total', '$110.00', '$20.00', '$5.50', '$90.00'],
    ]);
    expect(table(page, 'data-chart-bookings')).toEqual([
      ['2025-10-31', '1', '0'],
      ['2025-11-01', '1', '0'],
      // ap3 and both of B's 01:30s.
      ['2025-11-02', '3', '0'],
      ['2025-11-03', '0', '1'],
      ['Total', '5', '1'],
    ]);
    expect(table(page, 'data-chart-rates')).toEqual([
      ['No-shows', '1', '7', '14.3%'],
      ['Late cancels', '1', '7', '14.3%'],
    ]);
    const [nameA, nameB] = [A.displayName, B.displayName];
    // A: 4 days × 420 − 60 off = 1620, booked 30 + 30 + 60 + 30 = 150 → 9.26%. B: 300 − 60 = 240, booked 60 → 25%.
    const util = [
      [nameA, '150', '1620', '9.3%'],
      [nameB, '60', '240', '25.0%'],
    ].sort((x, y) => x[0]!.localeCompare(y[0]!));
    expect(table(page, 'data-chart-utilisation')).toEqual(util);
    // Hours 01:00 to 16:00 (the first and last with a start). Sun 01:00 twice (both passes), Sun 10:00,
    // Mon 16:00, Fri 10:00, Sat 11:00.
    const hours = table(page, 'data-chart-hours');
    expect(hours.map((r) => r[0])).toEqual(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']);
    const cells = hours.flatMap((r) => r.slice(1).map((n, i) => ({ day: r[0], hour: i + 1, n: Number(n) })).filter((c) => c.n > 0));
    expect(hours[0]!.length).toBe(1 + 16);
    expect(cells).toEqual([
      { day: 'Sun', hour: 1, n: 2 },
      { day: 'Sun', hour: 10, n: 1 },
      { day: 'Mon', hour: 16, n: 1 },
      { day: 'Fri', hour: 10, n: 1 },
      { day: 'Sat', hour: 11, n: 1 },
    ]);
    // c2, c3, c5 new; c1 returning.
    expect(table(page, 'data-chart-clients')).toEqual([
      ['New', '3'],
      ['Returning', '1'],
    ]);

    // Every chart is a figure with a caption, an image with words, and its data table.
    const figures = [...page.matchAll(/<figure[\s\S]*?<\/figure>/g)].map((m) => m[0]);
    expect(figures).toHaveLength(6);
    for (const f of figures) {
      expect(f).toMatch(/<figcaption/);
      expect(f).toMatch(/<svg[^>]*role="img"[^>]*aria-label="[^"]+"/);
      expect(f).toMatch(/<details[\s\S]*<summary>Data<\/summary>[\s\S]*<table id="data-chart-[a-z-]+"><caption>/);
      expect(f).toMatch(/<th scope="col">/);
    }
    expect(page).toContain('<title>Sun 01:00: 2</title>');
    expect(page).toContain(`href="/manage/${w.shop.id}/reports.csv?from=2025-10-31&to=2025-11-03"`);
  });

  it('exports the same range as CSV', async () => {
    const { w } = await fixture();
    const res = await getPage(`/manage/${w.shop.id}/reports.csv${RANGE}`, await signIn(w.owner.user.id));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report-2025-10-31-2025-11-03.csv"');
    expect(await res.text()).toBe(
      [
        'date,bookings,walk_ins,completed,no_shows,late_cancels,new_clients,returning_clients,captured_cents_usd,refunded_cents_usd,net_cents_usd,platform_fee_cents_usd,no_show_fee_cents_usd,late_cancel_fee_cents_usd',
        '2025-10-31,1,0,1,0,0,0,1,4000,0,4000,200,0,0',
        '2025-11-01,1,0,0,1,0,1,0,500,0,500,25,500,0',
        '2025-11-02,3,0,2,0,0,1,1,5000,0,5000,250,0,0',
        '2025-11-03,0,1,1,0,1,1,0,1500,2000,-500,75,0,1500',
        '',
      ].join('\r\n'),
    );
  });

  it('defaults to the last 30 days on the shop clock, and says so when nothing happened', async () => {
    const w = await createBookingWorld(testDb());
    const owner = await signIn(w.owner.user.id);
    const page = await html(await getPage(`/manage/${w.shop.id}`, owner));
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: w.shop.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const start = new Date(`${today}T12:00:00Z`);
    start.setUTCDate(start.getUTCDate() - 29);
    expect(fieldValue(page, 'from')).toBe(start.toISOString().slice(0, 10));
    expect(fieldValue(page, 'to')).toBe(today);
    expect(page).toContain('Last 7 days');
    expect(page).toContain('This month');
    expect(words(page)).toContain('Nothing happened in this period');
    expect(page).not.toMatch(/<svg[^>]*role="img"/);
    expect(metric(page, 'bookings')).toBe('0');
    expect(metric(page, 'no_show_rate')).toBe('—');
  });

  it('refuses a bad range in words with a 422, not a 500', async () => {
    const w = await createBookingWorld(testDb());
    const owner = await signIn(w.owner.user.id);
    const backwards = await getPage(`/manage/${w.shop.id}?from=2025-11-03&to=2025-10-31`, owner);
    expect(backwards.status).toBe(422);
    const b = await html(backwards);
    expect(words(b)).toContain('The end date must be on or after the start date.');
    expect(fieldValue(b, 'from')).toBe('2025-11-03');
    const long = await getPage(`/manage/${w.shop.id}?from=2025-01-01&to=2026-01-02`, owner);
    expect(long.status).toBe(422);
    expect(words(await html(long))).toContain('A report covers at most 366 days.');
    const junk = await getPage(`/manage/${w.shop.id}?from=soon&to=2025-10-31`, owner);
    expect(junk.status).toBe(422);
    expect(words(await html(junk))).toContain('Pick the dates as YYYY-MM-DD.');
    expect((await getPage(`/manage/${w.shop.id}/reports.csv?from=2025-11-03&to=2025-10-31`, owner)).status).toBe(422);
  });

  it('is for the shop’s owners: an owner of another shop gets 404 and nothing of it, a barber 403, signed out → sign-in', async () => {
    const { w, other } = await fixture();
    const stranger = await signIn(other.owner.user.id);
    const barber = await signIn(w.barbers[0]!.user.id);
    for (const path of [`/manage/${w.shop.id}${RANGE}`, `/manage/${w.shop.id}/reports.csv${RANGE}`]) {
      const res = await getPage(path, stranger);
      expect(res.status, path).toBe(404);
      const body = await html(res);
      for (const s of [w.shop.name, '$90.00', '$110.00', '14.3%', w.barbers[0]!.barber.displayName, '4000']) expect(body, `${path} shows ${s}`).not.toContain(s);
      const staff = await getPage(path, barber);
      expect(staff.status, path).toBe(403);
      const staffBody = await html(staff);
      expect(staffBody).not.toContain('$90.00');
      const out = await getPage(path);
      expect(out.status, path).toBe(302);
      expect(out.headers.get('location')).toMatch(/^\/login/);
    }
    expect(words(await html(await getPage(`/manage/${w.shop.id}${RANGE}`, barber)))).toContain("Only the shop's owners run this part of the shop");
  });
});

describe('the dashboard view of a report', () => {
  const cells = { refunded_cents: 0, platform_fee_cents: 0, no_show_fee_cents: 0, late_cancel_fee_cents: 0 };
  const report = (revenue: Parameters<typeof assembleReport>[0]['rows']['revenue']) =>
    assembleReport({
      rows: { days: [], revenue, rates: { eligible: 0, no_shows: 0, late_cancels: 0 }, heat: [], barbers: [], client_days: [], clients: { new_clients: 0, returning_clients: 0 } },
      timeZone: 'Europe/London',
      shopCurrency: 'GBP',
      from: parsePlainDate('2026-03-01')!,
      to: parsePlainDate('2026-03-01')!,
    });

  it('shows each currency on its own: a headline figure and a revenue chart apiece, never summed', () => {
    const page = dashboardPage(report([
      { day: '2026-03-01', currency: 'GBP', captured_cents: 2500, ...cells },
      { day: '2026-03-01', currency: 'JPY', captured_cents: 4000, ...cells },
    ]), { id: 's', name: 'Shop' }, 'en', '2026-03-01');
    expect(page.metrics.filter((m) => m.key === 'revenue_net').map((m) => [m.currency, m.value])).toEqual([
      ['GBP', '£25.00'],
      ['JPY', '¥4,000'],
    ]);
    expect(page.revenue.map((r) => r.id)).toEqual(['data-chart-revenue-gbp', 'data-chart-revenue-jpy']);
    expect(page.revenue[1]!.table.rows).toEqual([
      { head: '2026-03-01', cells: ['¥4,000', '¥0', '¥0', '¥4,000'] },
      { head: 'Total', cells: ['¥4,000', '¥0', '¥0', '¥4,000'] },
    ]);
    // One day: one band, money on it, so not empty.
    expect(page.dayLabels).toEqual(['03-01']);
    expect(page.empty).toBe(false);
    expect(page.periodText).toBe('Sun, Mar 1');
  });

  it('calls a period with nothing in it empty, and has no hours to draw', () => {
    const page = dashboardPage(report([]), { id: 's', name: 'Shop' }, 'en', '2026-03-01');
    expect(page.empty).toBe(true);
    expect(page.heat.hours).toEqual([]);
    expect(page.metrics.find((m) => m.key === 'utilisation')!.value).toBe('—');
  });

  it('offers last 7 days, last 30 days and this month, ending today', () => {
    expect(presets('2026-03-05')).toEqual([
      { label: 'Last 7 days', from: '2026-02-27', to: '2026-03-05' },
      { label: 'Last 30 days', from: '2026-02-04', to: '2026-03-05' },
      { label: 'This month', from: '2026-03-01', to: '2026-03-05' },
    ]);
  });
});
