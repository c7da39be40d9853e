/**
 * Local stand-in for the slice of the Stripe REST API BookedBarber uses: a
 * Connect platform taking deposits.
 *
 * Point the `stripe` SDK at it with `{ host, port, protocol: 'http' }`. It
 * speaks form-encoded requests (`a[b]=c`, `a[0]=x`), checks the secret key,
 * honours `Idempotency-Key` and `Stripe-Account`, keeps everything in memory
 * with deterministic ids per run (see idSeed), follows Stripe's state machines for the test
 * payment methods, and POSTs signed webhook events on state changes. There is
 * no usable Stripe mock on npm (DESIGN.md §6), hence this file and dev/stripe/:
 *
 *   core.ts      form decoding, parameter readers, Stripe-shaped errors, ids
 *   state.ts     objects, owners (platform / connected account), events, lists, expand
 *   connect.ts   accounts, account links + the onboarding page, capabilities
 *   customers.ts customers, payment methods and test cards, SetupIntents, 3-D Secure
 *   payments.ts  PaymentIntents, charges, application fees, transfers, refunds, disputes, balance
 *   webhooks.ts  signing and delivery, webhook_endpoints, events API
 *   routes.ts    the route table, test hooks and browser pages
 *
 * Test hooks (same key, form or JSON body, `Stripe-Account` honoured; from the
 * SDK: `stripe.rawRequest('POST', path, params)`):
 *   POST /__test/payment_intents/:id/pay      pay as the customer would (payment_method, default pm_card_visa; 3-D Secure passed)
 *   POST /__test/setup_intents/:id/confirm    save a card as the customer would (same defaults)
 *   POST /__test/accounts/:id                 set account state: complete=true, or charges_enabled, payouts_enabled,
 *                                             details_submitted, capabilities[x], requirements[...]
 *   POST /__test/payment_methods/:id          decline_code=insufficient_funds|…: later charges on the card decline ('' = approve again)
 *   POST /__test/charges/:id/dispute          open a dispute (amount?, reason?)
 *   POST /__test/disputes/:id/close           status=won|lost|warning_closed
 *   POST /__test/events/:id/redeliver         deliver an event again
 * Browser pages (no key): GET /connect/onboard/:acct?link=… (account links), GET /authenticate/:intent?token=…
 * (3-D Secure `next_action` urls; `&outcome=succeed|fail`), /connect/dashboard/:acct, /receipts/:charge.
 *
 * Webhooks go to `webhookUrl` (every event) signed with `webhookSecret`, and to
 * endpoints created with `webhookEndpoints.create` (their own secret, their
 * `enabled_events`, `connect` for connected-account events).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeServer, debugFor, listen, PayloadTooLarge, readBody } from './http.ts';
import {
  DEFAULT_API_VERSION, decodeForm, invalid, StripeApiError, type Json, type Param, type Params,
} from './stripe/core.ts';
import { apiRoutes, browserPage, type Route } from './stripe/routes.ts';
import { StripeState, type Ctx, type EventRecord } from './stripe/state.ts';
import { Webhooks } from './stripe/webhooks.ts';

export { signatureHeader } from './stripe/webhooks.ts';
export { TEST_CARDS } from './stripe/customers.ts';

export interface StripeStandinOptions {
  port?: number;
  host?: string;
  /** The `sk_test_...` key requests must present. */
  secretKey: string;
  /** `whsec_...`; with webhookUrl, every event is delivered there, signed with it. */
  webhookSecret?: string;
  webhookUrl?: string;
  /**
   * Seed for ids: within a run ids are a deterministic sequence (the n-th `pi_`
   * is HMAC(seed, "pi:n")), so the same seed and the same calls give the same
   * ids. Defaults to STRIPE_STANDIN_SEED, else a fresh seed per start: the
   * database outlives the in-memory stand-in, and a replayed `evt_` or `pi_`
   * would collide with stored rows (webhook dedup, unique intent ids).
   */
  idSeed?: string;
  /** Origin browsers use to reach the stand-in (onboarding and 3-D Secure links); defaults to its own URL. */
  publicUrl?: string;
  /** Clock for `created` and link expiry (ms since the epoch); signatures always use the real time. */
  clock?: () => number;
}

