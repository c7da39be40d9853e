/** A barber's schedule: weekly hours (with breaks) and time off, each reporting stranded bookings. */
import { eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import { activeAppointmentsQuery } from '../../db/queries/appointments';
import { encodeCursor } from '../../db/queries/cursor';
import { deleteTimeOffAudited, timeOffPageQuery } from '../../db/queries/schedule';
import { timeOff, workingHours, type Appointment, type TimeOff } from '../../db/schema';
import { sortRules, strandedByRules, validateWeeklyRules, type WeeklyRule } from '../../domain/working-hours';
import { ApiError } from '../../lib/errors';
import { wireInstant } from '../../lib/wire';
import { auditQuery } from '../audit';
import { availabilityChanged } from '../availability-cache';
import type { Services } from '../container';
import { readCursor } from '../pagination';
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
      data: { barber_id: target.barberId, starts_at: wireInstant(input.startsAt), ends_at: wireInstant(input.endsAt) },
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
  const rows = await timeOffPageQuery(db, barberId, {
    from: opts.from,
    limit: opts.limit,
    ...(after ? { after: { startsAt: new Date(String(after[0])), id: String(after[1]) } } : {}),
  });
  const data = rows.slice(0, opts.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > opts.limit && last ? encodeCursor([wireInstant(last.startsAt), last.id]) : null };
}

/** Deletes one block of this barber; the audit row is written only if a row was deleted. */
export async function deleteTimeOff(db: Db, actorId: string, target: ScheduleTarget, timeOffId: string): Promise<void> {
  const deleted = await deleteTimeOffAudited(db, { timeOffId, barberId: target.barberId, shopId: target.shopId, actorId });
  if (!deleted) throw new ApiError('not_found', 'No such time off for this barber');
}

/** What a schedule write needs to also move the availability cache once it has committed. */
export type ScheduleServices = Pick<Services, 'db' | 'redis' | 'config' | 'logger'>;

const cacheOf = (services: ScheduleServices) => ({ redis: services.redis, prefix: services.config.REDIS_PREFIX, logger: services.logger });

/**
 * replaceWorkingHours, then the barber's cached availability is invalidated: the booking pages
 * show the new slots on their next read. The API and the hours page both save through this.
 */
export async function saveWorkingHours(
  services: ScheduleServices,
  actorId: string,
  target: ScheduleTarget,
  rules: readonly WeeklyRule[],
): Promise<{ rules: WeeklyRule[]; stranded: Appointment[] }> {
  const result = await replaceWorkingHours(services.db, actorId, target, rules);
  await availabilityChanged(cacheOf(services), { barberIds: [target.barberId] });
  return result;
}

/** createTimeOff, then the barber's cached availability is invalidated. */
export async function addTimeOff(
  services: ScheduleServices,
  actorId: string,
  target: ScheduleTarget,
  input: { startsAt: Date; endsAt: Date; reason: string | null },
): Promise<{ timeOff: TimeOff; stranded: Appointment[] }> {
  const result = await createTimeOff(services.db, actorId, target, input);
  await availabilityChanged(cacheOf(services), { barberIds: [target.barberId] });
  return result;
}

/** deleteTimeOff, then the barber's cached availability is invalidated. */
export async function removeTimeOff(services: ScheduleServices, actorId: string, target: ScheduleTarget, timeOffId: string): Promise<void> {
  await deleteTimeOff(services.db, actorId, target, timeOffId);
  await availabilityChanged(cacheOf(services), { barberIds: [target.barberId] });
}
