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

/**
 * SQLSTATEs that say "not now" rather than "no": Postgres rolled the statement back for reasons of
 * the moment — a deadlock victim (40P01; racing inserts against the exclusion constraint meet it
 * on real Postgres), a serialization failure, a lock or statement timeout, a server shutting down
 * or short of connections. Nothing was written, so the same request may simply be sent again.
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

export function isTransientSqlState(code: string): boolean {
  return TRANSIENT_SQLSTATES.has(code) || code.startsWith('53'); // class 53: insufficient resources
}
