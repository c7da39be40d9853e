import { data } from '@remix-run/cloudflare';
import type { Services } from '../../worker/services/container';
import { addShopClientNote, clientDetail, type ClientDetail } from '../../worker/services/management/clients';
import { formatDateTime, formatMoney, formatShortDate, formatTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { maskedPhone } from './manage.$shopId.clients._index.server';
import { office, refused, refusalOf, UUID } from './manage._index.server';

const STATUS_TEXT: Record<string, string> = {
  held: 'Being booked',
  pending_payment: 'Awaiting payment',
  confirmed: 'Booked',
  completed: 'Visited',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export const NOTE_MAX = 4000;

export interface ClientPage {
  shopId: string;
  shopName: string;
  clientId: string;
  name: string;
  email: string | null;
  phone: string;
  counts: { visits: number; noShows: number; lateCancels: number };
  visits: { id: string; when: string; barber: string; service: string; status: string; statusText: string; price: string }[];
  notes: { id: string; body: string; when: string }[];
}

export function clientPage(shop: { id: string; name: string; timezone: string }, c: ClientDetail, locale: string): ClientPage {
  const tz = shop.timezone;
  return {
    shopId: shop.id,
    shopName: shop.name,
    clientId: c.id,
    name: `${c.first_name} ${c.last_name}`.trim() || c.email || 'Client',
    email: c.email,
    phone: maskedPhone(c.phone_last4) ?? 'No phone number on file',
    counts: { visits: c.visit_count, noShows: c.no_show_count, lateCancels: c.late_cancel_count },
    visits: c.visits.map((v) => ({
      id: v.id,
      when: `${formatShortDate(v.start_time, tz, locale)}, ${formatTime(v.start_time, tz, locale)}`,
      barber: v.barber_name,
      service: v.service_name,
      status: v.status,
      statusText: STATUS_TEXT[v.status] ?? v.status,
      price: formatMoney(v.price_cents, v.currency, locale),
    })),
    notes: c.notes.map((n) => ({ id: n.id, body: n.body, when: formatDateTime(n.created_at, tz, locale) })),
  };
}

export async function loadClient(services: Services, request: Request, shopId: string | undefined, clientId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return refused(o);
  if (!clientId || !UUID.test(clientId)) return refused({ status: 404, problem: 'No such client at this shop', headers: o.headers });
  try {
    const detail = await clientDetail(services.db, o.shop.id, clientId);
    return data({ page: clientPage(o.shop, detail, visitorLocale(request)), problem: null, status: 200 }, { headers: o.headers });
  } catch (err) {
    return refused({ ...refusalOf(err), headers: o.headers });
  }
}

/** "Add a note": a private note on the record, for the shop's staff only. */
export async function addNoteFromPage(services: Services, request: Request, shopId: string | undefined, clientId: string | undefined) {
  const o = await office(services, request, shopId);
  const form = await request.formData();
  const body = String(form.get('body') ?? '').trim();
  const answer = (status: number, ok: boolean, text: string) => data({ ok, text, body: ok ? '' : body }, { status, headers: o.headers });
  if (!o.ok) return answer(o.status, false, o.problem);
  if (!clientId || !UUID.test(clientId)) return answer(404, false, 'No such client at this shop');
  if (!body) return answer(422, false, 'Write the note first.');
  if (body.length > NOTE_MAX) return answer(422, false, `A note can be at most ${NOTE_MAX} characters; this one has ${body.length}.`);
  try {
    await addShopClientNote(services.db, o.userId, o.shop.id, clientId, body);
    return answer(200, true, 'Note added.');
  } catch (err) {
    const r = refusalOf(err);
    return answer(r.status, false, r.problem);
  }
}
