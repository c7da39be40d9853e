import { data } from '@remix-run/cloudflare';
import type { ShopAddress } from '../../worker/db/schema';
import { getShopBySlug, type ShopPage } from '../../worker/db/queries/shops';
import { Slug } from '../../worker/routes/v1/management.schemas';
import type { Services } from '../../worker/services/container';

/**
 * The same freshness as GET /api/v1/shops/{slug}: a minute fresh, five more served stale while
 * revalidating, so owner edits show within about a minute without any purge machinery. The page
 * is the same for everyone (nothing about the visitor is in it), so shared caches may keep it.
 */
const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

/** Prices and lengths are formatted here, once, so server and browser render the same text. */
const LOCALE = 'en';

export interface OfferingView {
  id: string;
  name: string;
  price: string;
  duration: string;
}

export interface ServiceView extends OfferingView {
  description: string;
}

export interface BarberView {
  id: string;
  name: string;
  bio: string;
  services: OfferingView[];
}

export interface ShopView {
  name: string;
  timezone: string;
  address: string[] | null;
  barbers: BarberView[];
  services: ServiceView[];
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * Integer minor units in `currency`, as the locale writes money. The exponent comes from the
 * currency itself (2 for USD, 0 for JPY), which is how the amounts were stored.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    formats.set(currency, format);
  }
  const exponent = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** exponent);
}

export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const regionNames = new Intl.DisplayNames(LOCALE, { type: 'region' });

function addressLines(address: ShopAddress | null): string[] | null {
  if (!address) return null;
  const place = [address.city, address.region].filter(Boolean).join(', ');
  let country = address.country;
  try {
    country = regionNames.of(address.country) ?? address.country;
  } catch {
    // A code Intl does not know is shown as stored.
  }
  return [address.line1, address.line2, `${place} ${address.postal_code}`, country].filter((l): l is string => !!l);
}

export function shopView(page: ShopPage): ShopView {
  return {
    name: page.name,
    timezone: page.timezone,
    address: addressLines(page.address),
    barbers: page.barbers.map((b) => ({
      id: b.id,
      name: b.display_name,
      bio: b.bio,
      services: b.services.map((s) => ({
        id: s.service_id,
        name: s.name,
        price: formatMoney(s.price_cents, s.currency),
        duration: formatDuration(s.duration_min),
      })),
    })),
    services: page.services.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      price: formatMoney(s.price_cents, s.currency),
      duration: formatDuration(s.duration_min),
    })),
  };
}

/**
 * The public shop page from the same query as GET /api/v1/shops/{slug} (one statement), in
 * process. An unknown or inactive shop — or a slug no shop could have — is a 404.
 */
export async function loadShop(services: Services, slug: string | undefined) {
  const parsed = Slug.safeParse(slug);
  const page = parsed.success ? await getShopBySlug(services.db, parsed.data) : null;
  if (!page) throw data({ slug: slug ?? '' }, { status: 404, statusText: 'Not Found' });
  return data({ shop: shopView(page) }, { headers: { 'Cache-Control': CACHE_CONTROL } });
}
