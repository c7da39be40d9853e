import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { appointmentStatus } from '../db/schema';
import { encodeCursor } from '../db/queries/cursor';
import { readCursor } from './pagination';
import { ApiError } from '../lib/errors';

export const APPOINTMENT_STATUSES = appointmentStatus.enumValues;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export interface AppointmentView {
  id: string;
  shop_id: string;
  barber_id: string;
  client_id: string;
  service_id: string;
  start_time: string;
  end_time: string;
  status: AppointmentStatus;
  hold_expires_at: string | null;
  price_cents: number;
  deposit_cents: number;
  currency: string;
  notes: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  created_at: string;
  timezone: string;
  service_name: string;
  barber_name: string;
}

/** The API shape, built in SQL so timestamps come out as RFC 3339 (json renders them ISO). */
const appointmentJson = sql`json_build_object(
  'id', a.id, 'shop_id', a.shop_id, 'barber_id', a.barber_id, 'client_id', a.client_id,
  'service_id', a.service_id, 'start_time', a.start_time, 'end_time', a.end_time, 'status', a.status,
  'hold_expires_at', a.hold_expires_at, 'price_cents', a.price_cents, 'deposit_cents', a.deposit_cents,
  'currency', a.currency, 'notes', a.notes, 'cancelled_at', a.cancelled_at, 'cancel_reason', a.cancel_reason,
  'created_at', a.created_at, 'timezone', s.timezone, 'service_name', sv.name, 'barber_name', b.display_name)`;

const fromAppointments = sql`FROM appointments a
  JOIN shops s ON s.id = a.shop_id
  JOIN services sv ON sv.id = a.service_id
  JOIN barbers b ON b.id = a.barber_id`;

function parseRow(value: unknown): AppointmentView {
  return (typeof value === 'string' ? JSON.parse(value) : value) as AppointmentView;
}

export interface ListFilters {
  /** Staff view of one shop; without it, the caller's own appointments as a client. */
  shopId?: string;
  /** Barbers see their own chair; owners and admins the whole shop. */
  staffScope?: 'own_chair' | 'whole_shop';
  barberId?: string;
  status?: AppointmentStatus;
  /** A calendar day in each appointment's shop time zone. */
  date?: string;
  limit: number;
  cursor?: string;
}

/** One statement whichever view; keyset-paginated on (start_time, id). */
export async function listAppointments(db: Db, userId: string, filters: ListFilters) {
  const after = readCursor(filters.cursor, 2, ([start]) => !Number.isNaN(Date.parse(String(start))));
  const conditions: SQL[] = [];
  if (!filters.shopId) {
    conditions.push(sql`a.client_id = ${userId}`);
  } else {
    conditions.push(sql`a.shop_id = ${filters.shopId}`);
    if (filters.staffScope === 'own_chair') conditions.push(sql`b.user_id = ${userId}`);
  }
  if (filters.barberId) conditions.push(sql`a.barber_id = ${filters.barberId}`);
  if (filters.status) conditions.push(sql`a.status = ${filters.status}`);
  if (filters.date) conditions.push(sql`(a.start_time AT TIME ZONE s.timezone)::date = ${filters.date}::date`);
  if (after) conditions.push(sql`(a.start_time, a.id) > (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)`);

  const rows = await db.execute<{ a: unknown }>(sql`
    SELECT ${appointmentJson} AS a ${fromAppointments}
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY a.start_time, a.id
     LIMIT ${filters.limit + 1}`);
  const data = rows.rows.slice(0, filters.limit).map((r) => parseRow(r.a));
  const last = data.at(-1);
  return {
    data,
    next_cursor: rows.rows.length > filters.limit && last ? encodeCursor([last.start_time, last.id]) : null,
  };
}

/**
 * One appointment, visible only to its parties: the client, the barber in that chair, the shop's
 * owners, platform admins. Everyone else gets the same 404 as for a missing id (no probing).
 * Visibility is decided in the same statement as the read.
 */
export async function getAppointmentForParty(db: Db, userId: string, appointmentId: string): Promise<AppointmentView> {
  const rows = await db.execute<{ a: unknown }>(sql`
    SELECT ${appointmentJson} AS a ${fromAppointments}
     WHERE a.id = ${appointmentId}
       AND (a.client_id = ${userId}
            OR b.user_id = ${userId}
            OR EXISTS (SELECT 1 FROM memberships m
                        WHERE m.user_id = ${userId}
                          AND ((m.shop_id = a.shop_id AND m.role = 'owner') OR m.role = 'admin')))`);
  const row = rows.rows[0];
  if (!row) throw new ApiError('not_found', 'No such appointment');
  return parseRow(row.a);
}
