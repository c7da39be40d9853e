import type { Db } from '../db/client';
import { appointmentForPartyQuery, appointmentListQuery, type AppointmentRow } from '../db/queries/appointments';
import { encodeCursor } from '../db/queries/cursor';
import { appointmentStatus, type AppointmentSource, type Settlement } from '../db/schema';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import { readCursor } from './pagination';
import { owedCents } from '../domain/payments';
import { cancelTermsQuery, clientAppointmentsQuery, type CancelTerms, type ClientAppointmentRow } from '../db/queries/client-pages';
import { withPolicyDefaults } from '../db/schema';
import { decideCancellation, isInsideCancelWindow, type CancelOutcome } from '../domain/cancellation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  /** When the client checked in at the shop (set from the barber's day sheet). */
  arrived_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  /** How it was booked: online, staff (phone/desk), walk_in, waitlist. */
  source: AppointmentSource;
  /** The money decision recorded when it was cancelled or marked a no-show, and its amounts. */
  settlement: Settlement | null;
  fee_cents: number;
  refund_due_cents: number;
  /** Money that really moved: charges that succeeded, refunds that did, and what is still owed. */
  paid_cents: number;
  refunded_cents: number;
  owed_cents: number;
  created_at: string;
  timezone: string;
  service_name: string;
  barber_name: string;
}

/** The API shape of an appointment row; instants in the wire form (ADR 7). */
function appointmentView(r: AppointmentRow): AppointmentView {
  return {
    id: r.id,
    shop_id: r.shopId,
    barber_id: r.barberId,
    client_id: r.clientId,
    service_id: r.serviceId,
    start_time: wireInstant(r.startTime),
    end_time: wireInstant(r.endTime),
    status: r.status,
    hold_expires_at: r.holdExpiresAt ? wireInstant(r.holdExpiresAt) : null,
    price_cents: r.priceCents,
    deposit_cents: r.depositCents,
    currency: r.currency,
    notes: r.notes,
    arrived_at: r.arrivedAt ? wireInstant(r.arrivedAt) : null,
    cancelled_at: r.cancelledAt ? wireInstant(r.cancelledAt) : null,
    cancel_reason: r.cancelReason,
    source: r.source,
    settlement: r.settlement,
    fee_cents: r.feeCents,
    refund_due_cents: r.refundDueCents,
    paid_cents: r.paidCents,
    refunded_cents: r.refundedCents,
    owed_cents: owedCents({ status: r.status, priceCents: r.priceCents, paidCents: r.paidCents, refundedCents: r.refundedCents, feeCents: r.feeCents }),
    created_at: wireInstant(r.createdAt),
    timezone: r.timezone,
    service_name: r.serviceName,
    barber_name: r.barberName,
  };
}