export interface StripeStandin {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
  /**
   * Test helper: records an event of `type` wrapping `object` and POSTs it,
   * signed, to webhookUrl once (no retries), resolving to the endpoint's response.
   */
  sendEvent(type: string, object: unknown): Promise<Response>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const IDEMPOTENCY_CACHE_SIZE = 10_000;

// ---------------------------------------------------------------------------
// Idempotency

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: string;
}

/**
 * Same key + same request → replay; same key + different request → idempotency_error. "Same"
 * is method, path and parameter values (key order aside), scoped to the `Stripe-Account`.
 */
class IdempotencyCache {
  private readonly entries = new Map<string, StoredResponse>();

  lookup(key: string, fingerprint: string, shownKey: string): StoredResponse | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.fingerprint !== fingerprint) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${shownKey}' if you meant to execute a different request.`,
      });
    }
    return hit;
  }

  store(key: string, value: StoredResponse): void {
    if (this.entries.size >= IDEMPOTENCY_CACHE_SIZE) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}

// ---------------------------------------------------------------------------
// HTTP

const debug = debugFor('stripe-standin');

function send(res: ServerResponse, status: number, body: string, requestId: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'request-id': requestId,
    'stripe-version': extra['stripe-version'] ?? DEFAULT_API_VERSION,
    ...extra,
  });
  res.end(body);
}

function errorJson(e: StripeApiError, requestId: string): string {
  return JSON.stringify({ error: { ...e.body, request_log_url: null, request_id: requestId } }, null, 2);
}

