/**
 * Connect: accounts (express / standard / custom), account links with a
 * hosted "onboarding" page on the stand-in itself, login links, and the
 * capability checks destination and direct charges depend on.
 */
import {
  allowOnly, bool, checkUrl, hash, invalid, metadataOf, missingParam, noSuch, oneOf, paramsJson, str, strings,
  type JsonObject, type Params,
} from './core.ts';
import { LIST_PARAMS, previousAttributes, subList, type Account, type Ctx, type StripeState } from './state.ts';

const ACCOUNT_CREATE_PARAMS = [
  'account_token', 'business_profile', 'business_type', 'capabilities', 'company', 'controller', 'country',
  'default_currency', 'documents', 'email', 'external_account', 'groups', 'individual', 'metadata', 'settings',
  'tos_acceptance', 'type',
] as const;
const ACCOUNT_UPDATE_PARAMS = ACCOUNT_CREATE_PARAMS.filter((k) => k !== 'type' && k !== 'country' && k !== 'controller');

const CURRENCY_BY_COUNTRY: Record<string, string> = {
  US: 'usd', GB: 'gbp', CA: 'cad', AU: 'aud', NZ: 'nzd', JP: 'jpy', CH: 'chf', SE: 'sek', NO: 'nok', DK: 'dkk',
  SG: 'sgd', HK: 'hkd', MX: 'mxn', BR: 'brl', IN: 'inr', PL: 'pln', CZ: 'czk', HU: 'huf', RO: 'ron', BG: 'bgn',
};
const EURO_COUNTRIES = new Set(['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK']);

/** What Stripe asks a fresh individual account for before it can charge and pay out. */
const INITIAL_DUE = [
  'business_profile.mcc', 'business_profile.url', 'business_type', 'external_account',
  'individual.dob.day', 'individual.dob.month', 'individual.dob.year', 'individual.email',
  'individual.first_name', 'individual.last_name', 'individual.phone', 'individual.ssn_last_4',
  'tos_acceptance.date', 'tos_acceptance.ip',
];

const LINK_TTL_SECONDS = 300;

function requirements(due: string[], disabledReason: string | null, pending: string[] = []): JsonObject {
  return {
    alternatives: [],
    current_deadline: null,
    currently_due: due,
    disabled_reason: disabledReason,
    errors: [],
    eventually_due: due,
    past_due: due,
    pending_verification: pending,
  };
}

function typeFromController(controller: Params | undefined): string | undefined {
  if (!controller) return undefined;
  const dashboard = hash(controller, 'stripe_dashboard', 'controller[stripe_dashboard]');
  const kind = dashboard ? str(dashboard, 'type', 'controller[stripe_dashboard][type]') : undefined;
  return kind === 'express' ? 'express' : kind === 'none' ? 'custom' : 'standard';
}

function requestedCapabilities(p: Params): string[] {
  const caps = hash(p, 'capabilities');
  if (!caps) return ['card_payments', 'transfers']; // the platform's default capabilities
  const out: string[] = [];
  for (const [name, v] of Object.entries(caps)) {
    if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`Invalid capabilities[${name}]`, { param: `capabilities[${name}]` });
    if (bool(v, 'requested', `capabilities[${name}][requested]`)) out.push(name);
  }
  if (out.includes('card_payments') && !out.includes('transfers')) {
    throw invalid('The `card_payments` capability cannot be requested without the `transfers` capability.', { param: 'capabilities' });
  }
  return out;
}

