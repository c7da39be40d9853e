/**
 * A bookable shop for booking tests: barbers working every day in the shop's zone, services they
 * offer, a client, the owner — each with a token. Fresh rows per call; nothing shared.
 */
import type { Db } from '../../worker/db/client';
import {
  appointments,
  barberServices,
  barbers,
  DEFAULT_SHOP_POLICY,
  payments,
  services,
  shops,
  users,
  workingHours,
  type ShopPolicy,
} from '../../worker/db/schema';
import { buildAppointment, buildBarber, buildPayment, buildService, buildShop, buildUser } from '../../worker/db/seed/builders';
import { addDays, localDate, zonedTimeToUtc } from '../../worker/domain/time';
import { parseClock } from '../../worker/domain/working-hours';
import { bearer, tokenFor, userWithRole } from './auth';
import { postJson } from './harness';
import { connectShop, stripe } from './stripe';

export interface BookingWorldOptions {
  timezone?: string;
  barbers?: number;
  policy?: Partial<ShopPolicy>;
  /** Weekly hours for every weekday, "09:00-17:00" style; several = breaks. */
  hours?: string[];
  currency?: string;
  /** Give the shop a finished Stripe account (default: when the policy takes a deposit or a card). */
  stripe?: boolean;
}

export async function createBookingWorld(db: Db, opts: BookingWorldOptions = {}) {
  const timezone = opts.timezone ?? 'America/New_York';
  const policy: ShopPolicy = { ...DEFAULT_SHOP_POLICY, min_notice_min: 0, ...opts.policy };
  const [shop] = await db.insert(shops).values(buildShop({ timezone, policy, ...(opts.currency ? { currency: opts.currency } : {}) })).returning();
  const shopId = shop!.id;
  const wantsStripe = opts.stripe ?? (policy.deposit.kind !== 'none' || policy.card_on_file);
  const stripeAccountId = wantsStripe ? await connectShop(db, shopId) : null;
  const owner = await userWithRole(db, shopId, 'owner');
  const [short, long] = await db
    .insert(services)
    .values([
      buildService({ shopId }, { durationMin: 30, priceCents: 3000, currency: shop!.currency }),
      buildService({ shopId }, { durationMin: 60, priceCents: 5000, currency: shop!.currency }),
    ])
    .returning();
  const hours = (opts.hours ?? ['09:00-17:00']).map((h) => h.split('-').map((x) => parseClock(x)!) as [number, number]);
  const staff = [];
  for (let i = 0; i < (opts.barbers ?? 1); i++) {
    const member = await userWithRole(db, shopId, 'barber');
    const [barber] = await db.insert(barbers).values(buildBarber({ userId: member.user.id, shopId })).returning();
    await db.insert(barberServices).values([
      { barberId: barber!.id, serviceId: short!.id },
      { barberId: barber!.id, serviceId: long!.id },
    ]);
    await db.insert(workingHours).values(
      [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => hours.map(([startMinute, endMinute]) => ({ barberId: barber!.id, weekday, startMinute, endMinute }))),
    );
    staff.push({ barber: barber!, user: member.user, token: member.token });
  }
  const client = await newClient(db);
  return { shop: shop!, owner, barbers: staff, barber: staff[0]!, short: short!, long: long!, client, timezone, stripeAccountId };
}

export async function newClient(db: Db) {
  const [user] = await db.insert(users).values(buildUser()).returning();
  return { user: user!, token: await tokenFor(user!.id) };
}

/** The instant of local `clock` on the day `daysAhead` from today in `timeZone`. */
export function localInstant(timeZone: string, daysAhead: number, clock: string): Date {
  const day = addDays(localDate(new Date(), timeZone), daysAhead);
  return zonedTimeToUtc(day, parseClock(clock)!, timeZone);
}

export function book(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return postJson('/api/v1/appointments', body, { ...bearer(token), ...headers });
}

/** The local date string `daysAhead` from today in `timeZone`. */
export function localDay(timeZone: string, daysAhead: number): string {
  const d = addDays(localDate(new Date(), timeZone), daysAhead);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}


/**
 * An appointment written straight to the database (as a payment or a past day would leave it),
 * with an optional paid deposit — for the paths that act on existing bookings.
 */
export async function existingAppointment(
  db: Db,
  w: Awaited<ReturnType<typeof createBookingWorld>>,
  opts: { start: Date; status?: 'confirmed' | 'held'; paidCents?: number; clientId?: string; barberId?: string; priceCents?: number },
) {
  const [row] = await db
    .insert(appointments)
    .values(
      buildAppointment(
        { shopId: w.shop.id, barberId: opts.barberId ?? w.barber.barber.id, clientId: opts.clientId ?? w.client.user.id, serviceId: w.short.id },
        {
          startTime: opts.start,
          status: opts.status ?? 'confirmed',
          priceCents: opts.priceCents ?? 3000,
          depositCents: opts.paidCents ?? 0,
          ...(opts.status === 'held' ? { holdExpiresAt: new Date(Date.now() + 600_000) } : {}),
        },
      ),
    )
    .returning();
  if (opts.paidCents) {
    // A real (stand-in) destination charge, so refunds of it reach Stripe like production's.
    w.stripeAccountId ??= await connectShop(db, w.shop.id);
    const currency = w.shop.currency;
    const intent = await stripe().paymentIntents.create({
      amount: opts.paidCents,
      currency: currency.toLowerCase(),
      allowed_payment_method_types: ['card'],
      payment_method: 'pm_card_visa',
      confirm: true,
      transfer_data: { destination: w.stripeAccountId },
      metadata: { appointment_id: row!.id, purpose: 'seeded' },
    });
    await db.insert(payments).values(
      buildPayment(
        { appointmentId: row!.id },
        {
          amountCents: opts.paidCents,
          currency,
          shopId: w.shop.id,
          stripePaymentIntentId: intent.id,
          stripeChargeId: typeof intent.latest_charge === 'string' ? intent.latest_charge : null,
          stripeAccountId: w.stripeAccountId,
          status: 'succeeded',
          kind: 'deposit',
        },
      ),
    );
  }
  return row!;
}
