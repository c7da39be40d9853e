/**
 * The SQL behind a barber's schedule: the snapshot the barber's Durable Object checks requests
 * against, and the writes that occupy or free the barber's time. Every write is ONE statement
 * (one Neon HTTP request, one transaction): the change, its audit row, the barber's
 * `schedule_version` bump and whatever the caller needs back.
 *
 * Times travel as epoch milliseconds (float8) so nothing depends on how a driver or json renders
 * timestamptz; the service layer formats them for the wire.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ACTIVE_APPOINTMENT_STATUSES, type AppointmentSource, type Settlement } from '../schema';
import type { ScheduleSnapshot } from '../../domain/schedule';
import { jsonValue } from '../../lib/json';
import { isPlatformAdminSql } from './platform';
import type { Db } from './types';
import { epochMs as ms, pgBool as truthy } from './sql';

const ACTIVE = sql.raw(ACTIVE_APPOINTMENT_STATUSES.map((s) => `'${s}'`).join(', '));
/**
 * Epoch milliseconds, rounded UP: Postgres keeps microseconds, and an alarm set for a hold's expiry
 * must not fire a fraction of a millisecond before it (the release would find it not yet lapsed).
 */

/** One appointment as the service layer reads it back from a write (times as epoch ms). */
export interface AppointmentRecord {
  id: string;
  shop_id: string;
  barber_id: string;
  client_id: string;
  service_id: string;
  start_ms: number;
  end_ms: number;
  status: (typeof ACTIVE_APPOINTMENT_STATUSES)[number] | 'completed' | 'cancelled' | 'no_show';
  hold_expires_ms: number | null;
  price_cents: number;
  deposit_cents: number;
  currency: string;
  notes: string | null;
  source: AppointmentSource;
  arrived_ms: number | null;
  cancelled_ms: number | null;
  cancel_reason: string | null;
  settlement: Settlement | null;
  fee_cents: number;
  refund_due_cents: number;
  /** Succeeded charges and refunds (kept by a trigger on payments; as of before this statement). */
  paid_cents: number;
  refunded_cents: number;
  created_ms: number;
  timezone: string;
  service_name: string;
  barber_name: string;
  client_email: string | null;
  client_first_name: string;
}

export const recordJson = (a: string) => {
  const t = sql.raw(a);
  return sql`json_build_object(
    'id', ${t}.id, 'shop_id', ${t}.shop_id, 'barber_id', ${t}.barber_id, 'client_id', ${t}.client_id,
    'service_id', ${t}.service_id, 'start_ms', ${ms(sql`${t}.start_time`)}, 'end_ms', ${ms(sql`${t}.end_time`)},
    'status', ${t}.status, 'hold_expires_ms', ${ms(sql`${t}.hold_expires_at`)},
    'price_cents', ${t}.price_cents, 'deposit_cents', ${t}.deposit_cents, 'currency', ${t}.currency,
    'notes', ${t}.notes, 'source', ${t}.source, 'arrived_ms', ${ms(sql`${t}.arrived_at`)},
    'cancelled_ms', ${ms(sql`${t}.cancelled_at`)},
    'cancel_reason', ${t}.cancel_reason, 'settlement', ${t}.settlement, 'fee_cents', ${t}.fee_cents,
    'refund_due_cents', ${t}.refund_due_cents, 'paid_cents', ${t}.paid_cents, 'refunded_cents', ${t}.refunded_cents,
    'created_ms', ${ms(sql`${t}.created_at`)},
    'timezone', (SELECT s.timezone FROM shops s WHERE s.id = ${t}.shop_id),
    'service_name', (SELECT sv.name FROM services sv WHERE sv.id = ${t}.service_id),
    'barber_name', (SELECT b.display_name FROM barbers b WHERE b.id = ${t}.barber_id),
    'client_email', (SELECT u.email FROM users u WHERE u.id = ${t}.client_id),
    'client_first_name', (SELECT u.first_name FROM users u WHERE u.id = ${t}.client_id))`;
};

/**
 * Everything a barber's availability depends on, as of one statement: the domain's snapshot
 * (domain/schedule.ts) with the policy as stored (defaults are applied by normaliseSnapshot).
 */
export type SnapshotRecord = Omit<ScheduleSnapshot, 'policy'> & { policy: Record<string, unknown> };

