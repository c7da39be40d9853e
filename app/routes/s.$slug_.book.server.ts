import { data, redirect } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { getAppointmentForParty } from '../../worker/services/appointments';
import type { Services } from '../../worker/services/container';
import { formatDateTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import {
  barberChoices,
  calendarView,
  inlineAuth,
  mergeHeaders,
  notFound,
  optionalUser,
  PRIVATE_HEADERS,
  serviceChoices,
  shopForBooking,
  shopZoneText,
  uuidOrNull,
} from './s.$slug.booking.server';

/**
 * The booking page: service → barber (or any) → day → time, each step a plain GET of this URL
 * with one more search parameter, so it works without JavaScript and the selection survives
 * reloads, sharing and signing in. `reschedule=<id>` starts from an existing appointment of the
 * signed-in client (the link the notification e-mails carry).
 */
export async function loadBookingPage(services: Services, request: Request, slug: string | undefined) {
  const url = new URL(request.url);
  const q = url.searchParams;
  const locale = visitorLocale(request);
  const shop = await shopForBooking(services, slug);
  const base = `/s/${shop.slug}`;
  const services_ = serviceChoices(shop, locale);

  let reschedule: { id: string; when: string; service: string; barber: string } | null = null;
  let needsSignIn = false;
  let serviceId = uuidOrNull(q.get('service'));
  let barberParam = q.get('barber');
  let headers = new Headers(PRIVATE_HEADERS);
  const rescheduleId = q.get('reschedule');
  if (rescheduleId !== null) {
    if (!uuidOrNull(rescheduleId)) notFound('appointment');
    const user = await optionalUser(services, request);
    headers = mergeHeaders(headers, user.headers);
    if (!user.userId) {
      needsSignIn = true;
    } else {
      let a;
      try {
        a = await getAppointmentForParty(services.db, user.userId, rescheduleId);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'not_found') notFound('appointment');
        throw err;
      }
      if (a.shop_id !== shop.id) notFound('appointment');
      if (!['held', 'pending_payment', 'confirmed'].includes(a.status)) {
        // Nothing left to move: the appointment's own page says why.
        throw redirect(`${base}/booked/${a.id}`, { headers });
      }
      reschedule = { id: a.id, when: formatDateTime(a.start_time, shop.timezone, locale), service: a.service_name, barber: a.barber_name };
      serviceId = a.service_id;
      barberParam = a.barber_id;
    }
  }

  const service = serviceId ? (services_.find((s) => s.id === serviceId) ?? null) : null;
  const barbers = service ? barberChoices(shop, service.id, locale) : [];
  const barberId = barberParam === 'any' ? 'any' : uuidOrNull(barberParam);
  const barber = barberId === 'any' ? 'any' : barberId ? (barbers.find((b) => b.id === barberId) ?? null) : null;

  const calendar =
    service && barber && !needsSignIn
      ? await calendarView(services, {
          shop,
          serviceId: service.id,
          barberId: barber === 'any' ? 'any' : barber.id,
          from: q.get('from'),
          day: q.get('day'),
          clientZone: q.get('tz'),
          locale,
        })
      : null;

  return data(
    {
      shop: { id: shop.id, slug: shop.slug, name: shop.name, timezone: shop.timezone, zoneText: shopZoneText(shop.timezone, locale) },
      locale,
      services: services_,
      service,
      barbers,
      barber: barber === 'any' ? ({ id: 'any', name: 'Any barber' } as const) : barber ? { id: barber.id, name: barber.name } : null,
      calendar,
      reschedule,
      needsSignIn,
      notice: q.get('notice'),
    },
    { headers },
  );
}

export async function bookingPageAction(services: Services, request: Request) {
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'signin' || intent === 'register') return inlineAuth(services, request, form, intent);
  return data({ auth: { form: 'signin' as const, error: 'Unknown action', email: '' } }, { status: 400, headers: PRIVATE_HEADERS });
}
