import { describe, expect, it } from 'vitest';
import { workingIntervals } from './availability';
import { dayGaps } from './day-sheet';
import { zonedTimeToUtc } from './time';

const NY = 'America/New_York';
const at = (date: string, clock: string, tz = NY) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = clock.split(':').map(Number) as [number, number];
  return zonedTimeToUtc({ year: y, month: m, day: d }, h * 60 + min, tz).getTime();
};
const clock = (ms: number, tz = NY) => new Date(ms).toLocaleTimeString('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' });

describe('dayGaps', () => {
  const day = '2026-12-07';
  const working = [{ start: at(day, '09:00'), end: at(day, '12:00') }, { start: at(day, '13:00'), end: at(day, '17:00') }];

  it('leaves the stretches between appointments, breaks and time off, in order', () => {
    const items = [
      { start: at(day, '09:30'), end: at(day, '10:00'), status: 'confirmed' },
      { start: at(day, '10:00'), end: at(day, '11:00'), status: 'completed' },
      { start: at(day, '13:00'), end: at(day, '13:45'), status: 'held' },
    ];
    const timeOff = [{ start: at(day, '15:00'), end: at(day, '16:00') }];
    const gaps = dayGaps(working, timeOff, items).map((g) => [clock(g.start), clock(g.end), g.minutes]);
    expect(gaps).toEqual([
      ['09:00', '09:30', 30],
      ['11:00', '12:00', 60],
      ['13:45', '15:00', 75],
      ['16:00', '17:00', 60],
    ]);
  });

  it('a cancellation or a no-show frees the chair; overlapping blocks and a minimum length are handled', () => {
    const items = [
      { start: at(day, '09:00'), end: at(day, '10:00'), status: 'cancelled' },
      { start: at(day, '10:00'), end: at(day, '11:00'), status: 'no_show' },
      { start: at(day, '11:00'), end: at(day, '11:50'), status: 'confirmed' },
      { start: at(day, '11:30'), end: at(day, '12:30'), status: 'confirmed' },
    ];
    expect(dayGaps(working, [], items, 20).map((g) => [clock(g.start), clock(g.end)])).toEqual([
      ['09:00', '11:00'],
      ['13:00', '17:00'],
    ]);
    // Time off covering the whole day leaves nothing.
    expect(dayGaps(working, [{ start: at(day, '00:00'), end: at(day, '23:59') }], [])).toEqual([]);
  });

  it('is right on the autumn DST day: midnight to 10:00 is eleven real hours when the clocks go back', () => {
    const fallBack = '2026-11-01';
    const rules = [{ weekday: 0, startMinute: 0, endMinute: 600 }];
    const work = workingIntervals({ timeZone: NY, rules }, { year: 2026, month: 11, day: 1 }, { year: 2026, month: 11, day: 1 });
    // 00:00–10:00 local on the day clocks go back is eleven hours long.
    const gaps = dayGaps(work, [], [{ start: at(fallBack, '05:00'), end: at(fallBack, '06:00'), status: 'confirmed' }]);
    expect(gaps.map((g) => g.minutes)).toEqual([6 * 60, 4 * 60]);
  });
});
