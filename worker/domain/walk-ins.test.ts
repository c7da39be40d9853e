import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP_POLICY } from '../db/schema';
import type { ScheduleSnapshot } from './schedule';
import { zonedTimeToUtc } from './time';
import { bookedMinutesToday, checkWalkIn, earlierPlacements, earliestWalkInStart, estimatedStarts, placeWalkIn, walkInState, type DayAppointment } from './walk-ins';

const MIN = 60_000;

function snapshot(tz: string, overrides: Partial<ScheduleSnapshot> = {}): ScheduleSnapshot {
  return {
    barber_id: 'b1',
    barber_user_id: 'u1',
    barber_name: 'B',
    shop_id: 's1',
    active: true,
    version: 1,
    timezone: tz,
    currency: 'USD',
    shop_active: true,
    // Online rules a walk-in ignores: a 30-minute step, 2 h notice, no days ahead.
    policy: { ...DEFAULT_SHOP_POLICY, slot_step_min: 30, min_notice_min: 120, booking_window_days: 0 },
    rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1020 })),
    time_off: [],
    busy: [],
    offerings: [{ service_id: 'cut', name: 'Cut', duration_min: 30, price_cents: 3000, active: true }],
    ...overrides,
  };
}

const busy = (id: string, start: number, end: number, status = 'confirmed') => ({
  id,
  client_id: 'c',
  service_id: 'cut',
  start,
  end,
  status,
  hold_expires: null,
  price_cents: 3000,
  deposit_cents: 0,
  paid_cents: 0,
});

describe('walk-in placement', () => {
  const tz = 'Asia/Kolkata'; // +05:30: the 5-minute grid is the shop's wall clock, not UTC's
  const day = { year: 2027, month: 3, day: 10 };
  const at = (minute: number) => zonedTimeToUtc(day, minute, tz).getTime();

  it('starts at the next 5-minute mark of the wall clock, ignoring step, notice and horizon', () => {
    const s = snapshot(tz);
    const now = at(10 * 60 + 2) + 17_000; // 10:02:17 local
    expect(earliestWalkInStart(s, 'cut', now)).toEqual({ start: at(10 * 60 + 5), end: at(10 * 60 + 35) });
    expect(checkWalkIn(s, 'cut', at(10 * 60 + 5), now).ok).toBe(true);
    expect(checkWalkIn(s, 'cut', at(10 * 60 + 3), now)).toEqual({ ok: false, reason: 'not_on_step' });
  });

  it('respects bookings (with buffers), breaks and time off, and the end of the day', () => {
    const now = at(10 * 60);
    const s = snapshot(tz, {
      policy: { ...DEFAULT_SHOP_POLICY, buffer_after_min: 5 },
      busy: [busy('a', at(600), at(630)), busy('b', at(660), at(700))],
      time_off: [{ start: at(700), end: at(760) }],
    });
    // 10:30 + 5 buffer = 10:35; 10:35–11:05 collides with 11:00 (and its buffer): next is after time off.
    expect(earliestWalkInStart(s, 'cut', now)?.start).toBe(at(12 * 60 + 40));
    // A 25-minute gap fits a 20-minute service: 10:35–10:55 (+5 buffer ≤ 11:00).
    const short = { ...s, offerings: [{ service_id: 'cut', name: 'Cut', duration_min: 20, price_cents: 2000, active: true }] };
    expect(earliestWalkInStart(short, 'cut', now)?.start).toBe(at(10 * 60 + 35));
    // Late in the day nothing fits.
    expect(earliestWalkInStart(s, 'cut', at(16 * 60 + 40))).toBeNull();
    expect(checkWalkIn(s, 'cut', at(16 * 60 + 40), at(16 * 60 + 40))).toEqual({ ok: false, reason: 'outside_hours' });
    // Tomorrow is never offered.
    expect(earliestWalkInStart(s, 'cut', at(18 * 60))).toBeNull();
  });

  it('picks the earliest start, then the least booked barber', () => {
    const now = at(600);
    const a = snapshot(tz, { barber_id: 'a', busy: [busy('x', at(600), at(630)), busy('y', at(700), at(760))] });
    const b = snapshot(tz, { barber_id: 'b', busy: [busy('z', at(600), at(630))] });
    const c = snapshot(tz, { barber_id: 'c', busy: [busy('w', at(560), at(640))] });
    const order = placeWalkIn([a, b, c], 'cut', now);
    expect(order.map((p) => [p.barber_id, p.start])).toEqual([
      ['b', at(630)],
      ['a', at(630)],
      ['c', at(640)],
    ]);
    expect(bookedMinutesToday(a, now)).toBe(90);
  });

  it('on a DST day (New York, 14 March 2027: 02:00 → 03:00) the grid and the day follow the wall clock', () => {
    const ny = 'America/New_York';
    const dst = { year: 2027, month: 3, day: 14 };
    const s = snapshot(ny, { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 60, endMinute: 300 })) });
    const now = zonedTimeToUtc(dst, 60 + 52, ny).getTime(); // 01:52 EST
    const fit = earliestWalkInStart(s, 'cut', now)!;
    expect(fit.start).toBe(zonedTimeToUtc(dst, 60 + 55, ny).getTime()); // 01:55 EST
    // 01:55 EST + 30 min is 03:25 EDT: the service spans the skipped hour and still fits.
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: ny, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(fit.end)).toBe('03:25');
    expect(fit.end - fit.start).toBe(30 * MIN);
  });
});

