/**
 * Walk-in reads and the one write that is not a booking (a public join's new client). The queue
 * is ONE statement: the shop, whether the caller is its staff, every active barber's schedule
 * snapshot (the same json the Durable Objects check against) and the shop's appointments of the
 * local day with the names the queue shows.
 */
import { sql, type SQL } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import { snapshotJson, type SnapshotRecord } from './booking';
import { isPlatformAdminSql } from './platform';
import { epochMs as ms, pgBool as truthy } from './sql';
import type { Db } from './types';

export interface WalkInDayRow {
  id: string;
  barber_id: string;
  client_id: string;
  service_id: string;
  service_name: string;
  start: number;
  end: number;
  status: string;
  source: string;
  client_first_name: string;
  client_last_name: string;
  created: number;
  cancelled: number | null;
}

export interface WalkInBoard {
  shop: { id: string; name: string; slug: string; timezone: string };
  staff: boolean;
  /** The caller belongs to the shop (a membership or an appointment there): a client of it is told 403, a stranger 404. */
  member: boolean;
  snapshots: SnapshotRecord[];
  day: WalkInDayRow[];
}

function board(db: Db, where: SQL, callerUserId: string | null) {
  const staff = callerUserId
    ? sql`(EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${callerUserId} AND m.shop_id = s.id AND m.role IN ('barber', 'owner'))
           OR ${isPlatformAdminSql(callerUserId)})`
    : sql`false`;
  const member = callerUserId ? sql`(EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${callerUserId} AND m.shop_id = s.id)
                OR EXISTS (SELECT 1 FROM appointments ca WHERE ca.client_id = ${callerUserId} AND ca.shop_id = s.id))` : sql`false`;
  const dayStart = sql`(date_trunc('day', now() AT TIME ZONE s.timezone) AT TIME ZONE s.timezone)`;
  return db.execute<{ shop: unknown; staff: boolean | string; member: boolean | string; snaps: unknown; day: unknown }>(sql`
    SELECT json_build_object('id', s.id, 'name', s.name, 'slug', s.slug, 'timezone', s.timezone) AS shop,
           ${staff} AS staff, ${member} AS member,
           (SELECT coalesce(json_agg(${snapshotJson(sql`b`)} ORDER BY b.display_name, b.id), '[]')
              FROM barbers b WHERE b.shop_id = s.id AND b.active) AS snaps,
           (SELECT coalesce(json_agg(json_build_object(
                     'id', a.id, 'barber_id', a.barber_id, 'client_id', a.client_id, 'service_id', a.service_id,
                     'service_name', sv.name, 'start', ${ms(sql`a.start_time`)}, 'end', ${ms(sql`a.end_time`)},
                     'status', a.status, 'source', a.source, 'client_first_name', u.first_name,
                     'client_last_name', u.last_name, 'created', ${ms(sql`a.created_at`)},
                     'cancelled', ${ms(sql`a.cancelled_at`)}) ORDER BY a.start_time, a.id), '[]')
              FROM appointments a JOIN users u ON u.id = a.client_id JOIN services sv ON sv.id = a.service_id
             WHERE a.shop_id = s.id AND a.start_time >= ${dayStart} AND a.start_time < ${dayStart} + interval '1 day') AS day
      FROM shops s WHERE ${where}`);
}

function parse(row: { shop: unknown; staff: boolean | string; member: boolean | string; snaps: unknown; day: unknown } | undefined): WalkInBoard | null {
  if (!row) return null;
  const j = <T>(v: unknown) => jsonValue(v as object | string) as T;
  return { shop: j(row.shop), staff: truthy(row.staff), member: truthy(row.member), snapshots: j(row.snaps), day: j(row.day) };
}

/** The shop's walk-in board (null: no such shop), one statement. */
export async function walkInBoard(db: Db, shopId: string, callerUserId: string | null): Promise<WalkInBoard | null> {
  return parse((await board(db, sql`s.id = ${shopId} AND s.active`, callerUserId)).rows[0]);
}

/** The board of the shop an appointment belongs to (a status link), one statement. */
export async function walkInBoardOfAppointment(db: Db, appointmentId: string): Promise<WalkInBoard | null> {
  return parse((await board(db, sql`s.id = (SELECT shop_id FROM appointments WHERE id = ${appointmentId})`, null)).rows[0]);
}

/**
 * A public join's client: an existing client of the shop (found by the caller by full phone
 * number) is only made sure to be a member; otherwise a new user from first name + phone (no
 * e-mail, no password) and its client membership — one statement.
 */
export async function ensureWalkInClient(
  db: Db,
  input: { shopId: string; clientId: string | null; firstName: string; lastName: string; phoneEnc: string; phoneLast4: string },
): Promise<string> {
  const result = await db.execute<{ id: string }>(sql`
    WITH created AS (
           INSERT INTO users (email, first_name, last_name, phone_enc, phone_last4)
           SELECT NULL, ${input.firstName}, ${input.lastName}, ${input.phoneEnc}, ${input.phoneLast4}
            WHERE ${input.clientId}::uuid IS NULL
           RETURNING id),
         client AS (SELECT id FROM created UNION ALL SELECT ${input.clientId}::uuid WHERE ${input.clientId}::uuid IS NOT NULL),
         member AS (INSERT INTO memberships (user_id, shop_id, role) SELECT id, ${input.shopId}, 'client' FROM client ON CONFLICT DO NOTHING)
    SELECT id FROM client`);
  const id = result.rows[0]?.id;
  if (!id) throw new Error('ensureWalkInClient returned no client');
  return id;
}

/** Shops with a walk-in still waiting today (the cron's safety net for "you're next" texts). */
export async function shopsWithWaitingWalkIns(db: Db): Promise<string[]> {
  const result = await db.execute<{ shop_id: string }>(sql`
    SELECT DISTINCT shop_id FROM appointments
     WHERE source = 'walk_in' AND status = 'confirmed' AND start_time > now() - interval '2 hours' AND start_time < now() + interval '1 day'
     LIMIT 500`);
  return result.rows.map((r) => r.shop_id);
}
