/**
 * The demo world (`npm run db:seed`, tests, benchmarks). IDEMPOTENT: every row has a natural
 * key (shop slug, user e-mail, (user, shop), (shop, service name)…) or a deterministic id
 * (seedUuid), and every insert is ON CONFLICT DO NOTHING, so running it twice adds nothing.
 * Appointments are laid out relative to `now` in each shop's zone; a shop that already has
 * appointments is left alone, so re-running on a later day does not pile up a second history.
 *
 * Only generic pg-core builder calls: it runs over neon-http, node-postgres and PGlite alike
 * (no interactive transactions — Neon HTTP has none).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  appointments,
  barberServices,
  barbers,
  memberships,
  payments,
  services,
  shops,
  timeOff,
  users,
  workingHours,
  type AppointmentStatus,
  type NewAppointment,
  type NewPayment,
  type ShopPolicy,
} from '../schema';
import { encryptPhone } from '../../lib/crypto';
import { amountFor } from '../../domain/money';
import { platformFee, type FeeConfig } from '../../domain/payments';
import { addDays, localDate, weekdayOf, zonedTimeToUtc, type PlainDate } from '../../domain/time';
import type { AnyDb } from '../queries/types';
import { seedUuid } from './builders';

export interface SeedDemoOptions {
  now: Date;
  /** Field-encryption keyring (FIELD_ENCRYPTION_KEYS) used for client phones. */
  keyring: string;
  /** Precomputed hash of the demo password (`barber-demo-1`) for every demo login. */
  passwordHash: string;
}

export const DEMO_PASSWORD = 'barber-demo-1';

type Block = readonly [start: string, end: string];
interface DemoBarber {
  email: string;
  firstName: string;
  lastName: string;
  bio: string;
  /** weekday (0 = Sunday) → working blocks in shop-local time; gaps are breaks. */
  week: Partial<Record<number, readonly Block[]>>;
  /** service name → override (omitted = offers it at the list price; null entry = not offered) */
  overrides: Record<string, { priceCents?: number; durationMin?: number } | null>;
}
interface DemoShop {
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  address: { line1: string; city: string; region?: string; postal_code: string; country: string };
  policy: ShopPolicy;
  owner: { email: string; firstName: string; lastName: string };
  services: { name: string; description: string; priceCents: number; durationMin: number }[];
  barbers: DemoBarber[];
  /** indexes into DEMO_CLIENTS */
  clients: number[];
}

const weekdays = (days: number[], blocks: readonly Block[]) =>
  Object.fromEntries(days.map((d) => [d, blocks])) as Partial<Record<number, readonly Block[]>>;

export const DEMO_CLIENTS = [
  ['Ava', 'Johnson', '+1 (212) 555-0101'],
  ['Noah', 'Williams', '+1 (917) 555-0102'],
  ['Mia', 'Brown', '+1 (646) 555-0103'],
  ['Liam', 'Garcia', '+1 (347) 555-0104'],
  ['Zoe', 'Martinez', '+1 (718) 555-0105'],
  ['Ethan', 'Davis', '+1 (212) 555-0106'],
  ['Olivia', 'Smith', '+44 7700 900107'],
  ['Jack', 'Taylor', '+44 7700 900108'],
  ['Amelia', 'Evans', '+44 7700 900109'],
  ['Harry', 'Thomas', '+44 7700 900110'],
  ['Isla', 'Roberts', '+44 7700 900111'],
  ['Oscar', 'Walker', '+44 7700 900112'],
] as const;

export const clientEmail = (i: number) => `client${i + 1}@example.test`;

