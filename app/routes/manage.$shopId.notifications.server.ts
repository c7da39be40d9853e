import { data } from '@remix-run/cloudflare';
import { shopFailedNotifications, type FailedNotification } from '../../worker/notifications/failures';
import type { Services } from '../../worker/services/container';
import { formatShortDate, formatTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { office, refused, refusalOf } from './manage._index.server';

const PAGE_SIZE = 25;

/** The message templates, in words. */
const KINDS: Record<string, string> = {
  'appointment.held': 'Slot held',
  'appointment.confirmed': 'Booking confirmed',
  'appointment.rescheduled': 'Booking moved',
  'appointment.cancelled': 'Booking cancelled',
  'appointment.no_show': 'Marked a no-show',
  'appointment.reminder': 'Reminder',
  'waitlist.offer': 'Waitlist offer',
  'payment.refunded': 'Refund made',
  'payment.receipt': 'Payment receipt',
  'payment.fee_charged': 'Fee charged',
  'payment.fee_failed': 'Fee could not be charged',
  barber_invitation: 'Barber invitation',
  verify_email: 'E-mail confirmation',
  password_reset: 'Password reset',
  'calendar.sync': 'Calendar update',
};

const CHANNELS: Record<string, string> = { email: 'E-mail', sms: 'Text message', calendar: 'Google Calendar', log: 'Log' };

const STATES: Record<FailedNotification['state'], string> = {
  retrying: 'Failed, trying again',
  failed: 'Failed for good',
  dead_lettered: 'Gave up after retries',
};

export const templateText = (template: string) => KINDS[template] ?? template.replace(/[._]+/g, ' ');

export interface MessageLine {
  id: string;
  when: string;
  recipient: string;
  channel: string;
  kind: string;
  state: string;
  stateText: string;
  error: string;
  attempts: number;
}

export function messageLine(n: FailedNotification, timezone: string, locale: string): MessageLine {
  return {
    id: n.id,
    when: `${formatShortDate(n.created_at, timezone, locale)}, ${formatTime(n.created_at, timezone, locale)}`,
    recipient: n.recipient,
    channel: CHANNELS[n.channel] ?? n.channel,
    kind: templateText(n.template),
    state: n.state,
    stateText: STATES[n.state],
    error: n.state === 'dead_lettered' ? 'Out of retries' : (n.last_error ?? 'No reason given'),
    attempts: n.attempts,
  };
}

export async function loadFailedMessages(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return refused(o);
  const cursor = new URL(request.url).searchParams.get('cursor');
  try {
    const list = await shopFailedNotifications(services, o.userId, o.shop.id, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    const locale = visitorLocale(request);
    const base = `/manage/${o.shop.id}/notifications`;
    const page = {
      shopId: o.shop.id,
      shopName: o.shop.name,
      timezone: o.shop.timezone,
      lines: list.data.map((n) => messageLine(n, o.shop.timezone, locale)),
      older: list.next_cursor ? `${base}?${new URLSearchParams({ cursor: list.next_cursor })}` : null,
      newest: base,
      paged: cursor !== null,
    };
    return data({ page, problem: null, status: 200 }, { headers: o.headers });
  } catch (err) {
    const r = refusalOf(err);
    const problem = r.status === 422 ? 'That page of messages does not exist any more. Start again from the newest.' : r.problem;
    return data({ page: null, problem, status: r.status }, { status: r.status, headers: o.headers });
  }
}
