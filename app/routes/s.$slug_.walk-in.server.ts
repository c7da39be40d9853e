/**
 * The walk-in pages on the server: the public join page, and what the ticket page, the kiosk and
 * the staff queue share with it (the shop's wait in words, the join form read and checked, the
 * service's refusals turned into words beside the fields). Everything is in-process: the same
 * walk-in services as the API.
 */
import { data, redirect } from '@remix-run/cloudflare';
import { z } from 'zod';
import type { ShopPage } from '../../worker/db/queries/shops';
import { ApiError } from '../../worker/lib/errors';
import { clientIp } from '../../worker/middleware/rate-limit';
import type { Services } from '../../worker/services/container';
import { joinWalkIn, quoteWalkIn, type WalkInQuote, type WalkInTicket } from '../../worker/services/walk-ins';
import { formatDuration, formatTime, formatZoneName } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { barberChoices, PRIVATE_HEADERS, serviceChoices, shopForBooking, uuidOrNull } from './s.$slug.booking.server';


export interface WaitView {
  /** "About 25 min", "No wait" */
  wait: string;
  minutes: number;
  barber: string;
  /** "2:40 PM" on the shop's clock. */
  time: string;
  start: string;
  /** "About 25 min — with Marcus, around 2:40 PM" */
  text: string;
}

/** "About 25 min" / "About 1 h 5 min" / "No wait". */
export function waitWords(minutes: number, locale: string): string {
  return minutes <= 0 ? 'No wait' : `About ${formatDuration(Math.round(minutes), locale)}`;
}

export function waitView(q: { barber: { name: string }; start_time: string; wait_minutes: number }, timeZone: string, locale: string): WaitView {
  const time = formatTime(q.start_time, timeZone, locale);
  const wait = waitWords(q.wait_minutes, locale);
  const text = q.wait_minutes <= 0 ? `No wait — ${q.barber.name} can take you now (${time})` : `${wait} — with ${q.barber.name}, around ${time}`;
  return { wait, minutes: Math.max(0, Math.round(q.wait_minutes)), barber: q.barber.name, time, start: q.start_time, text };
}

export const NOTHING_TODAY = 'Nobody can fit this in today any more. Please book a time online or ask at the desk.';

/** The join form as posted by any of the pages (public, kiosk, staff). */
const JoinForm = z.object({
  service: z.uuid('Choose a service'),
  barber: z.union([z.literal('any'), z.uuid('Choose a barber')]).default('any'),
  first_name: z.string().trim().min(1, 'Enter your first name').max(100, 'That name is too long'),
  last_name: z.string().trim().max(100, 'That name is too long').optional(),
  phone: z.string().trim().min(1, 'Enter a mobile number').max(40, 'That number is too long'),
});

export type JoinField = 'service' | 'barber' | 'first_name' | 'phone' | 'form';

export interface JoinFailure {
  ok: false;
  status: number;
  /** The words for the whole form. */
  text: string;
  /** Words beside each field the service refused. */
  fields: Partial<Record<JoinField, string>>;
  values: { first_name: string; phone: string };
}

const FIELD_OF: Record<string, JoinField> = {
  serviceId: 'service',
  service_id: 'service',
  service: 'service',
  barberId: 'barber',
  barber_id: 'barber',
  barber: 'barber',
  firstName: 'first_name',
  first_name: 'first_name',
  lastName: 'first_name',
  last_name: 'first_name',
  phone: 'phone',
};

/** An ApiError from the walk-in services as words: the field it names, or the whole form. */
export function failureOf(err: ApiError, values: JoinFailure['values']): JoinFailure {
  const fields: JoinFailure['fields'] = {};
  for (const e of err.extra.errors ?? []) {
    const last = e.path.split(/[./]/).filter(Boolean).pop() ?? '';
    const field = FIELD_OF[last] ?? 'form';
    fields[field] ??= e.message;
  }
  let text: string;
  if (err.code === 'rate_limited') text = 'Too many tries from here just now. Please wait a few minutes, or ask at the desk.';
  else if (err.code === 'validation_failed') text = Object.keys(fields).length ? 'Please check the marked fields.' : (err.detail ?? err.message);
  else if (err.code === 'no_gap_today') text = NOTHING_TODAY;
  else if (err.code === 'slot_unavailable' || err.code === 'conflict') text = err.detail ?? NOTHING_TODAY;
  else text = err.detail ?? err.message;
  return { ok: false, status: err.status, text, fields, values };
}

export type ParsedJoin =
  | { ok: true; input: { serviceId: string; barberId: string | 'any'; firstName: string; lastName?: string; phone: string } }
  | JoinFailure;

