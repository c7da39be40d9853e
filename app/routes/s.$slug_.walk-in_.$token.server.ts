import { data, redirect } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { leaveWalkIn, walkInStatus, type WalkInTicket } from '../../worker/services/walk-ins';
import { formatTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { notFound, PRIVATE_HEADERS, shopForBooking } from './s.$slug.booking.server';
import { shopHead, waitWords } from './s.$slug_.walk-in.server';

export interface TicketView {
  status: WalkInTicket['status'];
  /** "You’re next", "You’re number 3 in the queue", … */
  headline: string;
  position: number;
  barber: string;
  service: string;
  firstName: string;
  time: string;
  wait: string;
  waitMinutes: number;
  /** Still in the queue: it can be left, and the page keeps itself fresh. */
  open: boolean;
}

const ordinal = (n: number) => (n === 1 ? 'next' : `number ${n} in the queue`);

export function ticketView(t: WalkInTicket, timeZone: string, locale: string): TicketView {
  const open = t.status === 'waiting' || t.status === 'next';
  const headline =
    t.status === 'in_chair'
      ? 'You’re in the chair'
      : t.status === 'done'
        ? 'All done — thanks for coming in'
        : t.status === 'left'
          ? 'You’ve left the queue'
          : t.status === 'next' || t.position <= 1
            ? 'You’re next'
            : `You’re ${ordinal(t.position)}`;
  return {
    status: t.status,
    headline,
    position: t.position,
    barber: t.barber.name,
    service: t.service.name,
    firstName: t.client_name.split(/\s+/)[0] ?? '',
    time: formatTime(t.start_time, timeZone, locale),
    wait: waitWords(t.wait_minutes, locale),
    waitMinutes: Math.max(0, Math.round(t.wait_minutes)),
    open,
  };
}

/** A token the service refuses is a link that does not work any more: the page says so. */
async function ticketOf(services: Services, token: string): Promise<WalkInTicket> {
  try {
    return await walkInStatus(services, token);
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) notFound('ticket');
    throw err;
  }
}

/** The ticket behind a signed status link: no sign-in, and never kept by any cache. */
export async function loadTicket(services: Services, request: Request, slug: string | undefined, token: string | undefined) {
  const locale = visitorLocale(request);
  if (!token || token.length > 2048) notFound('ticket');
  const [shop, ticket] = await Promise.all([shopForBooking(services, slug), ticketOf(services, token)]);
  if (ticket.shop_id !== shop.id) notFound('ticket');
  const q = new URL(request.url).searchParams;
  return data(
    {
      shop: shopHead(shop, locale),
      ticket: ticketView(ticket, shop.timezone, locale),
      confirmLeave: q.get('leave') === 'confirm',
    },
    { headers: PRIVATE_HEADERS },
  );
}

export async function ticketAction(services: Services, request: Request, slug: string | undefined, token: string | undefined) {
  if (!token || token.length > 2048) notFound('ticket');
  const form = await request.formData();
  if (form.get('intent') !== 'leave') return data({ ok: false as const, text: 'That action is not available.' }, { status: 400, headers: PRIVATE_HEADERS });
  const [shop, ticket] = await Promise.all([shopForBooking(services, slug), ticketOf(services, token)]);
  if (ticket.shop_id !== shop.id) notFound('ticket');
  try {
    await leaveWalkIn(services, token);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    return data({ ok: false as const, text: err.detail ?? err.message }, { status: err.status, headers: PRIVATE_HEADERS });
  }
  throw redirect(`/s/${shop.slug}/walk-in/${encodeURIComponent(token)}`, { headers: PRIVATE_HEADERS });
}