/** The snapshot of barber `b` (an alias in the surrounding FROM) as one json value. */
export function snapshotJson(b: SQL): SQL {
  return sql`json_build_object(
    'barber_id', ${b}.id, 'barber_user_id', ${b}.user_id, 'barber_name', ${b}.display_name,
    'shop_id', ${b}.shop_id, 'active', ${b}.active, 'version', ${b}.schedule_version,
    'timezone', s.timezone, 'currency', s.currency, 'shop_active', s.active, 'policy', s.policy,
    'payments_ready', (s.stripe_account_id IS NOT NULL AND s.stripe_charges_enabled), 'stripe_account_id', s.stripe_account_id,
    'rules', (SELECT coalesce(json_agg(json_build_object('weekday', w.weekday, 'startMinute', w.start_minute, 'endMinute', w.end_minute)), '[]')
                FROM working_hours w WHERE w.barber_id = ${b}.id),
    'time_off', (SELECT coalesce(json_agg(json_build_object('start', ${ms(sql`t.starts_at`)}, 'end', ${ms(sql`t.ends_at`)})), '[]')
                   FROM time_off t WHERE t.barber_id = ${b}.id AND t.ends_at > now() - interval '1 day'),
    'busy', (SELECT coalesce(json_agg(json_build_object(
                 'id', a.id, 'client_id', a.client_id, 'service_id', a.service_id,
                 'start', ${ms(sql`a.start_time`)}, 'end', ${ms(sql`a.end_time`)}, 'status', a.status,
                 'hold_expires', ${ms(sql`a.hold_expires_at`)}, 'price_cents', a.price_cents,
                 'deposit_cents', a.deposit_cents, 'paid_cents', a.paid_cents - a.refunded_cents) ORDER BY a.start_time), '[]')
               FROM appointments a
              WHERE a.barber_id = ${b}.id AND a.status IN (${ACTIVE}) AND a.end_time > now() - interval '1 day'),
    'offerings', (SELECT coalesce(json_agg(json_build_object(
                     'service_id', sv.id, 'name', sv.name,
                     'duration_min', coalesce(bs.duration_min, sv.duration_min),
                     'price_cents', coalesce(bs.price_cents, sv.price_cents), 'active', sv.active)), '[]')
                    FROM barber_services bs JOIN services sv ON sv.id = bs.service_id
                   WHERE bs.barber_id = ${b}.id))`;
}

function parseJson<T>(value: unknown): T {
  return jsonValue(value as object | string) as T;
}

/** One barber's snapshot; null when there is no such barber. */
export async function loadSnapshot(db: Db, barberId: string): Promise<SnapshotRecord | null> {
  const result = await db.execute<{ snap: unknown }>(sql`
    SELECT ${snapshotJson(sql`b`)} AS snap FROM barbers b JOIN shops s ON s.id = b.shop_id WHERE b.id = ${barberId}`);
  const row = result.rows[0];
  return row ? parseJson<SnapshotRecord>(row.snap) : null;
}

/**
 * Snapshots of the barbers of `shopId` who are active and offer `serviceId` (the "any barber"
 * availability and booking paths), plus each one's booked minutes on the given local day so the
 * least busy can be tried first — one statement.
 */
export async function loadShopSnapshots(
  db: Db,
  shopId: string,
  serviceId: string,
): Promise<SnapshotRecord[]> {
  const result = await db.execute<{ snap: unknown }>(sql`
    SELECT ${snapshotJson(sql`b`)} AS snap
      FROM barbers b JOIN shops s ON s.id = b.shop_id
     WHERE b.shop_id = ${shopId} AND b.active
       AND EXISTS (SELECT 1 FROM barber_services bs JOIN services sv ON sv.id = bs.service_id
                    WHERE bs.barber_id = b.id AND bs.service_id = ${serviceId} AND sv.active)
     ORDER BY b.id`);
  return result.rows.map((r) => parseJson<SnapshotRecord>(r.snap));
}

/** Releases the barber's lapsed holds; chained in front of every write so they never block it. */
const releaseLapsed = (barberId: string) => sql`released AS (
    UPDATE appointments SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'hold_expired', updated_at = now()
     WHERE barber_id = ${barberId} AND status = 'held' AND hold_expires_at <= now()
    RETURNING id, shop_id, client_id, ${ms(sql`start_time`)} AS start_ms, ${ms(sql`end_time`)} AS end_ms)`;

/**
 * Bumps the barber's version only if it is still `expected` — the check that the object's
 * snapshot was current. Depends on `released` so the lapsed holds are gone before the write.
 */
const assertVersion = (barberId: string, expected: number, also: SQL = sql`true`) => sql`v AS (
    UPDATE barbers SET schedule_version = schedule_version + 1, updated_at = now()
     WHERE id = ${barberId} AND schedule_version = ${expected} AND active
       AND (SELECT count(*) FROM released) >= 0 AND ${also}
    RETURNING schedule_version)`;

export interface WriteResult {
  /** The barber's version after the write; null when the expected version was stale. */
  version: number | null;
  /**
   * For writes that move the version without asserting it (settle, release): whether it moved
   * from the version the caller's snapshot was at. False: something else moved it meanwhile, so
   * the snapshot must be reloaded rather than take the new number.
   */
  wasCurrent?: boolean;
  appointment: AppointmentRecord | null;
  /** Holds released on the way (their slots are free again). */
  released: { id: string; shop_id: string; client_id: string; start_ms: number; end_ms: number }[];
  /** The fresh snapshot when the expected version was stale (so a retry needs no extra read). */
  snapshot: SnapshotRecord | null;
  /** Active future bookings the client already had at this shop (the per-client limit). */
  client_active?: number;
  /** The client's Stripe customer, read with a booking (its payment needs no lookup of its own). */
  stripe_customer_id?: string | null;
  /** Waitlist entries that could take the time this write freed (cancel, no-show, a move within the chair). */
  candidates?: WaitlistCandidate[];
  /** Refunds and fees this write recorded for the payment service to send to Stripe. */
  movements?: Movement[];
  /** Settle: whether the appointment's client has a card on file. */
  hasCard?: boolean;
}

