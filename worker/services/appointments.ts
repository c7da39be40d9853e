import type { Db } from '../db/client';
import { appointmentForPartyQuery, appointmentListQuery, type AppointmentRow } from '../db/queries/appointments';
import { encodeCursor } from '../db/queries/cursor';
import { appointmentStatus, type AppointmentSource, type Settlement } from '../db/schema';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import { readCursor } from './pagination';
import { owedCents } from '../domain/payments';

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
