import { sql } from 'drizzle-orm';
import type { AnyDb } from './types';

/** How long a delivery may hold a notification before another delivery may take it over. */
export const DELIVERY_LEASE_SECONDS = 300;

export interface NotificationRecord {
  dedupeKey: string;
  channel: string;
  recipient: string;
  template: string;
  payload: Record<string, unknown>;
}

/**
 * Takes the delivery of one notification, exactly once per dedupe key, in one statement: records
 * it on first sight and moves it to `sending` — unless it is already sent, or another delivery
 * holds a live lease on it. Queue messages arrive at least once and may arrive concurrently;
 * only the delivery this returns `'claimed'` to may send.
 */
export async function claimDelivery(
  db: AnyDb,
  record: NotificationRecord,
  attempts: number,
): Promise<'claimed' | 'already_sent' | 'in_flight'> {
  const result = await db.execute(sql`
    WITH claimed AS (
      INSERT INTO notifications (dedupe_key, channel, recipient, template, payload, status, attempts, claimed_at)
      VALUES (${record.dedupeKey}, ${record.channel}, ${record.recipient}, ${record.template},
              ${JSON.stringify(record.payload)}::jsonb, 'sending', ${attempts}, now())
      ON CONFLICT (dedupe_key) DO UPDATE
        SET status = 'sending', attempts = EXCLUDED.attempts, claimed_at = now()
        WHERE notifications.status IN ('queued', 'failed')
           OR (notifications.status = 'sending'
               AND notifications.claimed_at < now() - make_interval(secs => ${DELIVERY_LEASE_SECONDS}))
      RETURNING 1
    )
    SELECT 'claimed' AS outcome FROM claimed
    UNION ALL
    SELECT CASE WHEN status = 'sent' THEN 'already_sent' ELSE 'in_flight' END
      FROM notifications
     WHERE dedupe_key = ${record.dedupeKey} AND NOT EXISTS (SELECT 1 FROM claimed)`);
  // Every driver we run on (neon-http, node-postgres, PGlite) answers with `rows`.
  const { rows } = result as unknown as { rows: { outcome: 'claimed' | 'already_sent' | 'in_flight' }[] };
  return rows[0]?.outcome ?? 'in_flight';
}

export async function markDelivered(db: AnyDb, dedupeKey: string): Promise<void> {
  await db.execute(sql`
    UPDATE notifications SET status = 'sent', sent_at = now(), last_error = NULL, claimed_at = NULL
     WHERE dedupe_key = ${dedupeKey}`);
}

/** The send failed; the row is free for the next (retried) delivery. */
export async function markFailed(db: AnyDb, dedupeKey: string, error: string): Promise<void> {
  await db.execute(sql`
    UPDATE notifications SET status = 'failed', last_error = ${error.slice(0, 2000)}, claimed_at = NULL
     WHERE dedupe_key = ${dedupeKey} AND status <> 'sent'`);
}
