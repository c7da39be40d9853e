/** Waitlist entries: a client waiting for a slot with a barber (or any) for a service. */
import { sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import type { Db } from './types';

export interface WaitlistRow {
  id: string;
  shop_id: string;
  barber_id: string | null;
  service_id: string;
  window_start_ms: number;
  window_end_ms: number;
  day_start_minute: number | null;
  day_end_minute: number | null;
  status: 'waiting' | 'offered' | 'booked' | 'cancelled' | 'expired';
  offered_appointment_id: string | null;
  created_ms: number;
}

const ms = (column: string) => sql.raw(`ceil(extract(epoch FROM ${column}) * 1000)::float8`);
const rowJson = sql`json_build_object('id', w.id, 'shop_id', w.shop_id, 'barber_id', w.barber_id, 'service_id', w.service_id,
  'window_start_ms', ${ms('w.window_start')}, 'window_end_ms', ${ms('w.window_end')},
  'day_start_minute', w.day_start_minute, 'day_end_minute', w.day_end_minute, 'status', w.status,
  'offered_appointment_id', w.offered_appointment_id, 'created_ms', ${ms('w.created_at')})`;

const parse = <T>(v: unknown): T => jsonValue(v as object | string) as T;

/** Entries a client may have waiting at one shop at once. */
export const MAX_OPEN_ENTRIES = 5;

export interface NewWaitlistEntry {
  clientId: string;
  shopId: string;
  barberId: string | null;
  serviceId: string;
  /** Local dates in the shop's zone, inclusive. */
  fromDate: string;
  toDate: string;
  dayStartMinute: number | null;
  dayEndMinute: number | null;
}

export type CreateWaitlistOutcome =
  | { ok: true; entry: WaitlistRow }
  | { ok: false; reason: 'no_service' | 'no_barber' | 'limit' };

/**
 * Inserts an entry if the service is the shop's and active, the barber (when named) works there
 * and offers it, and the client has fewer than MAX_OPEN_ENTRIES open entries there — one
 * statement; the window is the shop's local midnights, computed by Postgres in the shop's zone.
 */
export async function createWaitlistEntry(db: Db, e: NewWaitlistEntry): Promise<CreateWaitlistOutcome> {
  const result = await db.execute<{ entry: unknown; service_ok: boolean | string; barber_ok: boolean | string; open: number | string }>(sql`
    WITH svc AS (
      SELECT sv.id, s.timezone FROM services sv JOIN shops s ON s.id = sv.shop_id
       WHERE sv.id = ${e.serviceId} AND sv.shop_id = ${e.shopId} AND sv.active AND s.active),
    barber_ok AS (
      SELECT ${e.barberId}::uuid IS NULL OR EXISTS (
        SELECT 1 FROM barbers b JOIN barber_services bs ON bs.barber_id = b.id
         WHERE b.id = ${e.barberId}::uuid AND b.shop_id = ${e.shopId} AND b.active AND bs.service_id = ${e.serviceId}) AS ok),
    open AS (
      SELECT count(*)::int AS n FROM waitlist_entries
       WHERE client_id = ${e.clientId} AND shop_id = ${e.shopId} AND status IN ('waiting', 'offered')),
    ins AS (
      INSERT INTO waitlist_entries (shop_id, client_id, barber_id, service_id, window_start, window_end, day_start_minute, day_end_minute)
      SELECT ${e.shopId}, ${e.clientId}, ${e.barberId}::uuid, svc.id,
             (${e.fromDate}::date)::timestamp AT TIME ZONE svc.timezone,
             (${e.toDate}::date + 1)::timestamp AT TIME ZONE svc.timezone,
             ${e.dayStartMinute}::smallint, ${e.dayEndMinute}::smallint
        FROM svc, barber_ok, open WHERE barber_ok.ok AND open.n < ${MAX_OPEN_ENTRIES}
      RETURNING *),
    member AS (
      INSERT INTO memberships (user_id, shop_id, role) SELECT client_id, shop_id, 'client' FROM ins ON CONFLICT DO NOTHING)
    SELECT (SELECT ${rowJson} FROM ins w) AS entry,
           EXISTS (SELECT 1 FROM svc) AS service_ok,
           (SELECT ok FROM barber_ok) AS barber_ok,
           (SELECT n FROM open) AS open`);
  const row = result.rows[0];
  const yes = (v: unknown) => v === true || v === 't' || v === 'true';
  if (row?.entry) return { ok: true, entry: parse<WaitlistRow>(row.entry) };
  if (!yes(row?.service_ok)) return { ok: false, reason: 'no_service' };
  if (!yes(row?.barber_ok)) return { ok: false, reason: 'no_barber' };
  return { ok: false, reason: 'limit' };
}

/** The client's entries, newest first (open ones and the recent history). */
export async function listWaitlistEntries(db: Db, clientId: string, limit = 50): Promise<WaitlistRow[]> {
  const result = await db.execute<{ entry: unknown }>(sql`
    SELECT ${rowJson} AS entry FROM waitlist_entries w WHERE w.client_id = ${clientId}
     ORDER BY w.created_at DESC, w.id LIMIT ${limit}`);
  return result.rows.map((r) => parse<WaitlistRow>(r.entry));
}

/** Leaves the waitlist (own entries only); an offered hold stays the client's until it lapses or is cancelled. */
export async function leaveWaitlist(db: Db, clientId: string, entryId: string): Promise<boolean> {
  const result = await db.execute<{ id: string }>(sql`
    UPDATE waitlist_entries SET status = 'cancelled', updated_at = now()
     WHERE id = ${entryId} AND client_id = ${clientId} AND status IN ('waiting', 'offered')
    RETURNING id`);
  return result.rows.length > 0;
}
