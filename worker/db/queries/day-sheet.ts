/**
 * The barber's day sheet in ONE statement: who the caller is to the barber (only the barber
 * themself, an owner of the shop or platform staff read it), and, only for them, the weekly rules,
 * the day's time off and the appointments that touch the local day, with what the chair needs to
 * know about each client (name, visits and no-shows at this shop, the latest note).
 */
import { sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import { isPlatformAdminSql } from './platform';
import { epochMs as ms } from './sql';
import type { Db } from './types';

export interface DaySheetAppointment {
  id: string;
  start_ms: number;
  end_ms: number;
  status: string;
  source: string;
  arrived_ms: number | null;
  notes: string | null;
  price_cents: number;
  paid_cents: number;
  refunded_cents: number;
  fee_cents: number;
  service_id: string;
  service_name: string;
  client_id: string;
  client_name: string;
  client_visits: number;
  client_no_shows: number;
  client_note: string | null;
}

export interface DaySheetStatement {
  relation: 'self' | 'owner' | 'admin' | 'colleague' | 'none';
  /** The local day read (today on the shop's clock when none was asked for). */
  date: string;
  barber: { id: string; shop_id: string; name: string; active: boolean; timezone: string; currency: string } | null;
  rules: { weekday: number; startMinute: number; endMinute: number }[];
  time_off: { start: number; end: number; reason: string | null }[];
  appointments: DaySheetAppointment[];
}

/**
 * `date` is YYYY-MM-DD on the shop's clock, null for today there. `barberId` null: the caller's
 * own (first active) chair. Unknown barber, or no chair of their own → null.
 */
export async function daySheetQuery(db: Db, userId: string, barberId: string | null, date: string | null): Promise<DaySheetStatement | null> {
  const result = await db.execute<{ sheet: unknown }>(sql`
    WITH d AS (
      SELECT b.id, coalesce(${date}::date, (now() AT TIME ZONE s.timezone)::date) AS day
        FROM barbers b JOIN shops s ON s.id = b.shop_id
       WHERE CASE WHEN ${barberId}::uuid IS NULL THEN b.user_id = ${userId} AND b.active ELSE b.id = ${barberId}::uuid END
       ORDER BY b.created_at LIMIT 1),
    b AS (
      SELECT b.*, s.timezone, s.currency, d.day,
             (d.day::timestamp AT TIME ZONE s.timezone) AS day_start,
             ((d.day + 1)::timestamp AT TIME ZONE s.timezone) AS day_end,
             CASE WHEN b.user_id = ${userId} THEN 'self'
                  WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = b.shop_id AND m.role = 'owner') THEN 'owner'
                  WHEN ${isPlatformAdminSql(userId)} THEN 'admin'
                  WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = b.shop_id) THEN 'colleague'
                  ELSE 'none' END AS relation
        FROM barbers b JOIN shops s ON s.id = b.shop_id JOIN d ON d.id = b.id)
    SELECT json_build_object(
      'relation', b.relation, 'date', to_char(b.day, 'YYYY-MM-DD'),
      'barber', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN json_build_object(
                  'id', b.id, 'shop_id', b.shop_id, 'name', b.display_name, 'active', b.active,
                  'timezone', b.timezone, 'currency', b.currency) END,
      'rules', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN (
                 SELECT coalesce(json_agg(json_build_object('weekday', w.weekday, 'startMinute', w.start_minute, 'endMinute', w.end_minute)), '[]')
                   FROM working_hours w WHERE w.barber_id = b.id) ELSE '[]' END,
      'time_off', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN (
                 SELECT coalesce(json_agg(json_build_object('start', ${ms(sql`t.starts_at`)}, 'end', ${ms(sql`t.ends_at`)}, 'reason', t.reason) ORDER BY t.starts_at), '[]')
                   FROM time_off t WHERE t.barber_id = b.id AND t.starts_at < b.day_end AND t.ends_at > b.day_start) ELSE '[]' END,
      'appointments', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN (
                 SELECT coalesce(json_agg(json_build_object(
                          'id', a.id, 'start_ms', ${ms(sql`a.start_time`)}, 'end_ms', ${ms(sql`a.end_time`)},
                          'status', a.status, 'source', a.source, 'arrived_ms', ${ms(sql`a.arrived_at`)}, 'notes', a.notes,
                          'price_cents', a.price_cents, 'paid_cents', a.paid_cents, 'refunded_cents', a.refunded_cents,
                          'fee_cents', a.fee_cents, 'service_id', a.service_id, 'service_name', sv.name,
                          'client_id', a.client_id, 'client_name', btrim(u.first_name || ' ' || u.last_name),
                          'client_visits', (SELECT count(*) FROM appointments v WHERE v.shop_id = b.shop_id AND v.client_id = a.client_id AND v.status = 'completed'),
                          'client_no_shows', (SELECT count(*) FROM appointments v WHERE v.shop_id = b.shop_id AND v.client_id = a.client_id AND v.status = 'no_show'),
                          'client_note', (SELECT n.body FROM client_notes n WHERE n.shop_id = b.shop_id AND n.client_id = a.client_id ORDER BY n.created_at DESC LIMIT 1))
                        ORDER BY a.start_time, a.id), '[]')
                   FROM appointments a JOIN services sv ON sv.id = a.service_id JOIN users u ON u.id = a.client_id
                  WHERE a.barber_id = b.id AND a.start_time < b.day_end AND a.end_time > b.day_start
                    -- A lapsed hold the sweeper has not reached yet holds nothing.
                    AND (a.status <> 'held' OR a.hold_expires_at > now())) ELSE '[]' END) AS sheet
      FROM b`);
  const row = result.rows[0];
  return row ? jsonValue<DaySheetStatement>(row.sheet as DaySheetStatement | string) : null;
}
