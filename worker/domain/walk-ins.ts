/**
 * Walk-ins, pure: where a walk-in fits today and when they will really be seen. No I/O — the
 * service feeds it the barbers' schedule snapshots (the same ones the Durable Objects check
 * bookings against) and the clock.
 *
 * A walk-in is an appointment like any other, so placement reuses the slot engine
 * (availability.ts `computeSlots` / `checkSlot`) with walk-in rules: the shop's hours, breaks,
 * time off, buffers and existing bookings all apply; the online booking step, minimum notice and
 * horizon do not (a 5-minute wall-clock grid, no notice, today only).
 */
import { checkSlot, computeSlots, type Interval, type SlotRejection, type SlotRules } from './availability';
import { offeringOf, slotRulesFor, type Offering, type ScheduleSnapshot } from './schedule';
import { localDate } from './time';

/** Walk-ins start on a 5-minute grid of the shop's wall clock. */
export const WALK_IN_STEP_MIN = 5;
const MINUTE = 60_000;

/** The slot rules of a walk-in: the booking's own, minus step, notice and horizon (today only). */
export function walkInRules(snapshot: ScheduleSnapshot, offering: Offering, now: number, ignoreId?: string): SlotRules {
  return { ...slotRulesFor(snapshot, offering, now, ignoreId), stepMin: WALK_IN_STEP_MIN, minNoticeMin: 0, bookingWindowDays: 0 };
}

export type WalkInCheck =
  | { ok: true; offering: Offering; end: number }
  | { ok: false; reason: SlotRejection | 'not_offered' | 'barber_unavailable' };

/** Whether a walk-in can start at `start` today (what the object re-checks under its lock). */
export function checkWalkIn(snapshot: ScheduleSnapshot, serviceId: string, start: number, now: number, ignoreId?: string): WalkInCheck {
  if (!snapshot.active || !snapshot.shop_active) return { ok: false, reason: 'barber_unavailable' };
  const offering = offeringOf(snapshot, serviceId);
  if (!offering) return { ok: false, reason: 'not_offered' };
  const rejection = checkSlot(walkInRules(snapshot, offering, now, ignoreId), start);
  if (rejection) return { ok: false, reason: rejection };
  return { ok: true, offering, end: start + offering.duration_min * MINUTE };
}

/**
 * The earliest start ≥ now (the next 5-minute mark of the shop's wall clock) where the service
 * fits on this barber's schedule today, or null. `ignoreId`: leave one appointment out (a walk-in
 * being moved earlier may overlap its own current time).
 */
export function earliestWalkInStart(snapshot: ScheduleSnapshot, serviceId: string, now: number, ignoreId?: string): Interval | null {
  if (!snapshot.active || !snapshot.shop_active) return null;
  const offering = offeringOf(snapshot, serviceId);
  if (!offering) return null;
  const today = localDate(new Date(now), snapshot.timezone);
  const slots = computeSlots(walkInRules(snapshot, offering, now, ignoreId), today, today);
  const first = slots.find((s) => s.start >= now);
  return first ? { start: first.start, end: first.start + offering.duration_min * MINUTE } : null;
}

/** Minutes of active bookings on the barber's local day of `now` (the least busy go first). */
export function bookedMinutesToday(snapshot: ScheduleSnapshot, now: number): number {
  const today = dayKey(now, snapshot.timezone);
  return snapshot.busy
    .filter((b) => !(b.status === 'held' && b.hold_expires !== null && b.hold_expires <= now))
    .filter((b) => dayKey(b.start, snapshot.timezone) === today)
    .reduce((sum, b) => sum + Math.round((b.end - b.start) / MINUTE), 0);
}

function dayKey(instant: number, timeZone: string): string {
  const d = localDate(new Date(instant), timeZone);
  return `${d.year}-${d.month}-${d.day}`;
}

export interface Placement {
  barber_id: string;
  barber_name: string;
  start: number;
  end: number;
  price_cents: number;
  booked_minutes: number;
}

/**
 * Every barber's earliest fit today, best first: earliest start, ties → least booked minutes
 * today, then barber id (stable). "Any barber" tries them in this order; a named barber is the
 * list filtered to them.
 */
