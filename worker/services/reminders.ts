/**
 * Appointment reminders (issue #11, ADR 0014): each cron tick claims the reminders that are due and
 * enqueues them. Every confirmed appointment gets a 24 h and a 2 h reminder, once per start time.
 *
 * A reminder is due from its lead until half its lead before the start: the 24 h one while the
 * start is 12–24 h away, the 2 h one while it is 1–2 h away. So a booking made (or moved) late gets
 * the reminders that still make sense at once — booked 90 minutes ahead, the 2 h reminder goes on
 * the next tick; booked 45 minutes ahead, the confirmation is the only message.
 *
 * Ordering: claim first (one conditional UPDATE per kind decides, so racing crons never enqueue
 * twice), then enqueue; a claim whose messages could not all be enqueued is released so the next
 * tick tries again, and the dedupe key (lead, appointment, start, channel) makes the re-sent
 * half harmless at the consumer. Only a crash between the claim and the enqueue loses a reminder;
 * the ADR explains why that is accepted.
 */
import { claimDueReminders, releaseReminderClaims, type ClaimedReminder, type ReminderLead } from '../db/queries/reminders';
import { wireInstant } from '../lib/wire';
import { smsRecipient, type NotificationMessage } from '../queue/messages';
import type { Services } from './container';

const HOUR = 3_600_000;

/** When each reminder is due, relative to the start: from `leadMs` before until `lastMs` before. */
export const REMINDER_WINDOWS: Record<ReminderLead, { leadMs: number; lastMs: number }> = {
  '24h': { leadMs: 24 * HOUR, lastMs: 12 * HOUR },
  '2h': { leadMs: 2 * HOUR, lastMs: 1 * HOUR },
};

/** Claims per kind per tick (a tick every 5 minutes: 6,000 an hour per kind); the rest wait a tick. */
export const REMINDER_BATCH = 500;

export function reminderMessages(lead: ReminderLead, r: ClaimedReminder): NotificationMessage[] {
  const data = {
    appointment_id: r.appointment_id,
    shop_id: r.shop_id,
    // The consumer reads the client's locale and preferences by it at send time.
    client_id: r.client_id,
    start_time: wireInstant(r.start_ms),
    end_time: wireInstant(r.end_ms),
    timezone: r.timezone,
    barber_name: r.barber_name,
    service_name: r.service_name,
    client_first_name: r.client_first_name,
    lead,
  };
  const key = `reminder:${lead}:${r.appointment_id}:${r.start_ms}`;
  const messages: NotificationMessage[] = [];
  if (r.email_to) messages.push({ dedupe_key: `${key}:email`, channel: 'email', to: r.email_to, template: 'appointment.reminder', data });
  if (r.sms_user_id) messages.push({ dedupe_key: `${key}:sms`, channel: 'sms', to: smsRecipient(r.sms_user_id), template: 'appointment.reminder', data });
  return messages;
}

export interface ReminderRun {
  /** Appointments claimed (with or without a reachable channel). */
  claimed: number;
  /** Messages enqueued. */
  enqueued: number;
  /** Claims given back because a message could not be enqueued (retried next tick). */
  released: number;
}

/** One kind of reminder for one tick. Throws only when the claim itself fails. */
export async function sendDueReminders(
  services: Pick<Services, 'db' | 'logger' | 'notify'>,
  lead: ReminderLead,
  nowMs: number,
  limit = REMINDER_BATCH,
): Promise<ReminderRun> {
  const { leadMs, lastMs } = REMINDER_WINDOWS[lead];
  const claims = await claimDueReminders(services.db, { lead, fromMs: lastMs, toMs: leadMs, nowMs, limit });
  let enqueued = 0;
  const failed: ClaimedReminder[] = [];
  await Promise.all(
    claims.map(async (claim) => {
      const results = await Promise.allSettled(reminderMessages(lead, claim).map((m) => services.notify(m)));
      const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      enqueued += results.length - errors.length;
      if (errors.length > 0) {
        failed.push(claim);
        services.logger.warn('reminder not enqueued; released for the next tick', { lead, appointment_id: claim.appointment_id, err: errors[0]!.reason });
      }
    }),
  );
  let released = 0;
  if (failed.length > 0) {
    try {
      released = await releaseReminderClaims(services.db, lead, failed);
    } catch (err) {
      // Not silent: these reminders are lost unless someone acts on this line.
      services.logger.error('reminder claims could not be released; these reminders will not be sent', {
        lead,
        appointment_ids: failed.map((f) => f.appointment_id),
        err,
      });
    }
  }
  return { claimed: claims.length, enqueued, released };
}

/** Both kinds for one tick, each failing on its own; the 2 h kind first (its window is the tighter). */
export async function sendReminders(services: Pick<Services, 'db' | 'logger' | 'notify'>, nowMs: number): Promise<Record<ReminderLead, ReminderRun | null>> {
  const out: Record<ReminderLead, ReminderRun | null> = { '2h': null, '24h': null };
  for (const lead of ['2h', '24h'] as const) {
    try {
      out[lead] = await sendDueReminders(services, lead, nowMs);
    } catch (err) {
      services.logger.error('reminder claim failed', { lead, err });
    }
  }
  return out;
}
