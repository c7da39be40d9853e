import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP_POLICY } from '../db/schema';
import type { ScheduleSnapshot } from '../domain/schedule';
import { zonedTimeToUtc } from '../domain/time';
import { rankForAnyBarber } from './booking';

const tz = 'Europe/London';
const day = { year: 2027, month: 5, day: 12 };
const at = (minute: number) => zonedTimeToUtc(day, minute, tz).getTime();

const barber = (id: string, busyMinutes: [number, number][], active = true): ScheduleSnapshot => ({
  barber_id: id,
  barber_user_id: `u-${id}`,
  barber_name: id,
  shop_id: 's',
  active,
  version: 1,
  timezone: tz,
  currency: 'GBP',
  shop_active: true,
  policy: { ...DEFAULT_SHOP_POLICY, min_notice_min: 0 },
  rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1080 })),
  time_off: [],
  busy: busyMinutes.map(([s, e], i) => ({ id: `${id}-${i}`, client_id: 'c', service_id: 'cut', start: at(s), end: at(e), status: 'confirmed', hold_expires: null, price_cents: 2000, deposit_cents: 0, paid_cents: 0 })),
  offerings: [{ service_id: 'cut', name: 'Cut', duration_min: 30, price_cents: 2000, active: true }],
});

describe('rankForAnyBarber', () => {
  const now = at(0) - 3_600_000;
  it('keeps only barbers free at the start, least booked that day first, ties by id', () => {
    const busyAt10 = barber('a', [[600, 630]]);
    const heavy = barber('b', [[540, 600], [700, 820]]);
    const light = barber('c', [[900, 930]]);
    const idle = barber('d', []);
    const inactive = barber('e', [], false);
    const ranked = rankForAnyBarber([busyAt10, heavy, light, idle, inactive], 'cut', at(600), now).map((s) => s.barber_id);
    expect(ranked).toEqual(['d', 'c', 'b']);
  });

  it('counts only the slot’s own local day', () => {
    const tomorrowHeavy = barber('a', [[540 + 1440, 1080 + 1440]]);
    const todayLight = barber('b', [[540, 570]]);
    expect(rankForAnyBarber([todayLight, tomorrowHeavy], 'cut', at(720), now).map((s) => s.barber_id)).toEqual(['a', 'b']);
  });
});
