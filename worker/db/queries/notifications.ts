import { jsonValue } from '../../lib/json';
import { sql } from 'drizzle-orm';
import type { NotificationChannel } from '../schema';
import type { AnyDb } from './types';
import { epochMs, pgBool as truthy } from './sql';

/**
 * How long a delivery may hold a notification before another delivery may take it over. Long
 * enough for everything one send does after its claim (a few database requests under an 8 s
 * deadline each, the provider under a 15 s timeout), short against the queue's retry budget
 * (wrangler.toml max_retries 5): a consumer that dies mid-send must leave the row free again
 * while retries remain, or the message is lost. The consumer delays a retry of a leased row past
 * this (queue/consumer.ts), so that retry finds the lease expired instead of spending itself on it.
 */
export const DELIVERY_LEASE_SECONDS = 60;

/**
 * last_error of a failure no retry can fix (a provider's permanent refusal, a missing provider
 * key, unreadable secrets). Such a notification is settled: a redelivered message is acknowledged
 * without sending, like a sent or skipped one.
 */
export const PERMANENT_FAILURE_PREFIX = 'permanent: ';
/** last_error the dead-letter consumer writes once the queue gave up retrying. */
export const DEAD_LETTERED = 'dead-lettered';

export interface NotificationRecord {
  dedupeKey: string;
  channel: string;
  recipient: string;
  template: string;
  payload: Record<string, unknown>;
  /** The shop the message is about (data.shop_id), so its owner can list what failed. */
  shopId?: string | null;
}

export type ClaimOutcome = 'claimed' | 'already_sent' | 'settled' | 'in_flight';

/**
 * Takes the delivery of one notification, exactly once per dedupe key, in one statement: records
 * it on first sight and moves it to `sending` — unless it is already sent or settled (skipped, or
 * failed for good), or another delivery holds a live lease on it. Queue messages arrive at least
 * once and may arrive concurrently; only the delivery this returns `'claimed'` to may send.
 */
export async function claimDelivery(db: AnyDb, record: NotificationRecord, attempts: number): Promise<ClaimOutcome> {
  const result = await db.execute(sql`
    WITH claimed AS (
      INSERT INTO notifications (dedupe_key, channel, recipient, template, payload, status, attempts, claimed_at, shop_id)
      VALUES (${record.dedupeKey}, ${record.channel}, ${record.recipient}, ${record.template},
              ${JSON.stringify(record.payload)}::jsonb, 'sending', ${attempts}, now(), ${record.shopId ?? null}::uuid)
      ON CONFLICT (dedupe_key) DO UPDATE
        SET status = 'sending', attempts = EXCLUDED.attempts, claimed_at = now(),
            shop_id = COALESCE(notifications.shop_id, EXCLUDED.shop_id)
        WHERE notifications.status = 'queued'
           OR (notifications.status = 'failed'
               AND COALESCE(notifications.last_error, '') NOT LIKE ${`${PERMANENT_FAILURE_PREFIX}%`})
           OR (notifications.status = 'sending'
               AND notifications.claimed_at < now() - make_interval(secs => ${DELIVERY_LEASE_SECONDS}))
      RETURNING 1
    )
    SELECT 'claimed' AS outcome FROM claimed
    UNION ALL
    SELECT CASE WHEN status = 'sent' THEN 'already_sent'
                WHEN status IN ('skipped', 'failed') THEN 'settled'
                ELSE 'in_flight' END
      FROM notifications
     WHERE dedupe_key = ${record.dedupeKey} AND NOT EXISTS (SELECT 1 FROM claimed)`);
  // Every driver we run on (neon-http, node-postgres, PGlite) answers with `rows`.
  const { rows } = result as unknown as { rows: { outcome: ClaimOutcome }[] };
  return rows[0]?.outcome ?? 'in_flight';
}

export async function markDelivered(
  db: AnyDb,
  dedupeKey: string,
  providerMessageId: string | null = null,
  sender: string | null = null,
): Promise<void> {
  await db.execute(sql`
    UPDATE notifications SET status = 'sent', sent_at = now(), last_error = NULL, claimed_at = NULL,
                             provider_message_id = ${providerMessageId}, sender = ${sender}
     WHERE dedupe_key = ${dedupeKey}`);
}

/**
 * Rows a failure may still be written to: not yet settled. Sent, skipped and failed-for-good rows
 * keep their outcome — a late dead letter or a failing redelivery must not turn a message that
 * went out (or was skipped on purpose, or refused for good) into one the owner sees as failed.
 */
const unsettled = sql`(status IN ('queued', 'sending')
       OR (status = 'failed' AND COALESCE(last_error, '') NOT LIKE ${`${PERMANENT_FAILURE_PREFIX}%`}))`;

/** The send failed; the row is free for the next (retried) delivery. */
export async function markFailed(db: AnyDb, dedupeKey: string, error: string): Promise<void> {
  await db.execute(sql`
    UPDATE notifications SET status = 'failed', last_error = ${error.slice(0, 2000)}, claimed_at = NULL
     WHERE dedupe_key = ${dedupeKey} AND ${unsettled}`);
}

/** The send failed in a way no retry fixes; the notification is settled (see PERMANENT_FAILURE_PREFIX). */
export function markFailedForGood(db: AnyDb, dedupeKey: string, error: string): Promise<void> {
  return markFailed(db, dedupeKey, `${PERMANENT_FAILURE_PREFIX}${error}`);
}

/** Not sent on purpose (no longer relevant, the client's preferences, no phone): settled. */
export async function markSkipped(db: AnyDb, dedupeKey: string, reason: string): Promise<void> {
  await db.execute(sql`
    UPDATE notifications SET status = 'skipped', last_error = ${reason.slice(0, 200)}, claimed_at = NULL
     WHERE dedupe_key = ${dedupeKey} AND ${unsettled}`);
}

