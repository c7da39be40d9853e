import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSlot,
  clearSlotEngineCache,
  computeSlots,
  workingIntervals,
  type Interval,
  type SlotRejection,
  type SlotRules,
} from './availability';
import {
  addDays,
  formatPlainDate,
  localDate,
  localDayRange,
  parsePlainDate,
  toZonedParts,
  weekdayOf,
  zonedTimeToUtc,
  type PlainDate,
} from './time';
import type { WeeklyRule } from './working-hours';

const NY = 'America/New_York';
const LDN = 'Europe/London';
const KOLKATA = 'Asia/Kolkata';
const LORD_HOWE = 'Australia/Lord_Howe';
const UTC = 'UTC';
const MIN = 60_000;

const day = (s: string): PlainDate => parsePlainDate(s)!;
const at = (iso: string): number => Date.parse(iso);
const clock = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const rule = (weekday: number, start: string, end: string): WeeklyRule => ({
  weekday,
  startMinute: clock(start),
  endMinute: clock(end),
});
const everyDay = (start: string, end: string): WeeklyRule[] => [0, 1, 2, 3, 4, 5, 6].map((w) => rule(w, start, end));
/** "2026-03-08T13:00Z" — compact UTC so expected lists stay readable. */
const utc = (ms: number): string => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const starts = (slots: readonly Interval[]): string[] => slots.map((s) => utc(s.start));
/** Local wall clock "HH:MM" of each slot start. */
const wall = (slots: readonly Interval[], tz: string): string[] =>
  slots.map((s) => {
    const p = toZonedParts(new Date(s.start), tz);
    return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  });

const input = (over: Partial<SlotRules>): SlotRules => ({
  timeZone: NY,
  rules: everyDay('09:00', '12:00'),
  timeOff: [],
  busy: [],
  durationMin: 30,
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  stepMin: 15,
  minNoticeMin: 0,
  bookingWindowDays: 365,
  now: at('2026-01-01T00:00:00Z'),
  ...over,
});

// ---------------------------------------------------------------------------------------------
// Explicit expectations