/** A refund or fee a write recorded: everything needed to send it to Stripe without another read. */
export interface Movement {
  id: string;
  kind: 'refund' | 'fee';
  status: string;
  amount_cents: number;
  currency: string;
  attempts: number;
  reason: string | null;
  failure_reason: string | null;
  appointment_id: string;
  shop_id: string;
  stripe_account_id: string | null;
  /** Refund: the charge it comes from. */
  refund_of_payment_intent: string | null;
  /** Fee: the client's customer and saved card. */
  customer_id: string | null;
  payment_method_id: string | null;
}

/** `m` (a payments row) as a Movement; `refundOf` names the charge's PaymentIntent. */
export const movementJson = (m: string, refundOf: SQL, client: SQL) => {
  const t = sql.raw(m);
  return sql`json_build_object('id', ${t}.id, 'kind', ${t}.kind, 'status', ${t}.status, 'amount_cents', ${t}.amount_cents,
      'currency', ${t}.currency, 'attempts', ${t}.attempts, 'reason', ${t}.reason, 'failure_reason', ${t}.failure_reason,
      'appointment_id', ${t}.appointment_id, 'shop_id', ${t}.shop_id, 'stripe_account_id', ${t}.stripe_account_id,
      'refund_of_payment_intent', ${refundOf},
      'customer_id', (SELECT c.customer_id FROM stripe_customers c WHERE c.user_id = ${client}),
      'payment_method_id', (SELECT c.payment_method_id FROM stripe_customers c WHERE c.user_id = ${client}))`;
};

type RawWrite = {
  version: number | string | null;
  appointment: unknown;
  released: unknown;
  snapshot: unknown;
  client_active?: number | string | null;
  stripe_customer_id?: string | null;
  candidates?: unknown;
  movements?: unknown;
  was_current?: boolean | string | null;
  has_card?: boolean | string | null;
};

function readWrite(row: RawWrite | undefined): WriteResult {
  return {
    version: row?.version == null ? null : Number(row.version),
    appointment: row?.appointment == null ? null : parseJson<AppointmentRecord>(row.appointment),
    released: row?.released == null ? [] : parseJson<WriteResult['released']>(row.released),
    snapshot: row?.snapshot == null ? null : parseJson<SnapshotRecord>(row.snapshot),
    ...(row?.client_active != null ? { client_active: Number(row.client_active) } : {}),
    ...(row && 'stripe_customer_id' in row ? { stripe_customer_id: row.stripe_customer_id ?? null } : {}),
    ...(row?.candidates != null ? { candidates: parseJson<WaitlistCandidate[]>(row.candidates) } : {}),
    ...(row?.movements != null ? { movements: parseJson<Movement[]>(row.movements) } : {}),
    ...(row?.has_card != null ? { hasCard: truthy(row.has_card) } : {}),
    ...(row?.was_current != null ? { wasCurrent: truthy(row.was_current) } : {}),
  };
}

const releasedJson = sql`(SELECT coalesce(json_agg(json_build_object('id', id, 'shop_id', shop_id, 'client_id', client_id, 'start_ms', start_ms, 'end_ms', end_ms)), '[]') FROM released)`;
const staleSnapshot = (barberId: string, unlessAlso: SQL = sql`false`) => sql`CASE WHEN NOT EXISTS (SELECT 1 FROM v) AND NOT ${unlessAlso} THEN
      (SELECT ${snapshotJson(sql`b`)} FROM barbers b JOIN shops s ON s.id = b.shop_id WHERE b.id = ${barberId}) END`;

export interface InsertAppointment {
  id: string;
  shopId: string;
  barberId: string;
  clientId: string;
  serviceId: string;
  startMs: number;
  endMs: number;
  /** `card_on_file`: held until a card is saved, unless the client has one on file already. */
  status: 'held' | 'confirmed' | 'card_on_file';
  holdMinutes: number;
  priceCents: number;
  depositCents: number;
  currency: string;
  notes: string | null;
  source: 'online' | 'staff' | 'walk_in' | 'waitlist';
  actorId: string;
  /** The most active future bookings the client may already hold at this shop (null: no limit). */
  clientLimit: number | null;
  /** For a waitlist offer: the entry that is being offered this hold. */
  waitlistEntryId?: string;
}

const ts = (msValue: number) => sql`to_timestamp(${msValue / 1000})`;

/** The client has a card on file (for fees, and for card-on-file holds). */
const clientHasCard = (clientId: SQL) =>
  sql`EXISTS (SELECT 1 FROM stripe_customers c WHERE c.user_id = ${clientId} AND c.payment_method_id IS NOT NULL)`;