describe('estimates: running late and finishing early', () => {
  const t0 = Date.UTC(2027, 2, 10, 10, 0);
  const appt = (id: string, startMin: number, endMin: number, status = 'confirmed', source = 'online'): DayAppointment => ({
    id,
    start: t0 + startMin * MIN,
    end: t0 + endMin * MIN,
    status,
    source,
  });

  it('an overdue appointment pushes the walk-in after it, an idle gap absorbs the overrun', () => {
    const day = [appt('late', 0, 30), appt('w1', 30, 60, 'confirmed', 'walk_in'), appt('w2', 90, 120, 'confirmed', 'walk_in')];
    const now = t0 + 40 * MIN; // "late" should have ended at 30
    const est = estimatedStarts(day, now);
    expect(est.get('w1')).toBe(now);
    // w1 now ends at 70: w2 at 90 is untouched.
    expect(est.get('w2')).toBe(t0 + 90 * MIN);
    const bigOverrun = estimatedStarts(day, t0 + 75 * MIN);
    expect(bigOverrun.get('w2')).toBe(t0 + 105 * MIN);
    // On time: the estimate is the placed start.
    expect(estimatedStarts(day, t0 + 10 * MIN).get('w1')).toBe(t0 + 30 * MIN);
  });

  it('states: next within 10 minutes or after the appointment before it finished; in the chair; done; left', () => {
    const day = [appt('a', 0, 30, 'completed'), appt('w', 45, 75, 'confirmed', 'walk_in'), appt('w2', 120, 150, 'confirmed', 'walk_in')];
    const now = t0 + 20 * MIN;
    expect(walkInState(day[1]!, day, t0 + 45 * MIN, now)).toBe('next');
    expect(walkInState(day[2]!, day, t0 + 120 * MIN, now)).toBe('waiting');
    expect(walkInState(day[2]!, day, t0 + 120 * MIN, t0 + 112 * MIN)).toBe('next');
    expect(walkInState(day[1]!, day, t0 + 45 * MIN, t0 + 46 * MIN)).toBe('in_chair');
    expect(walkInState({ ...day[1]!, status: 'completed' }, day, 0, now)).toBe('done');
    expect(walkInState({ ...day[1]!, status: 'cancelled' }, day, 0, now)).toBe('left');
  });

  it('finishing early moves the waiting walk-ins earlier, in order', () => {
    const tz = 'Europe/London';
    const day = { year: 2027, month: 7, day: 1 };
    const at = (minute: number) => zonedTimeToUtc(day, minute, tz).getTime();
    const s = snapshot(tz, {
      // The 10:00 appointment finished at 10:10 and is gone from busy; the walk-ins stay placed late.
      busy: [busy('w1', at(630), at(660)), busy('w2', at(660), at(690))],
    });
    const moves = earlierPlacements(
      s,
      [
        { id: 'w2', service_id: 'cut', start: at(660) },
        { id: 'w1', service_id: 'cut', start: at(630) },
      ],
      at(610),
    );
    expect(moves).toEqual([
      { id: 'w1', start: at(610) },
      { id: 'w2', start: at(640) },
    ]);
  });
});