export function createAccount(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ACCOUNT_CREATE_PARAMS);
  const controller = hash(p, 'controller');
  const type = oneOf(p, 'type', ['express', 'standard', 'custom'] as const) ?? typeFromController(controller);
  if (!type) throw missingParam('type');
  const country = (str(p, 'country') ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) {
    throw invalid(`Country '${country}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'.`, { param: 'country' });
  }
  const email = str(p, 'email') ?? null;
  if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw invalid('Invalid email address: ' + email, { code: 'email_invalid', param: 'email' });
  const id = s.id('acct', 16);
  const defaultCurrency = str(p, 'default_currency')?.toLowerCase() ?? CURRENCY_BY_COUNTRY[country] ?? (EURO_COUNTRIES.has(country) ? 'eur' : 'usd');
  const profile = hash(p, 'business_profile');
  const account: Account = {
    id,
    object: 'account',
    business_profile: {
      mcc: null, name: null, product_description: null, support_address: null, support_email: null,
      support_phone: null, support_url: null, url: null,
      ...(profile ? (paramsJson(profile) as JsonObject) : {}),
    },
    business_type: oneOf(p, 'business_type', ['company', 'government_entity', 'individual', 'non_profit'] as const) ?? null,
    capabilities: Object.fromEntries(requestedCapabilities(p).map((c) => [c, 'inactive'])),
    charges_enabled: false,
    controller: controllerFor(type),
    country,
    created: s.now(),
    default_currency: defaultCurrency,
    details_submitted: false,
    email,
    external_accounts: subList(`/v1/accounts/${id}/external_accounts`),
    future_requirements: requirements([], null),
    metadata: metadataOf(p),
    payouts_enabled: false,
    requirements: requirements(INITIAL_DUE, 'requirements.past_due'),
    settings: {
      dashboard: { display_name: null, timezone: 'Etc/UTC' },
      payments: { statement_descriptor: null },
      payouts: { debit_negative_balances: true, schedule: { delay_days: 2, interval: 'daily' }, statement_descriptor: null },
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type,
  };
  return s.put(s.accounts, account, null);
}

function controllerFor(type: string): JsonObject {
  if (type === 'standard') return { is_controller: true, type: 'account' };
  return {
    fees: { payer: 'application' },
    is_controller: true,
    losses: { payments: 'application' },
    requirement_collection: type === 'custom' ? 'application' : 'stripe',
    stripe_dashboard: { type: type === 'custom' ? 'none' : 'express' },
    type: 'application',
  };
}

/** `GET /v1/account`: the platform itself, or the connected account named by `Stripe-Account`. */
export function currentAccount(s: StripeState, ctx: Ctx): JsonObject {
  if (ctx.account) return s.account(ctx.account);
  return {
    id: s.platformId,
    object: 'account',
    business_profile: { name: 'BookedBarber (stand-in platform)', url: null },
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    country: 'US',
    default_currency: 'usd',
    details_submitted: true,
    email: null,
    payouts_enabled: true,
    requirements: requirements([], null),
    settings: { dashboard: { display_name: 'BookedBarber', timezone: 'Etc/UTC' } },
    type: 'standard',
  };
}

export function getAccount(s: StripeState, ctx: Ctx): JsonObject {
  return s.account(ctx.id as string);
}

export function listAccounts(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, LIST_PARAMS);
  return s.list([...s.accounts.values()].filter((a) => !a.deleted), ctx.params, '/v1/accounts');
}

export function updateAccount(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ACCOUNT_UPDATE_PARAMS);
  const account = s.account(ctx.id as string);
  const before = structuredClone(account);
  if (p.email !== undefined) account.email = str(p, 'email') ?? null;
  if (p.business_type !== undefined) account.business_type = oneOf(p, 'business_type', ['company', 'government_entity', 'individual', 'non_profit'] as const) ?? null;
  const profile = hash(p, 'business_profile');
  if (profile) account.business_profile = { ...(account.business_profile as JsonObject), ...(paramsJson(profile) as JsonObject) };
  const settings = hash(p, 'settings');
  if (settings) account.settings = { ...(account.settings as JsonObject), ...(paramsJson(settings) as JsonObject) };
  if (p.capabilities !== undefined) {
    for (const c of requestedCapabilities(p)) account.capabilities[c] ??= account.details_submitted ? 'active' : 'inactive';
  }
  account.metadata = metadataOf(p, account.metadata);
  emitAccountUpdated(s, account, before, ctx);
  return account;
}

export function deleteAccount(s: StripeState, ctx: Ctx): JsonObject {
  const account = s.account(ctx.id as string);
  account.deleted = true;
  return { id: account.id, object: 'account', deleted: true };
}

function emitAccountUpdated(s: StripeState, account: Account, before: JsonObject, ctx: Ctx | undefined): void {
  const previous = previousAttributes(before, account);
  if (Object.keys(previous).length > 0) s.emit('account.updated', account, account.id, ctx, previous);
}

