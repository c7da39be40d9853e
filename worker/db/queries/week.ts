/**
 * The barber's back office: their week in ONE statement (who the caller is to the barber, the
 * weekly rules, the week's time off and appointments), and the small reads the office pages need
 * beside the management services (whose chair, its rules, its offerings, clients' visits).
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import { appointments, barberServices, barbers, workingHours } from '../schema';
import { isPlatformAdminSql } from './platform';
import { epochMs as ms } from './sql';
import type { AnyDb, Db } from './types';

export interface WeekAppointment {
  id: string;
  start_ms: number;
  end_ms: number;
  status: string;
  source: string;
  service_name: string;
  client_name: string;
}

export interface WeekStatement {
  relation: 'self' | 'owner' | 'admin' | 'colleague' | 'none';
  /** The Monday of the week read, on the shop's clock. */
  monday: string;
  barber: { id: string; shop_id: string; name: string; timezone: string } | null;
  rules: { weekday: number; startMinute: number; endMinute: number }[];
  time_off: { start: number; end: number; reason: string | null }[];
  appointments: WeekAppointment[];
}

/**
 * The Monday–Sunday week (shop zone) that contains `date` (null: today there). `barberId` null:
 * the caller's own (first active) chair. Unknown barber, or no chair of their own → null. Only
 * the barber, an owner of the shop and platform staff get anything beyond the relation.
 */
export async function weekQuery(db: Db, userId: string, barberId: string | null, date: string | null): Promise<WeekStatement | null> {
  const result = await db.execute<{ week: unknown }>(sql`
    WITH d AS (
      SELECT b.id, coalesce(${date}::date, (now() AT TIME ZONE s.timezone)::date) AS day
        FROM barbers b JOIN shops s ON s.id = b.shop_id
       WHERE CASE WHEN ${barberId}::uuid IS NULL THEN b.user_id = ${userId} AND b.active ELSE b.id = ${barberId}::uuid END
       ORDER BY b.created_at LIMIT 1),
    w AS (SELECT d.id, (d.day - (extract(isodow FROM d.day)::int - 1)) AS monday FROM d),
    b AS (
      SELECT b.*, s.timezone, w.monday,
             (w.monday::timestamp AT TIME ZONE s.timezone) AS week_start,
             ((w.monday + 7)::timestamp AT TIME ZONE s.timezone) AS week_end,
             CASE WHEN b.user_id = ${userId} THEN 'self'
                  WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = b.shop_id AND m.role = 'owner') THEN 'owner'
                  WHEN ${isPlatformAdminSql(userId)} THEN 'admin'
                  WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = b.shop_id) THEN 'colleague'
                  ELSE 'none' END AS relation
        FROM barbers b JOIN shops s ON s.id = b.shop_id JOIN w ON w.id = b.id)
    SELECT json_build_object(
      'relation', b.relation, 'monday', to_char(b.monday, 'YYYY-MM-DD'),
      'barber', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN json_build_object(
                  'id', b.id, 'shop_id', b.shop_id, 'name', b.display_name, 'timezone', b.timezone) END,
      'rules', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN (
                 SELECT coalesce(json_agg(json_build_object('weekday', wh.weekday, 'startMinute', wh.start_minute, 'endMinute', wh.end_minute)), '[]')
                   FROM working_hours wh WHERE wh.barber_id = b.id) ELSE '[]' END,
      'time_off', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN (
                 SELECT coalesce(json_agg(json_build_object('start', ${ms(sql`t.starts_at`)}, 'end', ${ms(sql`t.ends_at`)}, 'reason', t.reason) ORDER BY t.starts_at), '[]')
                   FROM time_off t WHERE t.barber_id = b.id AND t.starts_at < b.week_end AND t.ends_at > b.week_start) ELSE '[]' END,
      'appointments', CASE WHEN b.relation IN ('self', 'owner', 'admin') THEN (
                 SELECT coalesce(json_agg(json_build_object(
                          'id', a.id, 'start_ms', ${ms(sql`a.start_time`)}, 'end_ms', ${ms(sql`a.end_time`)},
                          'status', a.status, 'source', a.source, 'service_name', sv.name,
                          'client_name', btrim(u.first_name || ' ' || u.last_name))
                        ORDER BY a.start_time, a.id), '[]')
                   FROM appointments a JOIN services sv ON sv.id = a.service_id JOIN users u ON u.id = a.client_id
                  WHERE a.barber_id = b.id AND a.start_time < b.week_end AND a.end_time > b.week_start
                    -- A lapsed hold the sweeper has not reached yet holds nothing.
                    AND (a.status <> 'held' OR a.hold_expires_at > now())) ELSE '[]' END) AS week
      FROM b`);
  const row = result.rows[0];
  return row ? jsonValue<WeekStatement>(row.week as WeekStatement | string) : null;
}

/** The caller's own chair: their first active barber row (as the day sheet finds it), or null. */
export async function ownChairQuery(db: AnyDb, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: barbers.id })
    .from(barbers)
    .where(and(eq(barbers.userId, userId), eq(barbers.active, true)))
    .orderBy(asc(barbers.createdAt))
    .limit(1);
  return row?.id ?? null;
}

/** The barber's weekly rules, by weekday then start. */
export function barberRulesQuery(db: AnyDb, barberId: string) {
  return db
    .select({ weekday: workingHours.weekday, startMinute: workingHours.startMinute, endMinute: workingHours.endMinute })
    .from(workingHours)
    .where(eq(workingHours.barberId, barberId))
    .orderBy(asc(workingHours.weekday), asc(workingHours.startMinute));
}

/** The barber's offerings as stored (null price/duration: the service's own). */
export function barberOfferingRowsQuery(db: AnyDb, barberId: string) {
  return db
    .select({ serviceId: barberServices.serviceId, priceCents: barberServices.priceCents, durationMin: barberServices.durationMin })
    .from(barberServices)
    .where(eq(barberServices.barberId, barberId));
}

/** Completed visits at the shop per client, for the few clients a search found. */
export async function completedVisitsQuery(db: AnyDb, shopId: string, clientIds: readonly string[]): Promise<Map<string, number>> {
  if (clientIds.length === 0) return new Map();
  const rows = await db
    .select({ clientId: appointments.clientId, visits: sql<number>`count(*)`.mapWith(Number) })
    .from(appointments)
    .where(and(eq(appointments.shopId, shopId), eq(appointments.status, 'completed'), inArray(appointments.clientId, [...clientIds])))
    .groupBy(appointments.clientId);
  return new Map(rows.map((r) => [r.clientId, r.visits]));
}
