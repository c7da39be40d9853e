import { data } from '@remix-run/cloudflare';
import { addDays, formatPlainDate, localDate, parsePlainDate } from '../../worker/domain/time';
import { ApiError, type FieldError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { barberWeek, chairFor, type BarberWeek, type Chair } from '../../worker/services/week';
import { formatDay, formatShortDay, formatTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { signedIn } from './account.server';

/** What every barber page starts from: who is signed in, the barber asked for, the locale. */
export interface OfficeRequest {
  userId: string;
  headers: Headers;
  /** `?barber=` when it is an id; null for the caller's own chair. */
  barber: string | null;
  locale: string;
  search: URLSearchParams;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuidOr = (value: unknown): string | null => (typeof value === 'string' && UUID.test(value) ? value : null);

export async function officeRequest(services: Services, request: Request): Promise<OfficeRequest> {
  const { userId, headers } = await signedIn(services, request);
  const search = new URL(request.url).searchParams;
  const raw = search.get('barber');
  return { userId, headers, barber: raw === null ? null : (uuidOr(raw) ?? 'invalid'), locale: visitorLocale(request), search };
}

/** The chair this request works on (see chairFor); a malformed `?barber=` is no barber at all. */
export function officeChair(services: Services, office: OfficeRequest, opts: { withServices?: boolean } = {}): Promise<Chair> {
  if (office.barber === 'invalid') throw new ApiError('not_found', 'No such barber');
  return chairFor(services, office.userId, office.barber, opts);
}

/** `?barber=` kept on links between the barber's pages (an owner working on one of theirs). */
export function keepBarber(barberId: string, own: boolean, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ ...(own ? {} : { barber: barberId }), ...extra });
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A refusal as the page shows it: the status, a sentence, and the fields it names. */
export interface Refusal {
  status: number;
  text: string;
  errors: FieldError[];
}

/** ApiError → words (anything else is a real failure and goes to the error boundary). */
export function refusal(err: unknown): Refusal {
  if (!(err instanceof ApiError)) throw err;
  return { status: err.status, text: err.message, errors: err.extra.errors ?? [] };
}

/** A page that could not be read at all: its status and the words to show, nothing else. */
export function unreadable(err: unknown, headers: Headers) {
  const r = refusal(err);
  return data({ page: null, problem: r.text }, { status: r.status, headers });
}

// ---- the week -------------------------------------------------------------------------------

export interface WeekRow {
  id: string;
  time: string;
  until: string;
  client: string;
  service: string;
  status: string;
  statusText: string;
}

export interface WeekColumn {
  date: string;
  label: string;
  short: string;
  today: boolean;
  working: string;
  timeOff: string[];
  rows: WeekRow[];
  dayLink: string;
}

export interface WeekPage {
  barberId: string;
  barberName: string;
  own: boolean;
  title: string;
  previous: string;
  next: string;
  thisWeek: string;
  days: WeekColumn[];
}

export const STATUS_TEXT: Record<string, string> = {
  held: 'Being booked',
  pending_payment: 'Awaiting payment',
  confirmed: 'Booked',
  completed: 'Done',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export function weekPage(week: BarberWeek, own: boolean, locale: string, today: string): WeekPage {
  const tz = week.timezone;
  const t = (iso: string) => formatTime(iso, tz, locale);
  const link = (extra: Record<string, string>, path = '/work/week') => `${path}${keepBarber(week.barber.id, own, extra)}`;
  const monday = parsePlainDate(week.from)!;
  return {
    barberId: week.barber.id,
    barberName: week.barber.name,
    own,
    title: `${formatShortDay(week.from, locale)} – ${formatShortDay(week.to, locale)}`,
    previous: link({ date: formatPlainDate(addDays(monday, -7)) }),
    next: link({ date: formatPlainDate(addDays(monday, 7)) }),
    thisWeek: link({}),
    days: week.days.map((d) => ({
      date: d.date,
      label: formatDay(d.date, locale),
      short: formatShortDay(d.date, locale),
      today: d.date === today,
      working: d.working.length ? d.working.map((w) => `${t(w.start_time)}–${t(w.end_time)}`).join(', ') : 'Day off',
      timeOff: d.time_off.map((o) => `${t(o.start_time)}–${t(o.end_time)}${o.reason ? ` (${o.reason})` : ''}`),
      rows: d.appointments.map((a) => ({
        id: a.id,
        time: t(a.start_time),
        until: t(a.end_time),
        client: a.client_name || 'Client',
        service: a.service_name + (a.source === 'walk_in' ? ' · walk-in' : ''),
        status: a.status,
        statusText: STATUS_TEXT[a.status] ?? a.status,
      })),
      dayLink: link({ date: d.date }, '/work'),
    })),
  };
}

export async function loadWeek(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  const date = office.search.get('date');
  try {
    if (office.barber === 'invalid') throw new ApiError('not_found', 'No such barber');
    const week = await barberWeek(services, office.userId, office.barber, date && parsePlainDate(date) ? date : undefined);
    const today = formatPlainDate(localDate(new Date(), week.timezone));
    return data({ page: weekPage(week, office.barber === null, office.locale, today), problem: null }, { headers: office.headers });
  } catch (err) {
    return unreadable(err, office.headers);
  }
}
