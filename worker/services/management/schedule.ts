/** A barber's schedule: weekly hours (with breaks) and time off, each reporting stranded bookings. */
import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import { encodeCursor } from '../../db/queries/cursor';
import { timeOff, workingHours, type Appointment, type TimeOff } from '../../db/schema';
import { sortRules, strandedByRules, validateWeeklyRules, type WeeklyRule } from '../../domain/working-hours';
import { ApiError } from '../../lib/errors';
import { auditQuery } from '../audit';
import { readCursor } from '../pagination';
import { activeAppointmentsQuery } from '../../db/queries/appointments';
import { unprocessable } from './errors';

export interface ScheduleTarget {
  barberId: string;
  shopId: string;
  timezone: string;
}

/**
 * Replaces the weekly rules atomically and reports the barber's future active appointments the
 * new rules no longer cover (judged on the shop's wall clock). The appointments are read in the
 * same batch, so the report matches the committed state; nothing is cancelled.
 */
export async function replaceWorkingHours(
  db: Db,
  actorId: string,
  target: ScheduleTarget,
  rules: readonly WeeklyRule[],
): Promise<{ rules: WeeklyRule[]; stranded: Appointment[] }> {
  const violations = validateWeeklyRules(rules);
  if (violations.length > 0) {
    throw unprocessable(
      'Some intervals are inverted or overlap',
      violations.map((v) => ({ path: `json.rules.${v.index}`, message: v.message })),
    );
  }
  const sorted = sortRules(rules);
  const queries: [BatchItem<'pg'>, ...BatchItem<'pg'>[]] = [
    db.delete(workingHours).where(eq(workingHours.barberId, target.barberId)),
    auditQuery(db, {
      shopId: target.shopId,
      actorId,
      action: 'working_hours.replaced',
      entity: 'barber',
      entityId: target.barberId,
      data: { rules: sorted },
    }),
  ];
  if (sorted.length > 0) queries.push(db.insert(workingHours).values(sorted.map((r) => ({ ...r, barberId: target.barberId }))));
  const upcoming = activeAppointmentsQuery(db, target.barberId, { from: new Date() });
  const results = await db.batch([...queries, upcoming]);
  const future = results[results.length - 1] as Appointment[];
  return { rules: sorted, stranded: strandedByRules(future, sorted, target.timezone) };
}

/** Longest block one request may add: a year covers parental leave; longer is a typo. */
const MAX_TIME_OFF_MS = 366 * 24 * 60 * 60 * 1000;

export async function createTimeOff(
  db: Db,
  actorId: string,
  target: ScheduleTarget,
  input: { startsAt: Date; endsAt: Date; reason: string | null },
): Promise<{ timeOff: TimeOff; stranded: Appointment[] }> {
  if (input.endsAt <= input.startsAt) {
    throw unprocessable('The block ends before it starts', [{ path: 'json.ends_at', message: 'Must be after starts_at' }]);
  }
  if (input.endsAt.getTime() - input.startsAt.getTime() > MAX_TIME_OFF_MS) {
    throw unprocessable('The block is too long', [{ path: 'json.ends_at', message: 'A block may last at most 366 days' }]);
  }
  const id = crypto.randomUUID();
  const [created, , overlapping] = await db.batch([
    db.insert(timeOff).values({ id, barberId: target.barberId, ...input }).returning(),
    auditQuery(db, {
      shopId: target.shopId,
      actorId,
      action: 'time_off.created',
      entity: 'time_off',
      entityId: id,
      data: { barber_id: target.barberId, starts_at: input.startsAt.toISOString(), ends_at: input.endsAt.toISOString() },
    }),
    activeAppointmentsQuery(db, target.barberId, { overlapFrom: input.startsAt, overlapTo: input.endsAt }),
  ]);
  return { timeOff: created[0]!, stranded: overlapping };
}

/** Blocks that have not ended by `from`, by start; keyset cursor over (starts_at, id). */
export async function listTimeOff(
  db: Db,
  barberId: string,
  opts: { from: Date; limit: number; cursor?: string },
): Promise<{ data: TimeOff[]; nextCursor: string | null }> {
  const after = readCursor(opts.cursor, 2, ([start]) => !Number.isNaN(Date.parse(String(start))));
  const afterStart = after ? new Date(String(after[0])) : null;
  const rows = await db
    .select()
    .from(timeOff)
    .where(
      and(
        eq(timeOff.barberId, barberId),
        gt(timeOff.endsAt, opts.from),
        afterStart && after
          ? or(gt(timeOff.startsAt, afterStart), and(eq(timeOff.startsAt, afterStart), gt(timeOff.id, String(after[1]))))
          : undefined,
      ),
    )
    .orderBy(asc(timeOff.startsAt), asc(timeOff.id))
    .limit(opts.limit + 1);
  const data = rows.slice(0, opts.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > opts.limit && last ? encodeCursor([last.startsAt.toISOString(), last.id]) : null };
}

/**
 * Deletes one block of this barber. One statement: the audit row is written only when a row was
 * actually deleted, so a 404 leaves no trail entry behind.
 */
export async function deleteTimeOff(db: Db, actorId: string, target: ScheduleTarget, timeOffId: string): Promise<void> {
  const result = await db.execute<{ entity_id: string }>(sql`
    with removed as (
      delete from ${timeOff} where id = ${timeOffId} and barber_id = ${target.barberId}
      returning id, starts_at, ends_at
    )
    insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
    select ${target.shopId}::uuid, ${actorId}::uuid, 'time_off.deleted', 'time_off', id::text,
           json_build_object('barber_id', ${target.barberId}::text, 'starts_at', starts_at, 'ends_at', ends_at)::jsonb
      from removed
    returning entity_id`);
  if (result.rows.length === 0) throw new ApiError('not_found', 'No such time off for this barber');
}
