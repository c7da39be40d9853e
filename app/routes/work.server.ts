import { data } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { checkIn, CHECK_IN_EARLY_MINUTES, settle } from '../../worker/services/booking';
import type { Services } from '../../worker/services/container';
import { daySheet, type DaySheet } from '../../worker/services/day-sheet';
import { addDays, formatPlainDate, parsePlainDate } from '../../worker/domain/time';
import { formatDay, formatMoney, formatTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { signedIn } from './account.server';
import { addWalkIn, sheetWalkIn } from './work.queue.server';

export type SheetAction = 'arrive' | 'complete' | 'no_show';

export interface SheetRow {
  kind: 'appointment';
  id: string;
  time: string;
  until: string;
  client: string;
  history: string;
  note: string | null;
  service: string;
  status: string;
  statusText: string;
  owed: string | null;
  /** What the barber may do now, in the order the buttons show. */
  actions: SheetAction[];
}

export interface GapRow {
  kind: 'gap';
  time: string;
  until: string;
  minutes: number;
}

export interface SheetPage {
  barberId: string;
  barberName: string;
  /** The barber is the caller (owners reading a colleague's sheet see their name in the title). */
  own: boolean;
  date: string;
  dayText: string;
  previous: string;
  next: string;
  rows: (SheetRow | GapRow)[];
  workingText: string;
}

const STATUS_TEXT: Record<string, string> = {
  held: 'Being booked',
  pending_payment: 'Awaiting payment',
  confirmed: 'Booked',
  completed: 'Done',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

/** The buttons a row offers, from the same rules the services enforce. */
export function actionsFor(a: DaySheet['appointments'][number], now: number): SheetAction[] {
  if (a.status !== 'confirmed') return [];
  const start = Date.parse(a.start_time);
  const arrived = a.arrived_at !== null;
  const out: SheetAction[] = [];
  if (!arrived && now >= start - CHECK_IN_EARLY_MINUTES * 60_000) out.push('arrive');
  if (arrived || now >= start) out.push('complete');
  if (!arrived && now >= start) out.push('no_show');
  return out;
}

export function sheetPage(sheet: DaySheet, ownBarberUser: boolean, locale: string, now = Date.now()): SheetPage {
  const tz = sheet.timezone;
  const t = (iso: string) => formatTime(iso, tz, locale);
  const appts: (SheetRow & { at: number })[] = sheet.appointments.map((a) => {
    const visits = a.client.visits === 0 ? 'First visit' : `${a.client.visits} ${a.client.visits === 1 ? 'visit' : 'visits'}`;
    const history = a.client.no_shows > 0 ? `${visits}, ${a.client.no_shows} no-show${a.client.no_shows === 1 ? '' : 's'}` : visits;
    const arrived = a.status === 'confirmed' && a.arrived_at !== null;
    return {
      kind: 'appointment',
      at: Date.parse(a.start_time),
      id: a.id,
      time: t(a.start_time),
      until: t(a.end_time),
      client: a.client.name || 'Client',
      history,
      note: a.client.latest_note,
      service: a.service_name + (a.source === 'walk_in' ? ' · walk-in' : ''),
      status: arrived ? 'arrived' : a.status,
      statusText: arrived ? `Arrived ${t(a.arrived_at!)}` : (STATUS_TEXT[a.status] ?? a.status),
      owed: a.owed_cents > 0 && a.status !== 'cancelled' ? formatMoney(a.owed_cents, sheet.currency, locale) : null,
      actions: actionsFor(a, now),
    };
  });
  const gaps: (GapRow & { at: number })[] = sheet.gaps.map((g) => ({ kind: 'gap', at: Date.parse(g.start_time), time: t(g.start_time), until: t(g.end_time), minutes: g.minutes }));
  const rows = [...appts, ...gaps].sort((x, y) => x.at - y.at || (x.kind === 'gap' ? 1 : -1)).map(({ at: _at, ...r }) => r as SheetRow | GapRow);
  const day = parsePlainDate(sheet.date)!;
  return {
    barberId: sheet.barber.id,
    barberName: sheet.barber.name,
    own: ownBarberUser,
    date: sheet.date,
    dayText: formatDay(sheet.date, locale),
    previous: formatPlainDate(addDays(day, -1)),
    next: formatPlainDate(addDays(day, 1)),
    rows,
    workingText: sheet.working.length ? sheet.working.map((w) => `${t(w.start_time)}–${t(w.end_time)}`).join(', ') : 'Not working',
  };
}

function query(request: Request): { barber: string | null; date: string | undefined } {
  const q = new URL(request.url).searchParams;
  const barber = q.get('barber');
  const date = q.get('date');
  return {
    barber: barber && /^[0-9a-f-]{36}$/i.test(barber) ? barber : null,
    date: date && parsePlainDate(date) ? date : undefined,
  };
}

export async function loadSheet(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const q = query(request);
  try {
    const sheet = await daySheet(services, userId, q.barber, q.date);
    const locale = visitorLocale(request);
    const walkIn = await sheetWalkIn(services, userId, sheet, q.barber === null, locale);
    return data({ page: sheetPage(sheet, q.barber === null, locale), problem: null, walkIn }, { headers });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const problem = err.code === 'not_found' && q.barber === null ? 'You have no chair at a shop yet.' : err.message;
    return data({ page: null, problem, walkIn: null }, { status: err.status, headers });
  }
}

/** One tap on the sheet: the same services as the API, so the same rules. */
export async function actOnSheet(services: Services, request: Request) {
  // The sheet's "Walk-in" form: placed through the walk-in service, then the sheet shows the new row.
  if ((await request.clone().formData()).get('intent') === 'walk_in') return addWalkIn(services, request, null);
  const { userId, headers } = await signedIn(services, request);
  const form = await request.formData();
  const id = String(form.get('id') ?? '');
  const intent = String(form.get('intent') ?? '');
  if (!/^[0-9a-f-]{36}$/i.test(id) || !['arrive', 'complete', 'no_show'].includes(intent)) {
    return data({ id, ok: false, text: 'That action is not available.' }, { status: 400, headers });
  }
  try {
    if (intent === 'arrive') await checkIn(services, userId, id);
    else await settle(services, userId, id, intent as 'complete' | 'no_show');
    return data({ id, ok: true, text: intent === 'arrive' ? 'Checked in.' : intent === 'complete' ? 'Marked done.' : 'Marked a no-show.' }, { headers });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return data({ id, ok: false, text: err.message }, { status: err.status, headers });
  }
}
