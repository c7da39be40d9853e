/**
 * Instants on the wire: one RFC 3339 form everywhere — UTC with a `Z` and milliseconds, exactly
 * what Date#toISOString writes ("2026-12-03T14:00:00.000Z"); the shop's IANA zone travels beside it.
 */
export function wireInstant(value: number | Date): string {
  return (typeof value === 'number' ? new Date(value) : value).toISOString();
}
