import type { Db } from '../db/queries/types';
import { appointmentStillAt } from '../db/queries/relevance';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checked by the consumer just before sending: a message about an appointment's future that no
 * longer holds is skipped. Reminders carry `appointment_id` and `start_time` (the wire instant
 * they were made for); everything else is always still relevant.
 */
export async function stillRelevant(db: Db, message: { template: string; data: Record<string, unknown> }): Promise<boolean> {
  if (message.template !== 'appointment.reminder') return true;
  const id = message.data.appointment_id;
  const start = typeof message.data.start_time === 'string' ? Date.parse(message.data.start_time) : Number.NaN;
  if (typeof id !== 'string' || !UUID.test(id) || Number.isNaN(start)) return false;
  return appointmentStillAt(db, id, start);
}
