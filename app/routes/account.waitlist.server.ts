import { data, redirect } from '@remix-run/cloudflare';
import { z } from 'zod';
import { formatClock, parseClock } from '../../worker/domain/working-hours';
import { ApiError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { joinWaitlist, leaveWaitlist, myWaitlist } from '../../worker/services/waitlist';
import type { NamedWaitlistRow } from '../../worker/db/queries/client-pages';
import { dayInZone, formatDay } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { signedIn } from './account.server';

export interface ListedEntry {
  id: string;
  shopName: string;
  shopPath: string;
  service: string;
  barber: string;
  /** "Monday, December 7, 2026" or "… – Friday, December 11, 2026", days in the shop's zone. */
  days: string;
  /** "between 09:00 and 12:00", or null for any time of day. */
  hours: string | null;
  status: string;
  open: boolean;
}

const STATUS: Record<NamedWaitlistRow['status'], string> = {
  waiting: 'Waiting',
  offered: 'A time is held for you — see your appointments',
  booked: 'Booked',
  cancelled: 'Left',
  expired: 'Ended',
};

function listedEntry(e: NamedWaitlistRow, locale: string): ListedEntry {
  const first = dayInZone(e.window_start_ms, e.timezone);
  // window_end is the shop's midnight after the last day.
  const last = dayInZone(e.window_end_ms - 1, e.timezone);
  return {
    id: e.id,
    shopName: e.shop_name,
    shopPath: `/s/${encodeURIComponent(e.shop_slug)}`,
    service: e.service_name,
    barber: e.barber_name ?? 'Any barber',
    days: first === last ? formatDay(first, locale) : `${formatDay(first, locale)} – ${formatDay(last, locale)}`,
    hours:
      e.day_start_minute !== null && e.day_end_minute !== null
        ? `between ${formatClock(e.day_start_minute)} and ${formatClock(e.day_end_minute)}`
        : null,
    status: STATUS[e.status],
    open: e.status === 'waiting' || e.status === 'offered',
  };
}

export async function loadMyWaitlist(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const locale = visitorLocale(request);
  const joined = new URL(request.url).searchParams.get('joined') === '1';
  const entries = (await myWaitlist(services.db, userId)).map((e) => listedEntry(e, locale));
  return data({ entries, joined }, { headers });
}

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/);
const Day = z.iso.date();

/**
 * The fields a "join the waitlist" form posts (from the booking flow's full day, or anywhere):
 * `intent=join`, `shop_id`, `service_id`, `barber_id` (a barber's id; empty or `any` for any
 * barber), `from` (YYYY-MM-DD in the shop's zone), `to` (optional, defaults to `from`),
 * `day_start` and `day_end` (optional HH:MM, both or neither), `return_to` (optional same-site path
 * to come back to after joining; default this page).
 */
const JoinForm = z
  .object({
    shop_id: z.uuid('Choose a shop'),
    service_id: z.uuid('Choose a service'),
    barber_id: z
      .string()
      .optional()
      .transform((v) => (!v || v === 'any' ? null : v))
      .pipe(z.uuid('Choose a barber').nullable()),
    from: Day,
    to: z
      .string()
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(Day.optional()),
    day_start: z.string().optional().transform((v) => v || undefined).pipe(Clock.optional()),
    day_end: z.string().optional().transform((v) => v || undefined).pipe(Clock.optional()),
  })
  .refine((f) => (f.day_start === undefined) === (f.day_end === undefined), { message: 'Give a start and an end time, or neither', path: ['day_end'] })
  .refine((f) => !f.to || f.to >= f.from, { message: 'The last day must be on or after the first', path: ['to'] })
  .refine((f) => !f.to || Date.parse(f.to) - Date.parse(f.from) <= 62 * 86_400_000, { message: 'At most 62 days', path: ['to'] })
  .refine((f) => !f.day_start || !f.day_end || parseClock(f.day_end)! > parseClock(f.day_start)!, { message: 'The end time must be after the start', path: ['day_end'] });

/** Only a path on this site (no scheme, no host, no `//`), else null. */
function samePath(value: FormDataEntryValue | null, request: Request): string | null {
  if (typeof value !== 'string' || !value) return null;
  try {
    const own = new URL(request.url);
    const target = new URL(value, own);
    return target.origin === own.origin ? `${target.pathname}${target.search}` : null;
  } catch {
    return null;
  }
}

export type WaitlistActionResult = { ok: false; error: string; field?: string } | { ok: true; message: string };

export async function waitlistAction(services: Services, request: Request) {
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'join') {
    // A visitor not signed in comes back to where they were after signing in.
    const back = samePath(form.get('return_to'), request);
    let user: { userId: string; headers: Headers };
    try {
      user = await signedIn(services, request);
    } catch (res) {
      if (res instanceof Response && back) throw redirect(`/login?next=${encodeURIComponent(back)}`);
      throw res;
    }
    const { userId, headers } = user;
    const parsed = JoinForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return data<WaitlistActionResult>({ ok: false, error: issue.message, field: String(issue.path[0] ?? '') }, { status: 422, headers });
    }
    const f = parsed.data;
    try {
      await joinWaitlist(services.db, {
        clientId: userId,
        shopId: f.shop_id,
        serviceId: f.service_id,
        barberId: f.barber_id,
        fromDate: f.from,
        toDate: f.to ?? f.from,
        dayStartMinute: f.day_start ? parseClock(f.day_start) : null,
        dayEndMinute: f.day_end ? parseClock(f.day_end) : null,
      });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        return data<WaitlistActionResult>({ ok: false, error: err.detail ?? 'Could not join the waitlist' }, { status: err.status, headers });
      }
      throw err;
    }
    throw redirect(back ? `${back}${back.includes('?') ? '&' : '?'}waitlist=joined` : '/account/waitlist?joined=1', { headers });
  }
  const { userId, headers } = await signedIn(services, request);
  if (intent === 'leave') {
    const id = form.get('entry_id');
    try {
      if (typeof id !== 'string' || !z.uuid().safeParse(id).success) throw new ApiError('not_found', 'No such open waitlist entry of yours');
      await leaveWaitlist(services.db, userId, id);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') {
        return data<WaitlistActionResult>({ ok: false, error: 'That entry is no longer open.' }, { status: 404, headers });
      }
      throw err;
    }
    return data<WaitlistActionResult>({ ok: true, message: 'You have left that waitlist.' }, { headers });
  }
  return data<WaitlistActionResult>({ ok: false, error: 'Unknown action' }, { status: 400, headers });
}
