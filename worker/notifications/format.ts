/**
 * Formatting for messages: instants in the shop's zone (named, so a client in another zone reads
 * the shop's clock and knows it), money in its currency, and HTML escaping. Pure; Intl only.
 */

const DEFAULT_LOCALE = 'en';

/** A usable BCP 47 tag from whatever the data carries ('en' when absent or not a tag). */
export function messageLocale(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 35) return DEFAULT_LOCALE;
  try {
    return Intl.getCanonicalLocales(value)[0] ?? DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** Plain English reads "Mon 7 Dec, 10:30" (day before month, 24-hour clock); other locales their own way. */
const intlLocale = (locale: string) => (locale === 'en' ? 'en-GB' : locale);

function validZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** "Mon 7 Dec, 10:30 (America/New_York)": the wall clock of `zone` at `ms`, the zone named. */
export function formatWhen(ms: number, zone: string, locale = DEFAULT_LOCALE): string {
  const timeZone = validZone(zone);
  const text = new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: locale === 'en' ? 'h23' : undefined,
  }).format(new Date(ms));
  return `${text} (${timeZone})`;
}

/** "10:30 (America/New_York)" */
export function formatTime(ms: number, zone: string, locale = DEFAULT_LOCALE): string {
  const timeZone = validZone(zone);
  const text = new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: locale === 'en' ? 'h23' : undefined,
  }).format(new Date(ms));
  return `${text} (${timeZone})`;
}

/** Minor units in `currency` ("USD", 1250 → "$12.50"; "JPY", 1250 → "¥1,250"). */
export function formatMoney(minor: number, currency: string, locale = DEFAULT_LOCALE): string {
  try {
    const format = new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values for HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => htmlEscapes[ch]!);
}

/** A link for an href: only http(s), escaped; anything else is not a link. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? escapeHtml(parsed.toString()) : null;
  } catch {
    return null;
  }
}
