import { sql } from 'drizzle-orm';
import { pgBool } from './sql';
import type { Db } from './types';

/**
 * Whether the appointment a reminder was made for is still as it was: confirmed and starting at
 * the same instant. A reminder enqueued before a cancel or a reschedule is then dropped at send
 * time instead of telling the client the wrong thing.
 */
export async function appointmentStillAt(db: Db, appointmentId: string, startMs: number): Promise<boolean> {
  const result = await db.execute<{ ok: boolean | string }>(sql`
    SELECT EXISTS (SELECT 1 FROM appointments
                    WHERE id = ${appointmentId} AND status = 'confirmed'
                      AND start_time = to_timestamp(${startMs / 1000})) AS ok`);
  return pgBool(result.rows[0]?.ok);
}
