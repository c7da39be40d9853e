import { sql } from 'drizzle-orm';
import { loadConfig } from './env';
import { createDb } from './db/client';
import { createLogger } from './lib/logger';

/**
 * Cron: the safety net behind per-barber alarms. Finds barbers with expired holds and asks each
 * barber's Durable Object to release them, so the release is serialised with bookings; and drops
 * expired Idempotency-Keys.
 */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { cron: controller.cron });
  const db = createDb(config);
  const due = await db.execute<{ barber_id: string }>(sql`
    SELECT DISTINCT barber_id FROM appointments WHERE status = 'held' AND hold_expires_at <= now() LIMIT 500`);
  let released = 0;
  for (const { barber_id } of due.rows) {
    const stub = env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(barber_id));
    released += await stub.releaseExpiredHolds(barber_id);
  }
  // Expired Idempotency-Keys have done their job (24 h of safe retries).
  const expiredKeys = await db.execute(sql`DELETE FROM idempotency_keys WHERE expires_at < now()`);
  logger.info('scheduled run', {
    barbers: due.rows.length,
    holds_released: released,
    idempotency_keys_deleted: expiredKeys.rowCount ?? 0,
  });
}
