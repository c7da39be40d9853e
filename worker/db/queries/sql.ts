import { sql, type SQL } from 'drizzle-orm';

/**
 * Epoch milliseconds of a timestamptz, rounded UP: Postgres keeps microseconds, and an alarm or an
 * expiry compared in milliseconds must not come a fraction early. Times leave SQL in this one form
 * so nothing depends on how a driver renders timestamptz.
 */
export const epochMs = (column: SQL) => sql`ceil(extract(epoch FROM ${column}) * 1000)::float8`;

/** A boolean as the drivers hand it back: neon-http's raw text ('t'), or a real boolean. */
export const pgBool = (v: unknown): boolean => v === true || v === 't' || v === 'true';
