/**
 * What the booking pages share on the server: the shop as the booking flow needs it, the
 * visitor's session (optional — the flow is browsable signed out), plain-words policy, the
 * day/slot views from the same availability service the API serves, and the inline sign-in and
 * registration every step can show. Everything is in-process: loaders and actions call the
 * services through the load context, never our own HTTP API.
 */
import { data, redirect } from '@remix-run/cloudflare';
import { z } from 'zod';
import type { ShopPolicy } from '../../worker/db/schema';
import { withPolicyDefaults } from '../../worker/db/schema';
import { getShopBySlug, type ShopPage } from '../../worker/db/queries/shops';
import { addDays, formatPlainDate, localDate, parsePlainDate } from '../../worker/domain/time';
import { ApiError } from '../../worker/lib/errors';
import { clientIp, checkLimit, loginLimit } from '../../worker/middleware/rate-limit';
import { Slug } from '../../worker/routes/v1/management.schemas';
import { login, register } from '../../worker/services/auth';
import { availabilityDeps, barberAvailability, shopAvailability } from '../../worker/services/availability';
import type { Services } from '../../worker/services/container';
import {
  dayInZone,
  formatDay,
  formatDuration,
  formatMoney,
  formatShortDay,
  formatTime,
  formatZoneName,
  validTimeZone,
} from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { requireUser, sessionStorage } from '../session.server';

/** Booking steps show live availability and who is signed in: never stored by any cache. */
export const PRIVATE_HEADERS = { 'Cache-Control': 'private, no-store' };

/** Days the calendar shows at once: two weeks fit a phone and cost one availability read. */
export const CALENDAR_DAYS = 14;

const UUID = z.uuid();

export function notFound(what = 'Not Found'): never {
  throw data({ what }, { status: 404, statusText: 'Not Found', headers: PRIVATE_HEADERS });
}

/** The shop by its slug, or the 404 boundary. */
export async function shopForBooking(services: Services, slug: string | undefined): Promise<ShopPage & { policyFull: ShopPolicy }> {
  const parsed = Slug.safeParse(slug);
  const page = parsed.success ? await getShopBySlug(services.db, parsed.data) : null;
  if (!page) notFound('shop');
  return { ...page, policyFull: withPolicyDefaults(page.policy as Partial<ShopPolicy> | null) };
}

/**
 * The signed-in user, or null. requireUser's redirect means "not signed in" here; a session it
 * had to end (refresh token refused) still has its cookie cleared through `headers`.
 */
export async function optionalUser(services: Services, request: Request): Promise<{ userId: string | null; headers: Headers }> {
  try {
    return await requireUser(services, request);
  } catch (err) {
    if (!(err instanceof Response)) throw err;
    const headers = new Headers();
    const cookie = err.headers.get('Set-Cookie');
    if (cookie) headers.append('Set-Cookie', cookie);
    return { userId: null, headers };
  }
}

export function mergeHeaders(...sets: (Headers | Record<string, string>)[]): Headers {
  const out = new Headers();
  for (const set of sets) new Headers(set).forEach((v, k) => (k === 'set-cookie' ? out.append(k, v) : out.set(k, v)));
  return out;
}

export interface ServiceChoice {
  id: string;
  name: string;
  description: string;
  price: string;
  duration: string;
  priceCents: number;
  durationMin: number;
}

export interface BarberChoice {
  id: string;
  name: string;
  bio: string;
  price: string;
  duration: string;
  priceCents: number;
}

export function serviceChoices(shop: ShopPage, locale: string): ServiceChoice[] {
  return shop.services.map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
    price: formatMoney(s.price_cents, s.currency, locale),
    duration: formatDuration(s.duration_min, locale),
    priceCents: s.price_cents,
    durationMin: s.duration_min,
  }));
}

/** The barbers who offer the service, at their own price and length for it. */
export function barberChoices(shop: ShopPage, serviceId: string, locale: string): BarberChoice[] {
  return shop.barbers.flatMap((b) => {
    const offer = b.services.find((s) => s.service_id === serviceId);
    if (!offer) return [];
    return [
      {
        id: b.id,
        name: b.display_name,
        bio: b.bio,
        price: formatMoney(offer.price_cents, offer.currency, locale),
        duration: formatDuration(offer.duration_min, locale),
        priceCents: offer.price_cents,
      },
    ];
  });
}

/** The shop's rules in plain words, for the review step (money in the shop's currency). */
export { policyWords } from '../lib/format';

export interface DayCell {
  date: string;
  /** "Monday, December 7, 2026": the button's accessible name. */
  label: string;
  /** "Mon, Dec 7": what the button shows. */
  short: string;
  open: boolean;
}

export interface SlotCell {
  start: string;
  /** "9:30 AM" in the shop's zone: the button's name. */
  label: string;
  /** The same instant on the visitor's own clock, when their zone differs. */
  local: string | null;
}

export interface CalendarView {
  from: string;
  prevFrom: string | null;
  nextFrom: string | null;
  days: DayCell[];
  selected: { date: string; label: string; slots: SlotCell[] } | null;
  /** The visitor's zone, named, when it differs from the shop's. */
  clientZone: string | null;
}

/**
 * Two weeks of days starting `from` (never before today in the shop's zone, never past the
 * booking window), with the slots of the chosen day — or of the first day that has any. One
 * availability read for the whole range: a cache hit costs no database round trip.
 */