/** What the consumer needs to know about a message's recipient and subject, read at send time. */
export interface DeliveryContext {
  user: {
    notify_email: boolean;
    notify_sms: boolean;
    sms_opted_out: boolean;
    phone_enc: string | null;
    locale: string;
  } | null;
  shop_name: string | null;
  /** The shop's IANA zone now. */
  shop_timezone: string | null;
  ics_sequence: number | null;
}


/** One statement: the user's channel preferences and phone, the shop's name and zone, the appointment's ICS sequence. */
export async function deliveryContext(
  db: AnyDb,
  ids: { userId: string | null; shopId: string | null; appointmentId: string | null },
): Promise<DeliveryContext> {
  const result = await db.execute(sql`
    SELECT (SELECT json_build_object('notify_email', u.notify_email, 'notify_sms', u.notify_sms,
                                     'sms_opted_out', u.sms_opted_out_at IS NOT NULL,
                                     'phone_enc', u.phone_enc, 'locale', u.locale)
              FROM users u WHERE u.id = ${ids.userId}::uuid) AS "user",
           (SELECT name FROM shops WHERE id = ${ids.shopId}::uuid) AS shop_name,
           (SELECT timezone FROM shops WHERE id = ${ids.shopId}::uuid) AS shop_timezone,
           (SELECT ics_sequence FROM appointments WHERE id = ${ids.appointmentId}::uuid) AS ics_sequence`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0] ?? {};
  const rawUser = row.user == null ? null : jsonValue(row.user as Record<string, unknown> | string);
  return {
    user: rawUser
      ? {
          notify_email: truthy(rawUser.notify_email),
          notify_sms: truthy(rawUser.notify_sms),
          sms_opted_out: truthy(rawUser.sms_opted_out),
          phone_enc: typeof rawUser.phone_enc === 'string' ? rawUser.phone_enc : null,
          locale: typeof rawUser.locale === 'string' ? rawUser.locale : 'en',
        }
      : null,
    shop_name: typeof row.shop_name === 'string' ? row.shop_name : null,
    shop_timezone: typeof row.shop_timezone === 'string' ? row.shop_timezone : null,
    ics_sequence: row.ics_sequence === null || row.ics_sequence === undefined ? null : Number(row.ics_sequence),
  };
}

/** An appointment as it is now, for the send-time relevance check (notifications/relevance.ts). */
export interface AppointmentNow {
  status: string;
  start_ms: number;
  end_ms: number;
  ics_sequence: number;
}

/** One statement; null when there is no such appointment. */
export async function appointmentNow(db: AnyDb, appointmentId: string): Promise<AppointmentNow | null> {
  const result = await db.execute(sql`
    SELECT status, ${epochMs(sql`start_time`)} AS start_ms, ${epochMs(sql`end_time`)} AS end_ms, ics_sequence
      FROM appointments WHERE id = ${appointmentId}::uuid`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  if (!row) return null;
  return { status: String(row.status), start_ms: Number(row.start_ms), end_ms: Number(row.end_ms), ics_sequence: Number(row.ics_sequence) };
}

// ---- the dev outbox (development and test only) ---------------------------------------------

export interface OutboxEntry {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  text: string;
  html: string | null;
  dedupe_key: string;
  created_at: string;
}

export async function insertOutbox(
  db: AnyDb,
  entry: { channel: 'email' | 'sms'; recipient: string; subject: string | null; text: string; html: string | null; dedupeKey: string },
): Promise<string> {
  const result = await db.execute(sql`
    INSERT INTO dev_outbox (channel, recipient, subject, text, html, dedupe_key)
    VALUES (${entry.channel}, ${entry.recipient}, ${entry.subject}, ${entry.text}, ${entry.html}, ${entry.dedupeKey})
    RETURNING id`);
  return String((result as unknown as { rows: { id: string }[] }).rows[0]!.id);
}

/** Newest first. */
export async function listOutbox(db: AnyDb, limit: number): Promise<OutboxEntry[]> {
  const result = await db.execute(sql`
    SELECT id, channel, recipient, subject, text, html, dedupe_key,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
      FROM dev_outbox ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
  return (result as unknown as { rows: OutboxEntry[] }).rows;
}

// ---- what the owner sees ------------------------------------------------------------------

export interface FailedNotificationRow {
  id: string;
  template: string;
  channel: NotificationChannel;
  recipient: string;
  /** users.phone_last4 when the recipient is a user (SMS names the user, not the number). */
  phone_last4: string | null;
  last_error: string | null;
  attempts: number;
  /** Microsecond ISO instant: the cursor key. */
  created_at: string;
}

/**
 * A shop's failed deliveries (those still to be retried, failed for good, and dead-lettered),
 * newest first, keyset-paged on (created_at, id).
 */
export async function listShopFailures(
  db: AnyDb,
  shopId: string,
  opts: { limit: number; after?: { createdAt: string; id: string } },
): Promise<FailedNotificationRow[]> {
  const after = opts.after ? sql`AND (n.created_at, n.id) < (${opts.after.createdAt}::timestamptz, ${opts.after.id}::uuid)` : sql``;
  const result = await db.execute(sql`
    SELECT n.id, n.template, n.channel, n.recipient, u.phone_last4, n.last_error, n.attempts,
           to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
      FROM notifications n
      LEFT JOIN users u ON n.recipient LIKE 'user:%' AND u.id::text = substr(n.recipient, 6)
     WHERE n.shop_id = ${shopId}::uuid AND n.status = 'failed' ${after}
     ORDER BY n.created_at DESC, n.id DESC
     LIMIT ${opts.limit}`);
  return (result as unknown as { rows: FailedNotificationRow[] }).rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}
