import { data } from '@remix-run/cloudflare';
import { withPolicyDefaults } from '../../worker/db/schema';
import { ApiError } from '../../worker/lib/errors';
import { availabilityChangedIn } from '../../worker/services/availability-cache';
import { createService, replaceOfferings, updateService, type OfferingInput, type ServiceFields } from '../../worker/services/management/catalogue';
import { listShopCatalogue, serviceSummary, type ShopCatalogue } from '../../worker/services/management/catalogue-list';
import type { Services } from '../../worker/services/container';
import { isUuid, shopOffice } from '../components/manage-shop-office.server';
import { formatDuration, formatMoney, moneyInputValue, parseMoneyInput } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';

export interface OfferingRow {
  barberId: string;
  barberName: string;
  offers: boolean;
  /** The override as the input holds it ('' = the service's own). */
  price: string;
  duration: string;
  effective: string;
}

export interface ServiceRow {
  id: string;
  name: string;
  description: string;
  active: boolean;
  priceText: string;
  durationText: string;
  price: string;
  duration: string;
  offerings: OfferingRow[];
}

export interface ServicesPage {
  shopName: string;
  shopSlug: string;
  currency: string;
  services: ServiceRow[];
  hasBarbers: boolean;
}

export type ServicesActionData = {
  /** Which form answered: 'create', or `<service id>:fields` / `<service id>:offerings`. */
  form: string;
  intent: 'create' | 'update' | 'offerings';
  ok: boolean;
  message: string;
  errors: Record<string, string>;
  values: Record<string, string>;
};

function servicesPage(shop: { name: string; slug: string; currency: string }, catalogue: ShopCatalogue, locale: string): ServicesPage {
  const money = (c: number) => formatMoney(c, shop.currency, locale);
  const activeBarbers = catalogue.barbers.filter((b) => b.active);
  return {
    shopName: shop.name,
    shopSlug: shop.slug,
    currency: shop.currency,
    hasBarbers: activeBarbers.length > 0,
    services: catalogue.services.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      active: s.active,
      priceText: money(s.priceCents),
      durationText: formatDuration(s.durationMin, locale),
      price: moneyInputValue(s.priceCents, shop.currency),
      duration: String(s.durationMin),
      offerings: activeBarbers.map((b) => {
        const o = catalogue.offerings.find((x) => x.barberId === b.id && x.serviceId === s.id);
        return {
          barberId: b.id,
          barberName: b.displayName,
          offers: o !== undefined,
          price: o?.priceCents != null ? moneyInputValue(o.priceCents, shop.currency) : '',
          duration: o?.durationMin != null ? String(o.durationMin) : '',
          effective: o ? `${money(o.priceCents ?? s.priceCents)} · ${formatDuration(o.durationMin ?? s.durationMin, locale)}` : 'Does not offer it',
        };
      }),
    })),
  };
}

export async function loadServices(services: Services, request: Request, shopIdParam: string | undefined) {
  const office = await shopOffice(services, request, shopIdParam);
  const catalogue = await listShopCatalogue(services.db, office.shop.id);
  return data({ page: servicesPage(office.shop, catalogue, visitorLocale(request)) }, { headers: office.headers });
}

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
};

/** A duration field: whole minutes on the 5-minute grid, within what the API accepts. */
function durationOf(value: string): { value: number } | { error: string } {
  if (!/^\d{1,4}$/.test(value)) return { error: /^-/.test(value) ? 'Must be more than 0' : 'Enter whole minutes, such as 30' };
  const n = Number(value);
  if (n <= 0 || n > 720 || n % 5 !== 0) return { error: 'Must be 5 to 720 minutes, in steps of 5' };
  return { value: n };
}

function priceOf(value: string, currency: string): { value: number } | { error: string } {
  const cents = parseMoneyInput(value, currency);
  if (cents === null) return { error: /^-/.test(value) ? 'Must be 0 or more' : `Enter an amount in ${currency}, such as ${moneyInputValue(2500, currency)}` };
  if (cents > 10_000_000) return { error: `At most ${formatMoney(10_000_000, currency)}` };
  return { value: cents };
}

/** The services' field paths ("json.price_cents") as this page's field names. */
const FIELD_OF: Record<string, string> = { 'json.name': 'name', 'json.price_cents': 'price', 'json.duration_min': 'duration', 'json.description': 'description' };

/** Money in a service message ("at least 1500 minor units") as the shop's currency writes it. */
const inWords = (message: string, currency: string, locale: string) =>
  message.replace(/(\d+) minor units/g, (_m, n: string) => formatMoney(Number(n), currency, locale));

/**
 * The page's three forms, through the same services as POST /shops/{id}/services, PATCH
 * /services/{id} and PUT /barbers/{id}/services (with the same availability invalidation).
 */
