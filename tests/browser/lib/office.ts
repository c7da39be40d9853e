/**
 * Arranging the back office's days for a spec: the database behind `npm start`'s stack (through
 * the same Neon HTTP endpoint the Worker uses), a shop whose working day is under way whenever
 * the suite runs, and appointments that have already started — the API (rightly) books nothing
 * in the past, and a no-show can only be marked after the start.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { neon } from '@neondatabase/serverless';
import { configureNeonDriver } from '../../../worker/db/endpoint.ts';
import { sleep } from '../../../dev/processes.ts';
import { registerClient, type Client } from './accounts.ts';
import { api, devVars } from './api.ts';
import { hireBarber } from './free-shop.ts';

type Sql = ReturnType<typeof neon>;
let client: Sql | undefined;

/** Plain SQL against the stack's database (the dev endpoint speaks Neon's HTTP protocol). */
export function sql(): Sql {
  if (!client) {
    configureNeonDriver();
    client = neon(devVars().DATABASE_URL!);
  }
  return client;
}

/** YYYY-MM-DD of `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** The hour (0–23) it is now in `timeZone`. */
export function localHour(timeZone: string, ms = Date.now()): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(ms));
}

/** Zones around the world, one per few hours of offset: one of them is always near midday. */
const ZONES = [
  'Pacific/Honolulu',
  'America/Los_Angeles',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Atlantic/Azores',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Athens',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Brisbane',
  'Pacific/Noumea',
  'Pacific/Auckland',
];

/** The zone where it is closest to 12:00 now, so a shop there is open for hours either side. */
export function middayZone(ms = Date.now()): string {
  const distance = (tz: string) => Math.abs(localHour(tz, ms) - 12);
  return [...ZONES].sort((a, b) => distance(a) - distance(b))[0]!;
}

export interface OfficeShop {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  owner: Client;
  barber: { id: string; name: string; user: Client };
  service: { id: string; name: string; priceCents: number; durationMin: number };
}

/**
 * A new shop made through the API as an owner would, in the zone where it is about midday, open
 * 07:00–21:00 every day, no deposit and no minimum notice (so a walk-in's gap is also a slot an
 * online client could take), one barber and one 30-minute service.
 */
export async function createOfficeShop(tag = 'office'): Promise<OfficeShop> {
  const suffix = randomUUID().slice(0, 8);
  const timezone = middayZone();
  const owner = await registerClient({ firstName: 'Oona', lastName: 'Owner' });
  const name = `Back Room ${suffix}`;
  const shop = await api<{ id: string; slug: string; name: string; timezone: string }>('/api/v1/shops', {
    token: owner.accessToken,
    body: {
      name,
      slug: `${tag}-${suffix}`,
      timezone,
      currency: 'USD',
      address: { line1: '3 Market Row', city: 'Springfield', region: 'ST', postal_code: '10001', country: 'US' },
      policy: { deposit: { kind: 'none', value: 0 }, min_notice_min: 0, cancel_window_hours: 24, slot_step_min: 30 },
    },
  });
  const service = await api<{ id: string; name: string }>(`/api/v1/shops/${shop.id}/services`, {
    token: owner.accessToken,
    body: { name: 'Skin fade', description: 'Clippers to the skin, blended', price_cents: 4000, currency: 'USD', duration_min: 30 },
  });
  const barber = await hireBarber(owner, shop.id, service.id, { firstName: 'Wes', lastName: 'Barber' }, { start: '07:00', end: '21:00' });
  return {
    id: shop.id,
    slug: shop.slug,
    name: shop.name,
    timezone: shop.timezone,
    owner,
    barber,
    service: { id: service.id, name: service.name, priceCents: 4000, durationMin: 30 },
  };
}

const MINUTE = 60_000;

/**
 * Moves an appointment to the first of `starts` where its barber is free (the exclusion
 * constraint refuses the others), keeping its length; returns the start it got. This is the
 * only write a spec makes behind the API's back: time has to have passed for a no-show.
 */
export async function moveTo(appointmentId: string, starts: number[]): Promise<number> {
  const db = sql();
  for (const start of starts) {
    try {
      const rows = (await db.query(
        `UPDATE appointments SET end_time = $2::timestamptz + (end_time - start_time), start_time = $2::timestamptz
          WHERE id = $1 RETURNING id`,
        [appointmentId, new Date(start).toISOString()],
      )) as unknown[];
      assert.equal(rows.length, 1, `no appointment ${appointmentId}`);
      return start;
    } catch (err) {
      if (!/exclusion|overlap|23P01|conflicting key/i.test(String((err as Error).message))) throw err;
    }
  }
  throw new Error(`appointment ${appointmentId}: its barber is busy at every start offered`);
}

/** Starts every `stepMin` minutes going back from `fromMs` (rounded down to the minute). */
export function startsBack(fromMs: number, count: number, stepMin: number): number[] {
  const first = Math.floor(fromMs / MINUTE) * MINUTE;
  return Array.from({ length: count }, (_, i) => first - i * stepMin * MINUTE);
}

