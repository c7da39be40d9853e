import type { Db } from '../db/queries/types';
import { appointmentNow } from '../db/queries/notifications';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `skip` is recorded as the notification's last_error (status skipped). */
export type Relevance = { relevant: true; icsSequence?: number } | { relevant: false; skip: string };

const STALE = 'no_longer_relevant';

/**
 * The messages that tell the client when their appointment is — and whose .ics puts it in their
 * calendar — with the states the appointment may be in for the message still to be true.
 * A confirmation or a reschedule that arrives late (a retry, a slow queue) after the appointment
 * moved again or was cancelled would otherwise tell the client the old time, and its .ics (under
 * the same UID, with the sequence the appointment has now) would move their calendar event back.
 */
const TIME_BOUND: Record<string, ReadonlySet<string>> = {
  'appointment.reminder': new Set(['confirmed']),
  'appointment.confirmed': new Set(['confirmed']),
  // A held booking can be moved too; it is still the client's time until it lapses.
  'appointment.rescheduled': new Set(['held', 'pending_payment', 'confirmed']),
};

const instant = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

/**
 * Checked by the consumer just before sending. Messages about an appointment's time (reminders,
 * confirmations, reschedules) carry `appointment_id`, `start_time` and `end_time` as they were
 * made; they hold only while the appointment is still in a state the message describes and at
 * exactly that time. The ICS sequence returned is the one read together with that time, so the
 * attachment is never a newer version of the event carrying an older time. Everything else is
 * always still relevant.
 */
export async function relevance(db: Db, message: { template: string; data: Record<string, unknown> }): Promise<Relevance> {
  if (!Object.hasOwn(TIME_BOUND, message.template)) return { relevant: true };
  const states = TIME_BOUND[message.template]!;
  const id = message.data.appointment_id;
  const start = instant(message.data.start_time);
  if (typeof id !== 'string' || !UUID.test(id) || Number.isNaN(start)) return { relevant: false, skip: `${STALE}: message names no appointment time` };
  const now = await appointmentNow(db, id);
  if (!now) return { relevant: false, skip: `${STALE}: appointment not found` };
  if (!states.has(now.status)) return { relevant: false, skip: `${STALE}: appointment ${now.status}` };
  const end = instant(message.data.end_time);
  if (now.start_ms !== start || (!Number.isNaN(end) && now.end_ms !== end)) return { relevant: false, skip: `${STALE}: appointment moved` };
  return { relevant: true, icsSequence: now.ics_sequence };
}