describe('computeSlots — DST days, hand-written', () => {
  const nineToNoon = (timeZone: string) => input({ timeZone, stepMin: 30, rules: everyDay('09:00', '12:00') });
  const list = (first: string, ...hours: string[]) => hours.map((h) => `${first}T${h}Z`);

  it('New York spring forward (2026-03-08): 09:00…11:30 local each day, 14:00Z before and 13:00Z from the change', () => {
    const slots = computeSlots(nineToNoon(NY), day('2026-03-07'), day('2026-03-09'));
    expect(starts(slots)).toEqual([
      ...list('2026-03-07', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30'),
      ...list('2026-03-08', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30'),
      ...list('2026-03-09', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30'),
    ]);
    expect(new Set(wall(slots, NY))).toEqual(new Set(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']));
  });

  it('New York fall back (2026-11-01): 13:00Z before, 14:00Z from the change', () => {
    const slots = computeSlots(nineToNoon(NY), day('2026-10-31'), day('2026-11-02'));
    expect(starts(slots)).toEqual([
      ...list('2026-10-31', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30'),
      ...list('2026-11-01', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30'),
      ...list('2026-11-02', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30'),
    ]);
  });

  it('London spring forward (2026-03-29) and fall back (2026-10-25)', () => {
    expect(starts(computeSlots(nineToNoon(LDN), day('2026-03-28'), day('2026-03-30')))).toEqual([
      ...list('2026-03-28', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30'),
      ...list('2026-03-29', '08:00', '08:30', '09:00', '09:30', '10:00', '10:30'),
      ...list('2026-03-30', '08:00', '08:30', '09:00', '09:30', '10:00', '10:30'),
    ]);
    expect(starts(computeSlots(nineToNoon(LDN), day('2026-10-24'), day('2026-10-26')))).toEqual([
      ...list('2026-10-24', '08:00', '08:30', '09:00', '09:30', '10:00', '10:30'),
      ...list('2026-10-25', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30'),
      ...list('2026-10-26', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30'),
    ]);
  });

  it('New York spring forward, rule 01:00-04:00: no slot in the skipped hour', () => {
    const x = input({ rules: everyDay('01:00', '04:00') });
    const slots = computeSlots(x, day('2026-03-08'), day('2026-03-08'));
    // 01:00 EST = 06:00Z; 04:00 EDT = 08:00Z: two real hours, the 02:xx wall times do not exist.
    expect(starts(slots)).toEqual(list('2026-03-08', '06:00', '06:15', '06:30', '06:45', '07:00', '07:15', '07:30'));
    expect(wall(slots, NY)).toEqual(['01:00', '01:15', '01:30', '01:45', '03:00', '03:15', '03:30']);
    // 01:45 EST runs 06:45Z-07:15Z, i.e. to 03:15 EDT: still inside the rule.
    expect(checkSlot(x, at('2026-03-08T06:45:00Z'))).toBeNull();
  });

  it('New York spring forward: a rule boundary inside the gap moves forward (02:30 → 03:30)', () => {
    const x = input({ rules: [rule(0, '02:30', '05:00')] });
    expect(wall(computeSlots(x, day('2026-03-08'), day('2026-03-08')), NY)).toEqual([
      '03:30', '03:45', '04:00', '04:15', '04:30',
    ]);
    expect(workingIntervals(x, day('2026-03-08'), day('2026-03-08'))).toEqual([
      { start: at('2026-03-08T07:30:00Z'), end: at('2026-03-08T09:00:00Z') },
    ]);
  });

  it('New York fall back, rule 01:00-04:00: both passes through 01:xx are offered', () => {
    const x = input({ rules: everyDay('01:00', '04:00'), now: at('2026-10-01T00:00:00Z') });
    const slots = computeSlots(x, day('2026-11-01'), day('2026-11-01'));
    // 01:00 EDT = 05:00Z (the earlier reading) to 04:00 EST = 09:00Z: four real hours.
    expect(starts(slots)).toEqual(
      list(
        '2026-11-01',
        '05:00', '05:15', '05:30', '05:45', // 01:xx EDT
        '06:00', '06:15', '06:30', '06:45', // 01:xx EST
        '07:00', '07:15', '07:30', '07:45', '08:00', '08:15', '08:30',
      ),
    );
    expect(wall(slots, NY).slice(0, 8)).toEqual(['01:00', '01:15', '01:30', '01:45', '01:00', '01:15', '01:30', '01:45']);
    expect(checkSlot(x, at('2026-11-01T06:00:00Z'))).toBeNull(); // 01:00 EST
  });

  it('New York fall back: a rule ending at 01:30 ends at the EARLIER 01:30', () => {
    const x = input({ rules: [rule(0, '00:00', '01:30')], now: at('2026-10-01T00:00:00Z') });
    expect(starts(computeSlots(x, day('2026-11-01'), day('2026-11-01')))).toEqual(
      list('2026-11-01', '04:00', '04:15', '04:30', '04:45', '05:00'),
    );
    expect(checkSlot(x, at('2026-11-01T06:00:00Z'))).toBe('outside_hours'); // 01:00 EST, second pass
  });

  it('London spring forward, rule 01:00-04:00 (01:00 does not exist → 02:00 BST)', () => {
    const x = input({ timeZone: LDN, rules: everyDay('01:00', '04:00') });
    expect(starts(computeSlots(x, day('2026-03-29'), day('2026-03-29')))).toEqual(
      list('2026-03-29', '01:00', '01:15', '01:30', '01:45', '02:00', '02:15', '02:30'),
    );
  });

  it('London fall back, rule 00:00-03:00: 01:xx BST and 01:xx GMT both offered', () => {
    const x = input({ timeZone: LDN, rules: everyDay('00:00', '03:00'), stepMin: 30, durationMin: 60 });
    const slots = computeSlots(x, day('2026-10-25'), day('2026-10-25'));
    expect(starts(slots)).toEqual([
      '2026-10-24T23:00Z', '2026-10-24T23:30Z', '2026-10-25T00:00Z', '2026-10-25T00:30Z',
      '2026-10-25T01:00Z', '2026-10-25T01:30Z', '2026-10-25T02:00Z',
    ]);
    expect(wall(slots, LDN)).toEqual(['00:00', '00:30', '01:00', '01:30', '01:00', '01:30', '02:00']);
  });

  it('Lord Howe (30-minute DST, 2026-10-04 02:00 → 02:30): step stays on the wall clock', () => {
    const x = input({ timeZone: LORD_HOWE, rules: everyDay('01:00', '04:00') });
    const slots = computeSlots(x, day('2026-10-04'), day('2026-10-04'));
    expect(wall(slots, LORD_HOWE)).toEqual(['01:00', '01:15', '01:30', '01:45', '02:30', '02:45', '03:00', '03:15', '03:30']);
    expect(utc(slots[0]!.start)).toBe('2026-10-03T14:30Z'); // +10:30
    expect(utc(slots.at(-1)!.start)).toBe('2026-10-03T16:30Z'); // +11:00
  });

  it('historic oddities: a transition off the minute (Monrovia 1972) and a skipped day (Apia 2011-12-30)', () => {
    // Monrovia went from -00:44:30 to GMT at local midnight of 1972-01-07 (00:44:30Z): that
    // midnight is a gap, and the step stays on the wall clock on both sides.
    const mon = input({ timeZone: 'Africa/Monrovia', rules: everyDay('09:00', '10:00'), stepMin: 30, now: at('1972-01-01T00:00:00Z') });
    expect(starts(computeSlots(mon, day('1972-01-06'), day('1972-01-07')))).toEqual([
      '1972-01-06T09:44:30.000Z', '1972-01-06T10:14:30.000Z', '1972-01-07T09:00Z', '1972-01-07T09:30Z',
    ]);
    expect(workingIntervals({ ...mon, rules: everyDay('00:00', '24:00') }, day('1972-01-06'), day('1972-01-07'))).toEqual([
      { start: at('1972-01-06T00:44:30Z'), end: at('1972-01-08T00:00:00Z') },
    ]);
    // Samoa skipped 2011-12-30 (-10:00 → +14:00): that date has no time, so no working time.
    const apia = input({ timeZone: 'Pacific/Apia', rules: everyDay('09:00', '17:00'), stepMin: 240, durationMin: 60, now: at('2011-12-01T00:00:00Z') });
    expect(computeSlots(apia, day('2011-12-30'), day('2011-12-30'))).toEqual([]);
    expect(workingIntervals(apia, day('2011-12-29'), day('2011-12-31'))).toEqual([
      { start: at('2011-12-29T19:00:00Z'), end: at('2011-12-30T03:00:00Z') },
      { start: at('2011-12-30T19:00:00Z'), end: at('2011-12-31T03:00:00Z') },
    ]);
  });

  it('Kolkata (+05:30) and UTC', () => {
    expect(starts(computeSlots(input({ timeZone: KOLKATA, stepMin: 60 }), day('2026-06-15'), day('2026-06-15')))).toEqual(
      list('2026-06-15', '03:30', '04:30', '05:30'),
    );
    expect(starts(computeSlots(input({ timeZone: UTC, stepMin: 60 }), day('2026-06-15'), day('2026-06-15')))).toEqual(
      list('2026-06-15', '09:00', '10:00', '11:00'),
    );
  });
});

describe('computeSlots — hours, steps, buffers, notice, window', () => {
  // 2026-06-12 is a Friday; New York is on EDT (-04:00).
  const FRI = day('2026-06-12');
  const SAT = day('2026-06-13');

  it('hours past midnight merge: Fri 18:00-24:00 + Sat 00:00-02:00 allows a Friday 23:30-00:30 slot', () => {
    const x = input({ rules: [rule(5, '18:00', '24:00'), rule(6, '00:00', '02:00')], stepMin: 30, durationMin: 60 });
    const fri = computeSlots(x, FRI, FRI);
    expect(wall(fri, NY)).toEqual(['18:00', '18:30', '19:00', '19:30', '20:00', '20:30', '21:00', '21:30', '22:00', '22:30', '23:00', '23:30']);
    expect(fri.at(-1)).toEqual({ start: at('2026-06-13T03:30:00Z'), end: at('2026-06-13T04:30:00Z') });
    // The 23:30 slot belongs to Friday, not Saturday.
    expect(wall(computeSlots(x, SAT, SAT), NY)).toEqual(['00:00', '00:30', '01:00']);
    expect(workingIntervals(x, FRI, SAT)).toEqual([{ start: at('2026-06-12T22:00:00Z'), end: at('2026-06-13T06:00:00Z') }]);

    const apart = input({ ...x, rules: [rule(5, '18:00', '24:00'), rule(6, '00:30', '02:00')] });
    expect(wall(computeSlots(apart, FRI, FRI), NY).at(-1)).toBe('23:00');
    expect(checkSlot(apart, at('2026-06-13T03:30:00Z'))).toBe('outside_hours');
  });

  it('breaks: a slot may not span the break', () => {
    const x = input({ rules: [rule(5, '09:00', '12:00'), rule(5, '13:00', '17:00')], durationMin: 45 });
    const w = wall(computeSlots(x, FRI, FRI), NY);
    expect(w.filter((t) => t < '13:00')).toEqual(['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15']);
    expect(w.filter((t) => t >= '13:00')).toEqual([
      '13:00', '13:15', '13:30', '13:45', '14:00', '14:15', '14:30', '14:45', '15:00', '15:15', '15:30', '15:45', '16:00', '16:15',
    ]);
    expect(checkSlot(x, at('2026-06-12T15:30:00Z'))).toBe('outside_hours'); // 11:30-12:15
    // Touching rules (09:00-12:00, 12:00-17:00) are one stretch.
    const touching = input({ rules: [rule(5, '09:00', '12:00'), rule(5, '12:00', '17:00')], durationMin: 45 });
    expect(checkSlot(touching, at('2026-06-12T15:30:00Z'))).toBeNull();
  });

  it('step 15 vs 20 vs 30, and a duration that is not a multiple of the step', () => {
    const one = (stepMin: number, durationMin: number) =>
      wall(computeSlots(input({ rules: [rule(5, '09:00', '10:00')], stepMin, durationMin }), FRI, FRI), NY);
    expect(one(15, 20)).toEqual(['09:00', '09:15', '09:30']);
    expect(one(20, 20)).toEqual(['09:00', '09:20', '09:40']);
    expect(one(30, 20)).toEqual(['09:00', '09:30']);
    expect(one(15, 25)).toEqual(['09:00', '09:15', '09:30']);
    expect(one(20, 25)).toEqual(['09:00', '09:20']);
    // The grid is the wall clock, not the rule start: a 09:10 start is not on a 15-minute step.
    expect(wall(computeSlots(input({ rules: [rule(5, '09:10', '10:00')], durationMin: 20 }), FRI, FRI), NY)).toEqual(['09:15', '09:30']);
    expect(checkSlot(input({ rules: [rule(5, '09:10', '10:00')], durationMin: 20 }), at('2026-06-12T13:10:00Z'))).toBe('not_on_step');
  });

  it('buffers: existing [b-before, b+after) and new [s-before, s+dur+after) must not overlap', () => {
    const x = input({
      rules: [rule(5, '09:00', '12:00')],
      busy: [{ start: at('2026-06-12T14:00:00Z'), end: at('2026-06-12T14:30:00Z') }], // 10:00-10:30
      bufferBeforeMin: 10,
      bufferAfterMin: 5,
    });
    // Blocked when s-10 < 10:35 and 09:50 < s+35, i.e. 09:15 < s < 10:45.
    expect(wall(computeSlots(x, FRI, FRI), NY)).toEqual(['09:00', '09:15', '10:45', '11:00', '11:15', '11:30']);
    expect(checkSlot(x, at('2026-06-12T13:30:00Z'))).toBe('taken'); // 09:30
    expect(checkSlot(x, at('2026-06-12T14:30:00Z'))).toBe('taken'); // 10:30: only 0 of 15 minutes between
    expect(checkSlot(x, at('2026-06-12T14:45:00Z'))).toBeNull(); // 10:45
    // Without buffers the same appointment only blocks what it overlaps; back-to-back is fine.
    expect(wall(computeSlots({ ...x, bufferBeforeMin: 0, bufferAfterMin: 0 }, FRI, FRI), NY)).toEqual([
      '09:00', '09:15', '09:30', '10:30', '10:45', '11:00', '11:15', '11:30',
    ]);
  });

  it('time off blocks the slot itself, buffers ignored', () => {
    const x = input({
      rules: [rule(5, '09:00', '12:00')],
      timeOff: [{ start: at('2026-06-12T14:00:00Z'), end: at('2026-06-12T15:00:00Z') }], // 10:00-11:00
      bufferBeforeMin: 15,
      bufferAfterMin: 15,
    });
    expect(wall(computeSlots(x, FRI, FRI), NY)).toEqual(['09:00', '09:15', '09:30', '11:00', '11:15', '11:30']);
    expect(checkSlot(x, at('2026-06-12T13:45:00Z'))).toBe('time_off');
  });

  it('unsorted, overlapping busy input is merged; inputs are not mutated', () => {
    const busy = Object.freeze([
      Object.freeze({ start: at('2026-06-12T15:00:00Z'), end: at('2026-06-12T15:30:00Z') }), // 11:00-11:30
      Object.freeze({ start: at('2026-06-12T13:00:00Z'), end: at('2026-06-12T13:45:00Z') }), // 09:00-09:45
      Object.freeze({ start: at('2026-06-12T13:30:00Z'), end: at('2026-06-12T14:00:00Z') }), // 09:30-10:00
    ]);
    const x = input({ rules: Object.freeze([rule(5, '09:00', '12:00')]), busy });
    const before = JSON.stringify(x);
    expect(wall(computeSlots(x, FRI, FRI), NY)).toEqual(['10:00', '10:15', '10:30', '11:30']);
    expect(JSON.stringify(x)).toBe(before);
  });

  it('now in the middle of the day: earliest start is now + notice, rounded up to the step', () => {
    const x = input({ rules: [rule(5, '09:00', '17:00')], now: at('2026-06-12T14:07:30Z'), minNoticeMin: 60 }); // 10:07:30 local
    const w = wall(computeSlots(x, FRI, FRI), NY);
    expect(w[0]).toBe('11:15');
    expect(checkSlot(x, at('2026-06-12T15:00:00Z'))).toBe('too_soon'); // 11:00
    expect(checkSlot(x, at('2026-06-12T15:15:00Z'))).toBeNull();
    // The rounding is to the step, not to the minute: 11:07:30 itself is not a start.
    expect(checkSlot(x, at('2026-06-12T15:07:30Z'))).toBe('not_on_step');
    // Exactly now + notice is allowed.
    expect(checkSlot({ ...x, now: at('2026-06-12T14:15:00Z') }, at('2026-06-12T15:15:00Z'))).toBeNull();
  });

  it('window edge: the last bookable date is the LOCAL date of now + window', () => {
    // 2026-06-11T03:30Z is still June 10 in New York: last bookable date is June 12, not June 13.
    const x = input({ rules: everyDay('09:00', '10:00'), now: at('2026-06-11T03:30:00Z'), bookingWindowDays: 2, stepMin: 30 });
    const slots = computeSlots(x, day('2026-06-10'), day('2026-06-14'));
    expect(slots.map((s) => formatPlainDate(localDate(new Date(s.start), NY)))).toEqual([
      '2026-06-11', '2026-06-11', '2026-06-12', '2026-06-12',
    ]);
    expect(checkSlot(x, at('2026-06-12T13:30:00Z'))).toBeNull();
    expect(checkSlot(x, at('2026-06-13T13:00:00Z'))).toBe('too_far');
    expect(computeSlots({ ...x, bookingWindowDays: 0 }, day('2026-06-10'), day('2026-06-14'))).toEqual([]);
  });

  it('reason precedence: not_on_step, too_soon, too_far, outside_hours, time_off, taken', () => {
    const x = input({
      rules: [rule(5, '09:00', '12:00')],
      now: at('2026-06-10T12:00:00Z'),
      bookingWindowDays: 3,
      minNoticeMin: 2 * 1440 + 60,
      timeOff: [{ start: at('2026-06-12T15:00:00Z'), end: at('2026-06-12T16:00:00Z') }],
      busy: [{ start: at('2026-06-12T15:00:00Z'), end: at('2026-06-12T15:30:00Z') }],
    });
    expect(checkSlot(x, at('2026-06-12T12:05:00Z'))).toBe('not_on_step'); // also too soon, outside hours
    expect(checkSlot(x, at('2026-06-12T12:00:00Z'))).toBe('too_soon'); // also outside hours
    expect(checkSlot(x, at('2026-06-14T13:00:00Z'))).toBe('too_far'); // Sunday Jun 14 09:00, also outside hours
    expect(checkSlot(x, at('2026-06-12T17:00:00Z'))).toBe('outside_hours');
    expect(checkSlot(x, at('2026-06-12T15:00:00Z'))).toBe('time_off'); // also taken
    expect(checkSlot({ ...x, timeOff: [] }, at('2026-06-12T15:00:00Z'))).toBe('taken');
    expect(checkSlot(x, at('2026-06-12T14:00:00Z'))).toBeNull();
    expect(checkSlot(x, at('2026-06-12T14:00:00.001Z'))).toBe('not_on_step');
  });

  it('a 62-day range is the concatenation of its days', () => {
    const x = input({
      rules: [1, 2, 3, 4, 5, 6].flatMap((w) => [rule(w, '09:00', '12:30'), rule(w, '13:30', '18:00')]),
      now: at('2026-02-20T12:00:00Z'),
      busy: Array.from({ length: 62 }, (_, i) => ({ start: at('2026-02-23T15:00:00Z') + i * 86_400_000, end: at('2026-02-23T16:00:00Z') + i * 86_400_000 })),
      bufferAfterMin: 10,
    });
    const from = day('2026-02-23');
    const all = computeSlots(x, from, addDays(from, 61));
    const perDay = Array.from({ length: 62 }, (_, i) => computeSlots(x, addDays(from, i), addDays(from, i))).flat();
    expect(all).toEqual(perDay);
    expect(all.length).toBeGreaterThan(1000);
  });

  it('a range longer than the bounded memo of zone readings still answers the same', () => {
    // 1970-2030 in London: ~22,300 day boundaries, more than the memo keeps, so it is cleared mid-call.
    const x = { timeZone: LDN, rules: everyDay('09:00', '10:00') };
    const from = day('1970-01-01');
    const to = day('2030-12-31');
    const long = workingIntervals(x, from, to);
    expect(long).toHaveLength(22_280);
    expect(long.at(-1)).toEqual({ start: at('2030-12-31T09:00:00Z'), end: at('2030-12-31T10:00:00Z') });
    expect(long.find((w) => w.start >= at('2026-07-01T00:00:00Z'))).toEqual({ start: at('2026-07-01T08:00:00Z'), end: at('2026-07-01T09:00:00Z') });
    expect(workingIntervals(x, day('2026-03-28'), day('2026-03-30'))).toEqual(long.filter((w) => w.start >= at('2026-03-28T00:00:00Z') && w.start < at('2026-03-31T00:00:00Z')));
  });

  it('rejects nonsense parameters', () => {
    expect(() => computeSlots(input({ stepMin: 0 }), FRI, FRI)).toThrow(RangeError);
    expect(() => computeSlots(input({ durationMin: 0 }), FRI, FRI)).toThrow(RangeError);
    expect(() => checkSlot(input({ bufferAfterMin: -5 }), 0)).toThrow(RangeError);
    expect(() => computeSlots(input({ timeZone: 'Mars/Olympus_Mons' }), FRI, FRI)).toThrow(RangeError);
    expect(computeSlots(input({}), SAT, FRI)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Reference model: the semantics written out naively on ./time, for the properties to compare with.

function refWorking(rules: readonly WeeklyRule[], tz: string, from: PlainDate, to: PlainDate): Interval[] {
  const raw: Interval[] = [];
  for (let d = from; formatPlainDate(d) <= formatPlainDate(to); d = addDays(d, 1)) {
    const range = localDayRange(d, tz);
    for (const r of rules) {
      if (r.weekday !== weekdayOf(d)) continue;
      const start = Math.max(range.start.getTime(), zonedTimeToUtc(d, r.startMinute, tz).getTime());
      const end = Math.min(range.end.getTime(), zonedTimeToUtc(d, r.endMinute, tz).getTime());
      if (end > start) raw.push({ start, end });
    }
  }
  raw.sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const iv of raw) {
    const last = merged.at(-1);
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else merged.push({ ...iv });
  }
  return merged;
}

class Reference {
  private readonly working = new Map<string, Interval[]>();
  private readonly lastDate: string;

  constructor(private readonly x: SlotRules) {
    this.lastDate = formatPlainDate(addDays(localDate(new Date(x.now), x.timeZone), x.bookingWindowDays));
  }

  /** Merged working time from the rules of `d` and the next three days (enough for any test duration). */
  workingFrom(d: PlainDate): Interval[] {
    const key = formatPlainDate(d);
    let w = this.working.get(key);
    if (!w) {
      w = refWorking(this.x.rules, this.x.timeZone, d, addDays(d, 3));
      this.working.set(key, w);
    }
    return w;
  }

  check(s: number): SlotRejection | null {
    const x = this.x;
    const p = toZonedParts(new Date(s), x.timeZone);
    if (s % MIN !== 0 || p.second !== 0 || (p.hour * 60 + p.minute) % x.stepMin !== 0) return 'not_on_step';
    if (s < x.now + x.minNoticeMin * MIN) return 'too_soon';
    if (formatPlainDate(p) > this.lastDate) return 'too_far';
    const e = s + x.durationMin * MIN;
    if (!this.workingFrom(p).some((w) => w.start <= s && e <= w.end)) return 'outside_hours';
    if (x.timeOff.some((t) => t.start < e && s < t.end)) return 'time_off';
    const newBlock = { start: s - x.bufferBeforeMin * MIN, end: e + x.bufferAfterMin * MIN };
    if (
      x.busy.some((b) => {
        const old = { start: b.start - x.bufferBeforeMin * MIN, end: b.end + x.bufferAfterMin * MIN };
        return old.start < newBlock.end && newBlock.start < old.end;
      })
    )
      return 'taken';
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

/** Each zone with its 2026 DST days (all Sundays) and an ordinary day; the ranges start near them. */
const ZONE_DAYS: Record<string, string[]> = {
  [NY]: ['2026-03-08', '2026-11-01', '2026-06-15'],
  [LDN]: ['2026-03-29', '2026-10-25', '2026-01-10'],
  [KOLKATA]: ['2026-03-08', '2026-06-15'],
  [LORD_HOWE]: ['2026-04-05', '2026-10-04', '2026-06-15'],
  [UTC]: ['2026-03-29', '2026-10-25'],
};
const ZONES = Object.keys(ZONE_DAYS);

const ruleArb: fc.Arbitrary<WeeklyRule> = fc
  .record({
    // Sundays and the small hours often: that is where the transitions are.
    weekday: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6 })),
    start: fc.oneof(fc.constantFrom(0, 60, 90, 120, 150, 180, 540, 1320, 1380, 1410), fc.integer({ min: 0, max: 1439 })),
    length: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 720 })),
  })
  .map(({ weekday, start, length }) => ({ weekday, startMinute: start, endMinute: Math.min(1440, start + length) }));

/** Two rules that touch: across midnight (…-24:00 then 00:00-…) or inside one day (…-m, m-…). */
const touchingArb: fc.Arbitrary<WeeklyRule[]> = fc
  .record({
    weekday: fc.integer({ min: 0, max: 6 }),
    at: fc.oneof(fc.constant(1440), fc.integer({ min: 1, max: 1439 })),
    before: fc.integer({ min: 1, max: 300 }),
    after: fc.integer({ min: 1, max: 300 }),
  })
  .map(({ weekday, at, before, after }) =>
    at === 1440
      ? [
          { weekday, startMinute: 1440 - before, endMinute: 1440 },
          { weekday: (weekday + 1) % 7, startMinute: 0, endMinute: after },
        ]
      : [
          { weekday, startMinute: Math.max(0, at - before), endMinute: at },
          { weekday, startMinute: at, endMinute: Math.min(1440, at + after) },
        ],
  );

/** Offsets in minutes from the first day's UTC midnight, with occasional sub-minute jitter. */
const intervalArb = (maxLengthMin: number) =>
  fc
    .record({
      startMin: fc.integer({ min: -1440, max: 5 * 1440 }),
      lengthMin: fc.integer({ min: 1, max: maxLengthMin }),
      jitter: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 59_999 })),
    })
    .map(({ startMin, lengthMin, jitter }) => ({ start: startMin * MIN + jitter, end: (startMin + lengthMin) * MIN + jitter }));

const scenarioArb = fc
  .constantFrom(...ZONES)
  .chain((timeZone) =>
    fc.record({
      timeZone: fc.constant(timeZone),
      anchor: fc.constantFrom(...ZONE_DAYS[timeZone]!),
      shift: fc.integer({ min: -2, max: 1 }),
      span: fc.integer({ min: 0, max: 2 }),
      rules: fc.tuple(fc.array(ruleArb, { maxLength: 6 }), fc.array(touchingArb, { maxLength: 2 })).map(([r, t]) => [...r, ...t.flat()]),
      busy: fc.array(intervalArb(240), { maxLength: 8 }),
      timeOff: fc.array(intervalArb(720), { maxLength: 3 }),
      durationMin: fc.oneof(fc.constantFrom(15, 30, 45, 60), fc.integer({ min: 1, max: 180 })),
      stepMin: fc.constantFrom(5, 10, 15, 20, 25, 30, 45, 60),
      bufferBeforeMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
      bufferAfterMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
      minNoticeMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * 1440 })),
      bookingWindowDays: fc.integer({ min: 0, max: 6 }),
      nowMin: fc.integer({ min: -4 * 1440, max: 3 * 1440 }),
      nowMs: fc.integer({ min: 0, max: 59_999 }),
    }),
  )
  .map((g) => {
    const from = addDays(day(g.anchor), g.shift);
    const to = addDays(from, g.span);
    const origin = Date.UTC(from.year, from.month - 1, from.day);
    const shiftBy = (iv: Interval) => Object.freeze({ start: origin + iv.start, end: origin + iv.end });
    const x: SlotRules = Object.freeze({
      timeZone: g.timeZone,
      rules: Object.freeze(g.rules.map((r) => Object.freeze(r))),
      busy: Object.freeze(g.busy.map(shiftBy)),
      timeOff: Object.freeze(g.timeOff.map(shiftBy)),
      durationMin: g.durationMin,
      bufferBeforeMin: g.bufferBeforeMin,
      bufferAfterMin: g.bufferAfterMin,
      stepMin: g.stepMin,
      minNoticeMin: g.minNoticeMin,
      bookingWindowDays: g.bookingWindowDays,
      now: origin + g.nowMin * MIN + g.nowMs,
    });
    return { x, from, to };
  });

/** Overlap of the buffered blocks, written out from the definition. */
function clashes(x: SlotRules, s: Interval, b: Interval): boolean {
  const before = x.bufferBeforeMin * MIN;
  const after = x.bufferAfterMin * MIN;
  return s.start - before < b.end + after && b.start - before < s.end + after;
}

describe('computeSlots / checkSlot — properties', () => {
  it('every slot is bookable by each rule on its own', () => {
    fc.assert(
      fc.property(scenarioArb, ({ x, from, to }) => {
        const slots = computeSlots(x, from, to);
        const ref = new Reference(x);
        const lastDate = formatPlainDate(addDays(localDate(new Date(x.now), x.timeZone), x.bookingWindowDays));
        const working = refWorking(x.rules, x.timeZone, from, addDays(to, 3));
        for (let i = 0; i < slots.length; i++) {
          const s = slots[i]!;
          const p = toZonedParts(new Date(s.start), x.timeZone);
          const date = formatPlainDate(p);
          expect(s.end - s.start).toBe(x.durationMin * MIN);
          if (i > 0) expect(s.start).toBeGreaterThan(slots[i - 1]!.start); // sorted, unique
          expect(date >= formatPlainDate(from) && date <= formatPlainDate(to)).toBe(true);
          // on step on the wall clock
          expect(s.start % MIN).toBe(0);
          expect(p.second).toBe(0);
          expect((p.hour * 60 + p.minute) % x.stepMin).toBe(0);
          // notice and window
          expect(s.start).toBeGreaterThanOrEqual(x.now + x.minNoticeMin * MIN);
          expect(date <= lastDate).toBe(true);
          // inside one stretch of working time
          expect(working.some((w) => w.start <= s.start && s.end <= w.end)).toBe(true);
          // no time off, no busy time (buffers included)
          expect(x.timeOff.some((t) => t.start < s.end && s.start < t.end)).toBe(false);
          expect(x.busy.some((b) => clashes(x, s, b))).toBe(false);
          expect(checkSlot(x, s.start)).toBeNull();
          expect(ref.check(s.start)).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('exactly the reference: every 5-minute start in the range gets the reference verdict', () => {
    fc.assert(
      fc.property(scenarioArb, ({ x, from, to }) => {
        const ref = new Reference(x);
        const expected: number[] = [];
        const end = localDayRange(to, x.timeZone).end.getTime();
        // Every zone here has offsets in whole half hours and every step is a multiple of 5 minutes,
        // so every possible start is on this grid.
        for (let t = localDayRange(from, x.timeZone).start.getTime(); t < end; t += 5 * MIN) {
          const verdict = ref.check(t);
          expect(checkSlot(x, t), utc(t)).toBe(verdict);
          if (verdict === null) expected.push(t);
        }
        expect(computeSlots(x, from, to).map((s) => s.start)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('checkSlot and computeSlots agree on arbitrary instants', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(fc.integer({ min: 0, max: 3 * 86_400_000 }), { minLength: 20, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 3 * 288 }), { minLength: 20, maxLength: 20 }),
        ({ x, from, to }, anyMs, gridSteps) => {
          const lo = localDayRange(from, x.timeZone).start.getTime();
          const hi = localDayRange(to, x.timeZone).end.getTime();
          const slots = new Set(computeSlots(x, from, to).map((s) => s.start));
          const ref = new Reference(x);
          const samples = [...anyMs.map((ms) => lo + ms), ...gridSteps.map((k) => lo + k * 5 * MIN)].filter((t) => t < hi);
          for (const t of samples) {
            const verdict = checkSlot(x, t);
            expect(verdict === null, utc(t)).toBe(slots.has(t));
            expect(verdict, utc(t)).toBe(ref.check(t));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a multi-day range is the concatenation of its single days', () => {
    fc.assert(
      fc.property(scenarioArb, ({ x, from, to }) => {
        const perDay: Interval[] = [];
        for (let d = from; formatPlainDate(d) <= formatPlainDate(to); d = addDays(d, 1)) perDay.push(...computeSlots(x, d, d));
        expect(computeSlots(x, from, to)).toEqual(perDay);
      }),
      { numRuns: 150 },
    );
  });

  it('remembered zone readings change nothing: cold and warm answers are equal', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 3 * 288 }), ({ x, from, to }, k) => {
        const probe = localDayRange(from, x.timeZone).start.getTime() + k * 5 * MIN;
        clearSlotEngineCache();
        const cold = { slots: computeSlots(x, from, to), working: workingIntervals(x, from, to) };
        clearSlotEngineCache();
        const coldCheck = checkSlot(x, probe);
        expect(computeSlots(x, from, to)).toEqual(cold.slots);
        expect(workingIntervals(x, from, to)).toEqual(cold.working);
        expect(checkSlot(x, probe)).toBe(coldCheck);
      }),
      { numRuns: 100 },
    );
  });

  it('workingIntervals is the merged rule time of the reference', () => {
    fc.assert(
      fc.property(scenarioArb, ({ x, from, to }) => {
        expect(workingIntervals(x, from, to)).toEqual(refWorking(x.rules, x.timeZone, from, to));
      }),
      { numRuns: 200 },
    );
  });
});
