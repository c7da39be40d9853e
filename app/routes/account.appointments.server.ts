import { data } from '@remix-run/cloudflare';
import { clientAppointments, type ClientAppointment } from '../../worker/services/appointments';
import type { Services } from '../../worker/services/container';
import { formatDateTime, formatMoney, formatTime, formatZoneName } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { signedIn } from './account.server';

/** One booking as the list shows it: text already in the visitor's locale and the shop's zone. */
export interface ListedAppointment {
  id: string;
  shopName: string;
  shopPath: string;
  service: string;
  barber: string;
  /** "Monday, December 7, 2026 at 9:30 AM – 10:00 AM Eastern Standard Time" */
  when: string;
  startIso: string;
  status: string;
  price: string;
  /** Money lines: "Paid $6.00", "Refunded $6.00", "Owed $3.00", "Fee $5.00" — only those not zero. */
  money: string[];
  reschedulePath: string | null;
  cancelPath: string | null;
}

const STATUS: Record<ClientAppointment['status'], string> = {
  held: 'Held — not confirmed yet',
  pending_payment: 'Waiting for payment',
  confirmed: 'Confirmed',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'Missed (no-show)',
};

export function listed(a: ClientAppointment, locale: string): ListedAppointment {
  const money = (cents: number) => formatMoney(cents, a.currency, locale);
  const lines = [
    a.paid_cents > 0 ? `Paid ${money(a.paid_cents)}` : null,
    a.refunded_cents > 0 ? `Refunded ${money(a.refunded_cents)}` : null,
    a.fee_cents > 0 ? `Fee ${money(a.fee_cents)}` : null,
    a.owed_cents > 0 ? `Owed ${money(a.owed_cents)}` : null,
  ].filter((l): l is string => l !== null);
  return {
    id: a.id,
    shopName: a.shop_name,
    shopPath: `/s/${encodeURIComponent(a.shop_slug)}`,
    service: a.service_name,
    barber: a.barber_name,
    when: `${formatDateTime(a.start_ms, a.timezone, locale)} – ${formatTime(a.end_ms, a.timezone, locale)} ${formatZoneName(a.timezone, locale, a.start_ms)}`,
    startIso: new Date(a.start_ms).toISOString(),
    status: STATUS[a.status],
    price: money(a.price_cents),
    money: lines,
    reschedulePath: a.reschedulable ? `/s/${encodeURIComponent(a.shop_slug)}?reschedule=${a.id}` : null,
    cancelPath: a.cancellable ? `/account/appointments/${a.id}/cancel` : null,
  };
}

export async function loadMyAppointments(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const locale = visitorLocale(request);
  const { upcoming, past } = await clientAppointments(services.db, userId);
  return data({ upcoming: upcoming.map((a) => listed(a, locale)), past: past.map((a) => listed(a, locale)) }, { headers });
}
