/**
 * Replies to our text messages (POST /api/v1/webhooks/twilio, signature already checked):
 * - C confirms the sender's soonest held booking (settle 'confirm': refused while a deposit or a
 *   card is due — the payment confirms it then);
 * - X cancels their soonest booking that has not started (settle 'cancel' as the client: the same
 *   rules and money decision as the API);
 * - STOP (and Twilio's other opt-out words) records that they want no texts; START takes it back;
 * - anything else gets the list of words.
 * The sender is whoever has that phone number (decrypted and compared in full); a number we do not
 * know gets a polite answer, never an error. The answer is the text to send back.
 */
import { nextAppointmentOf, setSmsOptOut, usersByPhoneLast4 } from '../db/queries/sms-replies';
import { decryptPhone, normalizePhone, samePhone } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { formatMoney, formatWhen } from '../notifications/format';
import { settle, type SettleResult } from './booking';
import type { Services } from './container';

export type SmsCommand = 'confirm' | 'cancel' | 'stop' | 'start' | 'help';

/** Twilio's default opt-out and opt-in words (it acts on them itself too; we record the consent). */
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

export function smsCommand(body: string): SmsCommand {
  const word = body.trim().replace(/[.!\s]+$/u, '').toUpperCase();
  if (word === 'C' || word === 'CONFIRM') return 'confirm';
  if (word === 'X') return 'cancel';
  if (STOP_WORDS.has(word)) return 'stop';
  if (START_WORDS.has(word)) return 'start';
  return 'help';
}

export const SMS_TEXT = {
  help: 'BookedBarber: reply C to confirm your held booking, X to cancel your next booking, STOP to stop texts.',
  unknownNumber: 'BookedBarber: we could not find a booking for this number. Use the links in your booking e-mail to manage it.',
  stopped: 'BookedBarber: you will get no more texts from us. Reply START to get them again.',
  started: 'BookedBarber: texts are on again. Reply STOP to stop them.',
  nothingToConfirm: 'BookedBarber: you have no booking waiting to be confirmed.',
  nothingToCancel: 'BookedBarber: you have no upcoming booking to cancel.',
  failed: 'BookedBarber: sorry, something went wrong on our side. Please try again in a few minutes, or use the links in your booking e-mail.',
} as const;

/** The users with this phone number (several accounts may share one). */
async function senders(services: Services, from: string): Promise<string[]> {
  const digits = normalizePhone(from);
  if (digits.length < 9) return [];
  const candidates = await usersByPhoneLast4(services.db, digits.slice(-4));
  const matches: string[] = [];
  for (const c of candidates) {
    const stored = await decryptPhone(c.phone_enc, services.config.FIELD_ENCRYPTION_KEYS, services.logger);
    if (stored && samePhone(stored, digits)) matches.push(c.id);
  }
  return matches;
}

export async function handleSmsReply(services: Services, message: { from: string; body: string }): Promise<string> {
  const command = smsCommand(message.body);
  const users = await senders(services, message.from);
  if (users.length === 0) return command === 'stop' ? SMS_TEXT.stopped : SMS_TEXT.unknownNumber;
  switch (command) {
    case 'stop':
      await setSmsOptOut(services.db, users, true);
      return SMS_TEXT.stopped;
    case 'start':
      await setSmsOptOut(services.db, users, false);
      return SMS_TEXT.started;
    case 'help':
      return SMS_TEXT.help;
    case 'confirm':
    case 'cancel':
      return bookingReply(services, users, command);
  }
}

async function bookingReply(services: Services, users: string[], command: 'confirm' | 'cancel'): Promise<string> {
  const next = await nextAppointmentOf(services.db, users, command);
  if (!next) return command === 'confirm' ? SMS_TEXT.nothingToConfirm : SMS_TEXT.nothingToCancel;
  const what = `${next.service_name} with ${next.barber_name} at ${next.shop_name}, ${formatWhen(next.start_ms, next.timezone)}`;
  let result: SettleResult;
  try {
    result = await settle(services, next.client_id, next.id, command, command === 'cancel' ? 'Cancelled by text message' : null);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    services.logger.info('sms reply refused', { command, appointment_id: next.id, code: err.code });
    if (err.code === 'payment_required') {
      return `BookedBarber: ${what} is not confirmed yet — it needs a payment first. Use the payment link in your booking e-mail.`;
    }
    if (err.code === 'hold_expired') return `BookedBarber: the hold on ${what} has expired. Book again on the shop's page.`;
    return `BookedBarber: we could not ${command} ${what}. Use the links in your booking e-mail.`;
  }
  if (command === 'confirm') return `BookedBarber: confirmed — ${what}.`;
  return `BookedBarber: cancelled — ${what}.${moneyLine(result)}`;
}

function moneyLine(result: SettleResult): string {
  const s = result.settlement;
  if (!s) return '';
  switch (s.outcome) {
    case 'refund':
      return ` ${formatMoney(s.refund_cents, s.currency)} will be refunded.`;
    case 'late_fee':
      return ` A late-cancellation fee of ${formatMoney(s.fee_cents, s.currency)} applies.`;
    case 'keep_deposit':
      return ` Your deposit of ${formatMoney(s.fee_cents, s.currency)} is kept, as the shop's policy says.`;
    default:
      return '';
  }
}
