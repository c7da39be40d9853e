/**
 * The SQL behind appointment reminders (services/reminders.ts, ADR 0014). One statement claims the
 * due reminders of one kind: it marks each appointment with the start time its reminder is being
 * enqueued for and returns what the messages need, so two crons racing can never both claim one.
 *
 * Times travel as epoch milliseconds; the caller's clock (`nowMs`) goes into the SQL instead of
 * now(), so a test can run a fake clock through days of ticks.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './types';

export type ReminderLead = '24h' | '2h';

/** The marker column of each kind: the start time its reminder was enqueued for. */
const marker: Record<ReminderLead, SQL> = {
  '24h': sql.raw('reminded_24h_for'),
  '2h': sql.raw('reminded_2h_for'),
};

const at = (ms: number) => sql`to_timestamp(${ms / 1000})`;
const epochMs = (column: SQL) => sql`round(extract(epoch FROM ${column}) * 1000)::float8`;

/** One claimed reminder: the appointment, its client's reachable channels, the shop's words. */
export type ClaimedReminder = {
  appointment_id: string;
  shop_id: string;
  client_id: string;
  start_ms: number;
  end_ms: number;
  timezone: string;
  barber_name: string;
  service_name: string;
  client_first_name: string;
  /** The client's e-mail when they take booking e-mails; null otherwise. */
  email_to: string | null;
  /** The client's id when they take booking SMS, have not texted STOP and have a phone; null otherwise. */
  sms_user_id: string | null;
};

export interface ClaimWindow {
  lead: ReminderLead;
  /** Due: the start is later than `nowMs + fromMs` and no later than `nowMs + toMs`. */
  fromMs: number;
  toMs: number;
  nowMs: number;
  limit: number;
}

/**
 * Claims up to `limit` due reminders of one kind, soonest start first: confirmed appointments
 * starting inside the window whose marker is not already their start. Rows another cron holds are
 * skipped, and the UPDATE re-checks the marker on the row it locks, so a reminder is claimed once
 * per start. A claimed row with no reachable channel is marked all the same (it is not looked at
 * again). The claim does not touch updated_at: it is bookkeeping, not a change to the booking.
 */
export async function claimDueReminders(db: Db, w: ClaimWindow): Promise<ClaimedReminder[]> {
  const m = marker[w.lead];
  const from = at(w.nowMs + w.fromMs);
  const to = at(w.nowMs + w.toMs);
  const due = sql`a.status = 'confirmed' AND a.start_time > ${from} AND a.start_time <= ${to} AND a.${m} IS DISTINCT FROM a.start_time`;
  const result = await db.execute<ClaimedReminder>(sql`
    WITH due AS (
      SELECT a.id FROM appointments a
       WHERE ${due}
       ORDER BY a.start_time, a.id
       LIMIT ${w.limit}
       FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE appointments a SET ${m} = a.start_time
        FROM due
       WHERE a.id = due.id AND ${due}
      RETURNING a.id, a.shop_id, a.client_id, a.barber_id, a.service_id, a.start_time, a.end_time
    )
    SELECT c.id AS appointment_id, c.shop_id, c.client_id,
           ${epochMs(sql`c.start_time`)} AS start_ms, ${epochMs(sql`c.end_time`)} AS end_ms,
           s.timezone, b.display_name AS barber_name, sv.name AS service_name, u.first_name AS client_first_name,
           CASE WHEN u.notify_email THEN u.email END AS email_to,
           CASE WHEN u.notify_sms AND u.sms_opted_out_at IS NULL AND u.phone_enc IS NOT NULL THEN u.id::text END AS sms_user_id
      FROM claimed c
      JOIN users u ON u.id = c.client_id
      JOIN shops s ON s.id = c.shop_id
      JOIN barbers b ON b.id = c.barber_id
      JOIN services sv ON sv.id = c.service_id
     ORDER BY c.start_time, c.id`);
  return result.rows.map((r) => ({ ...r, start_ms: Number(r.start_ms), end_ms: Number(r.end_ms) }));
}

/**
 * Gives claims back after their messages could not be enqueued, so the next tick tries again:
 * only where the marker is still the start that was claimed (a reschedule claimed meanwhile by
 * another run keeps its own claim).
 */
export async function releaseReminderClaims(
  db: Db,
  lead: ReminderLead,
  claims: { appointment_id: string; start_ms: number }[],
): Promise<number> {
  if (claims.length === 0) return 0;
  const m = marker[lead];
  const rows = JSON.stringify(claims.map((c) => ({ id: c.appointment_id, start_ms: c.start_ms })));
  const result = await db.execute(sql`
    UPDATE appointments a SET ${m} = NULL
      FROM json_to_recordset(${rows}::json) AS r(id uuid, start_ms float8)
     WHERE a.id = r.id AND a.${m} = to_timestamp(r.start_ms / 1000)`);
  return result.rowCount ?? 0;
}
