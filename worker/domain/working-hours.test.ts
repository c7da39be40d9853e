import { describe, expect, it } from 'vitest';
import { zonedTimeToUtc } from './time';
import {
  fitsWeeklyRules,
  formatClock,
  parseClock,
  sortRules,
  strandedByRules,
  validateWeeklyRules,
  type WeeklyRule,
} from './working-hours';

const rule = (weekday: number, start: string, end: string): WeeklyRule => ({
  weekday,
  startMinute: parseClock(start)!,
  endMinute: parseClock(end)!,
});

describe('parseClock / formatClock', () => {
  it('round-trips wall-clock times including end of day', () => {
    for (const t of ['00:00', '09:05', '12:30', '23:59', '24:00']) expect(formatClock(parseClock(t)!)).toBe(t);
  });

  it('rejects malformed and out-of-range times', () => {
    for (const bad of ['9:00', '24:01', '12:60', '25:00', '12:3', 'noon', '']) expect(parseClock(bad), bad).toBeNull();
  });
});

describe('validateWeeklyRules', () => {
  it('accepts a day with a lunch break and touching intervals', () => {
    expect(validateWeeklyRules([rule(1, '09:00', '12:30'), rule(1, '13:30', '18:00'), rule(2, '09:00', '12:00'), rule(2, '12:00', '17:00')])).toEqual([]);
  });

  it('names inverted and empty intervals', () => {
    expect(validateWeeklyRules([rule(1, '09:00', '17:00'), rule(2, '17:00', '09:00'), rule(3, '10:00', '10:00')])).toEqual([
      { index: 1, message: 'The end must be after the start' },
      { index: 2, message: 'The end must be after the start' },
    ]);
  });

  it('names the later of two overlapping rows, only on the same weekday', () => {
    const v = validateWeeklyRules([rule(1, '09:00', '13:00'), rule(2, '09:00', '13:00'), rule(1, '12:00', '18:00'), rule(1, '08:00', '09:30')]);
    expect(v.map((x) => x.index)).toEqual([2, 3]);
    expect(v[0]!.message).toContain('Overlaps rule 0 (09:00-13:00)');
  });

  it('reports a contained interval', () => {
    expect(validateWeeklyRules([rule(5, '09:00', '18:00'), rule(5, '10:00', '11:00')]).map((x) => x.index)).toEqual([1]);
  });

  it('does not report overlaps against an already-inverted row', () => {
    expect(validateWeeklyRules([rule(1, '18:00', '09:00'), rule(1, '10:00', '11:00')]).map((x) => x.index)).toEqual([0]);
  });
});

describe('sortRules', () => {
  it('orders by weekday then start', () => {
    const sorted = sortRules([rule(2, '09:00', '10:00'), rule(1, '13:00', '14:00'), rule(1, '09:00', '10:00')]);
    expect(sorted.map((r) => [r.weekday, r.startMinute])).toEqual([[1, 540], [1, 780], [2, 540]]);
  });
});

describe('fitsWeeklyRules (shop time zone)', () => {
  const NY = 'America/New_York';
  // 2030-01-07 is a Monday.
  const monday = { year: 2030, month: 1, day: 7 };
  const at = (h: number, m = 0) => zonedTimeToUtc(monday, h * 60 + m, NY);
  const rules = [rule(1, '09:00', '12:30'), rule(1, '13:30', '18:00')];

  it('fits inside an interval, judged on New York wall time', () => {
    expect(fitsWeeklyRules(at(9), at(9, 30), rules, NY)).toBe(true);
    expect(fitsWeeklyRules(at(12), at(12, 30), rules, NY)).toBe(true);
    expect(fitsWeeklyRules(at(17, 30), at(18), rules, NY)).toBe(true);
  });

  it('does not fit across the lunch break, before opening or on another weekday', () => {
    expect(fitsWeeklyRules(at(12, 15), at(12, 45), rules, NY)).toBe(false);
    expect(fitsWeeklyRules(at(8, 30), at(9), rules, NY)).toBe(false);
    const tuesday = zonedTimeToUtc({ year: 2030, month: 1, day: 8 }, 10 * 60, NY);
    expect(fitsWeeklyRules(tuesday, new Date(tuesday.getTime() + 30 * 60_000), rules, NY)).toBe(false);
  });

  it('handles an appointment ending at local midnight, and not one crossing it', () => {
    const late = [rule(1, '22:00', '24:00')];
    expect(fitsWeeklyRules(at(23, 30), at(24), late, NY)).toBe(true);
    expect(fitsWeeklyRules(at(23, 30), at(24, 30), late, NY)).toBe(false);
  });

  it('uses the shop zone, not UTC: 17:00 in New York is 22:00Z in winter', () => {
    const start = new Date('2030-01-07T22:00:00Z');
    expect(fitsWeeklyRules(start, new Date('2030-01-07T22:30:00Z'), rules, NY)).toBe(true);
    expect(fitsWeeklyRules(start, new Date('2030-01-07T22:30:00Z'), rules, 'UTC')).toBe(false);
  });

  it('strandedByRules returns the ones outside, in order', () => {
    const appts = [
      { id: 'a', startTime: at(9), endTime: at(9, 30) },
      { id: 'b', startTime: at(12, 15), endTime: at(12, 45) },
      { id: 'c', startTime: at(19), endTime: at(19, 30) },
    ];
    expect(strandedByRules(appts, rules, NY).map((a) => a.id)).toEqual(['b', 'c']);
    expect(strandedByRules(appts, [], NY).map((a) => a.id)).toEqual(['a', 'b', 'c']);
  });
});
