/**
 * The SQL behind inbound SMS replies (worker/services/sms-replies.ts): who texted (by the clear
 * last four digits; the caller decrypts the candidates to compare the whole number), their next
 * appointment, and their SMS consent. One statement each.
 */
import { sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import type { Db } from './types';
import { epochMs as ms } from './sql';


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

export interface NextAppointment {
  id: string;
  client_id: string;
  status: string;
  start_ms: number;
  timezone: string;
  shop_name: string;
  service_name: string;
  barber_name: string;
}

/**
 * The soonest appointment of any of `clientIds` that has not started: for `confirm`, a hold still
 * live; for `cancel`, anything active (held, pending payment, confirmed).
 */
export async function nextAppointmentOf(db: Db, clientIds: string[], purpose: 'confirm' | 'cancel'): Promise<NextAppointment | null> {
  if (clientIds.length === 0) return null;
  const ids = sql.join(clientIds.map((id) => sql`${id}::uuid`), sql`, `);
  const which =
    purpose === 'confirm'
      ? sql`a.status = 'held' AND a.hold_expires_at > now()`
      : sql`a.status IN ('held', 'pending_payment', 'confirmed')`;
  const result = await db.execute<{ n: NextAppointment | string }>(sql`
    SELECT json_build_object(
      'id', a.id, 'client_id', a.client_id, 'status', a.status, 'start_ms', ${ms(sql`a.start_time`)},
      'timezone', s.timezone, 'shop_name', s.name, 'service_name', sv.name, 'barber_name', b.display_name) AS n
      FROM appointments a
      JOIN shops s ON s.id = a.shop_id
      JOIN barbers b ON b.id = a.barber_id
      JOIN services sv ON sv.id = a.service_id
     WHERE a.client_id IN (${ids}) AND ${which} AND a.start_time > now()
     ORDER BY a.start_time, a.id
     LIMIT 1`);
  const row = result.rows[0];
  return row ? jsonValue<NextAppointment>(row.n) : null;
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