export function createAccountLink(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['account', 'type', 'refresh_url', 'return_url', 'collect', 'collection_options']);
  const accountId = str(p, 'account');
  if (!accountId) throw missingParam('account');
  const type = oneOf(p, 'type', ['account_onboarding', 'account_update'] as const);
  if (!type) throw missingParam('type');
  const account = s.account(accountId);
  if (type === 'account_update' && account.type !== 'custom') {
    throw invalid(`You cannot create \`account_update\` type Account Links for accounts that have access to a Stripe-hosted Dashboard (${account.id} is ${account.type}).`, { param: 'type' });
  }
  const refreshUrl = checkUrl(p, 'refresh_url') ?? null;
  const returnUrl = checkUrl(p, 'return_url') ?? null;
  const created = s.now();
  const token = s.ids.token(`link:${s.id('link')}`, 24);
  s.onboardingLinks.set(token, { account: account.id, type, refreshUrl, returnUrl, expiresAt: created + LINK_TTL_SECONDS, used: false });
  const q = new URLSearchParams({ link: token });
  if (returnUrl) q.set('return_url', returnUrl);
  return {
    object: 'account_link',
    created,
    expires_at: created + LINK_TTL_SECONDS,
    url: `${s.publicUrl}/connect/onboard/${account.id}?${q}`,
  };
}

export function createLoginLink(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, ['redirect_url']);
  const account = s.account(ctx.id as string);
  if (account.type !== 'express') {
    throw invalid('Cannot create a login link for an account that is not an Express account.', { param: 'account' });
  }
  if (!account.details_submitted) {
    throw invalid('Cannot create a login link for an account that has not completed onboarding.', { param: 'account' });
  }
  return { object: 'login_link', created: s.now(), url: `${s.publicUrl}/connect/dashboard/${account.id}` };
}

/** Onboarding done: everything enabled, nothing due, one `account.updated`. */
export function completeOnboarding(s: StripeState, account: Account, ctx?: Ctx): Account {
  const before = structuredClone(account);
  account.details_submitted = true;
  account.charges_enabled = true;
  account.payouts_enabled = true;
  account.requirements = requirements([], null);
  for (const c of Object.keys(account.capabilities)) account.capabilities[c] = 'active';
  account.business_type ??= 'individual';
  account.tos_acceptance = { date: s.now(), ip: '127.0.0.1', user_agent: 'stripe-standin' };
  const external = account.external_accounts as JsonObject & { data: JsonObject[]; total_count: number };
  if (external.data.length === 0) {
    external.data.push({
      id: s.id('ba'), object: 'bank_account', account: account.id, account_holder_name: null, account_holder_type: null,
      bank_name: 'STRIPE TEST BANK', country: account.country, currency: account.default_currency ?? 'usd',
      default_for_currency: true, last4: '6789', metadata: {}, routing_number: '110000000', status: 'new',
    });
    external.total_count = 1;
  }
  emitAccountUpdated(s, account, before, ctx);
  return account;
}

/**
 * The browser side of an account link: a valid, unused, unexpired link
 * completes onboarding and answers 303 to return_url; anything else sends the
 * browser to refresh_url, where the platform should mint a fresh link.
 */
export function visitOnboardingLink(s: StripeState, accountId: string, query: URLSearchParams): { status: number; location?: string; text: string } {
  const token = query.get('link') ?? '';
  const link = s.onboardingLinks.get(token);
  if (!link || link.account !== accountId) return { status: 404, text: 'This account link is not valid.' };
  const stale = link.used || s.now() > link.expiresAt;
  link.used = true;
  if (stale) {
    return link.refreshUrl
      ? { status: 303, location: link.refreshUrl, text: 'This link has expired or was already used.' }
      : { status: 410, text: 'This account link has expired or was already used.' };
  }
  const account = s.accounts.get(accountId);
  if (!account || account.deleted) return { status: 404, text: 'No such account.' };
  completeOnboarding(s, account);
  return link.returnUrl
    ? { status: 303, location: link.returnUrl, text: 'Onboarding complete.' }
    : { status: 200, text: `Onboarding complete for ${accountId}. You can close this window.` };
}

