/**
 * The SQL behind a client's own pages (worker/services/appointments.ts, waitlist.ts, profile.ts):
 * their bookings across every shop with the names a page shows, the terms a cancellation would
 * be decided on, their waitlist entries with names, and their profile and channel preferences.
 * Times travel as epoch milliseconds; each function is one statement.
 */
import { eq, sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import { users, type ShopPolicy } from '../schema';
import { epochMs as ms, pgBool } from './sql';
import type { AnyDb, Db } from './types';

/** One of the client's appointments as their list shows it. */
export interface ClientAppointmentRow {
  id: string;
  status: 'held' | 'pending_payment' | 'confirmed' | 'completed' | 'cancelled' | 'no_show';
  start_ms: number;
  end_ms: number;
  hold_expires_ms: number | null;
  price_cents: number;
  deposit_cents: number;
  paid_cents: number;
  refunded_cents: number;
  fee_cents: number;
  settlement: string | null;
  currency: string;
  shop_name: string;
  shop_slug: string;
  timezone: string;
  barber_name: string;
  service_name: string;
  /** The shop's hours before the start inside which a client may no longer move the booking. */
  cancel_window_hours: number;
}

const rowJson = sql`json_build_object(
  'id', a.id, 'status', a.status, 'start_ms', ${ms(sql`a.start_time`)}, 'end_ms', ${ms(sql`a.end_time`)},
  'hold_expires_ms', CASE WHEN a.hold_expires_at IS NULL THEN NULL ELSE ${ms(sql`a.hold_expires_at`)} END,
  'price_cents', a.price_cents, 'deposit_cents', a.deposit_cents, 'paid_cents', a.paid_cents,
  'refunded_cents', a.refunded_cents, 'fee_cents', a.fee_cents, 'settlement', a.settlement, 'currency', a.currency,
  'shop_name', s.name, 'shop_slug', s.slug, 'timezone', s.timezone, 'barber_name', b.display_name, 'service_name', sv.name,
  'cancel_window_hours', COALESCE((s.policy->>'cancel_window_hours')::float8, 24))`;

/**
 * The client's upcoming bookings (still occupying time and not over, soonest first) and their
 * past ones (everything else, latest first), each capped at `limit` — one statement, served by
 * appointments_client_idx.
 */
export async function clientAppointmentsQuery(
  db: Db,
  clientId: string,
  limit: number,
): Promise<{ upcoming: ClientAppointmentRow[]; past: ClientAppointmentRow[] }> {
  const result = await db.execute<{ upcoming: unknown; past: unknown }>(sql`
    WITH mine AS (
      SELECT ${rowJson} AS j, a.start_time, a.id,
             (a.status IN ('held', 'pending_payment', 'confirmed') AND a.end_time > now()) AS ahead
        FROM appointments a
        JOIN shops s ON s.id = a.shop_id
        JOIN barbers b ON b.id = a.barber_id
        JOIN services sv ON sv.id = a.service_id
       WHERE a.client_id = ${clientId})
    SELECT
      (SELECT COALESCE(json_agg(u.j ORDER BY u.start_time, u.id), '[]')
         FROM (SELECT * FROM mine WHERE ahead ORDER BY start_time, id LIMIT ${limit}) u) AS upcoming,
      (SELECT COALESCE(json_agg(p.j ORDER BY p.start_time DESC, p.id), '[]')
         FROM (SELECT * FROM mine WHERE NOT ahead ORDER BY start_time DESC, id LIMIT ${limit}) p) AS past`);
  const row = result.rows[0];
  return {
    upcoming: row ? jsonValue<ClientAppointmentRow[]>(row.upcoming as string) : [],
    past: row ? jsonValue<ClientAppointmentRow[]>(row.past as string) : [],
  };
}

/** What a cancellation is decided on, and how the caller relates to the appointment. */
export interface CancelTerms {
  id: string;
  shop_id: string;
  status: ClientAppointmentRow['status'];
  start_ms: number;
  end_ms: number;
  price_cents: number;
  /** Paid up front and not refunded (what the decision counts as paid). */
  paid_cents: number;
  currency: string;
  timezone: string;
  shop_name: string;
  shop_slug: string;
  barber_name: string;
  service_name: string;
  policy: Partial<ShopPolicy>;
  relation: 'client' | 'barber' | 'owner' | 'admin' | 'none';
}

/**
 * The appointment, its shop's policy and the caller's relation to it (the same relation the
 * cancel itself is authorised by) — one statement. `userId` null: no caller (a signed link
 * already proved the holder's right to the appointment); the relation is then `client`.
 */
export async function cancelTermsQuery(db: Db, appointmentId: string, userId: string | null): Promise<CancelTerms | null> {
  const relation = userId
    ? sql`CASE
        WHEN EXISTS (SELECT 1 FROM users pu WHERE pu.id = ${userId} AND pu.platform_admin) THEN 'admin'
        WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = a.shop_id AND m.role = 'owner') THEN 'owner'
        WHEN b.user_id = ${userId} THEN 'barber'
        WHEN a.client_id = ${userId} THEN 'client'
        ELSE 'none' END`
    : sql`'client'`;
  const result = await db.execute<{ t: unknown }>(sql`
    SELECT json_build_object(
      'id', a.id, 'shop_id', a.shop_id, 'status', a.status,
      'start_ms', ${ms(sql`a.start_time`)}, 'end_ms', ${ms(sql`a.end_time`)},
      'price_cents', a.price_cents, 'paid_cents', a.paid_cents - a.refunded_cents, 'currency', a.currency,
      'timezone', s.timezone, 'shop_name', s.name, 'shop_slug', s.slug,
      'barber_name', b.display_name, 'service_name', sv.name, 'policy', s.policy,
      'relation', ${relation}) AS t
      FROM appointments a
      JOIN shops s ON s.id = a.shop_id
      JOIN barbers b ON b.id = a.barber_id
      JOIN services sv ON sv.id = a.service_id
     WHERE a.id = ${appointmentId}`);
  const row = result.rows[0];
  return row ? jsonValue<CancelTerms>(row.t as string) : null;
}

/** A waitlist entry with the names its page shows. */
export interface NamedWaitlistRow {
  id: string;
  status: 'waiting' | 'offered' | 'booked' | 'cancelled' | 'expired';
  window_start_ms: number;
  window_end_ms: number;
  day_start_minute: number | null;
  day_end_minute: number | null;
  shop_name: string;
  shop_slug: string;
  timezone: string;
  service_name: string;
  barber_name: string | null;
  created_ms: number;
}

/** The client's entries, open ones first, then the recent history — newest first in each. */
export async function namedWaitlistQuery(db: Db, clientId: string, limit = 50): Promise<NamedWaitlistRow[]> {
  const result = await db.execute<{ e: unknown }>(sql`
    SELECT json_build_object(
      'id', w.id, 'status', w.status, 'window_start_ms', ${ms(sql`w.window_start`)}, 'window_end_ms', ${ms(sql`w.window_end`)},
      'day_start_minute', w.day_start_minute, 'day_end_minute', w.day_end_minute,
      'shop_name', s.name, 'shop_slug', s.slug, 'timezone', s.timezone, 'service_name', sv.name,
      'barber_name', b.display_name, 'created_ms', ${ms(sql`w.created_at`)}) AS e
      FROM waitlist_entries w
      JOIN shops s ON s.id = w.shop_id
      JOIN services sv ON sv.id = w.service_id
      LEFT JOIN barbers b ON b.id = w.barber_id
     WHERE w.client_id = ${clientId}
     ORDER BY (w.status IN ('waiting', 'offered')) DESC, w.created_at DESC, w.id
     LIMIT ${limit}`);
  return result.rows.map((r) => jsonValue<NamedWaitlistRow>(r.e as string));
}

/** The client's profile and booking-message preferences. */
export interface ProfileRow {
  email: string;
  first_name: string;
  last_name: string;
  phone_enc: string | null;
  email_verified: boolean;
  notify_email: boolean;
  notify_sms: boolean;
  sms_opted_out: boolean;
}

export async function profileQuery(db: AnyDb, userId: string): Promise<ProfileRow | null> {
  const result = await db.execute(sql`
    SELECT u.email, u.first_name, u.last_name, u.phone_enc, u.verified_at IS NOT NULL AS email_verified,
           u.notify_email, u.notify_sms, u.sms_opted_out_at IS NOT NULL AS sms_opted_out
      FROM users u WHERE u.id = ${userId}`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  if (!row) return null;
  return {
    email: String(row.email),
    first_name: String(row.first_name),
    last_name: String(row.last_name),
    phone_enc: typeof row.phone_enc === 'string' ? row.phone_enc : null,
    email_verified: pgBool(row.email_verified),
    notify_email: pgBool(row.notify_email),
    notify_sms: pgBool(row.notify_sms),
    sms_opted_out: pgBool(row.sms_opted_out),
  };
}

export interface ProfileUpdate {
  firstName: string;
  lastName: string;
  /** Both null: no phone. */
  phoneEnc: string | null;
  phoneLast4: string | null;
  notifyEmail: boolean;
  notifySms: boolean;
}

/** Names, phone and channel preferences in one UPDATE; false when the user is gone. */
export async function updateProfile(db: Db, userId: string, p: ProfileUpdate): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({
      firstName: p.firstName,
      lastName: p.lastName,
      phoneEnc: p.phoneEnc,
      phoneLast4: p.phoneLast4,
      notifyEmail: p.notifyEmail,
      notifySms: p.notifySms,
      updatedAt: new Date(),
    })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  return rows.length > 0;
}
