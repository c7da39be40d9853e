import { and, asc, eq, gt, gte, inArray, lt, sql } from 'drizzle-orm';
import { ACTIVE_APPOINTMENT_STATUSES, appointments, barbers, services, shops, type AppointmentStatus } from '../schema';
import { isAppointmentPartySql } from './access';
import type { AnyDb } from './types';

/** The columns an appointment is shown with: the row, its shop's zone, service and barber names. */
const appointmentViewColumns = {
  id: appointments.id,
  shopId: appointments.shopId,
  barberId: appointments.barberId,
  clientId: appointments.clientId,
  serviceId: appointments.serviceId,
  startTime: appointments.startTime,
  endTime: appointments.endTime,
  status: appointments.status,
  holdExpiresAt: appointments.holdExpiresAt,
  priceCents: appointments.priceCents,
  depositCents: appointments.depositCents,
  currency: appointments.currency,
  notes: appointments.notes,
  arrivedAt: appointments.arrivedAt,
  cancelledAt: appointments.cancelledAt,
  cancelReason: appointments.cancelReason,
  source: appointments.source,
  settlement: appointments.settlement,
  feeCents: appointments.feeCents,
  refundDueCents: appointments.refundDueCents,
  paidCents: appointments.paidCents,
  refundedCents: appointments.refundedCents,
  createdAt: appointments.createdAt,
  timezone: shops.timezone,
  serviceName: services.name,
  barberName: barbers.displayName,
};

function appointmentsWithNames(db: AnyDb) {
  return db
    .select(appointmentViewColumns)
    .from(appointments)
    .innerJoin(shops, eq(shops.id, appointments.shopId))
    .innerJoin(services, eq(services.id, appointments.serviceId))
    .innerJoin(barbers, eq(barbers.id, appointments.barberId));
}

export type AppointmentRow = Awaited<ReturnType<ReturnType<typeof appointmentsWithNames>['execute']>>[number];

export interface AppointmentListFilter {
  /** Whose list: the caller's own bookings as a client, or one shop's (all, or one barber's chair). */
  view: { client: string } | { shopId: string; chairOf?: string };
  barberId?: string;
  status?: AppointmentStatus;
  /** A calendar day in each appointment's shop time zone (YYYY-MM-DD). */
  date?: string;
  /** Keyset: strictly after this (start_time, id). */
  after?: { startTime: string; id: string };
  limit: number;
}

/**
 * A page of appointments ordered by (start_time, id), one statement. Served by
 * appointments_client_idx for a client's list, appointments_shop_start_idx for a shop's and
 * appointments_barber_start_idx when a barber is named. The day is the shop's local day, so it
 * does not depend on the database session's TimeZone.
 */
export function appointmentListQuery(db: AnyDb, f: AppointmentListFilter) {
  const view =
    'client' in f.view
      ? eq(appointments.clientId, f.view.client)
      : and(eq(appointments.shopId, f.view.shopId), f.view.chairOf ? eq(barbers.userId, f.view.chairOf) : undefined);
  return appointmentsWithNames(db)
    .where(
      and(
        view,
        f.barberId ? eq(appointments.barberId, f.barberId) : undefined,
        f.status ? eq(appointments.status, f.status) : undefined,
        f.date ? sql`(${appointments.startTime} AT TIME ZONE ${shops.timezone})::date = ${f.date}::date` : undefined,
        f.after
          ? sql`(${appointments.startTime}, ${appointments.id}) > (${f.after.startTime}::timestamptz, ${f.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(appointments.startTime), asc(appointments.id))
    .limit(f.limit + 1);
}

/** One appointment, only if `userId` is a party to it (isAppointmentPartySql); served by the primary key. */
export function appointmentForPartyQuery(db: AnyDb, userId: string, appointmentId: string) {
  return appointmentsWithNames(db)
    .where(
      and(
        eq(appointments.id, appointmentId),
        isAppointmentPartySql(userId, { clientId: appointments.clientId, shopId: appointments.shopId, barberUserId: barbers.userId }),
      ),
    )
    .limit(1);
}

/** Upper bound on what a "no longer fits" report lists; owners resolve them in batches. */
export const REPORT_LIMIT = 500;

/**
 * A barber's appointments that still occupy time (held, pending payment, confirmed) starting
 * from `from` on — or only those overlapping [overlapFrom, overlapTo). A query, not a promise, so
 * it rides in the same batch as the write it reports on.
 */
export function activeAppointmentsQuery(
  db: AnyDb,
  barberId: string,
  range: { from: Date } | { overlapFrom: Date; overlapTo: Date },
) {
  const window =
    'from' in range
      ? gte(appointments.startTime, range.from)
      : and(lt(appointments.startTime, range.overlapTo), gt(appointments.endTime, range.overlapFrom));
  return db
    .select()
    .from(appointments)
    .where(and(eq(appointments.barberId, barberId), inArray(appointments.status, [...ACTIVE_APPOINTMENT_STATUSES]), window))
    .orderBy(asc(appointments.startTime))
    .limit(REPORT_LIMIT);
}
