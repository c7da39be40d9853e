/**
 * The shop report's pure parts: the date range it covers, what its rates mean, a barber's working
 * minutes, and the daily series as CSV. Postgres does the counting (db/queries/reports.ts); this
 * module turns those rows into the report, with no I/O and no clock.
 *
 * Definitions (the API documents the same words):
 * - An appointment is **booked** when it is confirmed, completed or a no-show: live holds and
 *   unpaid bookings are not bookings yet, cancelled ones are not any more.
 * - A **late cancel** is a cancellation by the client inside the shop's cancellation window, or one
 *   whose recorded settlement was a late fee or a kept deposit.
 * - The **no-show rate** and **late-cancel rate** share one denominator: appointments that
 *   started in the range (start in range and not in the future) and were not cancelled early —
 *   booked ones plus late cancels.
 * - **Utilisation** = booked minutes / working minutes, per barber, over the range.
 */
import { workingIntervals, type Interval } from './availability';
import { addDays, formatPlainDate, parsePlainDate, type PlainDate } from './time';
import type { WeeklyRule } from './working-hours';

/** One report covers at most a year (a leap year's worth of days). */
export const MAX_REPORT_DAYS = 366;

export interface RangeProblem {
  path: string;
  message: string;
}

/** `from`/`to` as calendar days (inclusive both ends, at most MAX_REPORT_DAYS), or what is wrong with them. */
export function reportRange(from: string, to: string): { from: PlainDate; to: PlainDate } | { errors: RangeProblem[] } {
  const f = parsePlainDate(from);
  const t = parsePlainDate(to);
  const errors: RangeProblem[] = [];
  if (!f) errors.push({ path: 'query.from', message: 'Not a calendar date (YYYY-MM-DD)' });
  if (!t) errors.push({ path: 'query.to', message: 'Not a calendar date (YYYY-MM-DD)' });
  if (!f || !t) return { errors };
  if (formatPlainDate(t) < formatPlainDate(f)) return { errors: [{ path: 'query.to', message: 'Must be on or after from' }] };
  if (formatPlainDate(t) > formatPlainDate(addDays(f, MAX_REPORT_DAYS - 1))) {
    return { errors: [{ path: 'query.to', message: `At most ${MAX_REPORT_DAYS} days from from, inclusive` }] };
  }
  return { from: f, to: t };
}

/** Every day of the range, in order, as "YYYY-MM-DD". */
export function daysOf(from: PlainDate, to: PlainDate): string[] {
  const days: string[] = [];
  const last = formatPlainDate(to);
  for (let d = from, s = formatPlainDate(d); s <= last; d = addDays(d, 1), s = formatPlainDate(d)) days.push(s);
  return days;
}

/**
 * A share rounded to four decimals (0.1429), or null when there is nothing to divide by — a shop
 * with no appointments has no no-show rate, which is not the same as a rate of 0.
 */
export function rate(numerator: number, denominator: number): number | null {
  if (denominator <= 0) return null;
  return Math.round((numerator / denominator) * 10_000) / 10_000;
}

/** Total length of a set of intervals that may overlap or arrive unsorted, in ms. */
function mergedLength(intervals: readonly Interval[]): number {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  let total = 0;
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const i of sorted) {
    if (i.start > end) {
      if (end > start) total += end - start;
      start = i.start;
      end = i.end;
    } else if (i.end > end) end = i.end;
  }
  if (end > start) total += end - start;
  return total;
}

/**
 * A barber's working minutes over the local days [from, to] of `timeZone`: the weekly rules as
 * the slot engine reads them (breaks are the gaps between a day's rules; wall-clock hours, so a
 * day that changes offset is as long as it really is), minus time off. Time off that overlaps
 * itself is counted once, and only where it falls in working time.
 */
