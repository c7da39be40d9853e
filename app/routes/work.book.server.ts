import { data } from '@remix-run/cloudflare';
import { addDays, formatPlainDate, localDate, parsePlainDate } from '../../worker/domain/time';
import { ApiError } from '../../worker/lib/errors';
import { availabilityDeps, barberAvailability } from '../../worker/services/availability';
import { createAppointment } from '../../worker/services/booking';
import type { Services } from '../../worker/services/container';
import { clientDetail } from '../../worker/services/management/clients';
import { findShopClients, offeringsFor, type Chair } from '../../worker/services/week';
import { dayInZone, formatDateTime, formatDay, formatDuration, formatMoney, formatShortDay, formatTime } from '../lib/format';
import { keepBarber, officeChair, officeRequest, refusal, unreadable, uuidOr, type OfficeRequest } from './work.week.server';

/** How many days of times the page offers at once. */
const DAYS_SHOWN = 14;

export interface ClientResult {
  id: string;
  name: string;
  phone: string;
  visits: string;
}

export type ChosenClient =
  | { kind: 'existing'; id: string; name: string; phone: string }
  | { kind: 'new'; name: string; phone: string; email: string };

export const maskedPhone = (last4: string | null) => (last4 ? `••• ${last4}` : 'No phone on file');
const visitsText = (n: number) => (n === 0 ? 'No visits yet' : `${n} ${n === 1 ? 'visit' : 'visits'}`);

async function search(services: Services, chair: Chair, q: string): Promise<ClientResult[]> {
  const hits = await findShopClients(services, chair.barber.shopId, q);
  return hits.map((h) => ({ id: h.id, name: h.name, phone: maskedPhone(h.phone_last4), visits: visitsText(h.visits) }));
}

/** A new client's fields as typed, or what is wrong with them. */
export function newClientFields(q: URLSearchParams | FormData): { name: string; phone: string; email: string; errors: { field: string; text: string }[] } | null {
  const name = String(q.get('name') ?? '').trim();
  const phone = String(q.get('phone') ?? '').trim();
  const email = String(q.get('email') ?? '').trim();
  if (!name && !phone && !email) return null;
  const errors: { field: string; text: string }[] = [];
  if (!name) errors.push({ field: 'new-name', text: 'Enter the client’s name' });
  if (name.length > 100) errors.push({ field: 'new-name', text: 'The name is too long' });
  if (phone.replace(/\D/g, '').length < 7 && !email) errors.push({ field: 'new-phone', text: 'Enter a phone number (at least 7 digits) or an e-mail address' });
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.push({ field: 'new-email', text: 'Enter an e-mail address like name@example.com, or leave it empty' });
  return { name, phone, email, errors };
}

async function chosenClient(services: Services, chair: Chair, q: URLSearchParams | FormData): Promise<{ client: ChosenClient | null; errors: { field: string; text: string }[] }> {
  const id = uuidOr(q.get('client'));
  if (id) {
    try {
      const c = await clientDetail(services.db, chair.barber.shopId, id);
      return { client: { kind: 'existing', id, name: `${c.first_name} ${c.last_name}`.trim() || c.email || 'Client', phone: maskedPhone(c.phone_last4) }, errors: [] };
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') return { client: null, errors: [{ field: 'q', text: 'That client is not a client of this shop; search again' }] };
      throw err;
    }
  }
  const fresh = newClientFields(q);
  if (!fresh) return { client: null, errors: [] };
  if (fresh.errors.length) return { client: null, errors: fresh.errors };
  return { client: { kind: 'new', name: fresh.name, phone: fresh.phone, email: fresh.email }, errors: [] };
}

async function times(services: Services, chair: Chair, serviceId: string, wanted: string | null, locale: string) {
  const tz = chair.shop.timezone;
  const today = localDate(new Date(), tz);
  const last = addDays(today, Math.max(0, Math.min(DAYS_SHOWN - 1, chair.shop.policy.booking_window_days)));
  const found = await barberAvailability(availabilityDeps(services), chair.barber.id, serviceId, today, last);
  const byDay = new Map<string, number[]>();
  for (const s of found.slots) {
    const d = dayInZone(s.start, tz);
    byDay.set(d, [...(byDay.get(d) ?? []), s.start]);
  }
  const days = [];
  for (let d = today; formatPlainDate(d) <= formatPlainDate(last); d = addDays(d, 1)) {
    const date = formatPlainDate(d);
    days.push({ date, label: formatDay(date, locale), short: formatShortDay(date, locale), open: byDay.has(date) });
  }
  const day = wanted && byDay.has(wanted) ? wanted : (days.find((d) => d.open)?.date ?? null);
  return {
    days,
    selected: day
      ? { date: day, label: formatDay(day, locale), slots: (byDay.get(day) ?? []).map((start) => ({ start: new Date(start).toISOString(), label: formatTime(start, tz, locale) })) }
      : null,
  };
}

