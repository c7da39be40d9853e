import { loadConfig } from './env';
import { createDb } from './db/client';
import { barbersWithLapsedHolds } from './db/queries/booking';
import { deleteExpiredIdempotencyKeys } from './db/queries/maintenance';
import { createLogger } from './lib/logger';
import { createServices } from './services/container';
import { sweepMovements } from './services/payments';
import { syncDueBusyTimes } from './services/calendar-sync';
import { sendReminders } from './services/reminders';
import { sweepWalkIns } from './services/walk-ins';

/**
 * Cron: the safety net behind per-barber alarms. Finds barbers with lapsed holds and asks each
 * barber's Durable Object to release them, so the release is serialised with bookings; and drops
 * expired Idempotency-Keys; and sends refunds and fees that were recorded but never reached
 * Stripe (a crash or an outage between the two halves of the outbox); and enqueues the 24 h and 2 h
 * reminders that are due at the tick's scheduled time (ADR 0014). Each job and each barber fails on
 * its own: one broken object or a failing statement is logged and the rest of the run still happens.
 */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { cron: controller.cron });
  const db = createDb(config);
  const summary: Record<string, number> = { barbers: 0, holds_released: 0, barbers_failed: 0, idempotency_keys_deleted: 0, movements_sent: 0, reminders_claimed: 0, reminders_enqueued: 0 };

  try {
    const barbers = await barbersWithLapsedHolds(db);
    summary.barbers = barbers.length;
    const results = await Promise.allSettled(
      barbers.map((barberId) => env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(barberId)).releaseExpiredHolds(barberId)),
    );
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') summary.holds_released! += r.value;
      else {
        summary.barbers_failed! += 1;
        logger.error('hold sweep failed for a barber', { barber_id: barbers[i], err: r.reason });
      }
    });
  } catch (err) {
    logger.error('hold sweep failed', { err });
  }

  try {
    summary.idempotency_keys_deleted = await deleteExpiredIdempotencyKeys(db);
  } catch (err) {
    logger.error('idempotency key cleanup failed', { err });
  }
  try {
    const busy = await syncDueBusyTimes(createServices(env, config, logger), controller.scheduledTime);
    summary.busy_synced = busy.synced;
    summary.busy_sync_failed = busy.failed;
  } catch (err) {
    logger.error('calendar busy-time sync failed', { err });
  }

  try {
    summary.movements_sent = await sweepMovements(createServices(env, config, logger));
  } catch (err) {
    logger.error('money movement sweep failed', { err });
  }
  try {
    const runs = await sendReminders(createServices(env, config, logger), controller.scheduledTime);
    for (const run of Object.values(runs)) {
      summary.reminders_claimed! += run?.claimed ?? 0;
      summary.reminders_enqueued! += run?.enqueued ?? 0;
    }
  } catch (err) {
    logger.error('reminders failed', { err });
  }
  try {
    // Safety net for "you're next" texts (settle and cancel send them first; keys dedupe).
    summary.walk_ins_next = await sweepWalkIns(createServices(env, config, logger));
  } catch (err) {
    logger.error('walk-in sweep failed', { err });
  }
  logger.info('scheduled run', summary);
}
