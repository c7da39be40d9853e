import { data } from '@remix-run/cloudflare';
import type { Services } from '../../worker/services/container';
import { saveOfferings, type OfferingInput } from '../../worker/services/management/catalogue';
import { offeringsFor, type Chair } from '../../worker/services/week';
import { formatDuration, formatMoney } from '../lib/format';
import { officeChair, officeRequest, refusal, unreadable } from './work.week.server';

const exponentOf = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** "25", "25.50" (major units of `currency`) → minor units; '' → null (the shop's price); junk → NaN. */
export function priceInput(text: string, currency: string): number | null {
  const t = text.trim();
  if (!t) return null;
  const e = exponentOf(currency);
  const m = /^(\d{1,7})(?:[.,](\d*))?$/.exec(t);
  if (!m || (m[2] ?? '').length > e) return Number.NaN;
  return Number(m[1]) * 10 ** e + Number((m[2] ?? '').padEnd(e, '0') || '0');
}

const priceValue = (cents: number | null, currency: string) => (cents === null ? '' : (cents / 10 ** exponentOf(currency)).toFixed(exponentOf(currency)));

async function page(services: Services, chair: Chair, locale: string) {
  const offered = new Map((await offeringsFor(services, chair)).map((o) => [o.service_id, o]));
  return {
    barberId: chair.barber.id,
    barberName: chair.barber.displayName,
    own: chair.own,
    rows: chair.shopServices
      .filter((s) => s.active || offered.has(s.id))
      .map((s) => {
        const o = offered.get(s.id);
        return {
          id: s.id,
          name: s.name,
          currency: s.currency,
          offered: Boolean(o),
          price: priceValue(o?.price_cents ?? null, s.currency),
          duration: o?.duration_min == null ? '' : String(o.duration_min),
          shopDefault: `Shop: ${formatMoney(s.price_cents, s.currency, locale)}, ${formatDuration(s.duration_min, locale)}`,
        };
      }),
  };
}

export async function loadServices(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  try {
    const chair = await officeChair(services, office, { withServices: true });
    return data({ page: await page(services, chair, office.locale), problem: null }, { headers: office.headers });
  } catch (err) {
    return unreadable(err, office.headers);
  }
}

export async function saveServices(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  const form = await request.formData();
  const reply = (ok: boolean, text: string, errors: { field: string; text: string }[], status = 200) => data({ result: { ok, text, errors } }, { status, headers: office.headers });
  try {
    const chair = await officeChair(services, office, { withServices: true });
    const chosen = new Set(form.getAll('offer').map(String));
    const errors: { field: string; text: string }[] = [];
    const offerings: OfferingInput[] = [];
    for (const s of chair.shopServices) {
      if (!chosen.has(s.id)) continue;
      const price = priceInput(String(form.get(`price-${s.id}`) ?? ''), s.currency);
      const durText = String(form.get(`duration-${s.id}`) ?? '').trim();
      const duration = durText ? Number(durText) : null;
      if (price !== null && Number.isNaN(price)) errors.push({ field: `price-${s.id}`, text: `${s.name}: enter a price like 25.00, or leave it empty for the shop's` });
      if (duration !== null && (!Number.isInteger(duration) || duration < 5 || duration > 720 || duration % 5 !== 0)) {
        errors.push({ field: `duration-${s.id}`, text: `${s.name}: enter minutes in steps of 5, up to 720, or leave it empty for the shop's` });
      }
      offerings.push({ service_id: s.id, price_cents: Number.isNaN(price) ? null : price, duration_min: duration });
    }
    if (errors.length) return reply(false, 'Your services were not saved.', errors, 422);
    await saveOfferings(services, office.userId, { barberId: chair.barber.id, shopId: chair.barber.shopId, policy: chair.shop.policy, catalogue: chair.shopServices }, offerings);
    return reply(true, 'Services saved. Clients book them at these prices now.', []);
  } catch (err) {
    const r = refusal(err);
    return reply(false, r.text, r.errors.map((e) => ({ field: 'offer', text: e.message })), r.status);
  }
}
