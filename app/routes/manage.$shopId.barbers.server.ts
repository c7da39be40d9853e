import { data } from '@remix-run/cloudflare';
import { z } from 'zod';
import { ApiError } from '../../worker/lib/errors';
import { getAppointmentForParty } from '../../worker/services/appointments';
import { availabilityChangedIn } from '../../worker/services/availability-cache';
import { rescheduleAppointment, settle } from '../../worker/services/booking';
import type { Services } from '../../worker/services/container';
import { authorizeBarber } from '../../worker/services/management/access';
import { deactivateBarber, futureAppointmentsOf, inviteStaff, listShopBarbers } from '../../worker/services/management/staff';
import { isUuid, shopOffice } from '../components/manage-shop-office.server';
import { formatDate, formatDateTime, formatTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';

export interface BarberRow {
  id: string;
  name: string;
  email: string;
  joined: string;
  active: boolean;
  upcoming: number;
}

export interface ResolveRow {
  id: string;
  when: string;
  client: string;
  service: string;
  status: string;
}

export interface BarbersPage {
  shopName: string;
  zone: string;
  barbers: BarberRow[];
  invitations: { id: string; email: string; status: string }[];
  /** The deactivation step for one barber: their future appointments first. */
  resolve: { barber: BarberRow; appointments: ResolveRow[]; others: { id: string; name: string }[] } | null;
}

export type BarbersActionData = {
  intent: 'invite' | 'move' | 'cancel' | 'deactivate';
  /** The appointment a move or cancel was about. */
  appointmentId: string | null;
  ok: boolean;
  message: string;
  /** A field error of the invite form. */
  emailError: string | null;
  email: string;
};

const STATUS_TEXT: Record<string, string> = { held: 'Being booked', pending_payment: 'Awaiting payment', confirmed: 'Booked' };

export async function loadBarbers(services: Services, request: Request, shopIdParam: string | undefined) {
  const office = await shopOffice(services, request, shopIdParam);
  const locale = visitorLocale(request);
  const tz = office.shop.timezone;
  const list = await listShopBarbers(services.db, office.shop.id);
  const rows: BarberRow[] = list.barbers.map((b) => ({
    id: b.id,
    name: b.display_name,
    email: b.email,
    joined: formatDate(b.joined_ms, tz, locale),
    active: b.active,
    upcoming: b.upcoming,
  }));
  const wanted = new URL(request.url).searchParams.get('deactivate');
  const target = isUuid(wanted) ? rows.find((b) => b.id === wanted) : undefined;
  let resolve: BarbersPage['resolve'] = null;
  if (target) {
    const future = await futureAppointmentsOf(services.db, target.id);
    resolve = {
      barber: target,
      appointments: future.map((a) => ({
        id: a.id,
        when: `${formatDateTime(a.start_ms, tz, locale)}–${formatTime(a.end_ms, tz, locale)}`,
        client: a.client_name || 'Client',
        service: a.service_name,
        status: STATUS_TEXT[a.status] ?? a.status,
      })),
      others: rows.filter((b) => b.active && b.id !== target.id).map((b) => ({ id: b.id, name: b.name })),
    };
  }
  const now = Date.now();
  const page: BarbersPage = {
    shopName: office.shop.name,
    zone: tz,
    barbers: rows,
    invitations: list.invitations.map((i) => ({
      id: i.id,
      email: i.email,
      status: i.expires_ms > now ? `Sent, not yet accepted; the link works until ${formatDateTime(i.expires_ms, tz, locale)}` : 'Expired unaccepted: send a new invitation',
    })),
    resolve,
  };
  return data({ page }, { headers: office.headers });
}

const Email = z.email().max(320);

/**
 * The page's forms, through the same services as POST /shops/{id}/invitations,
 * POST /appointments/{id}/reschedule (to another barber, same time), POST /appointments/{id}/cancel
 * (shop-initiated) and POST /barbers/{id}/deactivate.
 */
export async function barbersAction(services: Services, request: Request, shopIdParam: string | undefined) {
  const office = await shopOffice(services, request, shopIdParam);
  const { userId, headers, shop } = office;
  const locale = visitorLocale(request);
  const form = await request.formData();
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const intentText = field('intent');
  const intent: BarbersActionData['intent'] = intentText === 'move' || intentText === 'cancel' || intentText === 'deactivate' ? intentText : 'invite';
  const appointmentId = intent === 'move' || intent === 'cancel' ? field('appointment_id') : null;
  const email = intent === 'invite' ? field('email') : '';
  const reply = (status: number, message: string, ok: boolean, emailError: string | null = null) =>
    data<BarbersActionData>({ intent, appointmentId, ok, message, emailError, email }, { status, headers });

  /** The appointment, only if it is this shop's (a stranger's id reads as unknown). */
  const appointmentOfShop = async () => {
    if (!isUuid(appointmentId)) throw new ApiError('not_found', 'No such appointment');
    const a = await getAppointmentForParty(services.db, userId, appointmentId);
    if (a.shop_id !== shop.id) throw new ApiError('not_found', 'No such appointment');
    return a;
  };
  /** A barber of this shop, with the owner's right to act on them. */
  const barberOfShop = async (id: string) => {
    if (!isUuid(id)) throw new ApiError('not_found', 'No such barber');
    // Someone else's barber reads as unknown here, whatever the caller's standing there.
    const ctx = await authorizeBarber(services.db, userId, id, 'owner').catch((err: unknown) => {
      throw err instanceof ApiError && err.code === 'forbidden' ? new ApiError('not_found', 'No such barber') : err;
    });
    if (ctx.barber.shopId !== shop.id) throw new ApiError('not_found', 'No such barber');
    return ctx.barber;
  };

  try {
    if (intent === 'invite') {
      const parsed = Email.safeParse(email);
      if (!parsed.success) return reply(422, 'Check the e-mail address.', false, 'Enter an e-mail address, such as sam@example.com');
      const invitation = await inviteStaff(services.db, services.notify, {
        shop,
        email: parsed.data,
        role: 'barber',
        actorId: userId,
        appOrigin: services.config.APP_ORIGIN,
      });
      return reply(
        200,
        `Invitation sent to ${invitation.email}. The link in the e-mail works once, until ${formatDateTime(invitation.expiresAt, shop.timezone, locale)}; they join as a barber when they accept it.`,
        true,
      );
    }
    if (intent === 'move') {
      const a = await appointmentOfShop();
      const to = await barberOfShop(field('to_barber'));
      if (!to.active) throw new ApiError('conflict', `${to.displayName} is deactivated and takes no bookings`);
      const moved = await rescheduleAppointment(services, userId, a.id, { startMs: Date.parse(a.start_time), barberId: to.id });
      return reply(200, `Moved to ${moved.barber_name}, same time (${formatDateTime(moved.start_time, shop.timezone, locale)}).`, true);
    }
    if (intent === 'cancel') {
      const a = await appointmentOfShop();
      const result = await settle(services, userId, a.id, 'cancel', null);
      const refund = result.settlement && result.settlement.refund_cents > 0 ? ' Any deposit paid is refunded to the client.' : '';
      return reply(200, `Cancelled; the client is told.${refund}`, true);
    }
    const barber = await barberOfShop(field('barber_id'));
    if (!barber.active) return reply(409, `${barber.displayName} is already deactivated.`, false);
    const result = await deactivateBarber(services.db, userId, barber);
    await availabilityChangedIn(services, { barberIds: [barber.id] });
    const left = result.futureAppointments.length;
    return reply(
      200,
      `${barber.displayName} is deactivated: hidden from booking, with no access to the shop. ` +
        (left === 0 ? 'No future appointments were left with them.' : `${left} future appointment${left === 1 ? ' stays' : 's stay'} booked with them until you move or cancel ${left === 1 ? 'it' : 'them'}.`),
      true,
    );
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const words =
      err.code === 'slot_unavailable'
        ? `That barber is not free at that time (${err.message}). Try another barber, or cancel it.`
        : err.message;
    return reply(err.status, words, false);
  }
}
