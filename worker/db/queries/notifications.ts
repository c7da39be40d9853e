import { eq, sql } from 'drizzle-orm';
import { notifications, type NewNotification, type Notification } from '../schema';
import type { AnyDb } from './types';

/**
 * Records a notification exactly once per dedupe_key. Returns the new row, or null when the key
 * was already taken (a redelivered queue message or a repeated cron run) — the caller then
 * does NOT send.
 */
export async function insertNotificationOnce(
  db: AnyDb,
  row: NewNotification,
): Promise<Notification | null> {
  const [inserted] = await db
    .insert(notifications)
    .values(row)
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning();
  return inserted ?? null;
}

export async function markNotificationSent(db: AnyDb, id: string, at = new Date()) {
  await db
    .update(notifications)
    .set({ status: 'sent', sentAt: at, attempts: sql`${notifications.attempts} + 1`, lastError: null })
    .where(eq(notifications.id, id));
}

export async function markNotificationFailed(db: AnyDb, id: string, error: string) {
  await db
    .update(notifications)
    .set({ status: 'failed', attempts: sql`${notifications.attempts} + 1`, lastError: error.slice(0, 2000) })
    .where(eq(notifications.id, id));
}
