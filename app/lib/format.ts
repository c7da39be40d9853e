/**
 * Money, times, dates and durations as the visitor's locale writes them, always in a named time
 * zone (the shop's, unless the caller says otherwise). Pure Intl, no server imports: loaders use
 * it to pre-format text and components use it in the browser, and both produce the same string
 * for the same (locale, zone) — which is what keeps hydration free of mismatches.
 */
import type { ShopPolicy } from '../../worker/db/schema';
import { amountFor } from '../../worker/domain/money';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** A locale Intl accepts: the given one when it is valid, otherwise English. */
export function safeLocale(locale: string | null | undefined): string {
  if (!locale) return 'en';
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** A zone Intl knows, or null. */
export function validTimeZone(zone: string | null | undefined): string | null {
  if (!zone) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

/**
 * Integer minor units of `currency`. The exponent comes from the currency itself (2 for USD and
 * GBP, 0 for JPY), which is how amounts are stored.
 */
export function formatMoney(minorUnits: number, currency: string, locale = 'en'): string {
  const f = numberFormat(locale, { style: 'currency', currency });
  const exponent = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minorUnits / 10 ** exponent);
}

/**
 * "45 min", "1 h 15 min": the unit symbols (h, min) are the SI ones, read the same in most
 * languages; the numbers follow the locale's digits.
 */
export function formatDuration(minutes: number, locale = 'en'): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const n = numberFormat(locale, {});
  if (h === 0) return `${n.format(m)} min`;
  return m === 0 ? `${n.format(h)} h` : `${n.format(h)} h ${n.format(m)} min`;
}

type Instant = string | number | Date;
const toDate = (at: Instant) => (at instanceof Date ? at : new Date(at));

/** "9:30 AM" / "09:30" in `timeZone`. */
export function formatTime(at: Instant, timeZone: string, locale = 'en'): string {
  return dateFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' }).format(toDate(at));
}