export function readJoinForm(form: FormData): ParsedJoin {
  const fields = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === 'string'));
  const values = { first_name: fields.first_name ?? '', phone: fields.phone ?? '' };
  const parsed = JoinForm.safeParse({ ...fields, last_name: fields.last_name || undefined, barber: fields.barber || 'any' });
  if (!parsed.success) {
    const out: JoinFailure['fields'] = {};
    for (const issue of parsed.error.issues) out[(String(issue.path[0] ?? 'form') as JoinField) ?? 'form'] ??= issue.message;
    return { ok: false, status: 422, text: 'Please check the marked fields.', fields: out, values };
  }
  const d = parsed.data;
  return { ok: true, input: { serviceId: d.service, barberId: d.barber, firstName: d.first_name, ...(d.last_name ? { lastName: d.last_name } : {}), phone: d.phone } };
}

/** The status token a ticket's signed link carries (its last path segment, or `?token=`). */
export function tokenOf(ticket: Pick<WalkInTicket, 'status_url'>): string {
  const url = new URL(ticket.status_url, 'http://x');
  const q = url.searchParams.get('token');
  if (q) return q;
  return decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
}

export const ticketPath = (slug: string, ticket: Pick<WalkInTicket, 'status_url'>) => `/s/${slug}/walk-in/${encodeURIComponent(tokenOf(ticket))}`;

/** A join from a page nobody signed in to: the service limits joins per address, so it gets ours. */
export function publicJoin(services: Services, request: Request, shopId: string, input: Extract<ParsedJoin, { ok: true }>['input']) {
  return joinWalkIn(services, null, shopId, { ...input, ip: clientIp(request) });
}

export function zoneText(timeZone: string, locale: string) {
  return formatZoneName(timeZone, locale);
}

export interface JoinPageShop {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  zoneName: string;
}

export const shopHead = (shop: ShopPage, locale: string): JoinPageShop => ({
  id: shop.id,
  slug: shop.slug,
  name: shop.name,
  timezone: shop.timezone,
  zoneName: zoneText(shop.timezone, locale),
});

/** The estimate for a service and barber (or "any"), or null when nothing fits today. */
export async function quoteView(services: Services, shop: { id: string; timezone: string }, serviceId: string, barberId: string | 'any', locale: string): Promise<WaitView | null> {
  const q: WalkInQuote | null = await quoteWalkIn(services, shop.id, { serviceId, barberId });
  return q ? waitView(q, shop.timezone, locale) : null;
}

/**
 * The join page: pick a service (and a barber, or whoever is free first) and see the wait now.
 * Choosing is a plain GET of this URL (`?service=&barber=`), so it works without JavaScript and
 * the page can ask again for a fresh estimate at any time.
 */
export async function loadJoinPage(services: Services, request: Request, slug: string | undefined) {
  const locale = visitorLocale(request);
  const shop = await shopForBooking(services, slug);
  const q = new URL(request.url).searchParams;
  const serviceList = serviceChoices(shop, locale);
  const serviceId = uuidOrNull(q.get('service'));
  const service = serviceId ? (serviceList.find((s) => s.id === serviceId) ?? null) : serviceList.length === 1 ? serviceList[0]! : null;
  const barbers = service ? barberChoices(shop, service.id, locale).map((b) => ({ id: b.id, name: b.name })) : [];
  const wanted = q.get('barber');
  const barber = wanted && barbers.some((b) => b.id === wanted) ? wanted : 'any';
  let quote: WaitView | null = null;
  let problem: string | null = null;
  if (service) {
    try {
      quote = await quoteView(services, shop, service.id, barber, locale);
      if (!quote) problem = NOTHING_TODAY;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      problem = err.detail ?? err.message;
    }
  }
  return data(
    {
      shop: shopHead(shop, locale),
      services: serviceList.map((s) => ({ id: s.id, name: s.name, price: s.price, duration: s.duration })),
      service: service ? { id: service.id, name: service.name } : null,
      barbers,
      barber,
      quote,
      problem,
    },
    { headers: PRIVATE_HEADERS },
  );
}

export async function joinPageAction(services: Services, request: Request, slug: string | undefined) {
  const shop = await shopForBooking(services, slug);
  const form = await request.formData();
  const parsed = readJoinForm(form);
  if (!parsed.ok) return data(parsed, { status: parsed.status, headers: PRIVATE_HEADERS });
  try {
    const ticket = await publicJoin(services, request, shop.id, parsed.input);
    throw redirect(ticketPath(shop.slug, ticket), { headers: PRIVATE_HEADERS });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const failure = failureOf(err, { first_name: parsed.input.firstName, phone: parsed.input.phone });
    return data(failure, { status: failure.status, headers: { ...PRIVATE_HEADERS, ...(err.extra.headers ?? {}) } });
  }
}
