import { data, redirect } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { getAppointmentForParty } from '../../worker/services/appointments';
import { createAppointment, rescheduleAppointment } from '../../worker/services/booking';
import type { Services } from '../../worker/services/container';
import { isInsideCancelWindow } from '../../worker/domain/cancellation';
import { dayInZone, formatDateTime, formatDuration, formatMoney } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import {
  barberChoices,
  calendarView,
  inlineAuth,
  mergeHeaders,
  notFound,
  optionalUser,
  policyWords,
  PRIVATE_HEADERS,
  serviceChoices,
  shopForBooking,
  shopZoneText,
  uuidOrNull,
  type AuthResult,
  type SlotCell,
} from './s.$slug.booking.server';

type Shop = Awaited<ReturnType<typeof shopForBooking>>;

/** The selection in the review URL, checked against the shop; anything that does not fit is a 404. */
function selection(shop: Shop, q: URLSearchParams, locale: string) {
  const service = serviceChoices(shop, locale).find((s) => s.id === uuidOrNull(q.get('service')));
  if (!service) notFound('service');
  const barberParam = q.get('barber');
  const barbers = barberChoices(shop, service.id, locale);
  const barber = barberParam === 'any' ? null : barbers.find((b) => b.id === uuidOrNull(barberParam));
  if (barberParam !== 'any' && !barber) notFound('barber');
  const start = q.get('start');
  const startMs = start ? Date.parse(start) : NaN;
  if (!Number.isFinite(startMs)) notFound('time');
  const priceCents = barber ? barber.priceCents : service.priceCents;
  return { service, barber: barber ?? null, barberId: barber ? barber.id : ('any' as const), startMs, priceCents };
}

async function rescheduleTarget(services: Services, shop: Shop, userId: string | null, id: string | null) {
  if (id === null) return null;
  if (!uuidOrNull(id)) notFound('appointment');
  if (!userId) return { id, appointment: null };
  try {
    const a = await getAppointmentForParty(services.db, userId, id);
    if (a.shop_id !== shop.id) notFound('appointment');
    return { id, appointment: a };
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_found') notFound('appointment');
    throw err;
  }
}

export async function loadReview(services: Services, request: Request, slug: string | undefined) {
  const q = new URL(request.url).searchParams;
  const locale = visitorLocale(request);
  const shop = await shopForBooking(services, slug);
  const sel = selection(shop, q, locale);
  const user = await optionalUser(services, request);
  const target = await rescheduleTarget(services, shop, user.userId, q.get('reschedule'));
  const policy = policyWords(shop.policyFull, sel.priceCents, shop.currency, locale);
  const a = target?.appointment ?? null;
  return data(
    {
      shop: { slug: shop.slug, name: shop.name, zoneText: shopZoneText(shop.timezone, locale) },
      signedIn: user.userId !== null,
      service: sel.service.name,
      serviceId: sel.service.id,
      barber: sel.barber ? sel.barber.name : 'Any barber',
      barberId: sel.barberId,
      when: formatDateTime(sel.startMs, shop.timezone, locale),
      day: dayInZone(sel.startMs, shop.timezone),
      duration: sel.barber ? sel.barber.duration : formatDuration(sel.service.durationMin, locale),
      price: formatMoney(sel.priceCents, shop.currency, locale),
      priceNote: sel.barber ? null : 'The price of the barber who takes it may differ; it is shown before you pay.',
      deposit: policy.deposit,
      depositDue: policy.depositCents > 0,
      policy: policy.lines,
      reschedule: target
        ? {
            id: target.id,
            from: a ? formatDateTime(a.start_time, a.timezone, locale) : null,
            // Clients move a booking online only outside the cancellation window.
            blocked: a ? isInsideCancelWindow(shop.policyFull, Date.parse(a.start_time), Date.now()) : false,
            windowHours: shop.policyFull.cancel_window_hours,
          }
        : null,
    },
    { headers: mergeHeaders(PRIVATE_HEADERS, user.headers) },
  );
}

export type ReviewActionData =
  | AuthResult
  | { conflict: { message: string; dayLabel: string | null; slots: SlotCell[]; zoneNote: string } }
  | { error: string };

/**
 * The review's buttons. Booking goes through the same service as POST /api/v1/appointments (the
 * barber's Durable Object), rescheduling through the one behind POST /appointments/{id}/reschedule.
 * A slot someone took meanwhile answers 409 with that day's fresh times on this same page.
 */
export async function reviewAction(services: Services, request: Request, slug: string | undefined) {
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'signin' || intent === 'register') return inlineAuth(services, request, form, intent);
  const url = new URL(request.url);
  const q = url.searchParams;
  const locale = visitorLocale(request);
  const shop = await shopForBooking(services, slug);
  const sel = selection(shop, q, locale);
  const user = await optionalUser(services, request);
  if (!user.userId) return data<ReviewActionData>({ auth: { form: 'signin', error: 'Sign in first: your session has ended.', email: '' } }, { status: 401, headers: PRIVATE_HEADERS });
  const base = `/s/${shop.slug}`;
  try {
    if (intent === 'reschedule') {
      const id = uuidOrNull(q.get('reschedule'));
      if (!id) notFound('appointment');
      await rescheduleTarget(services, shop, user.userId, id);
      const moved = await rescheduleAppointment(services, user.userId, id, {
        startMs: sel.startMs,
        ...(sel.barber ? { barberId: sel.barber.id } : {}),
      });
      return redirect(`${base}/booked/${moved.id}?rescheduled=1`, { headers: mergeHeaders(PRIVATE_HEADERS, user.headers) });
    }
    if (intent !== 'book') return data<ReviewActionData>({ error: 'Unknown action' }, { status: 400, headers: PRIVATE_HEADERS });
    const booked = await createAppointment(services, user.userId, {
      barberId: sel.barberId,
      shopId: shop.id,
      serviceId: sel.service.id,
      startMs: sel.startMs,
      notes: null,
    });
    const next = booked.status === 'held' ? `${base}/pay/${booked.id}` : `${base}/booked/${booked.id}`;
    return redirect(next, { headers: mergeHeaders(PRIVATE_HEADERS, user.headers) });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    if (err.code === 'slot_unavailable') {
      const day = dayInZone(sel.startMs, shop.timezone);
      const cal = await calendarView(services, { shop, serviceId: sel.service.id, barberId: sel.barberId, from: day, day, clientZone: q.get('tz'), locale });
      const fresh = cal.selected && cal.selected.date === day ? cal.selected : null;
      return data<ReviewActionData>(
        {
          conflict: {
            message:
              err.extra.reason === 'taken' || err.extra.reason === undefined
                ? 'Sorry — someone booked that time a moment ago. Here are the times still free that day.'
                : 'That time cannot be booked any more. Here are the times still free that day.',
            dayLabel: fresh?.label ?? null,
            slots: fresh?.slots ?? [],
            zoneNote: `Times are in the shop's time zone, ${shopZoneText(shop.timezone, locale)}.`,
          },
        },
        { status: 409, headers: mergeHeaders(PRIVATE_HEADERS, user.headers) },
      );
    }
    return data<ReviewActionData>({ error: err.detail ?? 'That did not work.' }, { status: err.status, headers: mergeHeaders(PRIVATE_HEADERS, user.headers) });
  }
}