export async function servicesAction(services: Services, request: Request, shopIdParam: string | undefined) {
  const office = await shopOffice(services, request, shopIdParam);
  const { userId, headers } = office;
  const shop = { ...office.shop, policy: withPolicyDefaults(office.shop.policy) };
  const locale = visitorLocale(request);
  const form = await request.formData();
  const intentText = text(form, 'intent');
  const intent = intentText === 'update' || intentText === 'offerings' ? intentText : 'create';
  const serviceId = text(form, 'service_id');
  const values = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === 'string'));
  const errors: Record<string, string> = {};
  const formKey = intent === 'create' ? 'create' : `${serviceId}:${intent === 'update' ? 'fields' : 'offerings'}`;
  const reply = (status: number, message: string, ok = false) =>
    data<ServicesActionData>({ form: formKey, intent, ok, message, errors, values }, { status, headers });

  try {
    if (intent === 'create' || intent === 'update') {
      const name = text(form, 'name');
      const price = priceOf(text(form, 'price'), shop.currency);
      const duration = durationOf(text(form, 'duration'));
      if (!name) errors.name = 'Enter a name';
      else if (name.length > 100) errors.name = 'At most 100 characters';
      if ('error' in price) errors.price = price.error;
      if ('error' in duration) errors.duration = duration.error;
      if ('error' in price || 'error' in duration || Object.keys(errors).length > 0) return reply(422, 'Check the fields marked below.');
      const fields: ServiceFields = {
        name,
        description: text(form, 'description').slice(0, 1000),
        price_cents: price.value,
        currency: shop.currency,
        duration_min: duration.value,
        active: intent === 'create' ? true : form.get('active') === 'on',
      };
      if (intent === 'create') {
        const created = await createService(services.db, userId, shop, fields);
        return reply(200, `Added ${created.name}. Choose below which barbers offer it.`, true);
      }
      const catalogue = await listShopCatalogue(services.db, shop.id);
      const current = catalogue.services.find((s) => s.id === serviceId);
      if (!isUuid(serviceId) || !current) throw new ApiError('not_found', 'No such service in this shop');
      const updated = await updateService(services.db, userId, current, shop, { ...fields, description: current.description });
      await availabilityChangedIn(services, { serviceId: updated.id, shopId: shop.id });
      return reply(200, `Saved ${updated.name}.`, true);
    }

    // Per-barber prices and durations of one service: each barber's whole offering list is
    // replaced with this service's row changed (replaceOfferings is per barber, wholesale).
    const catalogue = await listShopCatalogue(services.db, shop.id);
    const service = catalogue.services.find((s) => s.id === serviceId);
    if (!isUuid(serviceId) || !service) throw new ApiError('not_found', 'No such service in this shop');
    const summaries = catalogue.services.map(serviceSummary);
    const changes: { barberId: string; offerings: OfferingInput[] }[] = [];
    for (const b of catalogue.barbers.filter((x) => x.active)) {
      const offers = form.get(`offers_${b.id}`) === 'on';
      const priceText = text(form, `price_${b.id}`);
      const durationText = text(form, `duration_${b.id}`);
      let priceCents: number | null = null;
      let durationMin: number | null = null;
      if (offers && priceText) {
        const p = priceOf(priceText, shop.currency);
        if ('error' in p) errors[`price_${b.id}`] = p.error;
        else priceCents = p.value;
      }
      if (offers && durationText) {
        const d = durationOf(durationText);
        if ('error' in d) errors[`duration_${b.id}`] = d.error;
        else durationMin = d.value;
      }
      const others = catalogue.offerings
        .filter((o) => o.barberId === b.id && o.serviceId !== serviceId)
        .map((o) => ({ service_id: o.serviceId, price_cents: o.priceCents, duration_min: o.durationMin }));
      const before = catalogue.offerings.find((o) => o.barberId === b.id && o.serviceId === serviceId);
      const same = offers ? before !== undefined && before.priceCents === priceCents && before.durationMin === durationMin : before === undefined;
      if (!same) changes.push({ barberId: b.id, offerings: offers ? [...others, { service_id: serviceId, price_cents: priceCents, duration_min: durationMin }] : others });
    }
    if (Object.keys(errors).length > 0) return reply(422, 'Check the fields marked below.');
    for (const change of changes) {
      try {
        await replaceOfferings(services.db, userId, { barberId: change.barberId, shopId: shop.id, policy: shop.policy, catalogue: summaries }, change.offerings);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        const list = err.extra.errors ?? [];
        if (list.some((e) => e.path.endsWith('.price_cents'))) {
          errors[`price_${change.barberId}`] = inWords(list.find((e) => e.path.endsWith('.price_cents'))!.message, shop.currency, locale);
          return reply(err.status, 'Check the fields marked below.');
        }
        throw err;
      }
      await availabilityChangedIn(services, { barberIds: [change.barberId], shopId: shop.id, serviceIds: summaries.map((s) => s.id) });
    }
    return reply(200, changes.length === 0 ? 'Nothing changed.' : `Saved the barbers' prices for ${service.name}.`, true);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    for (const e of err.extra.errors ?? []) {
      const field = FIELD_OF[e.path];
      if (field) errors[field] = inWords(e.message, shop.currency, locale);
    }
    return reply(err.status, Object.keys(errors).length > 0 ? 'Check the fields marked below.' : inWords(err.message, shop.currency, locale));
  }
}