export async function calendarView(
  services: Services,
  opts: {
    shop: ShopPage & { policyFull: ShopPolicy };
    serviceId: string;
    barberId: string | 'any';
    from: string | null;
    day: string | null;
    clientZone: string | null;
    locale: string;
  },
): Promise<CalendarView> {
  const { shop, locale } = opts;
  const tz = shop.timezone;
  const today = localDate(new Date(), tz);
  const last = addDays(today, Math.max(0, shop.policyFull.booking_window_days));
  let from = (opts.from && parsePlainDate(opts.from)) || (opts.day && parsePlainDate(opts.day)) || today;
  if (formatPlainDate(from) < formatPlainDate(today)) from = today;
  if (formatPlainDate(from) > formatPlainDate(last)) from = last;
  let to = addDays(from, CALENDAR_DAYS - 1);
  if (formatPlainDate(to) > formatPlainDate(last)) to = last;
  const deps = availabilityDeps(services);
  const slots =
    opts.barberId === 'any'
      ? (await shopAvailability(deps, shop.id, opts.serviceId, from, to)).slots
      : (await barberAvailability(deps, opts.barberId, opts.serviceId, from, to)).slots;
  const byDay = new Map<string, number[]>();
  for (const s of slots) {
    const d = dayInZone(s.start, tz);
    const list = byDay.get(d);
    if (list) list.push(s.start);
    else byDay.set(d, [s.start]);
  }
  const days: DayCell[] = [];
  for (let d = from; formatPlainDate(d) <= formatPlainDate(to); d = addDays(d, 1)) {
    const date = formatPlainDate(d);
    days.push({ date, label: formatDay(date, locale), short: formatShortDay(date, locale), open: byDay.has(date) });
  }
  const client = validTimeZone(opts.clientZone);
  const otherZone = client && client !== tz ? client : null;
  const wanted = opts.day && byDay.has(opts.day) ? opts.day : (days.find((d) => d.open)?.date ?? null);
  const selected = wanted
    ? {
        date: wanted,
        label: formatDay(wanted, locale),
        slots: (byDay.get(wanted) ?? []).map((start) => ({
          start: new Date(start).toISOString(),
          label: formatTime(start, tz, locale),
          local: otherZone ? formatTime(start, otherZone, locale) : null,
        })),
      }
    : null;
  const prev = addDays(from, -CALENDAR_DAYS);
  const prevFrom = formatPlainDate(from) > formatPlainDate(today) ? formatPlainDate(formatPlainDate(prev) < formatPlainDate(today) ? today : prev) : null;
  const next = addDays(from, CALENDAR_DAYS);
  const nextFrom = formatPlainDate(next) <= formatPlainDate(last) ? formatPlainDate(next) : null;
  return {
    from: formatPlainDate(from),
    prevFrom,
    nextFrom,
    days,
    selected,
    clientZone: otherZone ? formatZoneName(otherZone, locale) : null,
  };
}

export function uuidOrNull(value: string | null): string | null {
  return value && UUID.safeParse(value).success ? value : null;
}

export function shopZoneText(tz: string, locale: string): string {
  return `${formatZoneName(tz, locale)} (${tz})`;
}

export { visitorLocale };

// ── Inline sign-in and registration ────────────────────────────────────────────────────────────

const SignInForm = z.object({
  email: z.email('Enter your e-mail address').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
});

const RegisterForm = z.object({
  first_name: z.string().trim().min(1, 'Enter your first name').max(100),
  last_name: z.string().trim().max(100).default(''),
  email: z.email('Enter your e-mail address').max(254),
  password: z.string().min(1, 'Choose a password').max(1024),
});

export type AuthResult = { auth: { form: 'signin' | 'register'; error: string; email: string } };

/**
 * Signs in or registers from a booking step and comes back to the same URL (its query keeps the
 * chosen service, barber and slot): the same services and limits as /login and POST
 * /api/v1/auth/register.
 */
export async function inlineAuth(services: Services, request: Request, form: FormData, intent: 'signin' | 'register'): Promise<Response | ReturnType<typeof data<AuthResult>>> {
  const fields = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === 'string'));
  const email = fields.email ?? '';
  const fail = (error: string, status = 400) => data<AuthResult>({ auth: { form: intent, error, email } }, { status, headers: PRIVATE_HEADERS });
  try {
    let session;
    if (intent === 'signin') {
      const parsed = SignInForm.safeParse(fields);
      if (!parsed.success) return fail(parsed.error.issues[0]!.message, 422);
      await loginLimit(services, parsed.data.email, clientIp(request));
      session = await login(services, parsed.data.email, parsed.data.password);
    } else {
      const parsed = RegisterForm.safeParse(fields);
      if (!parsed.success) return fail(parsed.error.issues[0]!.message, 422);
      await checkLimit(services, { name: 'register', limit: services.config.REGISTRATIONS_PER_HOUR, window: '1 h', identifier: clientIp(request) });
      session = await register(services, parsed.data);
    }
    const storage = sessionStorage(services);
    const cookie = await storage.getSession(request.headers.get('Cookie'));
    cookie.set('userId', session.user.id);
    cookie.set('accessToken', session.access_token);
    cookie.set('refreshToken', session.refresh_token);
    const url = new URL(request.url);
    return redirect(`${url.pathname}${url.search}`, { headers: { 'Set-Cookie': await storage.commitSession(cookie), ...PRIVATE_HEADERS } });
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) return fail(err.detail ?? 'That did not work', err.status);
    throw err;
  }
}
