/**
 * A barber's schedule as the booking checks see it: the snapshot a Durable Object holds, and the
 * pure decisions taken against it (can this start be booked for this service, what does the
 * booking cost up front). No I/O: the object and the availability reads feed it.
 */
import { withPolicyDefaults, type ShopPolicy } from '../db/schema';
import { checkSlot, computeSlots, type Interval, type SlotRejection, type SlotRules } from './availability';
import { amountFor } from './money';
import type { PlainDate } from './time';
import type { WeeklyRule } from './working-hours';

export interface BusyAppointment extends Interval {
  id: string;
  client_id: string;
  service_id: string;
  status: string;
  /** A hold's expiry; past it the hold no longer occupies time (it is released on the next write). */
  hold_expires: number | null;
  price_cents: number;
  deposit_cents: number;
  paid_cents: number;
}

export interface Offering {
  service_id: string;
  name: string;
  duration_min: number;
  price_cents: number;
  active: boolean;
}

export interface ScheduleSnapshot {
  barber_id: string;
  barber_user_id: string;
  barber_name: string;
  shop_id: string;
  active: boolean;
  version: number;
  timezone: string;
  currency: string;
  shop_active: boolean;
  policy: ShopPolicy;
  /** The shop can take card payments (a Connect account with charges enabled). */
  payments_ready?: boolean;
  stripe_account_id?: string | null;
  rules: WeeklyRule[];
  time_off: Interval[];
  busy: BusyAppointment[];
  offerings: Offering[];
}

/** Normalises a stored snapshot (policies written before a field existed read as its default). */
export function normaliseSnapshot<T extends { policy: unknown }>(raw: T): Omit<T, 'policy'> & { policy: ShopPolicy } {
  return { ...raw, policy: withPolicyDefaults(raw.policy as Partial<ShopPolicy>) };
}

export type BookingRejection = SlotRejection | 'not_offered' | 'barber_unavailable';

/** The intervals that occupy the barber at `now`: active appointments, minus lapsed holds. */
export function occupied(snapshot: Pick<ScheduleSnapshot, 'busy'>, now: number, ignoreId?: string): Interval[] {
  return snapshot.busy
    .filter((b) => b.id !== ignoreId && !(b.status === 'held' && b.hold_expires !== null && b.hold_expires <= now))
    .map((b) => ({ start: b.start, end: b.end }));
}

export function offeringOf(snapshot: Pick<ScheduleSnapshot, 'offerings'>, serviceId: string): Offering | undefined {
  return snapshot.offerings.find((o) => o.service_id === serviceId && o.active);
}

export function slotRulesFor(snapshot: ScheduleSnapshot, offering: Offering, now: number, ignoreId?: string): SlotRules {
  const p = snapshot.policy;
  return {
    timeZone: snapshot.timezone,
    rules: snapshot.rules,
    timeOff: snapshot.time_off,
    busy: occupied(snapshot, now, ignoreId),
    durationMin: offering.duration_min,
    bufferBeforeMin: p.buffer_before_min,
    bufferAfterMin: p.buffer_after_min,
    stepMin: p.slot_step_min,
    minNoticeMin: p.min_notice_min,
    bookingWindowDays: p.booking_window_days,
    now,
  };
}

export type SlotCheck =
  | { ok: true; offering: Offering; end: number; rules: SlotRules }
  | { ok: false; reason: BookingRejection };

/**
 * Whether `start` can be booked for `serviceId` on this schedule. `ignoreId` leaves one
 * appointment out of the busy time (a reschedule may overlap its own old slot).
 */
export function checkBooking(
  snapshot: ScheduleSnapshot,
  serviceId: string,
  start: number,
  now: number,
  ignoreId?: string,
): SlotCheck {
  if (!snapshot.active || !snapshot.shop_active) return { ok: false, reason: 'barber_unavailable' };
  const offering = offeringOf(snapshot, serviceId);
  if (!offering) return { ok: false, reason: 'not_offered' };
  const rules = slotRulesFor(snapshot, offering, now, ignoreId);
  const rejection = checkSlot(rules, start);
  if (rejection) return { ok: false, reason: rejection };
  return { ok: true, offering, end: start + offering.duration_min * 60_000, rules };
}

/** Bookable slots of one service on this schedule for local dates [from, to]. */
export function slotsFor(snapshot: ScheduleSnapshot, serviceId: string, now: number, from: PlainDate, to: PlainDate): Interval[] {
  if (!snapshot.active || !snapshot.shop_active) return [];
  const offering = offeringOf(snapshot, serviceId);
  if (!offering) return [];
  return computeSlots(slotRulesFor(snapshot, offering, now), from, to);
}

/** What a booking takes up front under the shop's policy; 0 means it is confirmed at once. */
export function depositFor(policy: ShopPolicy, priceCents: number): number {
  return amountFor(policy.deposit, priceCents);
}

/** Human wording for each rejection, shown in the 409's detail (clients branch on `reason`). */
export const rejectionText: Record<BookingRejection, string> = {
  taken: 'Someone else has this time',
  outside_hours: 'The barber does not work at this time',
  time_off: 'The barber is away at this time',
  too_soon: 'This time is too soon to book',
  too_far: 'This time is further ahead than the shop takes bookings',
  not_on_step: 'Bookings start on the shop’s time grid',
  not_offered: 'The barber does not offer this service',
  barber_unavailable: 'The barber is not taking bookings',
};
