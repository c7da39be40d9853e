/**
 * The barber's subscribable calendar (issue #11): setting or clearing the feed secret's hash, and
 * the feed itself — the token check and every row it shows in ONE statement.
 */
import { sql } from 'drizzle-orm';
import type { AppointmentStatus, ShopAddress } from '../schema';
import { barbers } from '../schema';
import type { AnyDb } from './types';

/**
 * Sets (a hash: create or rotate) or clears (null: revoke) the barber's feed token hash and writes
 * the audit row, in one statement. The old hash is simply overwritten, so every URL made with the
 * previous secret stops working at once. Returns whether the barber existed.
 */
export async function setCalendarTokenHash(
  db: AnyDb,
  target: { barberId: string; shopId: string; actorId: string; tokenHash: string | null },
): Promise<boolean> {
  const action = target.tokenHash === null ? 'barber.calendar_token_revoked' : 'barber.calendar_token_rotated';
  const result = await db.execute(sql`
    with changed as (
      update ${barbers} set ics_token_hash = ${target.tokenHash}, updated_at = now()
       where id = ${target.barberId} and shop_id = ${target.shopId}
      returning id
    )
    insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
    select ${target.shopId}::uuid, ${target.actorId}::uuid, ${action}, 'barber', id::text, null
      from changed
    returning entity_id`);
  return (result as unknown as { rows: unknown[] }).rows.length > 0;
}

/** One appointment as the feed shows it (epoch milliseconds, so no driver date parsing). */
export interface CalendarFeedRow {
  id: string;
  start_ms: number;
  end_ms: number;
  status: AppointmentStatus;
  sequence: number;
  stamp_ms: number;
  service: string;
  client_first_name: string;
}

export interface CalendarFeed {
  barberId: string;
  barberName: string;
  shopName: string;
  timezone: string;
  /** jsonb: text (neon-http) or parsed (node-postgres, PGlite), like `events`. */
  address: ShopAddress | string | null;
  /** json text (neon-http) or the parsed array (node-postgres, PGlite): read with jsonValue. */
  events: CalendarFeedRow[] | string;
}

/**
 * The feed of the ACTIVE barber `barberId` whose token hash is `tokenHash` — or null when there is
 * no such barber, no feed, or another token: the caller cannot tell which. Appointments that
 * overlap [from, to) and ever held the barber's time (held, pending payment, confirmed, completed,
 * no-show), plus cancellations made since `cancelledSince`, so subscribed calendars drop them.
 * Served by barbers_ics_token_hash_unique and appointments_barber_start_idx.
 */
export async function calendarFeed(
  db: AnyDb,
  q: { barberId: string; tokenHash: string; from: Date; to: Date; cancelledSince: Date },
): Promise<CalendarFeed | null> {
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const result = await db.execute(sql`
    select b.id as barber_id, b.display_name as barber_name, s.name as shop_name, s.timezone, s.address,
           coalesce((
             select json_agg(json_build_object(
                      'id', a.id,
                      'start_ms', (extract(epoch from a.start_time) * 1000)::float8,
                      'end_ms', (extract(epoch from a.end_time) * 1000)::float8,
                      'status', a.status,
                      'sequence', a.ics_sequence,
                      'stamp_ms', (extract(epoch from a.updated_at) * 1000)::float8,
                      'service', sv.name,
                      'client_first_name', u.first_name
                    ) order by a.start_time, a.id)
               from appointments a
               join services sv on sv.id = a.service_id
               join users u on u.id = a.client_id
              where a.barber_id = b.id
                and a.start_time < ${to}::timestamptz
                and a.end_time > ${from}::timestamptz
                and (a.status <> 'cancelled'
                     or coalesce(a.cancelled_at, a.updated_at) >= ${q.cancelledSince.toISOString()}::timestamptz)
           ), '[]'::json) as events
      from barbers b
      join shops s on s.id = b.shop_id
     where b.id = ${q.barberId} and b.ics_token_hash = ${q.tokenHash} and b.active`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  if (!row) return null;
  return {
    barberId: String(row.barber_id),
    barberName: String(row.barber_name),
    shopName: String(row.shop_name),
    timezone: String(row.timezone),
    address: (row.address ?? null) as ShopAddress | string | null,
    events: row.events as CalendarFeedRow[] | string,
  };
}
