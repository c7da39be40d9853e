import { and, asc, desc, eq, gt, gte, inArray, lt } from 'drizzle-orm';
import { ACTIVE_APPOINTMENT_STATUSES, appointments, type AppointmentStatus } from '../schema';
import type { AnyDb } from './types';

/**
 * A barber's appointments STARTING in [from, to) — for a day view pass the local day's
 * [midnight, next midnight) from domain/time.ts localDayRange. Served by
 * appointments_barber_start_idx (barber_id, start_time).
 */
export function barberAppointmentsQuery(
  db: AnyDb,
  barberId: string,
  range: { from: Date; to: Date },
  statuses?: readonly AppointmentStatus[],
) {
  return db
    .select()
    .from(appointments)
    .where(
      and(
        eq(appointments.barberId, barberId),
        gte(appointments.startTime, range.from),
        lt(appointments.startTime, range.to),
        statuses && statuses.length > 0 ? inArray(appointments.status, [...statuses]) : undefined,
      ),
    )
    .orderBy(asc(appointments.startTime));
}

/**
 * A client's appointments, newest first, optionally within one shop (staff views must pass
 * their shop: no cross-tenant reads). Served by appointments_client_idx (client_id, start_time).
 */
export function clientAppointmentsQuery(
  db: AnyDb,
  clientId: string,
  opts: { shopId?: string; before?: Date; limit?: number } = {},
) {
  return db
    .select()
    .from(appointments)
    .where(
      and(
        eq(appointments.clientId, clientId),
        opts.shopId ? eq(appointments.shopId, opts.shopId) : undefined,
        opts.before ? lt(appointments.startTime, opts.before) : undefined,
      ),
    )
    .orderBy(desc(appointments.startTime))
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 200));
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