export async function insertAppointment(db: Db, expectedVersion: number, a: InsertAppointment): Promise<WriteResult> {
  const hasCard = sql`EXISTS (SELECT 1 FROM stripe_customers c WHERE c.user_id = ${a.clientId} AND c.payment_method_id IS NOT NULL)`;
  const status =
    a.status === 'card_on_file' ? sql`(CASE WHEN ${hasCard} THEN 'confirmed' ELSE 'held' END)::appointment_status` : sql`${a.status}::appointment_status`;
  const holdExpires =
    a.status === 'held'
      ? sql`now() + make_interval(mins => ${a.holdMinutes})`
      : a.status === 'card_on_file'
        ? sql`CASE WHEN ${hasCard} THEN NULL ELSE now() + make_interval(mins => ${a.holdMinutes}) END`
        : sql`NULL::timestamptz`;
  const limit = a.clientLimit ?? 2_147_483_647;
  const result = await db.execute<RawWrite>(sql`
    WITH ${releaseLapsed(a.barberId)},
    quota AS (
      SELECT count(*)::int AS n FROM appointments
       WHERE client_id = ${a.clientId} AND shop_id = ${a.shopId} AND status IN (${ACTIVE}) AND start_time > now()),
    ${assertVersion(a.barberId, expectedVersion, sql`(SELECT n FROM quota) < ${limit}`)},
    ins AS (
      INSERT INTO appointments (id, shop_id, barber_id, client_id, service_id, start_time, end_time, status,
                                hold_expires_at, price_cents, currency, deposit_cents, notes, source, booked_by)
      SELECT ${a.id}, ${a.shopId}, ${a.barberId}, ${a.clientId}, ${a.serviceId}, ${ts(a.startMs)}, ${ts(a.endMs)},
             ${status}, ${holdExpires}, ${a.priceCents}, ${a.currency}, ${a.depositCents},
             ${a.notes}, ${a.source}, ${a.actorId}
        FROM v
      RETURNING *),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT shop_id, ${a.actorId}, 'appointment.booked', 'appointment', id::text,
             jsonb_build_object('status', status, 'barber_id', barber_id, 'start_time', start_time, 'source', source)
        FROM ins),
    member AS (
      INSERT INTO memberships (user_id, shop_id, role)
      SELECT client_id, shop_id, 'client' FROM ins
      ON CONFLICT DO NOTHING),
    offered AS (
      UPDATE waitlist_entries SET status = 'offered', offered_appointment_id = ins.id, offered_at = now(), updated_at = now()
        FROM ins WHERE waitlist_entries.id = ${a.waitlistEntryId ?? null}::uuid AND waitlist_entries.status = 'waiting'
      RETURNING waitlist_entries.id)
    SELECT (SELECT schedule_version FROM v) AS version,
           (SELECT n FROM quota) AS client_active,
           (SELECT customer_id FROM stripe_customers WHERE user_id = ${a.clientId}) AS stripe_customer_id,
           (SELECT ${recordJson('ins')} FROM ins) AS appointment,
           ${releasedJson} AS released,
           ${staleSnapshot(a.barberId, sql`(SELECT n FROM quota) >= ${limit}`)} AS snapshot`);
  return readWrite(result.rows[0]);
}

export interface MoveAppointment {
  id: string;
  /** What the caller saw, asserted so a concurrent change makes this a no-op. */
  fromBarberId: string;
  fromStartMs: number;
  toBarberId: string;
  startMs: number;
  endMs: number;
  actorId: string;
}

/**
 * Moves an active appointment to a new time (and possibly another barber) in one UPDATE: the new
 * slot is taken and the old one freed at the same instant, and the exclusion constraint judges
 * the new range against every other row. Runs in the NEW barber's object; the old barber's
 * version moves too, so that object reloads before its next write.
 */
export async function moveAppointment(db: Db, expectedVersion: number, m: MoveAppointment): Promise<WriteResult> {
  const result = await db.execute<RawWrite>(sql`
    WITH ${releaseLapsed(m.toBarberId)},
    ${assertVersion(m.toBarberId, expectedVersion)},
    upd AS (
      UPDATE appointments a SET barber_id = ${m.toBarberId}, start_time = ${ts(m.startMs)}, end_time = ${ts(m.endMs)},
             updated_at = now()
        FROM v
       WHERE a.id = ${m.id} AND a.barber_id = ${m.fromBarberId} AND a.start_time = ${ts(m.fromStartMs)}
         AND a.status IN (${ACTIVE})
      RETURNING a.*),
    old_barber AS (
      UPDATE barbers SET schedule_version = schedule_version + 1, updated_at = now()
       WHERE id = ${m.fromBarberId} AND ${m.fromBarberId}::uuid <> ${m.toBarberId}::uuid AND EXISTS (SELECT 1 FROM upd)
      RETURNING id),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT shop_id, ${m.actorId}, 'appointment.rescheduled', 'appointment', id::text,
             jsonb_build_object('from_barber_id', ${m.fromBarberId}::text, 'from_start_time', ${ts(m.fromStartMs)},
                                'barber_id', barber_id, 'start_time', start_time)
        FROM upd)
    SELECT (SELECT schedule_version FROM v) AS version,
           (SELECT ${recordJson('upd')} FROM upd) AS appointment,
           ${releasedJson} AS released,
           ${staleSnapshot(m.toBarberId)} AS snapshot,
           (SELECT ${candidatesJson(sql`upd.shop_id`, m.toBarberId, ts(m.fromStartMs), sql`${ts(m.fromStartMs)} + (upd.end_time - upd.start_time)`)}
              FROM upd WHERE ${m.fromBarberId}::uuid = ${m.toBarberId}::uuid) AS candidates`);
  return readWrite(result.rows[0]);
}

