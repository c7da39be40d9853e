/**
 * The slot engine must not depend on the time zone of the process running it (a Worker runs in
 * UTC, a developer's laptop does not). The same fixtures are computed in child processes started
 * with TZ=UTC, TZ=America/Los_Angeles and TZ=Asia/Tokyo; the results must be identical to each
 * other and to this process's. Once the engine is loaded, the children replace Date.now,
 * argument-less `new Date()` and every local-time Date method with throwing stubs, so any use of
 * the host clock or zone fails loudly.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as engine from './availability';
import type { SlotRules } from './availability';
import type { PlainDate } from './time';

interface Fixture {
  input: SlotRules;
  from: PlainDate;
  to: PlainDate;
  probes: number[];
}

const everyDay = (startMinute: number, endMinute: number) =>
  [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute, endMinute }));
const base = {
  timeOff: [],
  busy: [],
  durationMin: 30,
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  stepMin: 15,
  minNoticeMin: 0,
  bookingWindowDays: 400,
  now: Date.parse('2026-01-01T00:00:00Z'),
};
const d = (year: number, month: number, day: number): PlainDate => ({ year, month, day });
const hourly = (fromIso: string, hours: number) =>
  Array.from({ length: hours * 4 }, (_, i) => Date.parse(fromIso) + i * 15 * 60_000);

const FIXTURES: Fixture[] = [
  {
    input: { ...base, timeZone: 'America/New_York', rules: [...everyDay(60, 240), ...everyDay(540, 720)] },
    from: d(2026, 3, 7),
    to: d(2026, 3, 9),
    probes: hourly('2026-03-08T05:00:00Z', 5),
  },
  {
    input: {
      ...base,
      timeZone: 'America/New_York',
      rules: everyDay(60, 240),
      busy: [{ start: Date.parse('2026-11-01T06:00:00Z'), end: Date.parse('2026-11-01T06:30:00Z') }],
      bufferAfterMin: 10,
    },
    from: d(2026, 10, 31),
    to: d(2026, 11, 2),
    probes: hourly('2026-11-01T04:00:00Z', 6),
  },
  {
    input: { ...base, timeZone: 'Europe/London', rules: everyDay(0, 180), stepMin: 20, durationMin: 25 },
    from: d(2026, 10, 24),
    to: d(2026, 10, 26),
    probes: hourly('2026-10-24T22:00:00Z', 5),
  },
  {
    input: { ...base, timeZone: 'Australia/Lord_Howe', rules: everyDay(60, 240) },
    from: d(2026, 4, 4),
    to: d(2026, 4, 5),
    probes: hourly('2026-04-04T14:00:00Z', 4),
  },
  {
    input: {
      ...base,
      timeZone: 'Asia/Kolkata',
      rules: [
        { weekday: 5, startMinute: 1080, endMinute: 1440 },
        { weekday: 6, startMinute: 0, endMinute: 120 },
      ],
      now: Date.parse('2026-06-12T10:07:00Z'),
      minNoticeMin: 90,
      bookingWindowDays: 1,
      timeOff: [{ start: Date.parse('2026-06-12T16:00:00Z'), end: Date.parse('2026-06-12T17:00:00Z') }],
    },
    from: d(2026, 6, 12),
    to: d(2026, 6, 14),
    probes: hourly('2026-06-12T12:00:00Z', 10),
  },
  // `now` just before and just after local midnight with a one-day window: reading "today" in any
  // zone but the shop's moves the last bookable day.
  ...['2026-06-10T03:30:00Z', '2026-06-10T05:00:00Z'].map((now) => ({
    input: { ...base, timeZone: 'America/New_York', rules: everyDay(540, 600), now: Date.parse(now), bookingWindowDays: 1 },
    from: d(2026, 6, 8),
    to: d(2026, 6, 13),
    probes: [...hourly('2026-06-10T13:00:00Z', 1), ...hourly('2026-06-11T13:00:00Z', 1), ...hourly('2026-06-12T13:00:00Z', 1)],
  })),
];

/** What a child prints: everything the engine answers for every fixture. */
function answers(m: typeof engine, fixtures: Fixture[]) {
  return fixtures.map((f) => ({
    slots: m.computeSlots(f.input, f.from, f.to),
    checks: f.probes.map((p) => m.checkSlot(f.input, p)),
    working: m.workingIntervals(f.input, f.from, f.to),
  }));
}

const CHILD = `
const hostZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
const hostOffset = new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset();
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const fixtures = JSON.parse(Buffer.concat(chunks).toString('utf8'));
// Load first (the TypeScript loader itself reads the clock), then set the traps.
const m = await import(process.env.ENGINE_URL);
const RealDate = Date;
const trap = (name) => function () { throw new Error(name + ' was called'); };
for (const k of ['getDate', 'getDay', 'getFullYear', 'getHours', 'getMilliseconds', 'getMinutes', 'getMonth',
  'getSeconds', 'getTimezoneOffset', 'getYear', 'setDate', 'setFullYear', 'setHours', 'setMinutes', 'setMonth',
  'setSeconds', 'toDateString', 'toLocaleDateString', 'toLocaleString', 'toLocaleTimeString', 'toString', 'toTimeString']) {
  RealDate.prototype[k] = trap('Date#' + k);
}
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) throw new Error('new Date() was called');
    super(...args);
  }
  static now() { throw new Error('Date.now was called'); }
};
const answers = ${answers.toString()};
process.stdout.write(JSON.stringify({ hostZone, hostOffset, answers: answers(m, fixtures) }));
`;

function inChild(tz: string): { hostZone: string; hostOffset: number; answers: unknown } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', CHILD], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, TZ: tz, ENGINE_URL: new URL('./availability.ts', import.meta.url).href },
    input: JSON.stringify(FIXTURES),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out) as { hostZone: string; hostOffset: number; answers: unknown };
}

describe('slot engine and the process time zone', () => {
  it('gives identical answers under TZ=UTC, America/Los_Angeles and Asia/Tokyo, without the host clock', () => {
    const expected = JSON.parse(JSON.stringify(answers(engine, FIXTURES))) as unknown;
    const runs = [
      { tz: 'UTC', offset: 0 },
      { tz: 'America/Los_Angeles', offset: 480 },
      { tz: 'Asia/Tokyo', offset: -540 },
    ].map(({ tz, offset }) => ({ tz, offset, result: inChild(tz) }));
    for (const { tz, offset, result } of runs) {
      // The child really ran in that zone, so the comparison means something.
      expect(result.hostZone).toBe(tz);
      expect(result.hostOffset).toBe(offset);
      expect(result.answers, tz).toEqual(expected);
    }
    // And the fixtures are not trivially empty.
    const first = expected as Array<{ slots: unknown[]; checks: unknown[] }>;
    expect(first.every((f) => f.slots.length > 0 && f.checks.includes(null))).toBe(true);
  });
});