/** Waits until the appointment's status is `status` (a webhook confirms a paid deposit). */
export async function waitForStatus(token: string, id: string, status: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const a = await api<{ status: string }>(`/api/v1/appointments/${id}`, { token });
    if (a.status === status) return;
    if (Date.now() > until) throw new Error(`appointment ${id} is ${a.status}, not ${status}`);
    await sleep(250);
  }
}

/** Signs in through the API (for arranging), as the page would. */
export async function login(email: string, password: string): Promise<string> {
  const session = await api<{ access_token: string }>('/api/v1/auth/login', { body: { email, password } });
  return session.access_token;
}

/**
 * The dashboard's fixture: two past days of one shop with money, no-shows and utilisation known
 * by hand (written out where the spec checks them). Days ten and nine days back in the shop's
 * zone, so nothing a spec does today lands in the range. Rows go straight in: the history of a
 * past fortnight cannot be booked through an API that refuses the past.
 *
 * Day 1: 10:00 completed (new client A, paid 40.00, platform fee 2.30)
 *        11:00 no-show (new client B, no-show fee 20.00 charged)
 *        12:00 completed walk-in (new client C, paid 40.00, platform fee 2.30)
 * Day 2: 10:00 completed (client A returning, paid 40.00, platform fee 2.30; 10.00 refunded)
 *        14:00 cancelled by client B inside the cancellation window (a late cancel)
 */
export async function seedDashboardFixture(shop: OfficeShop): Promise<{ from: string; to: string }> {
  const { addDays, formatPlainDate, localDate: plainLocalDate, zonedTimeToUtc } = await import('../../../worker/domain/time.ts');
  const db = sql();
  const today = plainLocalDate(new Date(), shop.timezone);
  const day1 = addDays(today, -10);
  const day2 = addDays(today, -9);
  const at = (day: typeof today, hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return zonedTimeToUtc(day, h! * 60 + m!, shop.timezone);
  };
  const suffix = randomUUID().slice(0, 8);
  const client = async (first: string) => {
    const rows = (await db.query(
      `INSERT INTO users (email, first_name, last_name) VALUES ($1, $2, 'Fixture') RETURNING id`,
      [`${first.toLowerCase()}-${suffix}@example.test`, first],
    )) as { id: string }[];
    return rows[0]!.id;
  };
  const [a, b, c] = [await client('Ada'), await client('Ben'), await client('Cy')];
  const appt = async (clientId: string, start: Date, status: string, source = 'online', extra: { cancelledAt?: Date; settlement?: string } = {}) => {
    const rows = (await db.query(
      `INSERT INTO appointments (shop_id, barber_id, client_id, service_id, start_time, end_time, status, price_cents, currency,
                                 source, cancelled_at, cancelled_by, settlement, created_at)
       VALUES ($1, $2, $3, $4, $5, $5::timestamptz + interval '30 minutes', $6, 4000, 'USD', $7, $8, $9, $10, $5::timestamptz - interval '3 days')
       RETURNING id`,
      [shop.id, shop.barber.id, clientId, shop.service.id, start.toISOString(), status, source,
        extra.cancelledAt?.toISOString() ?? null, extra.cancelledAt ? clientId : null, extra.settlement ?? null],
    )) as { id: string }[];
    return rows[0]!.id;
  };
  const pay = async (appointmentId: string, when: Date, kind: string, cents: number, fee: number, reason: string | null = null, refundOf: string | null = null) => {
    const rows = (await db.query(
      `INSERT INTO payments (appointment_id, shop_id, amount_cents, currency, kind, status, application_fee_cents, reason, refund_of, created_at)
       VALUES ($1, $2, $3, 'USD', $4, 'succeeded', $5, $6, $7, $8) RETURNING id`,
      [appointmentId, shop.id, cents, kind, fee, reason, refundOf, when.toISOString()],
    )) as { id: string }[];
    return rows[0]!.id;
  };
  const a1 = await appt(a, at(day1, '10:00'), 'completed');
  await pay(a1, at(day1, '10:30'), 'full', 4000, 230);
  const b1 = await appt(b, at(day1, '11:00'), 'no_show');
  await pay(b1, at(day1, '11:20'), 'fee', 2000, 0, 'no_show_fee');
  const c1 = await appt(c, at(day1, '12:00'), 'completed', 'walk_in');
  await pay(c1, at(day1, '12:30'), 'full', 4000, 230);
  const a2 = await appt(a, at(day2, '10:00'), 'completed');
  const charge = await pay(a2, at(day2, '10:30'), 'full', 4000, 230);
  await pay(a2, at(day2, '16:00'), 'refund', 1000, 0, null, charge);
  await appt(b, at(day2, '14:00'), 'cancelled', 'online', { cancelledAt: at(day2, '12:00') });
  return { from: formatPlainDate(day1), to: formatPlainDate(day2) };
}
