/**
 * Webhook delivery: the endpoint configured at start (every event, platform
 * and Connect) plus any created through `webhook_endpoints.create` (filtered
 * by `enabled_events` and `connect`, as Stripe does). Each endpoint gets its
 * events one at a time, in order, signed `Stripe-Signature: t=...,v1=HMAC`,
 * and non-2xx answers are retried with backoff.
 */
import { createHmac } from 'node:crypto';
import {
  allowOnly, bool, invalid, metadataOf, missingParam, noSuch, str, strings, type JsonObject, type Params,
} from './core.ts';
import { debugFor } from '../http.ts';
import { LIST_PARAMS, type Ctx, type EventRecord, type EventSink, type StripeState } from './state.ts';

const WEBHOOK_ATTEMPTS = 4;
const WEBHOOK_TIMEOUT_MS = 10_000;

const debug = debugFor('stripe-standin');

/** What `stripe.webhooks.constructEventAsync` verifies: HMAC-SHA256 of `${t}.${payload}`. */
export function signatureHeader(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    if (signal.aborted) return resolveSleep();
    const t = setTimeout(resolveSleep, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolveSleep();
    }, { once: true });
  });
}

/** One endpoint's ordered delivery queue. */
class Dispatcher {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly url: string,
    readonly secret: string,
    private readonly abort: AbortSignal,
  ) {}

  post(event: EventRecord): Promise<Response> {
    const payload = JSON.stringify(event, null, 2);
    return fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signatureHeader(payload, this.secret),
      },
      body: payload,
      signal: AbortSignal.any([this.abort, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
    });
  }

  /** Queued after the API response, as Stripe delivers asynchronously. */
  enqueue(event: EventRecord): void {
    this.chain = this.chain.then(() => this.deliver(event));
  }

  private async deliver(event: EventRecord): Promise<void> {
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS && !this.abort.aborted; attempt++) {
      try {
        const res = await this.post(event);
        await res.arrayBuffer().catch(() => undefined); // free the socket
        if (res.ok) return;
        debug(`webhook ${event.type} → ${this.url} HTTP ${res.status} (attempt ${attempt})`);
      } catch (e) {
        debug(`webhook ${event.type} → ${this.url} failed (attempt ${attempt}): ${(e as Error).message}`);
      }
      await sleep(100 * 4 ** (attempt - 1), this.abort);
    }
  }

  settled(): Promise<void> {
    return this.chain.catch(() => undefined);
  }
}

interface RegisteredEndpoint {
  object: JsonObject & { id: string; url: string; enabled_events: string[]; status: string };
  connect: boolean;
  secret: string;
  dispatcher: Dispatcher;
}

export class Webhooks implements EventSink {
  private readonly abort = new AbortController();
  /** The endpoint from the start options: receives everything. */
  readonly configured: Dispatcher | undefined;
  readonly endpoints = new Map<string, RegisteredEndpoint>();

  constructor(url: string | undefined, secret: string | undefined) {
    this.configured = url && secret ? new Dispatcher(url, secret, this.abort.signal) : undefined;
  }

  private accepting(event: EventRecord): Dispatcher[] {
    const out = this.configured ? [this.configured] : [];
    for (const e of this.endpoints.values()) {
      if (e.object.status !== 'enabled') continue;
      if (e.connect !== Boolean(event.account)) continue; // Connect endpoints get connected accounts' events only
      if (!e.object.enabled_events.includes('*') && !e.object.enabled_events.includes(event.type)) continue;
      out.push(e.dispatcher);
    }
    return out;
  }

  recipients(event: EventRecord): number {
    return this.accepting(event).length;
  }

  enqueue(event: EventRecord): void {
    for (const d of this.accepting(event)) d.enqueue(event);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all([this.configured?.settled(), ...[...this.endpoints.values()].map((e) => e.dispatcher.settled())]);
  }

  // --- the webhook_endpoints API ------------------------------------------