/**
 * Test hook `POST /__test/accounts/:id`: sets an account's state directly.
 * `complete=true` is the same as finishing onboarding; otherwise any of
 * charges_enabled, payouts_enabled, details_submitted, capabilities[x]=active|inactive|pending,
 * requirements[currently_due][]=..., requirements[disabled_reason]=... Fires `account.updated`.
 */
export function setAccountState(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, ['complete', 'charges_enabled', 'payouts_enabled', 'details_submitted', 'capabilities', 'requirements', 'email', 'metadata']);
  const account = s.account(ctx.id as string);
  if (bool(p, 'complete')) completeOnboarding(s, account, ctx);
  const before = structuredClone(account);
  const charges = bool(p, 'charges_enabled');
  const payouts = bool(p, 'payouts_enabled');
  const submitted = bool(p, 'details_submitted');
  if (submitted !== undefined) account.details_submitted = submitted;
  if (payouts !== undefined) account.payouts_enabled = payouts;
  if (charges !== undefined) {
    account.charges_enabled = charges;
    // Unless capabilities are given too, charging follows card_payments and transfers.
    if (p.capabilities === undefined) for (const c of Object.keys(account.capabilities)) account.capabilities[c] = charges ? 'active' : 'inactive';
  }
  const caps = hash(p, 'capabilities');
  if (caps) {
    for (const name of Object.keys(caps)) {
      account.capabilities[name] = oneOf(caps, name, ['active', 'inactive', 'pending'] as const, `capabilities[${name}]`) ?? 'inactive';
    }
  }
  const req = hash(p, 'requirements');
  if (req) {
    allowOnly(req, ['currently_due', 'eventually_due', 'past_due', 'pending_verification', 'disabled_reason', 'current_deadline'], 'requirements');
    const due = strings(req, 'currently_due');
    const next: JsonObject = { ...account.requirements };
    if (due) {
      next.currently_due = due;
      next.past_due = strings(req, 'past_due') ?? due;
      next.eventually_due = strings(req, 'eventually_due') ?? due;
    }
    for (const k of ['eventually_due', 'past_due', 'pending_verification'] as const) {
      const v = strings(req, k);
      if (v) next[k] = v;
    }
    if (req.disabled_reason !== undefined) next.disabled_reason = str(req, 'disabled_reason', 'requirements[disabled_reason]') ?? null;
    if (req.current_deadline !== undefined) next.current_deadline = req.current_deadline === '' ? null : Number(req.current_deadline);
    account.requirements = next;
  }
  if (p.email !== undefined) account.email = str(p, 'email') ?? null;
  account.metadata = metadataOf(p, account.metadata);
  emitAccountUpdated(s, account, before, ctx);
  return account;
}

/** Destination charges need the destination's `transfers` capability. */
export function destinationAccount(s: StripeState, id: string, param: string): Account {
  const a = s.accounts.get(id);
  if (!a || a.deleted) throw invalid(`No such destination: '${id}'`, { code: 'resource_missing', param });
  if (a.capabilities.transfers !== 'active') {
    throw invalid(
      'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
      { code: 'insufficient_capabilities_for_transfer', param },
    );
  }
  return a;
}

/** Direct charges (`Stripe-Account`) and `on_behalf_of` need the account's `card_payments` capability. */
export function requireCardPayments(s: StripeState, id: string, onBehalfOf: boolean): void {
  const a = s.accounts.get(id);
  if (!a || a.deleted) throw noSuch('account', id, onBehalfOf ? 'on_behalf_of' : 'account');
  if (a.capabilities.card_payments !== 'active' || !a.charges_enabled) {
    throw invalid(
      onBehalfOf
        ? `The \`on_behalf_of\` account (${id}) cannot currently make charges: it needs the \`card_payments\` capability enabled. The \`requirements.disabled_reason\` property on the account will provide information about why.`
        : 'You cannot create a charge on a connected account without the `card_payments` capability enabled.',
      { param: onBehalfOf ? 'on_behalf_of' : undefined },
    );
  }
}
