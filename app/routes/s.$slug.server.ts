import { data, redirect } from '@remix-run/cloudflare';
import type { ShopAddress } from '../../worker/db/schema';
import { getShopBySlug, type PublicWorkingHours, type ShopPage } from '../../worker/db/queries/shops';
import { addDays, formatPlainDate, localDate, weekdayOf } from '../../worker/domain/time';
import { Slug } from '../../worker/routes/v1/management.schemas';
import type { Services } from '../../worker/services/container';
import { etagMatches } from '../../worker/services/management/shops';
import { formatDay, formatDuration, formatMoney, formatTime, formatZoneName } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';

/**
 * The same freshness as GET /api/v1/shops/{slug}: a minute fresh, five more served stale while
 * revalidating, so owner edits show within about a minute without any purge machinery. The page
 * is the same for everyone who reads the same language (nothing about the visitor is in it), so
 * shared caches may keep it, keyed by Accept-Language. Availability is not on this page: the
 * booking steps (private, no-store) read it live.
 */
const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

/**
 * Bumped when the page's markup changes in a way its data does not show, so caches holding the
 * old page under a weak ETag stop revalidating to it.
 */
const PAGE_VERSION = '2';

export interface OfferingView {
  id: string;
  name: string;
  price: string;
  duration: string;
}

export interface ServiceView extends OfferingView {
  description: string;
}

export interface DayHours {
  /** "Wednesday, December 2, 2026" */
  day: string;
  /** "9:00 AM – 5:00 PM", several when there are breaks; empty when closed. */
  hours: string[];
}

export interface BarberView {
  id: string;
  name: string;
  bio: string;
  services: OfferingView[];
  week: DayHours[];
}

export interface ShopView {
  slug: string;
  name: string;
  timezone: string;
  zoneName: string;
  address: string[] | null;
  week: DayHours[];
  barbers: BarberView[];
  services: ServiceView[];
}

function addressLines(address: ShopAddress | null, locale: string): string[] | null {
  if (!address) return null;
  const place = [address.city, address.region].filter(Boolean).join(', ');
  let country = address.country;
  try {
    country = new Intl.DisplayNames(locale, { type: 'region' }).of(address.country) ?? address.country;
  } catch {
    // A code Intl does not know is shown as stored.
  }
  return [address.line1, address.line2, `${place} ${address.postal_code}`, country].filter((l): l is string => !!l);
}

const toMinutes = (clock: string) => {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** A wall-clock minute of the day in the locale's words ("9:00 AM"; 24:00 is midnight). */
function clockText(minute: number, locale: string): string {
  return formatTime(Date.UTC(2000, 0, 1, 0, minute % 1440), 'UTC', locale);
}

/** Merges weekly intervals (one barber's breaks, or every barber's day for the shop's hours). */
function mergeIntervals(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The next seven days from today in the shop's zone, with the opening hours of each. */
function weekOf(rules: PublicWorkingHours[], timeZone: string, locale: string, now = new Date()): DayHours[] {
  const today = localDate(now, timeZone);
  return [0, 1, 2, 3, 4, 5, 6].map((i) => {
    const date = addDays(today, i);
    const weekday = weekdayOf(date);
    const intervals = mergeIntervals(rules.filter((r) => r.weekday === weekday).map((r) => [toMinutes(r.start), toMinutes(r.end)]));
    return {
      day: formatDay(formatPlainDate(date), locale),
      hours: intervals.map(([s, e]) => `${clockText(s, locale)} – ${clockText(e, locale)}`),
    };
  });
}

export function shopView(page: ShopPage, locale = 'en'): ShopView {
  return {
    slug: page.slug,
    name: page.name,
    timezone: page.timezone,
    zoneName: formatZoneName(page.timezone, locale),
    address: addressLines(page.address, locale),
    week: weekOf(
      page.barbers.flatMap((b) => b.working_hours ?? []),
      page.timezone,
      locale,
    ),
    barbers: page.barbers.map((b) => ({
      id: b.id,
      name: b.display_name,
      bio: b.bio,
      services: b.services.map((s) => ({
        id: s.service_id,
        name: s.name,
        price: formatMoney(s.price_cents, s.currency, locale),
        duration: formatDuration(s.duration_min, locale),
      })),
      week: weekOf(b.working_hours ?? [], page.timezone, locale),
    })),
    services: page.services.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      price: formatMoney(s.price_cents, s.currency, locale),
      duration: formatDuration(s.duration_min, locale),
    })),
  };
}

/** A weak validator over what the page shows (the HTML itself differs per response: its CSP nonce). */
async function weakEtag(view: unknown, locale: string): Promise<string> {
  const bytes = new TextEncoder().encode(`${PAGE_VERSION}|${locale}|${JSON.stringify(view)}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest.slice(0, 16)) hex += b.toString(16).padStart(2, '0');
  return `W/"${hex}"`;
}

async function pageOf(services: Services, slug: string | undefined): Promise<ShopPage> {
  const parsed = Slug.safeParse(slug);
  const page = parsed.success ? await getShopBySlug(services.db, parsed.data) : null;
  if (!page) throw data({ slug: slug ?? '' }, { status: 404, statusText: 'Not Found' });
  return page;
}

/**
 * A public page in one statement (the same query as GET /api/v1/shops/{slug}), in process, with
 * `ETag` and a 304 for a matching If-None-Match. An unknown or inactive shop — or a slug no shop
 * could have — is a 404.
 */
async function cacheable<T>(request: Request, locale: string, body: T) {
  const etag = await weakEtag(body, locale);
  const headers = { 'Cache-Control': CACHE_CONTROL, ETag: etag, Vary: 'Accept-Language' };
  if (etagMatches(request.headers.get('If-None-Match') ?? undefined, etag)) {
    // Remix answers a 304 without a body.
    return data(body, { status: 304, headers });
  }
  return data(body, { headers });
}

export async function loadShop(services: Services, slug: string | undefined, request: Request) {
  // The reschedule link the booking e-mails carry opens this page: it belongs to the booking flow.
  const reschedule = new URL(request.url).searchParams.get('reschedule');
  if (reschedule !== null) {
    throw redirect(`/s/${encodeURIComponent(slug ?? '')}/book?reschedule=${encodeURIComponent(reschedule)}`, {
      headers: { 'Cache-Control': 'private, no-store' },
    });
  }
  const page = await pageOf(services, slug);
  const locale = visitorLocale(request);
  return cacheable(request, locale, { shop: shopView(page, locale) });
}

/** A barber's own page: bio, services at their prices, hours this week. Public and cacheable like the shop's. */
export async function loadBarber(services: Services, slug: string | undefined, barberId: string | undefined, request: Request) {
  const page = await pageOf(services, slug);
  const locale = visitorLocale(request);
  const shop = shopView(page, locale);
  const barber = shop.barbers.find((b) => b.id === barberId);
  if (!barber) throw data({ slug: slug ?? '' }, { status: 404, statusText: 'Not Found' });
  return cacheable(request, locale, { shop: { slug: shop.slug, name: shop.name, zoneName: shop.zoneName, timezone: shop.timezone }, barber });
}