/** "Monday, December 7, 2026" in `timeZone`. */
export function formatDate(at: Instant, timeZone: string, locale = 'en'): string {
  return dateFormat(locale, { timeZone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(
    toDate(at),
  );
}

/** "Mon, Dec 7" in `timeZone` — for compact day pickers. */
export function formatShortDate(at: Instant, timeZone: string, locale = 'en'): string {
  return dateFormat(locale, { timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(toDate(at));
}

/** "Monday, December 7, 2026 at 9:30 AM" in `timeZone`. */
export function formatDateTime(at: Instant, timeZone: string, locale = 'en'): string {
  return dateFormat(locale, {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(toDate(at));
}

/** "December 2026" for a calendar month heading. */
export function formatMonth(at: Instant, timeZone: string, locale = 'en'): string {
  return dateFormat(locale, { timeZone, year: 'numeric', month: 'long' }).format(toDate(at));
}

/** The calendar day (YYYY-MM-DD) an instant falls on in `timeZone`. */
export function dayInZone(at: Instant, timeZone: string): string {
  const parts = dateFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    toDate(at),
  );
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * A YYYY-MM-DD day as a Date at noon UTC: formatting it with timeZone 'UTC' gives back the
 * same calendar day whatever zone it stands for.
 */
export function dayAsDate(day: string): Date {
  return new Date(`${day}T12:00:00Z`);
}

/** "Monday, December 7, 2026" for a calendar day, independent of any zone. */
export function formatDay(day: string, locale = 'en'): string {
  return formatDate(dayAsDate(day), 'UTC', locale);
}

/** "Mon, Dec 7" for a calendar day. */
export function formatShortDay(day: string, locale = 'en'): string {
  return formatShortDate(dayAsDate(day), 'UTC', locale);
}

/** The zone's name as the locale writes it at that instant ("Eastern Standard Time"), or the IANA id. */
export function formatZoneName(timeZone: string, locale = 'en', at: Instant = Date.now()): string {
  const part = dateFormat(locale, { timeZone, timeZoneName: 'long' })
    .formatToParts(toDate(at))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** "9:41" style remaining time, never negative. */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** Digits after the decimal point in `currency` (2 for USD and GBP, 0 for JPY). */
export function currencyExponent(currency: string): number {
  return numberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount typed in major units ("25", "25.5", "25.00"; JPY "2500") as integer minor units of
 * `currency`, or null when it is not a plain non-negative amount with at most the currency's
 * decimals. Digits only: a typed "-5" or "1e3" is not an amount.
 */
export function parseMoneyInput(input: string, currency: string): number | null {
  const exponent = currencyExponent(currency);
  const text = input.trim().replace(/,/g, '');
  const match = /^(\d{1,9})(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return null;
  return Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
}

/** Minor units as the plain major-unit text an input holds ("25.00"; JPY "2500"). */
export function moneyInputValue(minorUnits: number, currency: string): string {
  const exponent = currencyExponent(currency);
  return exponent === 0 ? String(minorUnits) : (minorUnits / 10 ** exponent).toFixed(exponent);
}

/**
 * A shop policy in the words a client reads before booking a service at `priceCents`: what is
 * due now, and the lines of the cancellation policy. The booking review step shows these and the
 * owner's policy page previews them, from this one function.
 */
export function policyWords(policy: ShopPolicy, priceCents: number, currency: string, locale: string): { deposit: string; depositCents: number; lines: string[] } {
  const money = (c: number) => formatMoney(c, currency, locale);
  const depositCents = amountFor(policy.deposit, priceCents);
  const deposit =
    depositCents === 0
      ? 'Nothing to pay now: you pay at the shop.'
      : policy.deposit.kind === 'full' || depositCents === priceCents
        ? `You pay the full price of ${money(depositCents)} now to secure the booking.`
        : `You pay a deposit of ${money(depositCents)} now to secure the booking; the rest (${money(priceCents - depositCents)}) is paid at the shop.`;
  const lines: string[] = [];
  if (depositCents > 0) lines.push(`We hold this time for you for ${policy.hold_minutes} minutes while you pay.`);
  const hours = policy.cancel_window_hours;
  const window = hours % 24 === 0 && hours > 0 ? `${hours / 24} ${hours === 24 ? 'day' : 'days'}` : `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  lines.push(
    depositCents > 0
      ? `Cancel or reschedule up to ${window} before your appointment and your ${money(depositCents)} is refunded in full.`
      : `Cancel or reschedule free of charge up to ${window} before your appointment.`,
  );
  const lateFee = amountFor(policy.late_cancel_fee, priceCents);
  if (lateFee > 0) lines.push(`Cancelling later than that costs a late-cancellation fee of ${money(lateFee)}.`);
  else if (depositCents > 0) lines.push(`Cancelling later than that: the shop keeps your deposit.`);
  else lines.push('Cancelling later than that is free too, but please let the shop know.');
  lines.push(`Inside those ${window} you cannot reschedule online; call the shop instead.`);
  const noShow = amountFor(policy.no_show_fee, priceCents);
  if (noShow > 0) lines.push(`If you do not show up, a no-show fee of ${money(noShow)} is charged${policy.card_on_file ? ' to the card you pay with' : ''}.`);
  return { deposit, depositCents, lines };
}

/** Minor units as a plain amount for a form field: 600 USD → "6.00", 600 JPY → "600". */
export function formatAmountInput(minorUnits: number, currency: string): string {
  const exponent = currencyExponent(currency);
  return (minorUnits / 10 ** exponent).toFixed(exponent);
}

/**
 * An amount typed into a form field ("6", "6.5", "6.50", "6,50") as minor units of `currency`;
 * null when it is not a positive amount with at most the currency's digits after the point.
 */
export function parseAmountInput(text: string, currency: string): number | null {
  const exponent = currencyExponent(currency);
  const m = /^(\d{1,9})(?:[.,](\d*))?$/.exec(text.trim());
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) return null;
  const minor = Number(m[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  return minor > 0 && Number.isSafeInteger(minor) ? minor : null;
}
