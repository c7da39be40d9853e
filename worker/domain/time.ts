/**
 * Tiny time-zone helpers on Intl.DateTimeFormat (no tz database of our own; workerd and Node
 * ship ICU). Shops live in IANA zones; the database stores UTC instants.
 *
 * Wall time → instant follows Temporal's 'compatible' disambiguation, the behaviour people
 * expect from a calendar:
 * - a wall time skipped by a spring-forward gap moves FORWARD by the gap (02:30 → 03:30),
 * - a wall time repeated by a fall-back overlap resolves to the EARLIER instant.
 */

export interface PlainDate {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
}

export interface ZonedParts extends PlainDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday (same convention as working_hours.weekday). */
  weekday: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function toZonedParts(instant: Date, timeZone: string): ZonedParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const date = { year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0 };
  return {
    ...date,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    weekday: weekdayOf(date),
  };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (New York in winter: -300). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const p = toZonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // Drop sub-second precision: Intl reports whole seconds.
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / MINUTE_MS);
}

/** The instant at which the wall clock in `timeZone` reads `date` + `minuteOfDay` minutes. */
export function zonedTimeToUtc(date: PlainDate, minuteOfDay: number, timeZone: string): Date {
  const naive = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE_MS;
  // The offsets in force a day either side bracket any transition near this wall time.
  const before = offsetMinutes(new Date(naive - DAY_MS), timeZone);
  const after = offsetMinutes(new Date(naive + DAY_MS), timeZone);
  const candidates = [...new Set([before, after])]
    .map((o) => naive - o * MINUTE_MS)
    .filter((t) => naive - offsetMinutes(new Date(t), timeZone) * MINUTE_MS === t)
    .sort((a, b) => a - b);
  // Earliest valid reading for an overlap; a gap has none → use the pre-transition offset,
  // which lands after the gap.
  return new Date(candidates[0] ?? naive - before * MINUTE_MS);
}

/** The local calendar date of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): PlainDate {
  const { year, month, day } = toZonedParts(instant, timeZone);
  return { year, month, day };
}

/** Calendar arithmetic on a plain date (no zone involved). */
export function addDays(date: PlainDate, days: number): PlainDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: PlainDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** [local midnight, next local midnight) as UTC instants — 23 or 25 hours long on DST days. */
export function localDayRange(date: PlainDate, timeZone: string): { start: Date; end: Date } {
  return {
    start: zonedTimeToUtc(date, 0, timeZone),
    end: zonedTimeToUtc(addDays(date, 1), 0, timeZone),
  };
}

/** "2026-03-08" */
export function formatPlainDate(date: PlainDate): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** Parses "YYYY-MM-DD" strictly; null when invalid. */
export function parsePlainDate(s: string): PlainDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const round = addDays(date, 0);
  return round.year === date.year && round.month === date.month && round.day === date.day
    ? date
    : null;
}
