import { data } from '@remix-run/cloudflare';
import type { Services } from '../../worker/services/container';
import { appointmentNow } from '../../worker/db/queries/notifications';
import { icsCalendar } from '../../worker/domain/ics';
import { dayInZone, formatDateTime, formatDuration, formatMoney } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { ownAppointment } from './s.$slug_.pay.$id.server';

const statusWords: Record<string, string> = {
  held: 'Waiting for payment',
  pending_payment: 'Waiting for payment',
  confirmed: 'Confirmed',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'Missed',
};

export async function loadConfirmation(services: Services, request: Request, slug: string | undefined, id: string | undefined) {
  const { shop, a, headers } = await ownAppointment(services, request, slug, id);
  const locale = visitorLocale(request);
  const q = new URL(request.url).searchParams;
  const minutes = Math.round((Date.parse(a.end_time) - Date.parse(a.start_time)) / 60_000);
  return data(
    {
      shop: { slug: shop.slug, name: shop.name },
      id: a.id,
      status: a.status,
      statusText: statusWords[a.status] ?? a.status,
      // A payment was just made (test checkout or Stripe's redirect): the webhook is on its way.
      paying: a.status === 'held' && (q.has('paid') || q.has('payment_intent') || q.has('setup_intent')),
      rescheduled: q.has('rescheduled'),
      // Released unpaid: the page says so and offers the same choice again.
      lapsed: a.status === 'cancelled' && a.cancel_reason === 'hold_expired',
      againPath: `/s/${shop.slug}/book?${new URLSearchParams({ service: a.service_id, barber: a.barber_id, day: dayInZone(a.start_time, shop.timezone) })}`,
      service: a.service_name,
      barber: a.barber_name,
      when: formatDateTime(a.start_time, shop.timezone, locale),
      duration: formatDuration(minutes, locale),
      price: formatMoney(a.price_cents, a.currency, locale),
      paid: a.paid_cents > 0 ? formatMoney(a.paid_cents - a.refunded_cents, a.currency, locale) : null,
      address: shop.address ? [shop.address.line1, shop.address.city].filter(Boolean).join(', ') : null,
    },
    { headers },
  );
}

/** The appointment as an .ics file (RFC 5545, UTC instants) for "Add to calendar". */
export async function appointmentIcs(services: Services, request: Request, slug: string | undefined, id: string | undefined) {
  const { shop, a, headers } = await ownAppointment(services, request, slug, id);
  // The sequence the e-mailed attachments carry, read together with the time it belongs to: a file
  // downloaded after a reschedule must outrank the confirmation's, or calendars keep the old time.
  const now = await appointmentNow(services.db, a.id);
  const address = shop.address ? [shop.address.line1, shop.address.line2, shop.address.city, shop.address.postal_code].filter(Boolean).join(', ') : undefined;
  const body = icsCalendar(
    [
      {
        // The same UID as the confirmation e-mail's attachment, so calendars update one event.
        uid: `${a.id}@bookedbarber.app`,
        sequence: now?.ics_sequence ?? 0,
        startMs: now?.start_ms ?? Date.parse(a.start_time),
        endMs: now?.end_ms ?? Date.parse(a.end_time),
        summary: `${a.service_name} — ${shop.name}`,
        description: `With ${a.barber_name}.`,
        ...(address ? { location: address } : {}),
        status: a.status === 'cancelled' ? 'CANCELLED' : a.status === 'confirmed' || a.status === 'completed' ? 'CONFIRMED' : 'TENTATIVE',
        url: new URL(`/s/${shop.slug}/booked/${a.id}`, services.config.APP_ORIGIN).href,
      },
    ],
    { timeZone: shop.timezone, method: 'PUBLISH' },
  );
  headers.set('Content-Type', 'text/calendar; charset=utf-8');
  headers.set('Content-Disposition', 'attachment; filename="appointment.ics"');
  return new Response(body, { status: 200, headers });
}
