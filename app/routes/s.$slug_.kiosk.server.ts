import { data } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { visitorLocale } from '../lib/locale.server';
import { PRIVATE_HEADERS, serviceChoices, shopForBooking, uuidOrNull } from './s.$slug.booking.server';
import { failureOf, publicJoin, quoteView, readJoinForm, shopHead, waitView, type WaitView } from './s.$slug_.walk-in.server';

export interface KioskService {
  id: string;
  name: string;
  duration: string;
  price: string;
  /** The wait with whoever is free first, or null when nothing fits today. */
  quote: WaitView | null;
}

/**
 * The tablet at the door: every service with its wait now (whoever is free first), then a first
 * name and a phone number. Nothing about anyone else in the queue is ever on this page.
 */
export async function loadKiosk(services: Services, request: Request, slug: string | undefined) {
  const locale = visitorLocale(request);
  const shop = await shopForBooking(services, slug);
  const list = serviceChoices(shop, locale);
  const quotes = await Promise.all(
    list.map((s) =>
      quoteView(services, shop, s.id, 'any', locale).catch((err: unknown) => {
        if (err instanceof ApiError && err.status < 500) return null;
        throw err;
      }),
    ),
  );
  const choices: KioskService[] = list.map((s, i) => ({ id: s.id, name: s.name, duration: s.duration, price: s.price, quote: quotes[i] ?? null }));
  const wanted = uuidOrNull(new URL(request.url).searchParams.get('service'));
  const service = wanted ? (choices.find((s) => s.id === wanted) ?? null) : null;
  return data({ shop: shopHead(shop, locale), services: choices, service }, { headers: PRIVATE_HEADERS });
}

export async function kioskAction(services: Services, request: Request, slug: string | undefined) {
  const locale = visitorLocale(request);
  const shop = await shopForBooking(services, slug);
  const parsed = readJoinForm(await request.formData());
  if (!parsed.ok) return data(parsed, { status: parsed.status, headers: PRIVATE_HEADERS });
  try {
    const ticket = await publicJoin(services, request, shop.id, { ...parsed.input, barberId: 'any' });
    const view = waitView(ticket, shop.timezone, locale);
    // Only what the person at the tablet just typed and their own wait: the next person sees none of it.
    return data({ ok: true as const, firstName: parsed.input.firstName, wait: view }, { headers: PRIVATE_HEADERS });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const failure = failureOf(err, { first_name: parsed.input.firstName, phone: parsed.input.phone });
    return data(failure, { status: failure.status, headers: { ...PRIVATE_HEADERS, ...(err.extra.headers ?? {}) } });
  }
}
