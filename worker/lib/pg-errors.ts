import type { ErrorCode } from './errors';

/** Finds the SQLSTATE on a driver error, looking through wrappers (drizzle wraps as `cause`). */
export function sqlState(err: unknown): { code: string; constraint?: string } | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        ...(typeof candidate.constraint === 'string' ? { constraint: candidate.constraint } : {}),
      };
    }
    current = candidate.cause;
  }
  return undefined;
}

/**
 * The database is the backstop for rules the code also checks. When it fires, the client still
 * gets the right 4xx: an overlapping booking is `slot_unavailable`, not a 500.
 */
export function problemCodeForSqlState(code: string): ErrorCode | undefined {
  if (code === '23P01') return 'slot_unavailable';
  if (code === '23505') return 'conflict';
  if (code === '23503') return 'conflict';
  if (code === '23514' || code === '23502') return 'unprocessable';
  // Class 22: data exceptions (bad uuid text, out-of-range number, invalid time zone, ...).
  if (code.startsWith('22')) return 'validation_failed';
  return undefined;
}