export const DEMO_SHOPS: DemoShop[] = [
  {
    slug: 'fade-street',
    name: 'Fade Street',
    timezone: 'America/New_York',
    currency: 'USD',
    address: { line1: '214 Orchard St', city: 'New York', region: 'NY', postal_code: '10002', country: 'US' },
    policy: {
      hold_minutes: 10,
      deposit: { kind: 'percent', value: 20 },
      cancel_window_hours: 24,
      late_cancel_fee: { kind: 'fixed', value: 1000 },
      no_show_fee: { kind: 'percent', value: 50 },
      buffer_before_min: 0,
      buffer_after_min: 5,
      min_notice_min: 60,
      booking_window_days: 30,
      slot_step_min: 15,
      max_future_bookings: 10,
      waitlist_offer_minutes: 30,
      // Fees for no-shows and late cancellations go on the card saved with the deposit.
      card_on_file: true,
    },
    owner: { email: 'owner@fadestreet.test', firstName: 'Rosa', lastName: 'Delgado' },
    services: [
      { name: 'Classic Cut', description: 'Scissor and clipper cut, wash and style.', priceCents: 3500, durationMin: 30 },
      { name: 'Skin Fade', description: 'Bald fade blended to any length on top.', priceCents: 4500, durationMin: 45 },
      { name: 'Beard Trim', description: 'Shape, line-up and hot towel.', priceCents: 2000, durationMin: 15 },
      { name: 'Cut & Beard', description: 'Classic cut plus full beard service.', priceCents: 6000, durationMin: 60 },
      { name: 'Kids Cut', description: 'Under 12s.', priceCents: 2500, durationMin: 30 },
    ],
    barbers: [
      {
        email: 'marcus@fadestreet.test', firstName: 'Marcus', lastName: 'Hill',
        bio: 'Fades and tapers, 12 years behind the chair.',
        week: weekdays([2, 3, 4, 5, 6], [['09:00', '12:30'], ['13:30', '18:00']]),
        overrides: { 'Skin Fade': { priceCents: 5000 }, 'Kids Cut': null },
      },
      {
        email: 'dani@fadestreet.test', firstName: 'Dani', lastName: 'Ortiz',
        bio: 'Textured cuts and beard design.',
        week: weekdays([1, 2, 3, 4, 5], [['10:00', '14:00'], ['14:45', '19:00']]),
        overrides: { 'Beard Trim': { priceCents: 2500, durationMin: 20 } },
      },
      {
        email: 'jay@fadestreet.test', firstName: 'Jay', lastName: 'Park',
        bio: 'Weekend specialist, great with kids.',
        week: weekdays([0, 3, 4, 5, 6], [['11:00', '15:00'], ['15:30', '20:00']]),
        overrides: { 'Cut & Beard': { priceCents: 5500, durationMin: 50 }, 'Skin Fade': null },
      },
    ],
    clients: [0, 1, 2, 3, 4, 5, 6, 7],
  },
  {
    slug: 'kings-cross-cuts',
    name: 'Kings Cross Cuts',
    timezone: 'Europe/London',
    currency: 'GBP',
    address: { line1: '12 Caledonian Rd', city: 'London', postal_code: 'N1 9DT', country: 'GB' },
    policy: {
      hold_minutes: 10,
      deposit: { kind: 'fixed', value: 500 },
      cancel_window_hours: 12,
      late_cancel_fee: { kind: 'percent', value: 50 },
      no_show_fee: { kind: 'fixed', value: 1500 },
      buffer_before_min: 0,
      buffer_after_min: 0,
      min_notice_min: 120,
      booking_window_days: 21,
      slot_step_min: 30,
      max_future_bookings: 10,
      waitlist_offer_minutes: 20,
      card_on_file: false,
    },
    owner: { email: 'owner@kingscrosscuts.test', firstName: 'Graham', lastName: 'Reid' },
    services: [
      { name: 'Gents Cut', description: 'Consultation, cut and finish.', priceCents: 2800, durationMin: 30 },
      { name: 'Skin Fade', description: 'Foil-shaver fade.', priceCents: 3200, durationMin: 45 },
      { name: 'Beard Sculpt', description: 'Trim, shape and oil.', priceCents: 1800, durationMin: 20 },
      { name: 'Hot Towel Shave', description: 'Traditional cut-throat shave.', priceCents: 3000, durationMin: 40 },
      { name: 'Buzz Cut', description: 'One length all over.', priceCents: 1500, durationMin: 15 },
    ],
    barbers: [
      {
        email: 'alfie@kingscrosscuts.test', firstName: 'Alfie', lastName: 'Moore',
        bio: 'Classic gents cuts and shaves.',
        week: weekdays([1, 2, 3, 4, 5, 6], [['08:30', '12:00'], ['12:30', '17:00']]),
        overrides: { 'Hot Towel Shave': { priceCents: 3500, durationMin: 45 } },
      },
      {
        email: 'priya@kingscrosscuts.test', firstName: 'Priya', lastName: 'Shah',
        bio: 'Precision fades.',
        week: weekdays([2, 3, 4, 5, 6], [['10:00', '13:00'], ['14:00', '19:00']]),
        overrides: { 'Skin Fade': { priceCents: 3600 }, 'Hot Towel Shave': null },
      },
      {
        email: 'tom@kingscrosscuts.test', firstName: 'Tom', lastName: 'Hughes',
        bio: 'Quick, tidy and on time.',
        week: weekdays([0, 1, 4, 5, 6], [['09:00', '13:00'], ['13:45', '17:30']]),
        overrides: { 'Gents Cut': { priceCents: 2500, durationMin: 25 }, 'Buzz Cut': { priceCents: 1200 } },
      },
    ],
    clients: [5, 6, 7, 8, 9, 10, 11],
  },
];