export interface SettleAppointment {
  id: string;
  barberId: string;
  /** The status it must be in now (anything else: no-op, the caller reports a conflict). */
  fromStatuses: readonly string[];
  toStatus: 'cancelled' | 'completed' | 'no_show' | 'confirmed';
  actorId: string | null;
  action: string;
  reason: string | null;
  settlement: string | null;
  feeCents: number;
  refundDueCents: number;
  /**
   * Money to move now (ADR 13's outbox): a refund from the up-front charge (capped in SQL at what
   * is left of it) and a fee to charge to the card on file. Both recorded in this statement; the
   * payment service sends them to Stripe afterwards.
   */
  refundCents?: number;
  refundReason?: string;
  chargeCents?: number;
  chargeReason?: string;
  /** The caller's snapshot version (see WriteResult.wasCurrent). */
  expectedVersion?: number;
  /** Only with a card on file (confirming a card-on-file hold): otherwise nothing changes. */
  requireCard?: boolean;
}

/**
 * A status change on one appointment of this barber (cancel, complete, no-show, confirm), with
 * its money decision and audit row; frees the time when the new status is not active. No version
 * assertion: freeing time can never double-book, and confirming keeps the same range.
 */
export async function settleAppointment(db: Db, s: SettleAppointment): Promise<WriteResult> {
  const cancelling = s.toStatus === 'cancelled';
  const result = await db.execute<RawWrite>(sql`
    WITH ${releaseLapsed(s.barberId)},
    v AS (
      UPDATE barbers SET schedule_version = schedule_version + 1, updated_at = now()
       WHERE id = ${s.barberId} AND (SELECT count(*) FROM released) >= 0
      RETURNING schedule_version),
    upd AS (
      UPDATE appointments a SET status = ${s.toStatus}::appointment_status,
             cancelled_at = CASE WHEN ${cancelling} THEN now() ELSE a.cancelled_at END,
             cancel_reason = CASE WHEN ${cancelling} THEN ${s.reason} ELSE a.cancel_reason END,
             cancelled_by = CASE WHEN ${cancelling} THEN ${s.actorId}::uuid ELSE a.cancelled_by END,
             hold_expires_at = CASE WHEN ${s.toStatus} = 'confirmed' THEN NULL ELSE a.hold_expires_at END,
             settlement = coalesce(${s.settlement}, a.settlement),
             fee_cents = CASE WHEN ${s.settlement}::text IS NULL THEN a.fee_cents ELSE ${s.feeCents} END,
             refund_due_cents = CASE WHEN ${s.settlement}::text IS NULL THEN a.refund_due_cents ELSE ${s.refundDueCents} END,
             updated_at = now()
        FROM v
       WHERE a.id = ${s.id} AND a.barber_id = ${s.barberId}
         AND a.status::text IN (${sql.join(s.fromStatuses.map((x) => sql`${x}`), sql`, `)})
         AND (NOT ${s.requireCard ?? false} OR ${clientHasCard(sql`a.client_id`)})
         -- A client who checked in was not a no-show (and the CHECK constraint agrees).
         AND (${s.toStatus} <> 'no_show' OR a.arrived_at IS NULL)
      RETURNING a.*),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT shop_id, ${s.actorId}::uuid, ${s.action}, 'appointment', id::text,
             jsonb_build_object('status', status, 'reason', ${s.reason}::text, 'settlement', settlement,
                                'fee_cents', fee_cents, 'refund_due_cents', refund_due_cents)
        FROM upd),
    waitlist AS (
      UPDATE waitlist_entries
         SET status = CASE WHEN upd.status = 'confirmed' THEN 'booked' ELSE 'expired' END, updated_at = now()
        FROM upd WHERE waitlist_entries.offered_appointment_id = upd.id AND waitlist_entries.status = 'offered'
      RETURNING waitlist_entries.id),
    ${settlementMovements(s)}
    SELECT (SELECT schedule_version FROM v) AS version,
           (SELECT ${recordJson('upd')} FROM upd) AS appointment,
           ${releasedJson} AS released,
           NULL AS snapshot,
           (SELECT schedule_version - 1 = ${s.expectedVersion ?? -1} FROM v) AS was_current,
           (SELECT ${clientHasCard(sql`x.client_id`)} FROM appointments x WHERE x.id = ${s.id}) AS has_card,
           (SELECT coalesce(json_agg(${movementJson('m', sql`(SELECT src.stripe_payment_intent_id FROM payments src WHERE src.id = m.refund_of)`, sql`(SELECT client_id FROM upd)`)}), '[]')
              FROM (SELECT * FROM refund_out UNION ALL SELECT * FROM fee_out) m) AS movements,
           (SELECT ${candidatesJson(sql`upd.shop_id`, s.barberId, sql`greatest(upd.start_time, now())`, sql`upd.end_time`)}
              FROM upd WHERE upd.status NOT IN (${ACTIVE}) AND upd.end_time > now()) AS candidates`);
  return readWrite(result.rows[0]);
}