  create(s: StripeState, ctx: Ctx): JsonObject {
    const p = ctx.params;
    allowOnly(p, ['url', 'enabled_events', 'api_version', 'connect', 'description', 'metadata']);
    const url = str(p, 'url');
    if (!url) throw missingParam('url');
    if (!/^https?:\/\//.test(url)) throw invalid('Invalid URL: URL must be publicly accessible and use http or https.', { code: 'url_invalid', param: 'url' });
    const events = enabledEvents(p);
    const id = s.id('we');
    const secret = `whsec_${s.ids.token(`whsec:${id}`, 32)}`;
    const object: RegisteredEndpoint['object'] = {
      id,
      object: 'webhook_endpoint',
      api_version: str(p, 'api_version') ?? null,
      application: null,
      created: s.now(),
      description: str(p, 'description') ?? null,
      enabled_events: events,
      livemode: false,
      metadata: metadataOf(p),
      status: 'enabled',
      url,
    };
    this.endpoints.set(id, { object, connect: bool(p, 'connect') ?? false, secret, dispatcher: new Dispatcher(url, secret, this.abort.signal) });
    return { ...object, secret }; // the secret is only ever shown at creation
  }

  private find(id: string): RegisteredEndpoint {
    const e = this.endpoints.get(id);
    if (!e) throw noSuch('webhook endpoint', id);
    return e;
  }

  retrieve(_s: StripeState, ctx: Ctx): JsonObject {
    return this.find(ctx.id as string).object;
  }

  update(_s: StripeState, ctx: Ctx): JsonObject {
    const p = ctx.params;
    allowOnly(p, ['url', 'enabled_events', 'description', 'disabled', 'metadata']);
    const e = this.find(ctx.id as string);
    if (p.enabled_events !== undefined) e.object.enabled_events = enabledEvents(p);
    if (p.description !== undefined) e.object.description = str(p, 'description') ?? null;
    const disabled = bool(p, 'disabled');
    if (disabled !== undefined) e.object.status = disabled ? 'disabled' : 'enabled';
    const url = str(p, 'url');
    if (url) {
      e.object.url = url;
      e.dispatcher = new Dispatcher(url, e.secret, this.abort.signal);
    }
    e.object.metadata = metadataOf(p, e.object.metadata as Record<string, string>);
    return e.object;
  }

  remove(_s: StripeState, ctx: Ctx): JsonObject {
    const e = this.find(ctx.id as string);
    this.endpoints.delete(e.object.id);
    return { id: e.object.id, object: 'webhook_endpoint', deleted: true };
  }

  list(s: StripeState, ctx: Ctx): JsonObject {
    allowOnly(ctx.params, LIST_PARAMS);
    return s.list([...this.endpoints.values()].map((e) => e.object), ctx.params, '/v1/webhook_endpoints');
  }
}

function enabledEvents(p: Params): string[] {
  const events = strings(p, 'enabled_events');
  if (!events || events.length === 0) throw missingParam('enabled_events');
  for (const [i, e] of events.entries()) {
    if (e !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(e)) {
      throw invalid(`Invalid enabled_events[${i}]: must be '*' or an event type such as payment_intent.succeeded`, { param: `enabled_events[${i}]` });
    }
  }
  return events;
}

// --- events API --------------------------------------------------------------

function typeMatches(type: string, pattern: string): boolean {
  if (!pattern.includes('*')) return type === pattern;
  const re = new RegExp(`^${pattern.split('*').map((x) => x.replace(/[.]/g, '\\.')).join('.*')}$`);
  return re.test(type);
}

export function getEvent(s: StripeState, ctx: Ctx): JsonObject {
  return s.find(s.events, ctx.id as string, ctx.account, 'event');
}

/** `events.list`: newest first, `type` (with `*` wildcards, e.g. `charge.dispute.*`) or `types[]`. */
export function listEvents(s: StripeState, ctx: Ctx): JsonObject {
  const p = ctx.params;
  allowOnly(p, [...LIST_PARAMS, 'type', 'types', 'delivery_success']);
  const type = str(p, 'type');
  const types = strings(p, 'types');
  if (type && types) throw invalid('You may only specify one of these parameters: type, types.', { param: 'types' });
  const rows = s.visible(s.events, ctx.account).filter((e) =>
    (type === undefined || typeMatches(e.type, type)) && (types === undefined || types.includes(e.type)));
  return s.list(rows, p, '/v1/events');
}

/** Test hook `POST /__test/events/:id/redeliver`: sends an event again (duplicate deliveries happen with Stripe). */
export function testRedeliver(s: StripeState, ctx: Ctx): JsonObject {
  allowOnly(ctx.params, []);
  const event = s.find(s.events, ctx.id as string, ctx.account, 'event');
  s.redeliver(event);
  return event;
}
