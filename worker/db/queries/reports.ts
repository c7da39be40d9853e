/**
 * The shop report's SQL: ONE statement that decides whether the caller may read the shop's
 * report and, only then, counts everything the report shows — money, bookings, rates, the heat
 * map, clients — and returns each barber's booked minutes with the weekly rules and time off
 * their working minutes are worked out from (domain/reports.ts). Days and hours are read on the
 * shop's clock (`AT TIME ZONE shops.timezone`), so a DST day is as long as it really is.
 * Definitions of every figure: domain/reports.ts.
 */
import { sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import type { ReportRows } from '../../domain/reports';
import { isPlatformAdminSql } from './platform';
import { epochMs as ms, pgBool as truthy } from './sql';
import type { Db } from './types';

export interface ReportStatement {
  /** The shop exists (told only to platform staff: others get the same answer either way). */
  found: boolean;
  isOwner: boolean;
  isAdmin: boolean;
  /** Null unless the caller may read the report. */
  shop: { timezone: string; currency: string } | null;
  rows: ReportRows | null;
}

/** Booked = occupies the barber's time as a booking that stands (domain/reports.ts). */
const BOOKED = sql.raw(`('confirmed', 'completed', 'no_show')`);

/**
 * Everything for `GET /shops/{id}/reports` over the local days [from, to] of the shop's zone —
 * one Neon round trip, the access check included.
 */
export async function shopReport(db: Db, q: { shopId: string; userId: string; from: string; to: string }): Promise<ReportStatement> {
  const result = await db.execute<{ found: unknown; owner: unknown; admin: unknown; shop: unknown; rows: unknown }>(sql`
    WITH caller AS (
      SELECT EXISTS (SELECT 1 FROM memberships m
                      WHERE m.user_id = ${q.userId}::uuid AND m.shop_id = ${q.shopId}::uuid AND m.role = 'owner') AS owner,
             ${isPlatformAdminSql(q.userId)} AS admin),
    -- The shop, only for a caller who may read its report: every CTE below reads through it, so
    -- nothing of the shop is counted for anyone else.
    scope AS (
      SELECT s.id, s.timezone, s.currency,
             coalesce((s.policy->>'cancel_window_hours')::numeric, 0) AS window_hours,
             ((${q.from}::date)::timestamp AT TIME ZONE s.timezone) AS t0,
             ((${q.to}::date + 1)::timestamp AT TIME ZONE s.timezone) AS t1
        FROM shops s, caller
       WHERE s.id = ${q.shopId}::uuid AND (caller.owner OR caller.admin)),
    -- Appointments touching the range; in_range = started in it (most figures count those).
    appts AS (
      SELECT a.barber_id, a.client_id, a.source, a.status, a.start_time, a.end_time,
             (a.start_time AT TIME ZONE sc.timezone) AS local_start,
             (a.start_time >= sc.t0 AND a.start_time < sc.t1) AS in_range,
             a.status IN ${BOOKED} AS booked,
             (a.status = 'cancelled' AND a.cancelled_by = a.client_id
              AND (a.settlement IN ('late_fee', 'keep_deposit')
                   OR a.cancelled_at > a.start_time - sc.window_hours * interval '1 hour')) AS late,
             greatest(0, extract(epoch FROM least(a.end_time, sc.t1) - greatest(a.start_time, sc.t0)) / 60) AS minutes_in_range
        FROM appointments a, scope sc
       WHERE a.shop_id = sc.id AND a.start_time < sc.t1 AND a.end_time > sc.t0),
    days AS (
      SELECT to_char(local_start::date, 'YYYY-MM-DD') AS day,
             count(*) FILTER (WHERE booked AND source <> 'walk_in')::int AS bookings,
             count(*) FILTER (WHERE booked AND source = 'walk_in')::int AS walk_ins,
             count(*) FILTER (WHERE status = 'completed')::int AS completed,
             count(*) FILTER (WHERE status = 'no_show')::int AS no_shows,
             count(*) FILTER (WHERE late)::int AS late_cancels
        FROM appts WHERE in_range GROUP BY local_start::date),
    -- The denominator of both rates: started (not in the future) and not cancelled early.
    rates AS (
      SELECT count(*) FILTER (WHERE booked OR late)::int AS eligible,
             count(*) FILTER (WHERE status = 'no_show')::int AS no_shows,
             count(*) FILTER (WHERE late)::int AS late_cancels
        FROM appts WHERE in_range AND start_time <= now()),
    -- Money on the day it was recorded, as the owner's payments list dates it (created_at).
    revenue AS (
      SELECT to_char((p.created_at AT TIME ZONE sc.timezone)::date, 'YYYY-MM-DD') AS day, p.currency,
             coalesce(sum(p.amount_cents) FILTER (WHERE p.kind <> 'refund' AND p.status = 'succeeded'), 0)::bigint AS captured_cents,
             coalesce(sum(p.amount_cents) FILTER (WHERE p.kind = 'refund' AND p.status = 'succeeded'), 0)::bigint AS refunded_cents,
             coalesce(sum(p.application_fee_cents) FILTER (WHERE p.kind <> 'refund' AND p.status = 'succeeded'), 0)::bigint AS platform_fee_cents,
             coalesce(sum(p.amount_cents) FILTER (WHERE p.kind = 'fee' AND p.reason = 'no_show_fee' AND p.status = 'succeeded'), 0)::bigint AS no_show_fee_cents,
             coalesce(sum(p.amount_cents) FILTER (WHERE p.kind = 'fee' AND p.reason = 'late_cancel_fee' AND p.status = 'succeeded'), 0)::bigint AS late_cancel_fee_cents
        FROM payments p, scope sc
       WHERE p.shop_id = sc.id AND p.created_at >= sc.t0 AND p.created_at < sc.t1
       GROUP BY 1, 2),
    heat AS (
      SELECT extract(dow FROM local_start)::int AS weekday, extract(hour FROM local_start)::int AS hour, count(*)::int AS appointments
        FROM appts WHERE in_range AND booked GROUP BY 1, 2),
    -- Active barbers, and former ones who still had bookings in the range.
    staff AS (
      SELECT b.id, b.display_name AS name, b.active,
             coalesce((SELECT sum(x.minutes_in_range) FROM appts x WHERE x.barber_id = b.id AND x.booked), 0)::float8 AS booked_minutes,
             (SELECT coalesce(json_agg(json_build_object('weekday', w.weekday, 'startMinute', w.start_minute, 'endMinute', w.end_minute)), '[]')
                FROM working_hours w WHERE w.barber_id = b.id) AS rules,
             (SELECT coalesce(json_agg(json_build_object('start', ${ms(sql`t.starts_at`)}, 'end', ${ms(sql`t.ends_at`)})), '[]')
                FROM time_off t WHERE t.barber_id = b.id AND t.starts_at < sc.t1 AND t.ends_at > sc.t0) AS time_off
        FROM barbers b, scope sc
       WHERE b.shop_id = sc.id AND (b.active OR EXISTS (SELECT 1 FROM appts x WHERE x.barber_id = b.id AND x.booked))),
    -- Clients seen in the range (a booked appointment), each visit day once, and their first
    -- booked appointment at the shop ever: new on that day, returning on any later one.
    visits AS (SELECT DISTINCT client_id, local_start::date AS day FROM appts WHERE in_range AND booked),
    firsts AS (
      SELECT a.client_id, min(a.start_time) AS first_start, (min(a.start_time) AT TIME ZONE sc.timezone)::date AS first_day
        FROM appointments a, scope sc
       WHERE a.shop_id = sc.id AND a.status IN ${BOOKED} AND a.client_id IN (SELECT client_id FROM visits)
       GROUP BY a.client_id, sc.timezone),
    client_days AS (
      SELECT to_char(v.day, 'YYYY-MM-DD') AS day,
             count(*) FILTER (WHERE f.first_day = v.day)::int AS new_clients,
             count(*) FILTER (WHERE f.first_day < v.day)::int AS returning_clients
        FROM visits v JOIN firsts f USING (client_id) GROUP BY v.day)
    SELECT EXISTS (SELECT 1 FROM shops WHERE id = ${q.shopId}::uuid) AS found,
           (SELECT owner FROM caller) AS owner, (SELECT admin FROM caller) AS admin,
           (SELECT json_build_object('timezone', timezone, 'currency', currency) FROM scope) AS shop,
           (SELECT json_build_object(
              'days', (SELECT coalesce(json_agg(d ORDER BY d.day), '[]') FROM days d),
              'revenue', (SELECT coalesce(json_agg(r ORDER BY r.day, r.currency), '[]') FROM revenue r),
              'rates', (SELECT row_to_json(r) FROM rates r),
              'heat', (SELECT coalesce(json_agg(h), '[]') FROM heat h),
              'barbers', (SELECT coalesce(json_agg(s ORDER BY s.name, s.id), '[]') FROM staff s),
              'client_days', (SELECT coalesce(json_agg(c ORDER BY c.day), '[]') FROM client_days c),
              'clients', (SELECT json_build_object(
                             'new_clients', count(*) FILTER (WHERE f.first_start >= sc2.t0)::int,
                             'returning_clients', count(*) FILTER (WHERE f.first_start < sc2.t0)::int)
                            FROM firsts f, scope sc2))
              FROM scope) AS rows`);
  const row = result.rows[0];
  return {
    found: truthy(row?.found),
    isOwner: truthy(row?.owner),
    isAdmin: truthy(row?.admin),
    shop: row?.shop == null ? null : jsonValue(row.shop as object | string) as ReportStatement['shop'],
    rows: row?.rows == null ? null : jsonValue(row.rows as object | string) as ReportRows,
  };
}