/**
 * The outbox rows of a settlement (CTEs after `upd`): the refund comes out of the up-front charge
 * with the most left on it, never more than is left (pending refunds count as gone); the fee is
 * charged off-session only with a saved card and a shop that can take payments — otherwise it is
 * recorded as failed with the reason, for the owner to collect in person.
 */
function settlementMovements(s: SettleAppointment): SQL {
  const refund = s.refundCents ?? 0;
  const charge = s.chargeCents ?? 0;
  return sql`refund_src AS (
      SELECT p.id, p.currency, p.stripe_account_id, least(${refund}::int, p.amount_cents - p.refund_reserved_cents) AS take
        FROM payments p JOIN upd ON p.appointment_id = upd.id
       WHERE p.kind IN ('deposit', 'full') AND p.status = 'succeeded' AND ${refund}::int > 0 AND p.amount_cents > p.refund_reserved_cents
       ORDER BY p.amount_cents - p.refund_reserved_cents DESC, p.created_at LIMIT 1),
    -- Reserve the refund on the charge row: the row lock orders it against any other refund, and
    -- the condition is re-checked on the committed row (see payments.refund_reserved_cents).
    reserve AS (
      UPDATE payments c SET refund_reserved_cents = c.refund_reserved_cents + rs.take, updated_at = now()
        FROM refund_src rs
       WHERE c.id = rs.id AND rs.take > 0 AND c.refund_reserved_cents + rs.take <= c.amount_cents
      RETURNING c.id, c.currency, c.stripe_account_id, rs.take),
    refund_out AS (
      INSERT INTO payments (appointment_id, shop_id, amount_cents, currency, kind, status, refund_of, reason, stripe_account_id)
      SELECT upd.id, upd.shop_id, r.take, r.currency, 'refund', 'processing', r.id, ${s.refundReason ?? 'cancel_refund'}, r.stripe_account_id
        FROM upd, reserve r
      RETURNING *),
    fee_out AS (
      INSERT INTO payments (appointment_id, shop_id, amount_cents, currency, kind, status, reason, failure_reason, stripe_account_id)
      SELECT upd.id, upd.shop_id, ${charge}::int, upd.currency, 'fee',
             CASE WHEN ok.card AND ok.shop THEN 'requires_payment' ELSE 'failed' END::payment_status, ${s.chargeReason ?? 'fee'},
             CASE WHEN NOT ok.shop THEN 'payments_unavailable' WHEN NOT ok.card THEN 'no_card_on_file' END, ok.account
        FROM upd CROSS JOIN LATERAL (
          SELECT EXISTS (SELECT 1 FROM stripe_customers c WHERE c.user_id = upd.client_id AND c.payment_method_id IS NOT NULL) AS card,
                 (SELECT sh.stripe_account_id IS NOT NULL AND sh.stripe_charges_enabled FROM shops sh WHERE sh.id = upd.shop_id) AS shop,
                 (SELECT sh.stripe_account_id FROM shops sh WHERE sh.id = upd.shop_id) AS account) ok
       WHERE ${charge}::int > 0
      RETURNING *)`;
}

/** Releases the barber's lapsed holds and reports the next pending expiry — one statement. */
export async function releaseExpiredHolds(
  db: Db,
  barberId: string,
  expectedVersion = -1,
): Promise<{ version: number | null; released: WriteResult['released']; nextExpiryMs: number | null; wasCurrent: boolean }> {
  const result = await db.execute<{ version: number | string | null; released: unknown; next: number | string | null; was_current: boolean | string | null }>(sql`
    WITH ${releaseLapsed(barberId)},
    v AS (
      UPDATE barbers SET schedule_version = schedule_version + 1, updated_at = now()
       WHERE id = ${barberId} AND EXISTS (SELECT 1 FROM released)
      RETURNING schedule_version),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT shop_id, NULL, 'appointment.hold_expired', 'appointment', id::text, '{}'::jsonb FROM released),
    lapsed_offers AS (
      UPDATE waitlist_entries SET status = 'expired', updated_at = now()
       WHERE status = 'offered' AND offered_appointment_id IN (SELECT id FROM released)
      RETURNING id)
    SELECT (SELECT schedule_version FROM v) AS version,
           (SELECT schedule_version - 1 = ${expectedVersion} FROM v) AS was_current,
           ${releasedJson} AS released,
           (SELECT ${ms(sql`min(hold_expires_at)`)} FROM appointments
             WHERE barber_id = ${barberId} AND status = 'held' AND hold_expires_at > now()) AS next`);
  const row = result.rows[0];
  return {
    version: row?.version == null ? null : Number(row.version),
    released: row?.released == null ? [] : parseJson<WriteResult['released']>(row.released),
    nextExpiryMs: row?.next == null ? null : Number(row.next),
    wasCurrent: truthy(row?.was_current),
  };
}