export function placeWalkIn(snapshots: readonly ScheduleSnapshot[], serviceId: string, now: number): Placement[] {
  const out: Placement[] = [];
  for (const s of snapshots) {
    const fit = earliestWalkInStart(s, serviceId, now);
    if (!fit) continue;
    out.push({
      barber_id: s.barber_id,
      barber_name: s.barber_name,
      start: fit.start,
      end: fit.end,
      price_cents: offeringOf(s, serviceId)!.price_cents,
      booked_minutes: bookedMinutesToday(s, now),
    });
  }
  return out.sort((a, b) => a.start - b.start || a.booked_minutes - b.booked_minutes || a.barber_id.localeCompare(b.barber_id));
}

/** One appointment of a barber's day as the estimate sees it. */
export interface DayAppointment {
  id: string;
  start: number;
  end: number;
  status: string;
  source: string;
}

/**
 * Running late: the realistic start of each still-active appointment of one barber's day.
 * Appointments are walked in start order with the time the chair is really free: a confirmed
 * appointment past its end and not marked completed is still in the chair, so it holds the chair
 * until at least `now`, and everything after it is pushed by that overrun — except where an idle
 * gap absorbs it. A waiting appointment is never estimated before `now`. `gapMs`: the shop's
 * buffers between appointments. Returns id → estimated start.
 */
export function estimatedStarts(day: readonly DayAppointment[], now: number, gapMs = 0): Map<string, number> {
  const active = day.filter((a) => a.status === 'confirmed' || a.status === 'held').sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  const out = new Map<string, number>();
  let free = Number.NEGATIVE_INFINITY;
  for (const a of active) {
    const started = a.start <= now;
    const est = started ? Math.max(a.start, free) : Math.max(a.start, free, now);
    const overdue = a.end <= now; // confirmed, not completed, past its end: running late
    const estEnd = overdue ? Math.max(now, est + (a.end - a.start)) : est + (a.end - a.start);
    out.set(a.id, est);
    free = estEnd + gapMs;
  }
  return out;
}

/** Within this long of their start a walk-in is "next" (and gets the text). */
export const NEXT_WITHIN_MS = 10 * MINUTE;

export type WalkInState = 'waiting' | 'next' | 'in_chair' | 'done' | 'left';

/**
 * A walk-in's state: left (cancelled), done (completed / no-show), in the chair (its estimated
 * start has come and nothing before it is still in the chair), next (within 10 minutes, or the
 * appointment just before it at that barber has finished, been cancelled or was a no-show), else
 * waiting. `day`: the barber's appointments that day, including settled ones.
 */
export function walkInState(walkIn: DayAppointment, day: readonly DayAppointment[], estimate: number, now: number): WalkInState {
  if (walkIn.status === 'cancelled') return 'left';
  if (walkIn.status === 'completed' || walkIn.status === 'no_show') return 'done';
  if (estimate <= now) return 'in_chair';
  if (estimate - now <= NEXT_WITHIN_MS) return 'next';
  const before = day.filter((a) => a.id !== walkIn.id && a.start < walkIn.start).sort((a, b) => b.start - a.start)[0];
  if (before && (before.status === 'completed' || before.status === 'no_show' || before.status === 'cancelled')) return 'next';
  return 'waiting';
}

/**
 * Finishing early: the waiting walk-ins of one barber that can start earlier than they are
 * placed, each with the earlier start — in start order, each one placed on the schedule as the
 * ones before it leave it. The service moves them through the object (reschedule), in this order.
 */
export function earlierPlacements(
  snapshot: ScheduleSnapshot,
  walkIns: readonly { id: string; service_id: string; start: number }[],
  now: number,
): { id: string; start: number }[] {
  const moves: { id: string; start: number }[] = [];
  let snap = snapshot;
  for (const w of [...walkIns].sort((a, b) => a.start - b.start)) {
    if (w.start <= now) continue;
    const fit = earliestWalkInStart(snap, w.service_id, now, w.id);
    if (!fit || fit.start >= w.start) continue;
    moves.push({ id: w.id, start: fit.start });
    snap = {
      ...snap,
      busy: snap.busy.map((b) => (b.id === w.id ? { ...b, start: fit.start, end: fit.end } : b)),
    };
  }
  return moves;
}
