import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP_POLICY } from '../db/schema';
import { checkBooking, depositFor, occupied, type ScheduleSnapshot } from './schedule';
import { zonedTimeToUtc } from './time';

const tz = 'America/New_York';
const day = { year: 2027, month: 3, day: 10 };
const at = (minute: number) => zonedTimeToUtc(day, minute, tz).getTime();

function snapshot(overrides: Partial<ScheduleSnapshot> = {}): ScheduleSnapshot {
  return {
    barber_id: 'b1',
    barber_user_id: 'u1',
    barber_name: 'B',
    shop_id: 's1',
    active: true,
    version: 3,
    timezone: tz,
    currency: 'USD',
    shop_active: true,
    policy: { ...DEFAULT_SHOP_POLICY, min_notice_min: 0 },
    rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1020 })),
    time_off: [],
    busy: [],
    offerings: [{ service_id: 'cut', name: 'Cut', duration_min: 30, price_cents: 3000, active: true }],
    ...overrides,
  };
}

const busy = (start: number, end: number, extra: Partial<ScheduleSnapshot['busy'][number]> = {}) => ({
  id: 'a1',
  client_id: 'c',
  service_id: 'cut',
  start,
  end,
  status: 'confirmed',
  hold_expires: null,
  price_cents: 3000,
  deposit_cents: 0,
  paid_cents: 0,
  ...extra,
});

describe('checkBooking', () => {
  const now = at(0) - 86_400_000;
  it('accepts a free start and gives the end from the barber’s duration', () => {
    const r = checkBooking(snapshot(), 'cut', at(600), now);
    expect(r.ok && r.end).toBe(at(630));
  });

  it('says why it refuses: not offered, unavailable barber, taken', () => {
    expect(checkBooking(snapshot(), 'color', at(600), now)).toEqual({ ok: false, reason: 'not_offered' });
    expect(checkBooking(snapshot({ active: false }), 'cut', at(600), now)).toEqual({ ok: false, reason: 'barber_unavailable' });
    expect(checkBooking(snapshot({ shop_active: false }), 'cut', at(600), now)).toEqual({ ok: false, reason: 'barber_unavailable' });
    expect(checkBooking(snapshot({ busy: [busy(at(600), at(630))] }), 'cut', at(615), now)).toEqual({ ok: false, reason: 'taken' });
  });

  it('a lapsed hold does not occupy time; a live one does', () => {
    const lapsed = busy(at(600), at(630), { status: 'held', hold_expires: now - 1 });
    const live = busy(at(600), at(630), { status: 'held', hold_expires: now + 60_000 });
    expect(checkBooking(snapshot({ busy: [lapsed] }), 'cut', at(600), now).ok).toBe(true);
    expect(checkBooking(snapshot({ busy: [live] }), 'cut', at(600), now).ok).toBe(false);
    expect(occupied(snapshot({ busy: [lapsed, live] }), now)).toHaveLength(1);
  });

  it('a reschedule may overlap its own old slot', () => {
    const own = busy(at(600), at(630), { id: 'mine' });
    expect(checkBooking(snapshot({ busy: [own] }), 'cut', at(615), now, 'mine').ok).toBe(true);
    expect(checkBooking(snapshot({ busy: [own] }), 'cut', at(615), now, 'other').ok).toBe(false);
  });

  it('uses the shop’s buffers between appointments', () => {
    const s = snapshot({ busy: [busy(at(600), at(630))], policy: { ...DEFAULT_SHOP_POLICY, min_notice_min: 0, buffer_after_min: 15 } });
    expect(checkBooking(s, 'cut', at(630), now)).toEqual({ ok: false, reason: 'taken' });
    expect(checkBooking(s, 'cut', at(645), now).ok).toBe(true);
  });
});

describe('depositFor', () => {
  it('is nothing, a share or a fixed amount of the price — never more than the price', () => {
    expect(depositFor(DEFAULT_SHOP_POLICY, 3000)).toBe(0);
    expect(depositFor({ ...DEFAULT_SHOP_POLICY, deposit: { kind: 'percent', value: 20 } }, 3000)).toBe(600);
    expect(depositFor({ ...DEFAULT_SHOP_POLICY, deposit: { kind: 'fixed', value: 5000 } }, 3000)).toBe(3000);
  });
});
