import { data, redirect } from '@remix-run/cloudflare';
import type Stripe from 'stripe';
import type { AppConfig } from '../../worker/env';
import { ApiError } from '../../worker/lib/errors';
import { getAppointmentForParty, type AppointmentView } from '../../worker/services/appointments';
import type { Services } from '../../worker/services/container';
import { paymentForAppointment, type PaymentHandle } from '../../worker/services/payments';
import { dayInZone, formatDateTime, formatMoney } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { mergeHeaders, notFound, optionalUser, PRIVATE_HEADERS, shopForBooking, uuidOrNull } from './s.$slug.booking.server';

/**
 * The local Stripe stand-in answers only outside production, with a test key, at an explicit
 * STRIPE_API_URL: all three must hold before the page offers its test checkout, so a production
 * deployment can never show (or accept) it.
 */
export function testCheckoutEnabled(config: Pick<AppConfig, 'APP_ENV' | 'STRIPE_API_URL' | 'STRIPE_SECRET_KEY'>): boolean {
  return config.APP_ENV !== 'production' && !!config.STRIPE_API_URL && config.STRIPE_SECRET_KEY.startsWith('sk_test_');
}

/** The card the test checkout pays with (the stand-in's always-approving Visa, as in Stripe's test mode). */
export const TEST_CARD = 'pm_card_visa';

/**
 * With Stripe.js the page needs Stripe's script, frames and API — this page's own policy adds
 * exactly those to the site's (worker/middleware/security-headers.ts keeps a policy a response
 * set itself), with the same per-response nonce for our scripts.
 */
function stripePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' https://js.stripe.com`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https://*.stripe.com",
    "connect-src 'self' https://api.stripe.com",
    'frame-src https://js.stripe.com https://hooks.stripe.com',
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

async function ownAppointment(services: Services, request: Request, slug: string | undefined, id: string | undefined) {
  const shop = await shopForBooking(services, slug);
  const appointmentId = uuidOrNull(id ?? null);
  if (!appointmentId) notFound('appointment');
  const user = await optionalUser(services, request);
  if (!user.userId) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, { headers: mergeHeaders(PRIVATE_HEADERS, user.headers) });
  }
  let a: AppointmentView;
  try {
    a = await getAppointmentForParty(services.db, user.userId, appointmentId);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_found') notFound('appointment');
    throw err;
  }
  if (a.shop_id !== shop.id) notFound('appointment');
  return { shop, a, userId: user.userId, headers: mergeHeaders(PRIVATE_HEADERS, user.headers) };
}

export type PayView =
  | { state: 'pay'; mode: 'test' | 'stripe'; kind: PaymentHandle['kind']; amount: string; expiresAt: string | null; msLeft: number | null; clientSecret: string | null; publishableKey: string | null }
  | { state: 'expired' }
  | { state: 'unavailable'; message: string };

export async function loadPayPage(services: Services, request: Request, slug: string | undefined, id: string | undefined, cspNonce: string) {
  const { shop, a, userId, headers } = await ownAppointment(services, request, slug, id);
  const base = `/s/${shop.slug}`;
  const lapsed = a.status === 'cancelled' && a.cancel_reason === 'hold_expired';
  if (a.status !== 'held' && !lapsed) throw redirect(`${base}/booked/${a.id}`, { headers });
  const locale = visitorLocale(request);
  const again = new URLSearchParams({ service: a.service_id, barber: a.barber_id, day: dayInZone(a.start_time, shop.timezone), notice: 'expired' });
  const summary = {
    shop: { slug: shop.slug, name: shop.name },
    id: a.id,
    service: a.service_name,
    barber: a.barber_name,
    when: formatDateTime(a.start_time, shop.timezone, locale),
    price: formatMoney(a.price_cents, a.currency, locale),
    againPath: `${base}/book?${again}`,
  };
  let view: PayView;
  if (lapsed) return data({ ...summary, view: { state: 'expired' } as PayView }, { headers });
  try {
    const handle = await paymentForAppointment(services, userId, a.id);
    const test = testCheckoutEnabled(services.config);
    const expires = handle.expires_at ?? a.hold_expires_at;
    view = {
      state: 'pay',
      mode: test ? 'test' : 'stripe',
      kind: handle.kind,
      amount: formatMoney(handle.amount, handle.currency.toUpperCase(), locale),
      expiresAt: expires,
      msLeft: expires ? Math.max(0, Date.parse(expires) - Date.now()) : null,
      // The test checkout pays on the server; only Stripe.js needs the secret in the page.
      clientSecret: test ? null : handle.client_secret,
      publishableKey: test ? null : handle.publishable_key,
    };
    if (!test) headers.set('Content-Security-Policy', stripePolicy(cspNonce));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    if (err.extra.reason === 'already_paid') throw redirect(`${base}/booked/${a.id}`, { headers });
    view =
      err.code === 'hold_expired'
        ? { state: 'expired' }
        : { state: 'unavailable', message: err.code === 'payments_unavailable' ? 'This shop cannot take card payments right now. Please call the shop to book.' : (err.detail ?? 'Payment is not possible right now.') };
  }
  return data({ ...summary, view }, { headers });
}

/**
 * "Test checkout": pays the open intent with a test card through the Stripe SDK, against the
 * stand-in, exactly as Stripe.js would from the browser. The stand-in then sends the signed
 * webhook and the normal webhook path confirms the booking; the confirmation page waits for it.
 */
export async function payAction(services: Services, request: Request, slug: string | undefined, id: string | undefined) {
  const form = await request.formData();
  const { shop, a, userId, headers } = await ownAppointment(services, request, slug, id);
  const base = `/s/${shop.slug}`;
  if (form.get('intent') !== 'test-checkout' || !testCheckoutEnabled(services.config)) {
    return data({ error: 'This checkout is not available.' }, { status: 403, headers });
  }
  try {
    const handle = await paymentForAppointment(services, userId, a.id);
    if (handle.kind === 'setup' && handle.setup_intent_id) {
      await services.stripe.setupIntents.confirm(handle.setup_intent_id, { payment_method: TEST_CARD });
    } else if (handle.payment_intent_id) {
      await services.stripe.paymentIntents.confirm(handle.payment_intent_id, { payment_method: TEST_CARD });
    }
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.extra.reason === 'already_paid') return redirect(`${base}/booked/${a.id}`, { headers });
      if (err.code === 'hold_expired') return redirect(`${base}/pay/${a.id}`, { headers });
      if (err.status < 500) return data({ error: err.detail ?? 'Payment failed.' }, { status: err.status, headers });
    }
    const stripeError = err as Stripe.errors.StripeError;
    if (stripeError?.type === 'StripeCardError') return data({ error: stripeError.message }, { status: 402, headers });
    throw err;
  }
  return redirect(`${base}/booked/${a.id}?paid=1`, { headers });
}

export { ownAppointment };
