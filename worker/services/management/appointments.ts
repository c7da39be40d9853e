import { and, asc, eq, gt, gte, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ACTIVE_APPOINTMENT_STATUSES, appointments } from '../../db/schema';

/** Upper bound on what a "stranded appointments" report lists; owners resolve them in batches. */
export const REPORT_LIMIT = 500;

/**
 * A barber's appointments that still occupy time (held, pending payment, confirmed) and start
 * from `from` on — optionally only those overlapping [overlapFrom, overlapTo). Built as a query
 * so it rides in the same batch as the write it reports on.
 */
export function activeAppointmentsQuery(db: Db, barberId: string, range: { from: Date } | { overlapFrom: Date; overlapTo: Date }) {
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
