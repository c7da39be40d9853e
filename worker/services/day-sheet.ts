import { daySheetQuery, type DaySheetAppointment } from '../db/queries/day-sheet';
import { workingIntervals } from '../domain/availability';
import { dayGaps } from '../domain/day-sheet';
import { owedCents } from '../domain/payments';
import { formatPlainDate, parsePlainDate } from '../domain/time';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import type { Services } from './container';

export interface DaySheetEntry {
  id: string;
  start_time: string;
  end_time: string;
  status: string;
  source: string;
  arrived_at: string | null;
  notes: string | null;
  service_id: string;
  service_name: string;
  price_cents: number;
  owed_cents: number;
  client: { id: string; name: string; visits: number; no_shows: number; latest_note: string | null };
}

export interface DaySheet {
  barber: { id: string; shop_id: string; name: string; active: boolean };
  date: string;
  timezone: string;
  currency: string;
  working: { start_time: string; end_time: string }[];
  time_off: { start_time: string; end_time: string; reason: string | null }[];
  appointments: DaySheetEntry[];
  gaps: { start_time: string; end_time: string; minutes: number }[];
}

const entry = (a: DaySheetAppointment): DaySheetEntry => ({
  id: a.id,
  start_time: wireInstant(a.start_ms),
  end_time: wireInstant(a.end_ms),
  status: a.status,
  source: a.source,
  arrived_at: a.arrived_ms === null ? null : wireInstant(a.arrived_ms),
  notes: a.notes,
  service_id: a.service_id,
  service_name: a.service_name,
  price_cents: a.price_cents,
  owed_cents: owedCents({ status: a.status, priceCents: a.price_cents, paidCents: a.paid_cents, refundedCents: a.refunded_cents, feeCents: a.fee_cents }),
  client: { id: a.client_id, name: a.client_name, visits: Number(a.client_visits), no_shows: Number(a.client_no_shows), latest_note: a.client_note },
});

/**
 * One barber's day on the shop's clock: appointments in order with the client's standing at the
 * shop, working time, time off and the gaps between (walk-ins go there). Read by the barber
 * themself, an owner or platform staff, in one Neon request; `date` defaults to today there,
 * `barberId` null to the caller's own chair.
 */
export async function daySheet(services: Services, userId: string, barberId: string | null, date?: string): Promise<DaySheet> {
  if (date !== undefined && !parsePlainDate(date)) throw new ApiError('validation_failed', 'date must be YYYY-MM-DD');
  const found = await daySheetQuery(services.db, userId, barberId, date ?? null);
  if (!found || found.relation === 'none') throw new ApiError('not_found', 'No such barber');
  if (!found.barber) throw new ApiError('forbidden', "Only the barber and the shop's owners read a barber's day sheet");
  const tz = found.barber.timezone;
  const plain = parsePlainDate(found.date)!;
  const working = workingIntervals({ timeZone: tz, rules: found.rules }, plain, plain);
  const gaps = dayGaps(working, found.time_off, found.appointments.map((a) => ({ start: a.start_ms, end: a.end_ms, status: a.status })));
  return {
    barber: { id: found.barber.id, shop_id: found.barber.shop_id, name: found.barber.name, active: found.barber.active },
    date: formatPlainDate(plain),
    timezone: tz,
    currency: found.barber.currency,
    working: working.map((w) => ({ start_time: wireInstant(w.start), end_time: wireInstant(w.end) })),
    time_off: found.time_off.map((t) => ({ start_time: wireInstant(t.start), end_time: wireInstant(t.end), reason: t.reason })),
    appointments: found.appointments.map(entry),
    gaps: gaps.map((g) => ({ start_time: wireInstant(g.start), end_time: wireInstant(g.end), minutes: g.minutes })),
  };
}
