import { data } from '@remix-run/cloudflare';
import { withPolicyDefaults, type ShopPolicy } from '../../worker/db/schema';
import { validatePolicy } from '../../worker/domain/policy';
import { ApiError } from '../../worker/lib/errors';
import { PolicySchema } from '../../worker/routes/v1/management.schemas';
import { availabilityChangedIn } from '../../worker/services/availability-cache';
import { listShopCatalogue } from '../../worker/services/management/catalogue-list';
import { updateShop } from '../../worker/services/management/shops';
import type { Services } from '../../worker/services/container';
import { shopOffice } from '../components/manage-shop-office.server';
import { fieldOfPolicyPath, parsePolicy, policyValues, valuesOf, type PolicyValues, type PreviewPrice } from '../components/policy-form';
import { formatMoney } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';

export interface PolicyPage {
  shopName: string;
  currency: string;
  locale: string;
  policy: ShopPolicy;
  values: PolicyValues;
  prices: PreviewPrice[];
}

export type PolicyActionData = {
  intent: 'preview' | 'save';
  values: PolicyValues;
  /** The policy the preview shows (the posted one when it parses). */
  policy: ShopPolicy;
  previewService: string | null;
  errors: Record<string, string>;
  saved: boolean;
};

async function previewPrices(services: Services, shopId: string, currency: string, locale: string): Promise<PreviewPrice[]> {
  const { services: list } = await listShopCatalogue(services.db, shopId);
  return list
    .filter((s) => s.active)
    .map((s) => ({ id: s.id, label: `${s.name} (${formatMoney(s.priceCents, currency, locale)})`, priceCents: s.priceCents }));
}

export async function loadPolicy(services: Services, request: Request, shopIdParam: string | undefined) {
  const ctx = await shopOffice(services, request, shopIdParam);
  const locale = visitorLocale(request);
  const policy = withPolicyDefaults(ctx.shop.policy);
  const page: PolicyPage = {
    shopName: ctx.shop.name,
    currency: ctx.shop.currency,
    locale,
    policy,
    values: policyValues(policy, ctx.shop.currency),
    prices: await previewPrices(services, ctx.shop.id, ctx.shop.currency, locale),
  };
  return data({ page }, { headers: ctx.headers });
}

/** Money in a rule's message as the shop's currency writes it, not minor units. */
function inWords(message: string, currency: string, locale: string): string {
  return message.replace(/(\d+) minor units/g, (_m, n: string) => formatMoney(Number(n), currency, locale));
}

/** The API schema's range checks, as words beside the fields. */
function rangeErrors(policy: ShopPolicy): { path: string; message: string }[] {
  const result = PolicySchema.safeParse(policy);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const i = issue as typeof issue & { minimum?: number | bigint; maximum?: number | bigint; divisor?: number };
    const message =
      issue.code === 'too_small'
        ? `Must be at least ${String(i.minimum)}`
        : issue.code === 'too_big'
          ? `Must be at most ${String(i.maximum)}`
          : issue.code === 'not_multiple_of'
            ? `Must be a multiple of ${String(i.divisor)}`
            : issue.message;
    return { path: issue.path.join('.'), message };
  });
}

/**
 * "Preview" shows the words for the posted policy and saves nothing; "Save" writes it through
 * updateShop (the service behind PATCH /api/v1/shops/{id}), whose 422 lands beside the fields.
 */
export async function policyAction(services: Services, request: Request, shopIdParam: string | undefined) {
  const ctx = await shopOffice(services, request, shopIdParam);
  const { userId, headers } = ctx;
  const locale = visitorLocale(request);
  const form = await request.formData();
  const intent = form.get('intent') === 'save' ? 'save' : 'preview';
  const values = valuesOf(form);
  const previewService = typeof form.get('preview_service') === 'string' ? String(form.get('preview_service')) : null;
  const current = withPolicyDefaults(ctx.shop.policy);
  const currency = ctx.shop.currency;
  const { policy, errors } = parsePolicy(values, current, currency);
  const reply = (status: number, extra: Partial<PolicyActionData> = {}) =>
    data<PolicyActionData>({ intent, values, policy, previewService, errors, saved: false, ...extra }, { status, headers });
  const addErrors = (list: { path: string; message: string }[]) => {
    for (const e of list) {
      const field = fieldOfPolicyPath(e.path, policy);
      errors[field] ??= inWords(e.message, currency, locale);
    }
  };
  if (Object.keys(errors).length === 0) addErrors(rangeErrors(policy));
  if (Object.keys(errors).length === 0) addErrors(validatePolicy(policy, ctx.cheapestPriceCents));
  if (Object.keys(errors).length > 0) return reply(422);
  if (intent === 'preview') return reply(200);
  try {
    const updated = await updateShop(services.db, userId, ctx.shop, ctx.cheapestPriceCents, { policy });
    await availabilityChangedIn(services, { barberIds: updated.barberIds, shopId: ctx.shop.id, serviceIds: updated.serviceIds });
    const saved = withPolicyDefaults(updated.shop.policy);
    return reply(200, { saved: true, policy: saved, values: policyValues(saved, currency) });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const list = (err.extra.errors as { path: string; message: string }[] | undefined) ?? [];
    addErrors(list.map((e) => ({ path: e.path.replace(/^json\.policy\./, ''), message: e.message })));
    if (Object.keys(errors).length === 0) errors.cancel_window_hours = err.message;
    return reply(err.status);
  }
}
