/**
 * The stand-in's route table: the Stripe API paths it serves (`/v1/...`), the
 * test hooks (`/__test/...`, same key and encoding as the API, so
 * `stripe.rawRequest('POST', '/__test/...', params)` works) and the pages a
 * browser visits (`/connect/onboard/...`, `/authenticate/...`), which need no key.
 */
import type { JsonObject } from './core.ts';
import {
  createAccount, createAccountLink, createLoginLink, currentAccount, deleteAccount, getAccount, listAccounts,
  setAccountState, updateAccount, visitOnboardingLink,
} from './connect.ts';
import {
  attachPaymentMethod, cancelSetupIntent, confirmSetupIntent, createCustomer, createPaymentMethod, createSetupIntent,
  deleteCustomer, detachPaymentMethod, finishSetupAuthentication, getCustomer, getCustomerPaymentMethod,
  getPaymentMethod, getSetupIntent, listCustomers, listPaymentMethods, listSetupIntents, setPaymentMethodState,
  testConfirmSetupIntent, updateCustomer, updateSetupIntent,
} from './customers.ts';
import {
  acceptDispute, balance, cancelPaymentIntent, capturePaymentIntent, confirmPaymentIntent, createFeeRefund,
  createPaymentIntent, createRefund, finishPaymentAuthentication, getApplicationFee, getCharge, getDispute,
  getPaymentIntent, getRefund, getTransfer, listApplicationFees, listCharges, listDisputes, listFeeRefunds,
  listPaymentIntents, listRefunds, listTransfers, testCloseDispute, testDispute, testPay, updateDispute,
  updatePaymentIntent, updateRefund,
} from './payments.ts';
import type { Ctx, StripeState } from './state.ts';
import { getEvent, listEvents, testRedeliver, type Webhooks } from './webhooks.ts';

export type Handler = (s: StripeState, ctx: Ctx) => JsonObject;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handler: Handler;
}

const ID = '([A-Za-z0-9_]+)';

export function apiRoutes(webhooks: Webhooks): Route[] {
  const r = (method: Route['method'], path: string, handler: Handler): Route => ({
    method,
    pattern: new RegExp(`^${path.replace(':id', ID).replace(':sub', ID)}$`),
    handler,
  });
  return [
    r('GET', '/v1/balance', balance),

    r('GET', '/v1/account', currentAccount),
    r('POST', '/v1/accounts', createAccount),
    r('GET', '/v1/accounts', listAccounts),
    r('GET', '/v1/accounts/:id', getAccount),
    r('POST', '/v1/accounts/:id', updateAccount),
    r('DELETE', '/v1/accounts/:id', deleteAccount),
    r('POST', '/v1/accounts/:id/login_links', createLoginLink),
    r('POST', '/v1/account_links', createAccountLink),

    r('POST', '/v1/customers', createCustomer),
    r('GET', '/v1/customers', listCustomers),
    r('GET', '/v1/customers/:id', getCustomer),
    r('POST', '/v1/customers/:id', updateCustomer),
    r('DELETE', '/v1/customers/:id', deleteCustomer),
    r('GET', '/v1/customers/:id/payment_methods', listPaymentMethods),
    r('GET', '/v1/customers/:id/payment_methods/:sub', getCustomerPaymentMethod),

    r('POST', '/v1/payment_methods', createPaymentMethod),
    r('GET', '/v1/payment_methods', listPaymentMethods),
    r('GET', '/v1/payment_methods/:id', getPaymentMethod),
    r('POST', '/v1/payment_methods/:id/attach', attachPaymentMethod),
    r('POST', '/v1/payment_methods/:id/detach', detachPaymentMethod),

    r('POST', '/v1/setup_intents', createSetupIntent),
    r('GET', '/v1/setup_intents', listSetupIntents),
    r('GET', '/v1/setup_intents/:id', getSetupIntent),
    r('POST', '/v1/setup_intents/:id', updateSetupIntent),
    r('POST', '/v1/setup_intents/:id/confirm', confirmSetupIntent),
    r('POST', '/v1/setup_intents/:id/cancel', cancelSetupIntent),

    r('POST', '/v1/payment_intents', createPaymentIntent),
    r('GET', '/v1/payment_intents', listPaymentIntents),
    r('GET', '/v1/payment_intents/:id', getPaymentIntent),
    r('POST', '/v1/payment_intents/:id', updatePaymentIntent),
    r('POST', '/v1/payment_intents/:id/confirm', confirmPaymentIntent),
    r('POST', '/v1/payment_intents/:id/cancel', cancelPaymentIntent),
    r('POST', '/v1/payment_intents/:id/capture', capturePaymentIntent),

    r('GET', '/v1/charges', listCharges),
    r('GET', '/v1/charges/:id', getCharge),
    r('POST', '/v1/refunds', createRefund),
    r('GET', '/v1/refunds', listRefunds),
    r('GET', '/v1/refunds/:id', getRefund),
    r('POST', '/v1/refunds/:id', updateRefund),
    r('GET', '/v1/application_fees', listApplicationFees),
    r('GET', '/v1/application_fees/:id', getApplicationFee),
    r('POST', '/v1/application_fees/:id/refunds', createFeeRefund),
    r('GET', '/v1/application_fees/:id/refunds', listFeeRefunds),
    r('GET', '/v1/transfers', listTransfers),
    r('GET', '/v1/transfers/:id', getTransfer),
    r('GET', '/v1/disputes', listDisputes),
    r('GET', '/v1/disputes/:id', getDispute),
    r('POST', '/v1/disputes/:id', updateDispute),
    r('POST', '/v1/disputes/:id/close', acceptDispute),

    r('GET', '/v1/events', listEvents),
    r('GET', '/v1/events/:id', getEvent),
    r('POST', '/v1/webhook_endpoints', (s, ctx) => webhooks.create(s, ctx)),
    r('GET', '/v1/webhook_endpoints', (s, ctx) => webhooks.list(s, ctx)),
    r('GET', '/v1/webhook_endpoints/:id', (s, ctx) => webhooks.retrieve(s, ctx)),
    r('POST', '/v1/webhook_endpoints/:id', (s, ctx) => webhooks.update(s, ctx)),
    r('DELETE', '/v1/webhook_endpoints/:id', (s, ctx) => webhooks.remove(s, ctx)),

    // Test hooks: what a customer, a bank or Stripe's dashboard would do.
    r('POST', '/__test/accounts/:id', setAccountState),
    r('POST', '/__test/payment_intents/:id/pay', testPay),
    r('POST', '/__test/setup_intents/:id/confirm', testConfirmSetupIntent),
    r('POST', '/__test/payment_methods/:id', setPaymentMethodState),
    r('POST', '/__test/charges/:id/dispute', testDispute),
    r('POST', '/__test/disputes/:id/close', testCloseDispute),
    r('POST', '/__test/events/:id/redeliver', testRedeliver),
  ];
}