export function workingMinutes(input: {
  timeZone: string;
  rules: readonly WeeklyRule[];
  timeOff: readonly Interval[];
  from: PlainDate;
  to: PlainDate;
}): number {
  const work = workingIntervals({ timeZone: input.timeZone, rules: input.rules }, input.from, input.to);
  const total = work.reduce((sum, w) => sum + (w.end - w.start), 0);
  const blocked: Interval[] = [];
  for (const w of work) {
    for (const t of input.timeOff) {
      const start = Math.max(w.start, t.start);
      const end = Math.min(w.end, t.end);
      if (end > start) blocked.push({ start, end });
    }
  }
  return Math.round((total - mergedLength(blocked)) / 60_000);
}

/** Booked minutes over working minutes, as `rate` rounds it (null: no working time in the range). */
export function utilisation(bookedMinutes: number, workingMin: number): number | null {
  return rate(bookedMinutes, workingMin);
}

// ── Assembling the report ───────────────────────────────────────────────────────────────────────

/** Money on one local day in one currency, integer minor units. */
export interface RevenueCells {
  captured_cents: number;
  refunded_cents: number;
  platform_fee_cents: number;
  no_show_fee_cents: number;
  late_cancel_fee_cents: number;
}

/** What the report statement counted, as it returns it. */
export interface ReportRows {
  days: {
    day: string;
    bookings: number;
    walk_ins: number;
    completed: number;
    no_shows: number;
    late_cancels: number;
  }[];
  revenue: ({ day: string; currency: string } & RevenueCells)[];
  rates: { eligible: number; no_shows: number; late_cancels: number };
  heat: { weekday: number; hour: number; appointments: number }[];
  barbers: {
    id: string;
    name: string;
    active: boolean;
    booked_minutes: number;
    rules: WeeklyRule[];
    time_off: Interval[];
  }[];
  client_days: { day: string; new_clients: number; returning_clients: number }[];
  clients: { new_clients: number; returning_clients: number };
}

export interface RevenueLine extends RevenueCells {
  currency: string;
  /** captured − refunded. */
  net_cents: number;
}

export interface DailyLine {
  date: string;
  /** Booked appointments that did not come in as walk-ins (online, staff, waitlist). */
  bookings: number;
  walk_ins: number;
  completed: number;
  no_shows: number;
  late_cancels: number;
  new_clients: number;
  returning_clients: number;
  /** One line per currency of the report, zeros included, so every day has the same shape. */
  revenue: RevenueLine[];
}

export interface Report {
  from: string;
  to: string;
  timezone: string;
  currencies: string[];
  daily: DailyLine[];
  totals: {
    bookings: number;
    walk_ins: number;
    completed: number;
    revenue: RevenueLine[];
  };
  rates: {
    /** The denominator: appointments that started in the range and were not cancelled early. */
    eligible: number;
    no_shows: number;
    late_cancels: number;
    no_show_rate: number | null;
    late_cancel_rate: number | null;
  };
  utilisation: {
    barber_id: string;
    name: string;
    active: boolean;
    booked_minutes: number;
    working_minutes: number;
    utilisation: number | null;
  }[];
  /** counts[weekday][hour]: appointments started, weekday 0 = Sunday, hours on the shop's clock. */
  busiest_hours: { counts: number[][] };
  clients: { new_clients: number; returning_clients: number };
}

const ZERO: RevenueCells = { captured_cents: 0, refunded_cents: 0, platform_fee_cents: 0, no_show_fee_cents: 0, late_cancel_fee_cents: 0 };
const MONEY_KEYS = Object.keys(ZERO) as (keyof RevenueCells)[];

function line(currency: string, cells: RevenueCells): RevenueLine {
  return { currency, ...cells, net_cents: cells.captured_cents - cells.refunded_cents };
}

function add(a: RevenueCells, b: RevenueCells): RevenueCells {
  const out = { ...a };
  for (const k of MONEY_KEYS) out[k] += b[k];
  return out;
}

/**
 * The report from the statement's rows: every day of the range present (zeros where nothing
 * happened), every currency on every day (the shop's own always), working minutes from the rules.
 */
