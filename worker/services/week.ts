/**
 * The barber's back office: whose chair a page works on (the caller's own, or — for an owner or
 * platform staff — one of the shop's barbers by id), and the barber's week in one Neon request.
 */
import { connectionStateOf, type ConnectionState } from '../db/queries/calendar-sync';
import { barberOfferingRowsQuery, barberRulesQuery, completedVisitsQuery, ownChairQuery, weekQuery } from '../db/queries/week';
import { workingIntervals } from '../domain/availability';
import type { WeeklyRule } from '../domain/working-hours';
import { addDays, formatPlainDate, localDayRange, parsePlainDate } from '../domain/time';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import type { Services } from './container';
import { authorizeBarber, type BarberContext } from './management/access';
import { toOffering, type Offering } from './management/catalogue';
import { searchShopClients } from './management/clients';

/** The message for a caller with no chair of their own (a client, an owner who does not cut). */
export const NO_CHAIR = 'You have no chair at a shop yet.';

export interface Chair extends BarberContext {
  /** The caller works on their own chair (no barber was named). */
  own: boolean;
}

/**
 * The chair the caller edits: `barberId` null → their own active chair; otherwise that barber,
 * which only the barber themself, the shop's owners and platform staff may edit. Anyone else —
 * a barber of another shop, a colleague — learns nothing: 404 as for a barber that does not exist.
 */
export async function chairFor(
  services: Pick<Services, 'db'>,
  userId: string,
  barberId: string | null,
  opts: { withServices?: boolean } = {},
): Promise<Chair> {
  const id = barberId ?? (await ownChairQuery(services.db, userId));
  if (!id) throw new ApiError('not_found', NO_CHAIR);
  try {
    return { ...(await authorizeBarber(services.db, userId, id, 'self_or_owner', opts)), own: barberId === null };
  } catch (err) {
    if (err instanceof ApiError && err.code === 'forbidden') throw new ApiError('not_found', 'No such barber');
    throw err;
  }
}

export interface WeekEntry {
  id: string;
  start_time: string;
  end_time: string;
  status: string;
  source: string;
  service_name: string;
  client_name: string;
}

export interface WeekDay {
  date: string;
  working: { start_time: string; end_time: string }[];
  time_off: { start_time: string; end_time: string; reason: string | null }[];
  appointments: WeekEntry[];
}

export interface BarberWeek {
  barber: { id: string; shop_id: string; name: string };
  timezone: string;
  /** Monday–Sunday on the shop's clock. */
  from: string;
  to: string;
  days: WeekDay[];
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * The Monday–Sunday week containing `date` (default today, shop zone): per local day, the
 * working time, time off and appointments in order. One Neon request; an appointment or block
 * that crosses midnight shows on each day it touches.
 */
export async function barberWeek(services: Pick<Services, 'db'>, userId: string, barberId: string | null, date?: string): Promise<BarberWeek> {
  if (date !== undefined && !parsePlainDate(date)) {
    throw new ApiError('validation_failed', 'date must be YYYY-MM-DD', { errors: [{ path: 'query.date', message: 'A day as YYYY-MM-DD' }] });
  }
  const found = await weekQuery(services.db, userId, barberId, date ?? null);
  if (!found) throw new ApiError('not_found', barberId === null ? NO_CHAIR : 'No such barber');
  if (!found.barber) throw new ApiError('not_found', 'No such barber');
  const tz = found.barber.timezone;
  const monday = parsePlainDate(found.monday)!;
  const days: WeekDay[] = [];
  for (let i = 0; i < 7; i++) {
    const day = addDays(monday, i);
    const working = workingIntervals({ timeZone: tz, rules: found.rules }, day, day);
    // The local day's bounds: midnight to midnight on the shop's clock (23 or 25 hours across DST).
    const range = localDayRange(day, tz);
    const span = { start: range.start.getTime(), end: range.end.getTime() };
    days.push({
      date: formatPlainDate(day),
      working: working.map((w) => ({ start_time: wireInstant(w.start), end_time: wireInstant(w.end) })),
      time_off: found.time_off
        .filter((t) => overlaps(t, span))
        .map((t) => ({ start_time: wireInstant(t.start), end_time: wireInstant(t.end), reason: t.reason })),
      appointments: found.appointments
        .filter((a) => overlaps({ start: a.start_ms, end: a.end_ms }, span))
        .map((a) => ({
          id: a.id,
          start_time: wireInstant(a.start_ms),
          end_time: wireInstant(a.end_ms),
          status: a.status,
          source: a.source,
          service_name: a.service_name,
          client_name: a.client_name,
        })),
    });
  }
  return {
    barber: { id: found.barber.id, shop_id: found.barber.shop_id, name: found.barber.name },
    timezone: tz,
    from: formatPlainDate(monday),
    to: formatPlainDate(addDays(monday, 6)),
    days,
  };
}

/** The chair's weekly rules (weekday, then start), for the hours editor. */
export function weeklyRules(services: Pick<Services, 'db'>, chair: Chair): Promise<WeeklyRule[]> {
  return barberRulesQuery(services.db, chair.barber.id);
}

/** The chair's offerings with the shop's own price and duration beside (chair loaded withServices). */
export async function offeringsFor(services: Pick<Services, 'db'>, chair: Chair): Promise<Offering[]> {
  const rows = await barberOfferingRowsQuery(services.db, chair.barber.id);
  const byId = new Map(chair.shopServices.map((s) => [s.id, s]));
  return rows.flatMap((r) => {
    const service = byId.get(r.serviceId);
    return service ? [toOffering(r, service)] : [];
  });
}

export interface ClientMatch {
  id: string;
  name: string;
  email: string | null;
  phone_last4: string | null;
  visits: number;
}

/** The shop's clients matching a name, e-mail word or phone digits, with their completed visits. */
export async function findShopClients(services: Pick<Services, 'db'>, shopId: string, q: string, limit = 10): Promise<ClientMatch[]> {
  const hits = await searchShopClients(services.db, shopId, q, limit);
  const visits = await completedVisitsQuery(services.db, shopId, hits.map((h) => h.id));
  return hits.map((h) => ({
    id: h.id,
    name: `${h.firstName ?? ''} ${h.lastName ?? ''}`.trim() || h.email || 'Client',
    email: h.email,
    phone_last4: h.phoneLast4,
    visits: visits.get(h.id) ?? 0,
  }));
}

/** The chair's Google Calendar connection as the settings show it, or null when none. */
export function googleStateFor(services: Pick<Services, 'db'>, chair: Chair): Promise<ConnectionState | null> {
  return connectionStateOf(services.db, chair.barber.id);
}
