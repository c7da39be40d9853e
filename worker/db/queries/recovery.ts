import { sql } from 'drizzle-orm';
import { jsonValue } from '../../lib/json';
import type { Db } from './types';
import { recordJson, type AppointmentRecord } from './booking';

/**
 * One appointment as the booking statement answers it. For a write whose answer was lost on the
 * way: the barber's object chose the new appointment's id, so it can ask whether the write landed.
 */
export async function appointmentById(db: Db, appointmentId: string): Promise<AppointmentRecord | null> {
  const result = await db.execute<{ appointment: unknown }>(sql`SELECT ${recordJson('x')} AS appointment FROM appointments x WHERE x.id = ${appointmentId}`);
  const row = result.rows[0];
  return row?.appointment == null ? null : (jsonValue(row.appointment as object | string) as AppointmentRecord);
}
