/**
 * Replies to our text messages (POST /api/v1/webhooks/twilio, signature already checked):
 * - C confirms one of the sender's held bookings (settle 'confirm': refused while a deposit or a
 *   card is due — the payment confirms it then);
 * - X cancels one of their bookings that has not started (settle 'cancel' as the client: the same
 *   rules and money decision as the API);
 * - which booking: the one our latest text to them was about (see chooseBooking), else they are
 *   asked, and "X <code>" / "C <code>" names it;
 * - STOP (and Twilio's other opt-out words) records that they want no texts; START takes it back;
 * - anything else gets the list of words.
 * The sender is whoever has that phone number (decrypted and compared in full); a number we do not
 * know gets a polite answer, never an error. Each Twilio MessageSid is handled once (Twilio
 * retries webhooks); the answer is the text to send back.
 */
import {
  CANDIDATE_BOOKINGS,
  claimInboundSms,
  lastTextedAppointment,
  recordInboundReply,
  replyCandidates,
  setSmsOptOut,
  usersByPhoneLast4,
  type ReplyCandidate,
} from '../db/queries/sms-replies';
import { decryptPhone, normalizePhone, samePhone } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { formatMoney, formatWhen } from '../notifications/format';
import { settle, type SettleResult } from './booking';
import type { Services } from './container';

export type SmsCommand = 'confirm' | 'cancel' | 'stop' | 'start' | 'help';

/** Twilio's default opt-out and opt-in words (it acts on them itself too; we record the consent). */
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

/** "X 3FA9C1": a command naming a booking by the code we texted with it (bookingCode). */
const WITH_CODE = /^(C|CONFIRM|X)\s+([0-9A-F]{6})$/;

/** The command a text gives, and the booking code it names, if any. */
export function smsCommand(body: string): { command: SmsCommand; code?: string } {
  const word = body.trim().replace(/[.!\s]+$/u, '').toUpperCase();
  const coded = WITH_CODE.exec(word);
  if (coded) return { command: coded[1] === 'X' ? 'cancel' : 'confirm', code: coded[2]! };
  if (word === 'C' || word === 'CONFIRM') return { command: 'confirm' };
  if (word === 'X') return { command: 'cancel' };
  if (STOP_WORDS.has(word)) return { command: 'stop' };
  if (START_WORDS.has(word)) return { command: 'start' };
  return { command: 'help' };
}

/**
 * The code a booking is named by in a text: the last six hex digits of its id. Shown only next
 * to that booking, to that number; a reply's code must match exactly one of the sender's live
 * bookings, or nothing is done.
 */
export const bookingCode = (appointmentId: string) => appointmentId.replaceAll('-', '').slice(-6).toUpperCase();

export const SMS_TEXT = {
  help: 'BookedBarber: reply C to confirm your held booking, X to cancel your booking, STOP to stop texts.',
  unknownNumber: 'BookedBarber: we could not find a booking for this number. Use the links in your booking e-mail to manage it.',
  stopped: 'BookedBarber: you will get no more texts from us. Reply START to get them again.',
  started: 'BookedBarber: texts are on again. Reply STOP to stop them.',
  nothingToConfirm: 'BookedBarber: you have no booking waiting to be confirmed.',
  nothingToCancel: 'BookedBarber: you have no upcoming booking to cancel.',
  failed: 'BookedBarber: sorry, something went wrong on our side. Please try again in a few minutes, or use the links in your booking e-mail.',
  /** A retry of a message whose first delivery is still being handled (or died handling it). */
  inProgress: 'BookedBarber: we got your message and are on it.',
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

export interface InboundSms {
  /** Twilio's MessageSid: a retried webhook carries the same one. */
  messageSid: string;
  from: string;
  /** Our number the text was sent to: the `From` of the text it answers. */
  to: string;
  body: string;
}

/**
 * Answers one inbound text, once per MessageSid: the first delivery claims the sid before acting,
 * so a Twilio retry (of a slow or lost answer) never acts again — a second X would cancel a second
 * booking. The retry gets the first answer back (or "we are on it" while that one is still
 * working, or if it died: the client can text again, a new message).
 */
export async function answerSms(services: Services, message: InboundSms): Promise<string> {
  const claim = await claimInboundSms(services.db, message.messageSid);
  if (!claim.claimed) {
    services.logger.info('sms reply already handled', { message_sid: message.messageSid });
    return claim.reply ?? SMS_TEXT.inProgress;
  }
  let reply: string;
  try {
    reply = await handleSmsReply(services, message);
  } catch (err) {
    // The person texting still gets an answer; the failure is in the logs.
    services.logger.error('sms reply failed', { err, message_sid: message.messageSid });
    reply = SMS_TEXT.failed;
  }
  await recordInboundReply(services.db, message.messageSid, reply).catch((err: unknown) =>
    services.logger.warn('sms reply not recorded', { err, message_sid: message.messageSid }),
  );
  return reply;
}

export async function handleSmsReply(services: Services, message: Omit<InboundSms, 'messageSid'>): Promise<string> {
  const { command, code } = smsCommand(message.body);
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
      return bookingReply(services, users, command, { to: message.to, code });
  }
}

type Choice = { booking: ReplyCandidate } | { ask: ReplyCandidate[] };

/**
 * Which booking a C or X means. A text answers the last text its sender got from the number they
 * answer, so we act on the booking our latest SMS to them from that number (the inbound `To`,
 * recorded as each SMS's sender) was about — if the command can still apply to it. We never
 * guess beyond that: the soonest booking may be at another shop than the text they answer, or
 * the text may have been about a booking cancelled since; then we ask, listing the bookings with
 * a code each, and only a reply naming one by its code acts. So a reply acts either on the
 * booking the message it answers was about, or on the one the sender named.
 */
async function chooseBooking(
  services: Services,
  users: string[],
  command: 'confirm' | 'cancel',
  reply: { to: string; code?: string },
): Promise<Choice | null> {
  const candidates = await replyCandidates(services.db, users, command);
  if (candidates.length === 0) return null;
  if (reply.code) {
    const named = candidates.filter((c) => bookingCode(c.id) === reply.code);
    return named.length === 1 ? { booking: named[0]! } : { ask: candidates };
  }
  const texted = await lastTextedAppointment(services.db, users, reply.to);
  const answered = candidates.find((c) => c.id === texted);
  return answered ? { booking: answered } : { ask: candidates };
}

const describeBooking = (b: ReplyCandidate) => `${b.service_name} with ${b.barber_name} at ${b.shop_name}, ${formatWhen(b.start_ms, b.timezone)}`;

function askWhich(command: 'confirm' | 'cancel', candidates: ReplyCandidate[]): string {
  const letter = command === 'confirm' ? 'C' : 'X';
  const verb = command === 'confirm' ? 'confirm' : 'cancel';
  const shown = candidates.slice(0, CANDIDATE_BOOKINGS);
  const options = shown.map((b) => `${letter} ${bookingCode(b.id)} for ${describeBooking(b)}`).join('; ');
  const more = candidates.length > shown.length ? ' (more in your booking e-mails)' : '';
  return `BookedBarber: which booking do you want to ${verb}? Reply ${options}${more}.`;
}

async function bookingReply(
  services: Services,
  users: string[],
  command: 'confirm' | 'cancel',
  reply: { to: string; code?: string },
): Promise<string> {
  const choice = await chooseBooking(services, users, command, reply);
  if (!choice) return command === 'confirm' ? SMS_TEXT.nothingToConfirm : SMS_TEXT.nothingToCancel;
  if ('ask' in choice) return askWhich(command, choice.ask);
  const next = choice.booking;
  const what = describeBooking(next);
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
