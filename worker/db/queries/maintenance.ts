/** Housekeeping statements the cron runs. */
import { sql } from 'drizzle-orm';
import type { Db } from './types';

/** Expired Idempotency-Keys have done their job (24 h of safe retries). */
export async function deleteExpiredIdempotencyKeys(db: Db): Promise<number> {
  const result = await db.execute(sql`DELETE FROM idempotency_keys WHERE expires_at < now()`);
  return result.rowCount ?? 0;
}