/** Accepts `Bearer sk_...` (the SDK) and `Basic base64(sk_...:)` (curl -u). */
function presentedKey(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(h);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(h);
  if (basic) return Buffer.from(basic[1] as string, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

const maskKey = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

function authError(key: string | undefined): StripeApiError {
  const message = key
    ? `Invalid API Key provided: ${maskKey(key)}`
    : 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').';
  return invalid(message, { code: key ? 'api_key_invalid' : 'api_key_missing' }, 401);
}

function sameKey(given: string | undefined, want: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A JSON body (curl, a demo page's fetch) read as the form decoder would: every leaf a string. */
function jsonParams(text: string): Params {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('Invalid JSON body.');
  }
  const conv = (v: unknown): Param => {
    if (Array.isArray(v)) return v.map(conv);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    return v === null || v === undefined ? '' : String(v);
  };
  const out = conv(parsed);
  if (typeof out !== 'object' || Array.isArray(out)) throw invalid('The JSON body must be an object.');
  return out;
}

interface App {
  state: StripeState;
  routes: Route[];
  idempotency: IdempotencyCache;
  secretKey: string;
}

/** `Stripe-Account`: a connected account of this platform, or 403 like Stripe. */
function actingAccount(app: App, req: IncomingMessage): string | null {
  const h = req.headers['stripe-account'];
  const id = typeof h === 'string' ? h.trim() : '';
  if (id === '' || id === app.state.platformId) return null;
  const a = app.state.accounts.get(id);
  if (!a || a.deleted) {
    throw invalid(
      `The provided key '${maskKey(app.secretKey)}' does not have access to account '${id}' (or that account does not exist). Application access may have been revoked.`,
      { code: 'account_invalid' },
      403,
    );
  }
  return id;
}

async function handle(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = app.state.id('req', 14);
  const url = new URL(req.url ?? '/', 'http://stripe.local');
  const method = req.method ?? 'GET';
  if (method === 'GET') {
    const found = browserPage(app.state, url.pathname, url.searchParams);
    if (found) {
      res.writeHead(found.status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        ...(found.location ? { location: found.location } : {}),
      });
      res.end(found.html);
      return;
    }
  }
  const apiVersion = String(req.headers['stripe-version'] ?? DEFAULT_API_VERSION);
  const reply = (status: number, body: string, extra: Record<string, string> = {}) =>
    send(res, status, body, requestId, { 'stripe-version': apiVersion, ...extra });
  let text: string;
  try {
    text = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
  } catch (e) {
    if (e instanceof PayloadTooLarge) {
      reply(413, errorJson(invalid('Request body too large.'), requestId));
      res.once('finish', () => req.destroy());
    } else req.destroy();
    return;
  }
  try {
    const key = presentedKey(req);
    if (!sameKey(key, app.secretKey)) throw authError(key);
    const found = matchRoute(app.routes, method, url.pathname);
    const account = actingAccount(app, req);
    const isJson = /^application\/json/i.test(String(req.headers['content-type'] ?? '')) && text.trim() !== '';
    const params = method === 'POST' ? (isJson ? jsonParams(text) : decodeForm(text)) : decodeForm(url.search.slice(1));
    const idemKey = method === 'POST' ? req.headers['idempotency-key'] : undefined;
    const idempotencyKey = typeof idemKey === 'string' && idemKey !== '' ? idemKey : undefined;
    // Stripe scopes keys to the account the request acts as.
    const cacheKey = `${account ?? ''}\n${idempotencyKey}`;
    // Stripe compares the parameters, not the bytes: the same values in another order replay.
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${canonicalJson(params)}`).digest('hex');
    if (idempotencyKey) {
      const hit = app.idempotency.lookup(cacheKey, fingerprint, idempotencyKey);
      if (hit) {
        reply(hit.status, hit.body, { 'idempotent-replayed': 'true', 'idempotency-key': idempotencyKey });
        return;
      }
    }
    const ctx: Ctx = { params, id: found.id, sub: found.sub, requestId, idempotencyKey, apiVersion, account };
    let status = 200;
    let body: string;
    try {
      const result = found.route.handler(app.state, ctx);
      body = JSON.stringify(app.state.expand(result, params, account), null, 2);
    } catch (e) {
      // Stripe saves results once an endpoint started executing (card declines
      // included) but not plain validation failures, which may be retried.
      if (!(e instanceof StripeApiError) || e.status !== 402) throw e;
      status = 402;
      body = errorJson(e, requestId);
    }
    if (idempotencyKey) app.idempotency.store(cacheKey, { fingerprint, status, body });
    reply(status, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  } catch (e) {
    if (e instanceof StripeApiError) {
      reply(e.status, errorJson(e, requestId));
      return;
    }
    debug('internal error', e);
    reply(500, errorJson(new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' }), requestId));
  }
}

/** Params as JSON with every object's keys sorted (arrays keep their order). */
function canonicalJson(p: Param): string {
  if (typeof p === 'string') return JSON.stringify(p);
  if (Array.isArray(p)) return `[${p.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(p).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(p[k] as Param)}`).join(',')}}`;
}

function matchRoute(all: Route[], method: string, path: string): { route: Route; id?: string; sub?: string } {
  let pathKnown = false;
  for (const route of all) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (route.method === method) return { route, id: m[1], sub: m[2] };
  }
  // Stripe answers an unsupported method on a known path with 404 too.
  const hint = pathKnown ? ' This path exists, but not for this method.' : '';
  throw invalid(`Unrecognized request URL (${method}: ${path}).${hint} Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {}, 404);
}

export async function startStripeStandin(opts: StripeStandinOptions): Promise<StripeStandin> {
  if (!opts.secretKey) throw new Error('startStripeStandin: secretKey is required');
  const host = opts.host ?? '127.0.0.1';
  const webhooks = new Webhooks(opts.webhookUrl, opts.webhookSecret);
  const seed = opts.idSeed ?? (process.env.STRIPE_STANDIN_SEED || randomBytes(16).toString('hex'));
  const state = new StripeState({ seed, clock: opts.clock ?? Date.now, sink: webhooks });
  const app: App = { state, routes: apiRoutes(webhooks), idempotency: new IdempotencyCache(), secretKey: opts.secretKey };
  const server = createServer((req, res) => {
    handle(app, req, res).catch((e: unknown) => {
      debug('unhandled', e);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  const address = await listen(server, opts.port ?? 0, host);
  const url = `http://${host}:${address.port}`;
  state.publicUrl = (opts.publicUrl ?? url).replace(/\/$/, '');
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port: address.port,
    close: () => {
      closing ??= Promise.all([closeServer(server), webhooks.close()]).then(() => undefined);
      return closing;
    },
    sendEvent: async (type, object) => {
      if (!webhooks.configured) throw new Error('sendEvent needs webhookUrl and webhookSecret');
      // Recorded without queued delivery: the caller gets this one response.
      const event: EventRecord = {
        id: state.id('evt'),
        object: 'event',
        api_version: DEFAULT_API_VERSION,
        created: state.now(),
        data: { object: structuredClone(object) as Json },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      };
      state.events.set(event.id, event);
      return webhooks.configured.post(event);
    },
  };
}