/** Barbers with lapsed holds (the cron's safety net behind the objects' alarms). */
export async function barbersWithLapsedHolds(db: Db, limit = 500): Promise<string[]> {
  const result = await db.execute<{ barber_id: string }>(sql`
    SELECT DISTINCT barber_id FROM appointments WHERE status = 'held' AND hold_expires_at <= now() LIMIT ${limit}`);
  return result.rows.map((r) => r.barber_id);
}

/** Where an appointment lives and who may act on it, for routing a change to the right object. */
export interface AppointmentLocator {
  id: string;
  shop_id: string;
  barber_id: string;
  client_id: string;
  status: string;
  start_ms: number;
  end_ms: number;
  service_id: string;
  arrived_ms: number | null;
  /** How the caller relates to it: client, barber (this chair), owner (this shop), admin, or none. */
  relation: 'client' | 'barber' | 'owner' | 'admin' | 'none';
}

export async function locateAppointment(db: Db, appointmentId: string, userId: string): Promise<AppointmentLocator | null> {
  const result = await db.execute<{ loc: unknown }>(sql`
    SELECT json_build_object(
      'id', a.id, 'shop_id', a.shop_id, 'barber_id', a.barber_id, 'client_id', a.client_id, 'status', a.status,
      'start_ms', ${ms(sql`a.start_time`)}, 'end_ms', ${ms(sql`a.end_time`)}, 'service_id', a.service_id,
      'arrived_ms', ${ms(sql`a.arrived_at`)},
      'relation', CASE
        WHEN ${isPlatformAdminSql(userId)} THEN 'admin'
        WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = a.shop_id AND m.role = 'owner') THEN 'owner'
        WHEN b.user_id = ${userId} THEN 'barber'
        WHEN a.client_id = ${userId} THEN 'client'
        ELSE 'none' END) AS loc
      FROM appointments a JOIN barbers b ON b.id = a.barber_id
     WHERE a.id = ${appointmentId}`);
  const row = result.rows[0];
  return row ? parseJson<AppointmentLocator>(row.loc) : null;
}

/** The outcome of a check-in: who the caller is to the appointment, and the record after it. */
export interface ArrivalResult {
  found: { status: string; start_ms: number; arrived_ms: number | null; relation: AppointmentLocator['relation'] } | null;
  /** Set when this statement checked the client in, or when they already were (unchanged). */
  appointment: AppointmentRecord | null;
}

/**
 * Checks a client in (arrived_at = now), in one statement: only the shop's side (the chair's
 * barber, an owner, a platform admin), only a confirmed appointment, from `earlyMinutes` before
 * its start. Repeating it changes nothing and answers the same record (a fast double tap). No slot
 * changes, so this does not go through the barber's Durable Object; the no-show write refuses an
 * arrived appointment, so the two cannot both win.
 */
export async function markArrived(db: Db, appointmentId: string, userId: string, earlyMinutes: number): Promise<ArrivalResult> {
  const result = await db.execute<{ found: unknown; appointment: unknown }>(sql`
    WITH loc AS (
      SELECT a.id, a.status, a.start_time, a.arrived_at,
             CASE WHEN ${isPlatformAdminSql(userId)} THEN 'admin'
                  WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND m.shop_id = a.shop_id AND m.role = 'owner') THEN 'owner'
                  WHEN b.user_id = ${userId} THEN 'barber'
                  WHEN a.client_id = ${userId} THEN 'client'
                  ELSE 'none' END AS relation
        FROM appointments a JOIN barbers b ON b.id = a.barber_id
       WHERE a.id = ${appointmentId}),
    upd AS (
      UPDATE appointments a SET arrived_at = now(), updated_at = now()
        FROM loc
       WHERE a.id = loc.id AND loc.relation IN ('barber', 'owner', 'admin')
         AND a.status = 'confirmed' AND a.arrived_at IS NULL
         AND a.start_time - ${earlyMinutes} * interval '1 minute' <= now()
      RETURNING a.*)
    SELECT (SELECT json_build_object('status', loc.status, 'start_ms', ${ms(sql`loc.start_time`)},
                                     'arrived_ms', ${ms(sql`loc.arrived_at`)}, 'relation', loc.relation) FROM loc) AS found,
           coalesce((SELECT ${recordJson('upd')} FROM upd),
                    (SELECT ${recordJson('x')} FROM appointments x JOIN loc ON loc.id = x.id
                      WHERE x.arrived_at IS NOT NULL AND loc.relation IN ('barber', 'owner', 'admin'))) AS appointment`);
  const row = result.rows[0];
  return {
    found: row?.found == null ? null : parseJson<NonNullable<ArrivalResult['found']>>(row.found),
    appointment: row?.appointment == null ? null : parseJson<AppointmentRecord>(row.appointment),
  };
}