async function bookingPage(services: Services, office: OfficeRequest, q: URLSearchParams | FormData) {
  const chair = await officeChair(services, office, { withServices: true });
  const locale = office.locale;
  const query = String(q.get('q') ?? '').trim().slice(0, 100);
  const results = query ? await search(services, chair, query) : null;
  const { client, errors } = await chosenClient(services, chair, q);
  const offerings = (await offeringsFor(services, chair)).filter((o) => o.active);
  const services_ = offerings.map((o) => ({
    id: o.service_id,
    name: o.name,
    text: `${formatDuration(o.effective_duration_min, locale)} · ${formatMoney(o.effective_price_cents, o.currency, locale)}`,
  }));
  const serviceId = uuidOr(q.get('service'));
  const service = serviceId ? (services_.find((s) => s.id === serviceId) ?? null) : null;
  const dayParam = String(q.get('day') ?? '');
  const calendar = client && service ? await times(services, chair, service.id, parsePlainDate(dayParam) ? dayParam : null, locale) : null;
  return {
    chair,
    page: {
      barberId: chair.barber.id,
      barberName: chair.barber.displayName,
      own: chair.own,
      timezone: chair.shop.timezone,
      query,
      results,
      client,
      clientErrors: errors,
      services: services_,
      service,
      calendar,
    },
  };
}

export async function loadBook(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  try {
    const { page } = await bookingPage(services, office, office.search);
    return data({ page, problem: null }, { headers: office.headers });
  } catch (err) {
    return unreadable(err, office.headers);
  }
}

export type BookResult =
  | { ok: true; text: string; dayLink: string; appointmentId: string }
  | { ok: false; text: string; errors: { field: string; text: string }[] };

export async function bookClient(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  const form = await request.formData();
  const reply = (result: BookResult, status = 200) => data({ result }, { status, headers: office.headers });
  try {
    const { chair, page } = await bookingPage(services, office, form);
    const start = Date.parse(String(form.get('start') ?? ''));
    if (!page.client) return reply({ ok: false, text: 'Choose a client first.', errors: page.clientErrors }, 422);
    if (!page.service) return reply({ ok: false, text: 'Choose a service first.', errors: [{ field: 'service', text: 'Choose a service' }] }, 422);
    if (Number.isNaN(start)) return reply({ ok: false, text: 'Choose a time first.', errors: [] }, 422);
    const c = page.client;
    const [first, ...rest] = c.kind === 'new' ? c.name.split(/\s+/) : [];
    const booked = await createAppointment(services, office.userId, {
      barberId: chair.barber.id,
      shopId: chair.barber.shopId,
      serviceId: page.service.id,
      startMs: start,
      notes: String(form.get('notes') ?? '').trim().slice(0, 500) || null,
      source: 'staff',
      ...(c.kind === 'existing'
        ? { clientId: c.id }
        : { client: { first_name: first ?? c.name, last_name: rest.join(' '), ...(c.phone ? { phone: c.phone } : {}), ...(c.email ? { email: c.email } : {}) } }),
    });
    const tz = chair.shop.timezone;
    const when = formatDateTime(booked.start_time, tz, office.locale);
    const held = booked.status === 'held' ? ' It is held until the deposit is paid.' : '';
    return reply({
      ok: true,
      appointmentId: booked.id,
      text: `Booked ${c.name} for ${page.service.name}, ${when}.${held}`,
      dayLink: `/work${keepBarber(chair.barber.id, chair.own, { date: dayInZone(booked.start_time, tz) })}`,
    });
  } catch (err) {
    const r = refusal(err);
    const words = r.status === 409 ? `${r.text.replace(/\.?$/, '.')} Choose another time.` : r.text;
    return reply({ ok: false, text: words, errors: r.errors.map((e) => ({ field: e.path.replace(/^json\./, ''), text: e.message })) }, r.status);
  }
}
