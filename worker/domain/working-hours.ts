import { toZonedParts } from './time';

/** One weekly interval in the shop's time zone: minutes since local midnight, end exclusive. */
export interface WeeklyRule {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  startMinute: number;
  endMinute: number;
}

export interface RuleViolation {
  /** Index of the offending rule in the submitted list. */
  index: number;
  message: string;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** "09:30" → 570; "24:00" → 1440 (end of day). Null for anything else. */
export function parseClock(value: string): number | null {
  if (!CLOCK.test(value)) return null;
  const [h, m] = value.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** 570 → "09:30"; 1440 → "24:00". */
export function formatClock(minute: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

/**
 * Inverted or empty intervals, and intervals that overlap another on the same weekday. Each
 * offending rule is reported once, by index, so the API can name `rules.<index>`. Touching
 * intervals (09:00-12:00 and 12:00-17:00) are fine: ends are exclusive.
 */
export function validateWeeklyRules(rules: readonly WeeklyRule[]): RuleViolation[] {
  const violations = new Map<number, string>();
  rules.forEach((r, index) => {
    if (r.endMinute <= r.startMinute) violations.set(index, 'The end must be after the start');
  });
  const valid = rules.map((r, index) => ({ ...r, index })).filter((r) => !violations.has(r.index));
  for (const a of valid) {
    for (const b of valid) {
      if (b.index <= a.index || a.weekday !== b.weekday) continue;
      if (a.startMinute < b.endMinute && b.startMinute < a.endMinute) {
        // Name the later row: the earlier one is what it collides with.
        violations.set(b.index, `Overlaps rule ${a.index} (${formatClock(a.startMinute)}-${formatClock(a.endMinute)})`);
      }
    }
  }
  return [...violations.entries()].sort(([x], [y]) => x - y).map(([index, message]) => ({ index, message }));
}

/** Rules sorted by weekday then start, the order the API returns them in. */
export function sortRules<T extends WeeklyRule>(rules: readonly T[]): T[] {
  return [...rules].sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
}

/**
 * Whether [start, end) lies inside one weekly interval, read on the wall clock of `timeZone`.
 * An appointment crossing local midnight fits only if it ends exactly at midnight (24:00).
 */
export function fitsWeeklyRules(start: Date, end: Date, rules: readonly WeeklyRule[], timeZone: string): boolean {
  const s = toZonedParts(start, timeZone);
  const e = toZonedParts(end, timeZone);
  const startMinute = s.hour * 60 + s.minute;
  const sameDay = s.year === e.year && s.month === e.month && s.day === e.day;
  const endsAtMidnight = e.hour === 0 && e.minute === 0 && e.weekday === (s.weekday + 1) % 7;
  const endMinute = sameDay ? e.hour * 60 + e.minute : endsAtMidnight ? 1440 : Number.POSITIVE_INFINITY;
  return rules.some((r) => r.weekday === s.weekday && r.startMinute <= startMinute && endMinute <= r.endMinute);
}

/** The appointments that the given weekly rules no longer cover (reported, never cancelled). */
export function strandedByRules<T extends { startTime: Date; endTime: Date }>(
  appointments: readonly T[],
  rules: readonly WeeklyRule[],
  timeZone: string,
): T[] {
  return appointments.filter((a) => !fitsWeeklyRules(a.startTime, a.endTime, rules, timeZone));
}
