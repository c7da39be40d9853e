import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatPlainDate,
  isValidTimeZone,
  localDate,
  localDayRange,
  offsetMinutes,
  parsePlainDate,
  toZonedParts,
  weekdayOf,
  zonedTimeToUtc,
} from './time';

const NY = 'America/New_York';
const LDN = 'Europe/London';
const iso = (d: Date) => d.toISOString();
const at = (h: number, m = 0) => h * 60 + m;

describe('zonedTimeToUtc', () => {
  it('converts ordinary wall times in both zones', () => {
    expect(iso(zonedTimeToUtc({ year: 2026, month: 1, day: 15 }, at(9), NY))).toBe('2026-01-15T14:00:00.000Z');
    expect(iso(zonedTimeToUtc({ year: 2026, month: 7, day: 15 }, at(9), NY))).toBe('2026-07-15T13:00:00.000Z');
    expect(iso(zonedTimeToUtc({ year: 2026, month: 1, day: 15 }, at(9), LDN))).toBe('2026-01-15T09:00:00.000Z');
    expect(iso(zonedTimeToUtc({ year: 2026, month: 7, day: 15 }, at(9), LDN))).toBe('2026-07-15T08:00:00.000Z');
  });

  it('handles minute 1440 as the next midnight', () => {
    expect(iso(zonedTimeToUtc({ year: 2026, month: 1, day: 15 }, 1440, LDN))).toBe('2026-01-16T00:00:00.000Z');
  });

  describe('America/New_York DST (2026-03-08 spring forward, 2026-11-01 fall back)', () => {
    const spring = { year: 2026, month: 3, day: 8 };
    const fall = { year: 2026, month: 11, day: 1 };

    it('wall times around the spring gap', () => {
      expect(iso(zonedTimeToUtc(spring, at(1, 59), NY))).toBe('2026-03-08T06:59:00.000Z'); // EST
      expect(iso(zonedTimeToUtc(spring, at(3), NY))).toBe('2026-03-08T07:00:00.000Z'); // EDT
      expect(iso(zonedTimeToUtc(spring, at(9), NY))).toBe('2026-03-08T13:00:00.000Z');
    });

    it('a skipped wall time (02:30) moves forward by the gap', () => {
      const t = zonedTimeToUtc(spring, at(2, 30), NY);
      expect(iso(t)).toBe('2026-03-08T07:30:00.000Z');
      expect(toZonedParts(t, NY)).toMatchObject({ hour: 3, minute: 30 });
    });

    it('a repeated wall time (01:30) resolves to the earlier instant', () => {
      expect(iso(zonedTimeToUtc(fall, at(1, 30), NY))).toBe('2026-11-01T05:30:00.000Z'); // EDT
      expect(iso(zonedTimeToUtc(fall, at(0, 59), NY))).toBe('2026-11-01T04:59:00.000Z');
      expect(iso(zonedTimeToUtc(fall, at(2), NY))).toBe('2026-11-01T07:00:00.000Z'); // EST
      expect(iso(zonedTimeToUtc(fall, at(9), NY))).toBe('2026-11-01T14:00:00.000Z');
    });

    it('the DST days are 23 and 25 hours long', () => {
      const s = localDayRange(spring, NY);
      expect((s.end.getTime() - s.start.getTime()) / 3_600_000).toBe(23);
      const f = localDayRange(fall, NY);
      expect((f.end.getTime() - f.start.getTime()) / 3_600_000).toBe(25);
    });
  });

  describe('Europe/London DST (2026-03-29 spring forward, 2026-10-25 fall back)', () => {
    const spring = { year: 2026, month: 3, day: 29 };
    const fall = { year: 2026, month: 10, day: 25 };

    it('a skipped wall time (01:30) moves forward by the gap', () => {
      expect(iso(zonedTimeToUtc(spring, at(0, 59), LDN))).toBe('2026-03-29T00:59:00.000Z'); // GMT
      expect(iso(zonedTimeToUtc(spring, at(1, 30), LDN))).toBe('2026-03-29T01:30:00.000Z'); // → 02:30 BST
      expect(iso(zonedTimeToUtc(spring, at(2), LDN))).toBe('2026-03-29T01:00:00.000Z'); // BST
      expect(iso(zonedTimeToUtc(spring, at(9), LDN))).toBe('2026-03-29T08:00:00.000Z');
    });

    it('a repeated wall time (01:30) resolves to the earlier (BST) instant', () => {
      expect(iso(zonedTimeToUtc(fall, at(1, 30), LDN))).toBe('2026-10-25T00:30:00.000Z');
      expect(iso(zonedTimeToUtc(fall, at(2), LDN))).toBe('2026-10-25T02:00:00.000Z');
      expect(iso(zonedTimeToUtc(fall, at(9), LDN))).toBe('2026-10-25T09:00:00.000Z');
    });

    it('the DST days are 23 and 25 hours long', () => {
      const s = localDayRange(spring, LDN);
      expect(iso(s.start)).toBe('2026-03-29T00:00:00.000Z');
      expect((s.end.getTime() - s.start.getTime()) / 3_600_000).toBe(23);
      const f = localDayRange(fall, LDN);
      expect(iso(f.start)).toBe('2026-10-24T23:00:00.000Z');
      expect((f.end.getTime() - f.start.getTime()) / 3_600_000).toBe(25);
    });
  });

  it('round-trips every 15 minutes across both DST weeks in both zones', () => {
    for (const [tz, days] of [
      [NY, [{ year: 2026, month: 3, day: 7 }, { year: 2026, month: 10, day: 31 }]],
      [LDN, [{ year: 2026, month: 3, day: 28 }, { year: 2026, month: 10, day: 24 }]],
    ] as const) {
      for (const first of days) {
        for (let d = 0; d < 3; d++) {
          const date = addDays(first, d);
          for (let m = 0; m < 1440; m += 15) {
            const t = zonedTimeToUtc(date, m, tz);
            const p = toZonedParts(t, tz);
            const back = p.hour * 60 + p.minute;
            // Either exact, or (inside a gap) pushed forward by exactly one hour.
            expect([m, m + 60]).toContain(back);
            expect(formatPlainDate(localDate(t, tz))).toBe(formatPlainDate(date));
          }
        }
      }
    }
  });
});

describe('helpers', () => {
  it('offsetMinutes', () => {
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), NY)).toBe(-300);
    expect(offsetMinutes(new Date('2026-07-15T12:00:00Z'), NY)).toBe(-240);
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), LDN)).toBe(0);
    expect(offsetMinutes(new Date('2026-07-15T12:00:00Z'), LDN)).toBe(60);
  });

  it('localDate crosses midnight per zone', () => {
    const t = new Date('2026-01-15T03:00:00Z');
    expect(localDate(t, NY)).toEqual({ year: 2026, month: 1, day: 14 });
    expect(localDate(t, LDN)).toEqual({ year: 2026, month: 1, day: 15 });
  });

  it('addDays / weekdayOf / parse / format', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(weekdayOf({ year: 2026, month: 11, day: 25 })).toBe(3); // Wednesday
    expect(toZonedParts(new Date('2026-11-25T12:00:00Z'), NY).weekday).toBe(3);
    expect(parsePlainDate('2026-02-29')).toBeNull();
    expect(parsePlainDate('2026-2-1')).toBeNull();
    expect(parsePlainDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    expect(formatPlainDate({ year: 2026, month: 3, day: 8 })).toBe('2026-03-08');
  });

  it('validates zones', () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
