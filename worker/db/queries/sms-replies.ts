/**
 * The SQL behind inbound SMS replies (worker/services/sms-replies.ts): who texted (by the clear
 * last four digits; the caller decrypts the candidates to compare the whole number), the bookings
 * a reply could mean and the one our latest text to them was about, their SMS consent, and the
 * MessageSid dedupe. One statement each.
 */
import { sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import type { Db } from './types';
import { epochMs as ms, pgBool } from './sql';


/** Upper bound on users sharing four last digits that one reply looks at. */
const CANDIDATE_LIMIT = 200;

/** Users whose phone ends in `last4`, with the encrypted number (served by users_phone_last4_idx). */
export async function usersByPhoneLast4(db: Db, last4: string): Promise<{ id: string; phone_enc: string }[]> {
  const result = await db.execute<{ id: string; phone_enc: string }>(sql`
    SELECT u.id, u.phone_enc FROM users u
     WHERE u.phone_last4 = ${last4} AND u.phone_enc IS NOT NULL
     ORDER BY u.created_at, u.id
     LIMIT ${CANDIDATE_LIMIT}`);
  return result.rows;
}

export interface ReplyCandidate {
  id: string;
  client_id: string;
  status: string;
  start_ms: number;
  timezone: string;
  shop_name: string;
  service_name: string;
  barber_name: string;
}

/** At most this many of a sender's bookings are listed when a reply must say which one. */
export const CANDIDATE_BOOKINGS = 5;

/**
 * The appointments of any of `clientIds` a reply could act on, soonest first, none started: for
 * `confirm`, holds still live; for `cancel`, anything active (held, pending payment, confirmed).
 * One more than CANDIDATE_BOOKINGS is read, so the caller knows there are more.
 */
export async function replyCandidates(db: Db, clientIds: string[], purpose: 'confirm' | 'cancel'): Promise<ReplyCandidate[]> {
  if (clientIds.length === 0) return [];
  const ids = sql.join(clientIds.map((id) => sql`${id}::uuid`), sql`, `);
  const which =
    purpose === 'confirm'
      ? sql`a.status = 'held' AND a.hold_expires_at > now()`
      : sql`a.status IN ('held', 'pending_payment', 'confirmed')`;
  const result = await db.execute<{ n: ReplyCandidate | string }>(sql`
    SELECT json_build_object(
      'id', a.id, 'client_id', a.client_id, 'status', a.status, 'start_ms', ${ms(sql`a.start_time`)},
      'timezone', s.timezone, 'shop_name', s.name, 'service_name', sv.name, 'barber_name', b.display_name) AS n
      FROM appointments a
      JOIN shops s ON s.id = a.shop_id
      JOIN barbers b ON b.id = a.barber_id
      JOIN services sv ON sv.id = a.service_id
     WHERE a.client_id IN (${ids}) AND ${which} AND a.start_time > now()
     ORDER BY a.start_time, a.id
     LIMIT ${CANDIDATE_BOOKINGS + 1}`);
  return result.rows.map((row) => jsonValue<ReplyCandidate>(row.n));
}

/**
 * The appointment the latest SMS we sent to any of `userIds` from the number `sender` was about
 * (data.appointment_id), or null when that message was about no appointment, or there is none.
 * Served by notifications_sms_sent_idx.
 */
export async function lastTextedAppointment(db: Db, userIds: string[], sender: string): Promise<string | null> {
  if (userIds.length === 0 || !sender) return null;
  const recipients = sql.join(userIds.map((id) => sql`${`user:${id}`}`), sql`, `);
  const result = await db.execute<{ appointment_id: string | null }>(sql`
    SELECT n.payload->>'appointment_id' AS appointment_id
      FROM notifications n
     WHERE n.channel = 'sms' AND n.status = 'sent' AND n.recipient IN (${recipients}) AND n.sender = ${sender}
     ORDER BY n.sent_at DESC, n.id DESC
     LIMIT 1`);
  return result.rows[0]?.appointment_id ?? null;
}

/** How long a handled MessageSid is kept: far beyond Twilio's retries of one webhook. */
const INBOUND_KEPT = sql`interval '30 days'`;

/**
 * Claims an inbound message by Twilio's MessageSid, in one statement that also prunes a few
 * expired rows. `claimed`: first sight, handle it. Otherwise it was seen before: `reply` is the
 * answer given then (null while that delivery is still handling it, or if it died doing so).
 */
export async function claimInboundSms(db: Db, messageSid: string): Promise<{ claimed: boolean; reply: string | null }> {
  const result = await db.execute<{ claimed: boolean | string; reply: string | null }>(sql`
    WITH pruned AS (
      DELETE FROM sms_inbound
       WHERE message_sid IN (SELECT message_sid FROM sms_inbound WHERE received_at < now() - ${INBOUND_KEPT} LIMIT 100)
    ), claimed AS (
      INSERT INTO sms_inbound (message_sid) VALUES (${messageSid}) ON CONFLICT (message_sid) DO NOTHING RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM claimed) AS claimed,
           (SELECT reply FROM sms_inbound WHERE message_sid = ${messageSid}) AS reply`);
  const row = result.rows[0];
  return { claimed: pgBool(row?.claimed), reply: row?.reply ?? null };
}

/** The answer given to a claimed inbound message (what a retry of it gets back). */
export async function recordInboundReply(db: Db, messageSid: string, reply: string): Promise<void> {
  await db.execute(sql`UPDATE sms_inbound SET reply = ${reply} WHERE message_sid = ${messageSid}`);
}

/** STOP (opted out: the first time is kept) or START (consent back). */
export async function setSmsOptOut(db: Db, userIds: string[], optedOut: boolean): Promise<void> {
  if (userIds.length === 0) return;
  const ids = sql.join(userIds.map((id) => sql`${id}::uuid`), sql`, `);
  await db.execute(
    optedOut
      ? sql`UPDATE users SET sms_opted_out_at = coalesce(sms_opted_out_at, now()), updated_at = now() WHERE id IN (${ids})`
      : sql`UPDATE users SET sms_opted_out_at = NULL, updated_at = now() WHERE id IN (${ids}) AND sms_opted_out_at IS NOT NULL`,
  );
}