export function assembleReport(input: { rows: ReportRows; timeZone: string; shopCurrency: string; from: PlainDate; to: PlainDate }): Report {
  const { rows, timeZone, from, to } = input;
  const currencies = [...new Set([input.shopCurrency, ...rows.revenue.map((r) => r.currency)])].sort();
  const counts = new Map(rows.days.map((d) => [d.day, d]));
  const clientDays = new Map(rows.client_days.map((d) => [d.day, d]));
  const money = new Map(rows.revenue.map((r) => [`${r.day} ${r.currency}`, r]));
  const totalsByCurrency = new Map(currencies.map((c) => [c, { ...ZERO }]));

  const daily = daysOf(from, to).map((date): DailyLine => {
    const c = counts.get(date);
    const k = clientDays.get(date);
    return {
      date,
      bookings: c?.bookings ?? 0,
      walk_ins: c?.walk_ins ?? 0,
      completed: c?.completed ?? 0,
      no_shows: c?.no_shows ?? 0,
      late_cancels: c?.late_cancels ?? 0,
      new_clients: k?.new_clients ?? 0,
      returning_clients: k?.returning_clients ?? 0,
      revenue: currencies.map((currency) => {
        const r = money.get(`${date} ${currency}`);
        const cells = r ? add(ZERO, r) : { ...ZERO };
        totalsByCurrency.set(currency, add(totalsByCurrency.get(currency)!, cells));
        return line(currency, cells);
      }),
    };
  });

  const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const h of rows.heat) {
    const row = heat[h.weekday];
    if (row && h.hour >= 0 && h.hour < 24) row[h.hour] = (row[h.hour] ?? 0) + h.appointments;
  }

  const sum = (key: 'bookings' | 'walk_ins' | 'completed') => daily.reduce((s, d) => s + d[key], 0);
  return {
    from: formatPlainDate(from),
    to: formatPlainDate(to),
    timezone: timeZone,
    currencies,
    daily,
    totals: {
      bookings: sum('bookings'),
      walk_ins: sum('walk_ins'),
      completed: sum('completed'),
      revenue: currencies.map((c) => line(c, totalsByCurrency.get(c)!)),
    },
    rates: {
      ...rows.rates,
      no_show_rate: rate(rows.rates.no_shows, rows.rates.eligible),
      late_cancel_rate: rate(rows.rates.late_cancels, rows.rates.eligible),
    },
    utilisation: rows.barbers
      .map((b) => {
        const working = workingMinutes({ timeZone, rules: b.rules, timeOff: b.time_off, from, to });
        const booked = Math.round(b.booked_minutes);
        return { barber_id: b.id, name: b.name, active: b.active, booked_minutes: booked, working_minutes: working, utilisation: utilisation(booked, working) };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.barber_id.localeCompare(b.barber_id)),
    busiest_hours: { counts: heat },
    clients: rows.clients,
  };
}

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula (=, +, -, @ first) is
 * prefixed with a quote: the CSV carries barber and currency names an owner opens in Excel.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const COUNT_COLUMNS = ['bookings', 'walk_ins', 'completed', 'no_shows', 'late_cancels', 'new_clients', 'returning_clients'] as const;
const MONEY_COLUMNS = ['captured_cents', 'refunded_cents', 'net_cents', 'platform_fee_cents', 'no_show_fee_cents', 'late_cancel_fee_cents'] as const;

/**
 * The daily series, one row per local day: the counts, then each money column once per currency
 * (`captured_cents_usd`), so a one-currency shop gets one flat table. CRLF line ends (RFC 4180).
 */
export function dailyCsv(report: Pick<Report, 'daily' | 'currencies'>): string {
  const header = [
    'date',
    ...COUNT_COLUMNS,
    ...report.currencies.flatMap((c) => MONEY_COLUMNS.map((m) => `${m}_${c.toLowerCase()}`)),
  ];
  const rows = report.daily.map((d) => {
    const byCurrency = new Map(d.revenue.map((r) => [r.currency, r]));
    return [
      d.date,
      ...COUNT_COLUMNS.map((k) => d[k]),
      ...report.currencies.flatMap((c) => MONEY_COLUMNS.map((m) => byCurrency.get(c)?.[m] ?? 0)),
    ];
  });
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
