import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import { timeOff } from '../schema';
import type { AnyDb } from './types';

/**
 * A barber's blocks that have not ended by `from`, by start, keyset over (starts_at, id). Served
 * by time_off_barber_starts_idx.
 */
export function timeOffPageQuery(
  db: AnyDb,
  barberId: string,
  opts: { from: Date; after?: { startsAt: Date; id: string }; limit: number },
) {
  const after = opts.after;
  return db
    .select()
    .from(timeOff)
    .where(
      and(
        eq(timeOff.barberId, barberId),
        gt(timeOff.endsAt, opts.from),
        after ? or(gt(timeOff.startsAt, after.startsAt), and(eq(timeOff.startsAt, after.startsAt), gt(timeOff.id, after.id))) : undefined,
      ),
    )
    .orderBy(asc(timeOff.startsAt), asc(timeOff.id))
    .limit(opts.limit + 1);
}

/**
 * Deletes one block of this barber and writes its audit row, in one statement: the audit row
 * exists only when a row was actually deleted. Returns whether one was.
 */
export async function deleteTimeOffAudited(
  db: AnyDb,
  target: { timeOffId: string; barberId: string; shopId: string; actorId: string },
): Promise<boolean> {
  const result = await db.execute(sql`
    with removed as (
      delete from ${timeOff} where id = ${target.timeOffId} and barber_id = ${target.barberId}
      returning id, starts_at, ends_at
    )
    insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
    select ${target.shopId}::uuid, ${target.actorId}::uuid, 'time_off.deleted', 'time_off', id::text,
           json_build_object('barber_id', ${target.barberId}::text, 'starts_at', starts_at, 'ends_at', ends_at)::jsonb
      from removed
    returning entity_id`);
  return (result as unknown as { rows: unknown[] }).rows.length > 0;
}