export interface ListFilters {
  /** Staff view of one shop; without it, the caller's own appointments as a client. */
  shopId?: string | undefined;
  /** Barbers see their own chair; owners and platform staff the whole shop. */
  staffScope?: 'own_chair' | 'whole_shop' | undefined;
  barberId?: string | undefined;
  status?: AppointmentStatus | undefined;
  /** A calendar day in each appointment's shop time zone. */
  date?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** One statement whichever view; keyset-paginated on (start_time, id). */
export async function listAppointments(db: Db, userId: string, filters: ListFilters) {
  const after = readCursor(filters.cursor, 2, ([start, id]) => !Number.isNaN(Date.parse(String(start))) && UUID.test(String(id)));
  const rows = await appointmentListQuery(db, {
    view: filters.shopId ? { shopId: filters.shopId, ...(filters.staffScope === 'own_chair' ? { chairOf: userId } : {}) } : { client: userId },
    ...(filters.barberId ? { barberId: filters.barberId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.date ? { date: filters.date } : {}),
    ...(after ? { after: { startTime: String(after[0]), id: String(after[1]) } } : {}),
    limit: filters.limit,
  });
  const data = rows.slice(0, filters.limit).map(appointmentView);
  const last = data.at(-1);
  return {
    data,
    next_cursor: rows.length > filters.limit && last ? encodeCursor([last.start_time, last.id]) : null,
  };
}

/**
 * One appointment, visible only to its parties: the client, the barber in that chair, the shop's
 * owners, platform staff. Everyone else gets the same 404 as for a missing id (no probing).
 * Visibility is decided in the same statement as the read.
 */
export async function getAppointmentForParty(db: Db, userId: string, appointmentId: string): Promise<AppointmentView> {
  const [row] = await appointmentForPartyQuery(db, userId, appointmentId);
  if (!row) throw new ApiError('not_found', 'No such appointment');
  return appointmentView(row);
}

// ── A client's own pages ──────────────────────────────────────────────────────────────────────

export interface ClientAppointment extends ClientAppointmentRow {
  /** Still owed for it (a deposit not yet paid, a fee not yet charged). */
  owed_cents: number;
  /** A client may move it online: still ahead and outside the shop's cancellation window. */
  reschedulable: boolean;
  /** A client may cancel it (whatever the money decision). */
  cancellable: boolean;
}

const LIVE = new Set<string>(['held', 'pending_payment', 'confirmed']);

function clientAppointment(r: ClientAppointmentRow, now: number): ClientAppointment {
  const live = LIVE.has(r.status) && r.end_ms > now;
  return {
    ...r,
    owed_cents: owedCents({ status: r.status, priceCents: r.price_cents, paidCents: r.paid_cents, refundedCents: r.refunded_cents, feeCents: r.fee_cents }),
    reschedulable: live && r.start_ms > now && !isInsideCancelWindow({ cancel_window_hours: r.cancel_window_hours }, r.start_ms, now),
    cancellable: live,
  };
}

/**
 * The caller's bookings at every shop: upcoming (soonest first) and past (latest first), with the
 * names, zone and money each row shows — one statement. Only the caller's own, never a shop's.
 */
export async function clientAppointments(db: Db, userId: string, limit = 50): Promise<{ upcoming: ClientAppointment[]; past: ClientAppointment[] }> {
  const rows = await clientAppointmentsQuery(db, userId, limit);
  const now = Date.now();
  return { upcoming: rows.upcoming.map((r) => clientAppointment(r, now)), past: rows.past.map((r) => clientAppointment(r, now)) };
}

export interface CancelPreview {
  appointment: Omit<CancelTerms, 'policy' | 'relation'>;
  /** Whose cancellation it would be: the client's (policy applies) or the shop's (always refunds). */
  by: 'client' | 'shop';
  cancel_window_hours: number;
  /** The same decision POST /appointments/{id}/cancel records, were it made now. */
  decision: { outcome: CancelOutcome; late: boolean; fee_cents: number; refund_cents: number; charge_cents: number; currency: string };
}

/**
 * What cancelling would mean for money right now, by the rule the cancel itself applies
 * (domain/cancellation.ts, with what was paid and not refunded, and the shop's policy) — nothing
 * is written. `userId` null: the holder of a signed link, who cancels as the client.
 * Strangers get the same 404 as a missing id; an appointment that can no longer be cancelled is
 * a 409 `conflict` (reason `status`), as the cancel would be.
 */
export async function cancelPreview(db: Db, userId: string | null, appointmentId: string, now = Date.now()): Promise<CancelPreview> {
  if (!UUID.test(appointmentId)) throw new ApiError('not_found', 'No such appointment');
  const t = await cancelTermsQuery(db, appointmentId, userId);
  if (!t || t.relation === 'none') throw new ApiError('not_found', 'No such appointment');
  if (!LIVE.has(t.status)) throw new ApiError('conflict', `A ${t.status} appointment cannot be cancelled`, { reason: 'status' });
  const policy = withPolicyDefaults(t.policy);
  const by = t.relation === 'client' ? 'client' : 'shop';
  const d = decideCancellation({ policy, startMs: t.start_ms, nowMs: now, priceCents: t.price_cents, paidCents: t.paid_cents, by });
  const { policy: _policy, relation: _relation, ...appointment } = t;
  return {
    appointment,
    by,
    cancel_window_hours: policy.cancel_window_hours,
    decision: { outcome: d.outcome, late: d.late, fee_cents: d.feeCents, refund_cents: d.refundCents, charge_cents: d.chargeCents, currency: t.currency },
  };
}