/** Waiting entries that could take a freed slot of this barber, first come first served. */
export interface WaitlistCandidate {
  id: string;
  client_id: string;
  service_id: string;
  barber_id: string | null;
  window_start_ms: number;
  window_end_ms: number;
  day_start_minute: number | null;
  day_end_minute: number | null;
}

/** Waiting entries that overlap [start, end) at barber `barberId` of shop `shopId`, first come first served, as a json array. */
function candidatesJson(shopId: SQL, barberId: string, start: SQL, end: SQL, limit = 20): SQL {
  return sql`(SELECT coalesce(json_agg(c ORDER BY created_at, id), '[]') FROM (
      SELECT json_build_object('id', w.id, 'client_id', w.client_id, 'service_id', w.service_id, 'barber_id', w.barber_id,
               'window_start_ms', ${ms(sql`w.window_start`)}, 'window_end_ms', ${ms(sql`w.window_end`)},
               'day_start_minute', w.day_start_minute, 'day_end_minute', w.day_end_minute) AS c, w.created_at, w.id
        FROM waitlist_entries w
       WHERE w.shop_id = ${shopId} AND w.status = 'waiting'
         AND (w.barber_id IS NULL OR w.barber_id = ${barberId})
         AND w.window_start < ${end} AND w.window_end > ${start}
       ORDER BY w.created_at, w.id
       LIMIT ${limit}) x)`;
}

export async function waitlistCandidates(
  db: Db,
  shopId: string,
  barberId: string,
  freed: { startMs: number; endMs: number },
): Promise<WaitlistCandidate[]> {
  const result = await db.execute<{ c: unknown }>(sql`SELECT ${candidatesJson(sql`${shopId}::uuid`, barberId, ts(freed.startMs), ts(freed.endMs))} AS c`);
  const row = result.rows[0];
  return row ? parseJson<WaitlistCandidate[]>(row.c) : [];
}

export interface StaffClientInput {
  shopId: string;
  actorId: string;
  /** An existing client of the shop… */
  clientId?: string;
  /** …or one identified by e-mail (created, without a password, if new), or — null — a new client by phone only. */
  email?: string | null;
  firstName?: string;
  lastName?: string;
  phoneEnc?: string | null;
  phoneLast4?: string | null;
}

export interface StaffClientResult {
  /** The caller is a barber or owner of the shop, or platform staff. */
  staff: boolean;
  clientId: string | null;
  created: boolean;
}

/**
 * For a booking made by staff (phone, desk): checks the caller is staff of the shop and finds or
 * creates the client — and their client membership — in ONE statement. Nothing is created when
 * the caller is not staff.
 */
export async function resolveStaffClient(db: Db, input: StaffClientInput): Promise<StaffClientResult> {
  const staff = sql`(EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${input.actorId} AND m.shop_id = ${input.shopId}
                              AND m.role IN ('barber', 'owner'))
                     OR ${isPlatformAdminSql(input.actorId)})`;
  const lookup = input.clientId
    ? sql`found AS (SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id AND m.shop_id = ${input.shopId} AND m.role = 'client'
                     WHERE u.id = ${input.clientId} AND ${staff}),
          created AS (SELECT NULL::uuid AS id WHERE false)`
    : sql`found AS (SELECT u.id FROM users u WHERE ${input.email ? sql`lower(u.email) = lower(${input.email})` : sql`false`} AND ${staff}),
          created AS (
            INSERT INTO users (email, first_name, last_name, phone_enc, phone_last4)
            SELECT ${input.email ?? null}, ${input.firstName ?? ''}, ${input.lastName ?? ''}, ${input.phoneEnc ?? null}, ${input.phoneLast4 ?? null}
             WHERE ${staff} AND NOT EXISTS (SELECT 1 FROM found)
            ON CONFLICT DO NOTHING
            RETURNING id)`;
  const result = await db.execute<{ staff: boolean | string; client_id: string | null; created: boolean | string }>(sql`
    WITH ${lookup},
    client AS (SELECT id FROM found UNION ALL SELECT id FROM created),
    member AS (
      INSERT INTO memberships (user_id, shop_id, role)
      SELECT id, ${input.shopId}, 'client' FROM client
      ON CONFLICT DO NOTHING)
    SELECT ${staff} AS staff, (SELECT id FROM client LIMIT 1) AS client_id, EXISTS (SELECT 1 FROM created) AS created`);
  const row = result.rows[0];
  return { staff: truthy(row?.staff), clientId: row?.client_id ?? null, created: truthy(row?.created) };
}

