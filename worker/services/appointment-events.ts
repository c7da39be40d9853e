/**
 * What the outside world hears when an appointment changes: one queue message per event, keyed
 * so the consumer sends it once however often it is delivered (the key names the appointment and
 * the state it reached — a second reschedule to a new time is a new message, a redelivery is not).
 *
 * Each event is an e-mail to the client's address and, for the ones worth a text (confirmed,
 * rescheduled, cancelled, a waitlist offer), an SMS naming the client (`user:<id>`): the consumer
 * decrypts the number and checks the client's preferences and SMS consent when it sends.
 * The SMS key is the e-mail's with `:sms` appended, so the e-mail keys stay what they always were.
 */
import type { AppointmentRecord } from '../db/queries/booking';
import { smsRecipient, type NotificationMessage } from '../queue/messages';
import { wireInstant } from '../lib/wire';

export type AppointmentEvent =
  | { kind: 'held' | 'confirmed' | 'cancelled' | 'completed' | 'no_show'; appointment: AppointmentRecord }
  | { kind: 'rescheduled'; appointment: AppointmentRecord; previousStartMs: number }
  | { kind: 'waitlist_offer'; appointment: AppointmentRecord; waitlistEntryId: string }
  /**
   * Money went back to the client: a payment for a booking that could not be kept (slot taken
   * meanwhile, cancelled first, paid twice), or the refund a cancellation decided.
   */
  | { kind: 'payment_refunded'; appointment: AppointmentRecord; refund: { id: string; amount_cents: number; reason: string | null } }
  /** The deposit or prepayment of a hold succeeded: the receipt. */
  | { kind: 'payment_receipt'; appointment: AppointmentRecord; payment: { id: string; amount_cents: number; kind: 'deposit' | 'full' } }
  /** A late-cancel or no-show fee was charged to the card on file (or could not be). */
  | { kind: 'fee_charged' | 'fee_failed'; appointment: AppointmentRecord; fee: { id: string; amount_cents: number; reason: string | null; failure: string | null } };

const templates: Record<AppointmentEvent['kind'], string> = {
  held: 'appointment.held',
  confirmed: 'appointment.confirmed',
  rescheduled: 'appointment.rescheduled',
  cancelled: 'appointment.cancelled',
  completed: 'appointment.completed',
  no_show: 'appointment.no_show',
  waitlist_offer: 'waitlist.offer',
  payment_refunded: 'payment.refunded',
  payment_receipt: 'payment.receipt',
  fee_charged: 'payment.fee_charged',
  fee_failed: 'payment.fee_failed',
};

function dedupeKey(event: AppointmentEvent): string {
  const a = event.appointment;
  switch (event.kind) {
    case 'rescheduled':
      return `appointment:${a.id}:rescheduled:${a.barber_id}:${a.start_ms}`;
    case 'waitlist_offer':
      return `waitlist:${event.waitlistEntryId}:offer:${a.id}`;
    case 'payment_refunded':
      return `payment:${event.refund.id}:refunded`;
    case 'payment_receipt':
      return `payment:${event.payment.id}:receipt`;
    case 'fee_charged':
    case 'fee_failed':
      return `payment:${event.fee.id}:${event.kind}`;
    default:
      return `appointment:${a.id}:${event.kind}`;
  }
}

/** The events a client also gets a text for: what changes when (or whether) they come in. */
const smsKinds = new Set<AppointmentEvent['kind']>(['confirmed', 'rescheduled', 'cancelled', 'waitlist_offer']);

/** Changes a connected calendar must follow (insert, patch, delete the barber's event). */
const calendarKinds = new Set<AppointmentEvent['kind']>(['confirmed', 'rescheduled', 'cancelled', 'completed', 'no_show', 'payment_refunded']);

/**
 * The barber's calendar sync job for this change. The job reads the appointment as it is when it
 * runs (services/calendar-sync.ts), so the key only has to tell one change from another; an
 * extra or late message finds nothing to do.
 */
function calendarMessage(event: AppointmentEvent): NotificationMessage {
  const a = event.appointment;
  return {
    dedupe_key: `calendar:${a.id}:${event.kind}:${a.barber_id}:${a.start_ms}`,
    channel: 'calendar',
    to: `barber:${a.barber_id}`,
    template: 'calendar.sync',
    data: { appointment_id: a.id },
  };
}

export function appointmentEvents(event: AppointmentEvent): NotificationMessage[] {
  const a = event.appointment;
  const calendar = calendarKinds.has(event.kind) ? [calendarMessage(event)] : [];
  // Completion is bookkeeping; the client hears about everything else.
  if (event.kind === 'completed') return calendar;
  const key = dedupeKey(event);
  const data = eventData(event);
  const messages: NotificationMessage[] = [];
  if (a.client_email) messages.push({ dedupe_key: key, channel: 'email', to: a.client_email, template: templates[event.kind], data });
  // A walk-in's join is texted by services/walk-ins.ts (with the status link), not as a booking confirmation.
  const walkInJoin = (event.kind === 'confirmed' || event.kind === 'rescheduled') && a.source === 'walk_in';
  if (smsKinds.has(event.kind) && !walkInJoin) {
    messages.push({ dedupe_key: `${key}:sms`, channel: 'sms', to: smsRecipient(a.client_id), template: templates[event.kind], data });
  }
  return [...messages, ...calendar];
}

function eventData(event: AppointmentEvent): Record<string, unknown> {
  const a = event.appointment;
  return {
    appointment_id: a.id,
    shop_id: a.shop_id,
    client_id: a.client_id,
    barber_name: a.barber_name,
    service_name: a.service_name,
    client_first_name: a.client_first_name,
    start_time: wireInstant(a.start_ms),
    end_time: wireInstant(a.end_ms),
    timezone: a.timezone,
    status: a.status,
    ...(a.hold_expires_ms !== null ? { hold_expires_at: wireInstant(a.hold_expires_ms) } : {}),
    ...(event.kind === 'rescheduled' ? { previous_start_time: wireInstant(event.previousStartMs) } : {}),
    ...(event.kind === 'payment_refunded'
      ? { refund_cents: event.refund.amount_cents, refund_reason: event.refund.reason, currency: a.currency }
      : {}),
    ...(event.kind === 'payment_receipt' ? { paid_cents: event.payment.amount_cents, payment_kind: event.payment.kind, currency: a.currency } : {}),
    ...(event.kind === 'fee_charged' || event.kind === 'fee_failed'
      ? { fee_charged_cents: event.fee.amount_cents, fee_reason: event.fee.reason, fee_failure: event.fee.failure, currency: a.currency }
      : {}),
    ...(a.settlement ? { settlement: a.settlement, fee_cents: a.fee_cents, refund_due_cents: a.refund_due_cents, currency: a.currency } : {}),
  };
}