const MINUTE_MS = 60_000;
/** The platform fee on demo charges: the defaults of PLATFORM_FEE_BPS / PLATFORM_FEE_FIXED_CENTS. */
const DEMO_PLATFORM_FEE: FeeConfig = { bps: 500, fixedCents: 0 };
/**
 * Stripe ids of demo payments start `pi_demo_` / `ch_demo_` / `re_demo_`: no Stripe (nor the
 * stand-in) knows them, and dev/stripe-accounts.ts finds the demo history by them.
 */
export const DEMO_STRIPE_ID_PREFIX = { paymentIntent: 'pi_demo_', charge: 'ch_demo_', refund: 're_demo_' } as const;
const toMinute = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

export interface SeedDemoResult {
  shops: Record<string, string>;
  /** users by e-mail */
  users: Record<string, string>;
  appointmentsInserted: number;
}

export async function seedDemo(db: AnyDb, opts: SeedDemoOptions): Promise<SeedDemoResult> {
  const { now, keyring, passwordHash } = opts;

  // --- shops -------------------------------------------------------------------------------
  await db
    .insert(shops)
    .values(
      DEMO_SHOPS.map((s) => ({
        slug: s.slug,
        name: s.name,
        timezone: s.timezone,
        currency: s.currency,
        address: s.address,
        policy: s.policy,
      })),
    )
    .onConflictDoNothing({ target: shops.slug });
  // Demo shops seeded before card_on_file existed get the demo's value; nothing else is touched.
  await Promise.all(
    DEMO_SHOPS.map((s) =>
      db
        .update(shops)
        .set({ policy: sql`${shops.policy} || ${JSON.stringify({ card_on_file: s.policy.card_on_file })}::jsonb` })
        .where(and(eq(shops.slug, s.slug), sql`${shops.policy} -> 'card_on_file' IS NULL`)),
    ),
  );
  const shopRows = await db
    .select({ id: shops.id, slug: shops.slug, stripeAccountId: shops.stripeAccountId })
    .from(shops)
    .where(inArray(shops.slug, DEMO_SHOPS.map((s) => s.slug)));
  const shopIds = Object.fromEntries(shopRows.map((r) => [r.slug, r.id]));
  const shopAccounts = Object.fromEntries(shopRows.map((r) => [r.slug, r.stripeAccountId]));

  // --- users (owners, barbers, clients) ------------------------------------------------------
  const people = [
    ...DEMO_SHOPS.flatMap((s) => [s.owner, ...s.barbers]).map((p) => ({ ...p, phone: null as string | null })),
    ...DEMO_CLIENTS.map(([firstName, lastName, phone], i) => ({ email: clientEmail(i), firstName, lastName, phone })),
  ];
  const userRows = await Promise.all(
    people.map(async (p) => ({
      email: p.email,
      firstName: p.firstName,
      lastName: p.lastName,
      passwordHash,
      verifiedAt: now,
      ...(await encryptPhone(p.phone, keyring)),
    })),
  );
  // No target: the arbiter is the lower(email) unique index.
  await db.insert(users).values(userRows).onConflictDoNothing();
  const emails = people.map((p) => p.email.toLowerCase());
  const found = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(inArray(sql`lower(${users.email})`, emails));
  const userIds = Object.fromEntries(found.map((r) => [(r.email ?? '').toLowerCase(), r.id]));
  const userId = (email: string) => {
    const id = userIds[email.toLowerCase()];
    if (!id) throw new Error(`seedDemo: user ${email} missing`);
    return id;
  };

  // --- memberships ---------------------------------------------------------------------------
  await db
    .insert(memberships)
    .values(
      DEMO_SHOPS.flatMap((s) => {
        const shopId = shopIds[s.slug] as string;
        return [
          { userId: userId(s.owner.email), shopId, role: 'owner' as const },
          ...s.barbers.map((b) => ({ userId: userId(b.email), shopId, role: 'barber' as const })),
          ...s.clients.map((i) => ({ userId: userId(clientEmail(i)), shopId, role: 'client' as const })),
        ];
      }),
    )
    .onConflictDoNothing();

  // --- barbers & services ---------------------------------------------------------------------
  await db
    .insert(barbers)
    .values(
      DEMO_SHOPS.flatMap((s) =>
        s.barbers.map((b) => ({
          userId: userId(b.email),
          shopId: shopIds[s.slug] as string,
          displayName: `${b.firstName} ${b.lastName[0]}.`,
          bio: b.bio,
        })),
      ),
    )
    .onConflictDoNothing();
  await db
    .insert(services)
    .values(
      DEMO_SHOPS.flatMap((s) =>
        s.services.map((sv) => ({ ...sv, shopId: shopIds[s.slug] as string, currency: s.currency })),
      ),
    )
    .onConflictDoNothing();

  const shopIdList = Object.values(shopIds);
  const barberRows = await db
    .select({ id: barbers.id, userId: barbers.userId, shopId: barbers.shopId })
    .from(barbers)
    .where(inArray(barbers.shopId, shopIdList));
  const serviceRows = await db
    .select({ id: services.id, shopId: services.shopId, name: services.name, priceCents: services.priceCents, durationMin: services.durationMin })
    .from(services)
    .where(inArray(services.shopId, shopIdList));
  const barberId = (shopId: string, email: string) => {
    const row = barberRows.find((b) => b.shopId === shopId && b.userId === userId(email));
    if (!row) throw new Error(`seedDemo: barber ${email} missing`);
    return row.id;
  };
  const service = (shopId: string, name: string) => {
    const row = serviceRows.find((r) => r.shopId === shopId && r.name === name);
    if (!row) throw new Error(`seedDemo: service ${name} missing`);
    return row;
  };

  // --- offerings, weekly hours, time off ------------------------------------------------------
  const offerings: (typeof barberServices.$inferInsert)[] = [];
  const hours: (typeof workingHours.$inferInsert)[] = [];
  for (const s of DEMO_SHOPS) {
    const shopId = shopIds[s.slug] as string;
    for (const b of s.barbers) {
      const bid = barberId(shopId, b.email);
      for (const sv of s.services) {
        const o = b.overrides[sv.name];
        if (o === null) continue;
        offerings.push({ barberId: bid, serviceId: service(shopId, sv.name).id, priceCents: o?.priceCents ?? null, durationMin: o?.durationMin ?? null });
      }
      for (const [day, blocks] of Object.entries(b.week)) {
        for (const [start, end] of blocks ?? []) {
          hours.push({
            id: await seedUuid(`working_hours:${b.email}:${day}:${start}`),
            barberId: bid,
            weekday: Number(day),
            startMinute: toMinute(start),
            endMinute: toMinute(end),
          });
        }
      }
    }
  }
  await db.insert(barberServices).values(offerings).onConflictDoNothing();
  // No target: conflicts on the deterministic id (or the no-overlap exclusion) are skipped.
  await db.insert(workingHours).values(hours).onConflictDoNothing();

  // --- appointments & payments ----------------------------------------------------------------
  let appointmentsInserted = 0;
  for (const s of DEMO_SHOPS) {
    const shopId = shopIds[s.slug] as string;
    const [existing] = await db
      .select({ id: appointments.id })
      .from(appointments)
      .where(eq(appointments.shopId, shopId))
      .limit(1);
    if (existing) continue; // history already seeded (possibly relative to another day)

    const today = localDate(now, s.timezone);
    const appts: NewAppointment[] = [];
    const charges: NewPayment[] = [];
    const refunds: NewPayment[] = [];
    let heldPlaced = false;
    let clientCursor = 0;
    const offs: (typeof timeOff.$inferInsert)[] = [];

    for (const [bIndex, b] of s.barbers.entries()) {
      const bid = barberId(shopId, b.email);
      const offered = s.services.filter((sv) => b.overrides[sv.name] !== null);
      for (let d = -7; d <= 7; d++) {
        const date: PlainDate = addDays(today, d);
        const blocks = b.week[weekdayOf(date)];
        if (!blocks) continue;
        // Next week one barber per shop takes an afternoon off: no bookings after lunch.
        const afternoonOff = bIndex === 1 && d === 3;
        if (afternoonOff) {
          const [, second] = blocks;
          if (second) {
            offs.push({
              id: await seedUuid(`time_off:${b.email}:${d}`),
              barberId: bid,
              startsAt: zonedTimeToUtc(date, toMinute(second[0]), s.timezone),
              endsAt: zonedTimeToUtc(date, toMinute(second[1]), s.timezone),
              reason: 'Dentist',
            });
          }
        }
        for (const [blockIndex, [start, end]] of blocks.entries()) {
          if (afternoonOff && blockIndex > 0) continue;
          // Lay bookings end to end with deterministic gaps; never past the block's end,
          // so they can never overlap each other (the exclusion constraint would refuse).
          let cursor = toMinute(start) + ((bIndex * 15 + Math.abs(d) * 10) % 45);
          for (let k = 0; k < 3; k++) {
            const sv = offered[(bIndex + d + 7 + k * 2) % offered.length] as (typeof offered)[number];
            const o = b.overrides[sv.name];
            const duration = o?.durationMin ?? sv.durationMin;
            const priceCents = o?.priceCents ?? sv.priceCents;
            if (cursor + duration > toMinute(end)) break;
            const startTime = zonedTimeToUtc(date, cursor, s.timezone);
            const endTime = new Date(startTime.getTime() + duration * MINUTE_MS);
            cursor += duration + 15 + ((k * 20 + bIndex * 10) % 40);

            const key = `${s.slug}:${b.email}:${date.year}-${date.month}-${date.day}:${blockIndex}:${k}`;
            const roll = (bIndex * 7 + (d + 7) * 3 + blockIndex * 5 + k) % 10;
            let status: AppointmentStatus;
            if (endTime <= now) status = roll < 7 ? 'completed' : roll < 9 ? 'cancelled' : 'no_show';
            else if (!heldPlaced && d >= 1) status = 'held';
            else status = roll < 8 ? 'confirmed' : roll < 9 ? 'pending_payment' : 'cancelled';
            if (status === 'held') heldPlaced = true;

            const clientIndex = s.clients[clientCursor++ % s.clients.length] as number;
            const depositCents = amountFor(s.policy.deposit, priceCents);
            const id = await seedUuid(`appointment:${key}`);
            const cancelled = status === 'cancelled';
            appts.push({
              id,
              shopId,
              barberId: bid,
              clientId: userId(clientEmail(clientIndex)),
              serviceId: service(shopId, sv.name).id,
              startTime,
              endTime,
              status,
              holdExpiresAt: status === 'held' ? new Date(now.getTime() + s.policy.hold_minutes * MINUTE_MS) : null,
              priceCents,
              currency: s.currency,
              depositCents,
              notes: k === 0 && d % 4 === 0 ? 'Prefers a quiet appointment.' : null,
              cancelledAt: cancelled ? new Date(startTime.getTime() - 48 * 60 * MINUTE_MS) : null,
              cancelReason: cancelled ? 'Schedule conflict' : null,
            });

            // Payments mirror what Stripe would have produced for each state: destination charges
            // to the shop's account (when it has one yet) with the platform's fee, and refunds that
            // name the charge they give back.
            const stripeId = (prefix: string, pid: string) => `${prefix}${pid.replace(/-/g, '').slice(0, 24)}`;
            const charge = async (kind: 'deposit' | 'fee', reason: string, amountCents: number, pStatus: NewPayment['status']) => {
              if (amountCents <= 0) return undefined;
              const pid = await seedUuid(`payment:${key}:${kind}`);
              const charged = pStatus === 'succeeded' || pStatus === 'refunded';
              charges.push({
                id: pid,
                appointmentId: id,
                shopId,
                stripePaymentIntentId: stripeId(DEMO_STRIPE_ID_PREFIX.paymentIntent, pid),
                stripeChargeId: charged ? stripeId(DEMO_STRIPE_ID_PREFIX.charge, pid) : null,
                stripeAccountId: shopAccounts[s.slug] ?? null,
                applicationFeeCents: platformFee(amountCents, DEMO_PLATFORM_FEE),
                amountCents,
                currency: s.currency,
                kind,
                status: pStatus,
                reason,
                attempts: kind === 'fee' ? 1 : 0,
              });
              return pid;
            };
            if (status === 'held') await charge('deposit', 'deposit', depositCents, 'requires_payment');
            if (status === 'pending_payment') await charge('deposit', 'deposit', depositCents, 'processing');
            if (status === 'confirmed' || status === 'completed') await charge('deposit', 'deposit', depositCents, 'succeeded');
            if (status === 'completed' && priceCents > depositCents) {
              // The rest of the price was paid at the shop: recorded, never through Stripe.
              charges.push({
                id: await seedUuid(`payment:${key}:full`),
                appointmentId: id,
                shopId,
                amountCents: priceCents - depositCents,
                currency: s.currency,
                kind: 'full',
                status: 'succeeded',
                reason: 'external',
              });
            }
            if (status === 'no_show') {
              await charge('deposit', 'deposit', depositCents, 'succeeded');
              // Only a card on file can be charged afterwards; elsewhere the deposit is all there is.
              if (s.policy.card_on_file) await charge('fee', 'no_show_fee', amountFor(s.policy.no_show_fee, priceCents), 'succeeded');
            }
            if (cancelled) {
              // Cancelled 48 h ahead = outside the window → deposit refunded in full.
              const refundOf = await charge('deposit', 'deposit', depositCents, 'refunded');
              if (refundOf) {
                const pid = await seedUuid(`payment:${key}:refund`);
                refunds.push({
                  id: pid,
                  appointmentId: id,
                  shopId,
                  stripeRefundId: stripeId(DEMO_STRIPE_ID_PREFIX.refund, pid),
                  stripeAccountId: shopAccounts[s.slug] ?? null,
                  refundOf,
                  amountCents: depositCents,
                  currency: s.currency,
                  kind: 'refund',
                  status: 'succeeded',
                  reason: 'cancel_refund',
                  attempts: 1,
                });
              }
            }
          }
        }
      }
    }
    if (appts.length > 0) {
      const inserted = await db.insert(appointments).values(appts).onConflictDoNothing().returning({ id: appointments.id });
      // DO NOTHING would also swallow an exclusion-constraint conflict; on an empty shop every
      // row must land, so a shortfall means the layout above overlaps — fail loudly.
      if (inserted.length !== appts.length) {
        throw new Error(`seedDemo: ${appts.length - inserted.length} ${s.slug} appointments conflicted`);
      }
      appointmentsInserted += inserted.length;
    }
    // Charges first: a refund's refund_of must find its charge.
    if (charges.length > 0) await db.insert(payments).values(charges).onConflictDoNothing();
    if (refunds.length > 0) await db.insert(payments).values(refunds).onConflictDoNothing();
    if (offs.length > 0) await db.insert(timeOff).values(offs).onConflictDoNothing();
  }

  return { shops: shopIds, users: userIds, appointmentsInserted };
}

/** Convenience for tests: the demo shop id by slug, or throws. */
export async function demoShopId(db: AnyDb, slug: string): Promise<string> {
  const [row] = await db.select({ id: shops.id }).from(shops).where(and(eq(shops.slug, slug)));
  if (!row) throw new Error(`no shop ${slug}`);
  return row.id;
}