export interface Page {
  status: number;
  location?: string;
  html: string;
}

const escapeHtml = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, body: string, location?: string): Page {
  return {
    status,
    location,
    html: `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
      + `<body style="font-family:system-ui;max-width:36rem;margin:4rem auto"><h1>${escapeHtml(title)}</h1>${body}</body>`,
  };
}

/** Browser pages: GET only, no API key (the link's token is the credential). */
export function browserPage(s: StripeState, path: string, query: URLSearchParams): Page | undefined {
  let m = /^\/connect\/onboard\/(acct_[A-Za-z0-9]+)$/.exec(path);
  if (m) {
    const r = visitOnboardingLink(s, m[1] as string, query);
    return page(r.status, 'Stripe stand-in: Connect onboarding', `<p>${escapeHtml(r.text)}</p>`, r.location);
  }
  m = /^\/connect\/dashboard\/(acct_[A-Za-z0-9]+)$/.exec(path);
  if (m) {
    const a = s.accounts.get(m[1] as string);
    if (!a) return page(404, 'No such account', '');
    return page(200, `Express dashboard: ${a.id}`, `<p>charges_enabled: ${a.charges_enabled}, payouts_enabled: ${a.payouts_enabled}</p>`);
  }
  m = /^\/receipts\/(ch_[A-Za-z0-9]+)$/.exec(path);
  if (m) {
    const ch = s.charges.get(m[1] as string);
    if (!ch) return page(404, 'No such receipt', '');
    return page(200, `Receipt ${ch.id}`, `<p>${ch.amount} ${escapeHtml(ch.currency)} · ${ch.status} · refunded ${ch.amount_refunded}</p>`);
  }
  m = /^\/authenticate\/((?:pi|seti)_[A-Za-z0-9]+)$/.exec(path);
  if (m) return authenticationPage(s, m[1] as string, query);
  return undefined;
}

/**
 * The 3-D Secure page of `next_action`: without `outcome` it offers both
 * answers; `outcome=succeed|fail` settles the intent and, with a return_url,
 * redirects there with Stripe's query (`payment_intent`, `..._client_secret`, `redirect_status`).
 */
function authenticationPage(s: StripeState, intentId: string, query: URLSearchParams): Page {
  const pending = s.pendingAuth.get(intentId);
  const token = query.get('token') ?? '';
  if (!pending || pending.token !== token) return page(404, 'Authentication', '<p>This authentication request is not pending.</p>');
  const outcome = query.get('outcome');
  if (outcome !== 'succeed' && outcome !== 'fail') {
    const link = (o: string) => `/authenticate/${intentId}?token=${encodeURIComponent(token)}&outcome=${o}`;
    return page(200, '3D Secure test page', `<p><a href="${link('succeed')}">Complete authentication</a></p><p><a href="${link('fail')}">Fail authentication</a></p>`);
  }
  const passed = outcome === 'succeed';
  const isPayment = intentId.startsWith('pi_');
  let status: string;
  let secret: string;
  if (isPayment) {
    const pi = s.paymentIntents.get(intentId);
    if (!pi) return page(404, 'Authentication', '');
    finishPaymentAuthentication(s, pi, passed);
    status = pi.status;
    secret = pi.client_secret;
  } else {
    const si = s.setupIntents.get(intentId);
    if (!si) return page(404, 'Authentication', '');
    finishSetupAuthentication(s, si, passed);
    status = si.status;
    secret = si.client_secret;
  }
  const redirectStatus = status === 'succeeded' || status === 'requires_capture' ? 'succeeded' : 'failed';
  if (!pending.returnUrl) return page(200, 'Authentication finished', `<p>${escapeHtml(intentId)}: ${escapeHtml(status)}</p>`);
  const back = new URL(pending.returnUrl);
  const kind = isPayment ? 'payment_intent' : 'setup_intent';
  back.searchParams.set(kind, intentId);
  back.searchParams.set(`${kind}_client_secret`, secret);
  back.searchParams.set('redirect_status', redirectStatus);
  return page(303, 'Authentication finished', '', back.toString());
}
