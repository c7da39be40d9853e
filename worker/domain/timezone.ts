/**
 * IANA time-zone validation through Intl (workerd and Node ship ICU's zone list), so we keep no
 * zone database of our own. Shops store the canonical spelling: "america/new_york" and
 * "US/Eastern"-style aliases are accepted by Intl, and we keep what Intl resolves them to.
 */

// Intl also accepts raw offsets ("+05:00") and a few legacy spellings. A shop's zone must be a
// named region so DST rules apply; "UTC" is the one offset-free name we allow.
const ZONE_NAME = /^(UTC|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){1,2})$/;

/** The canonical IANA name for `input`, or null when it is not a named zone Intl knows. */
export function canonicalTimeZone(input: string): string | null {
  const trimmed = input.trim();
  if (!ZONE_NAME.test(trimmed)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
