/**
 * The stand-in's in-memory world: every object by id, which account owns it
 * (the platform, or a connected account reached with `Stripe-Account`),
 * events, lists with Stripe's cursor pagination, and `expand[]`.
 */
import {
  DEFAULT_API_VERSION, IdGen, int, invalid, noSuch, strings, type Json, type JsonObject, type Params,
} from './core.ts';

/** One API request as the handlers see it. */
export interface Ctx {
  params: Params;
  /** First and second path ids (`/v1/customers/:id/payment_methods/:sub`). */
  id?: string;
  sub?: string;
  requestId: string;
  idempotencyKey?: string;
  apiVersion: string;
  /** The `Stripe-Account` header: the connected account acted as; null = the platform itself. */
  account: string | null;
}

export type Owner = string | null;

export interface EventRecord extends JsonObject {
  id: string;
  object: 'event';
  type: string;
  created: number;
  api_version: string;
  livemode: false;
  pending_webhooks: number;
  data: JsonObject & { object: Json };
  request: { id: string | null; idempotency_key: string | null };
}

/** Where events go: the webhook endpoints (counted for `pending_webhooks`, then queued). */
export interface EventSink {
  recipients(event: EventRecord): number;
  enqueue(event: EventRecord): void;
}

// Object shapes the handlers rely on (each carries more Stripe fields besides).
export interface Account extends JsonObject {
  id: string;
  object: 'account';
  type: string;
  email: string | null;
  country: string;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  capabilities: Record<string, string>;
  requirements: JsonObject;
  metadata: Record<string, string>;
}

export interface Customer extends JsonObject {
  id: string;
  object: 'customer';
  metadata: Record<string, string>;
  invoice_settings: JsonObject & { default_payment_method: string | null };
}

export interface PaymentMethod extends JsonObject {
  id: string;
  object: 'payment_method';
  customer: string | null;
  type: 'card';
  metadata: Record<string, string>;
}

export type PiStatus =
  | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing'
  | 'requires_capture' | 'canceled' | 'succeeded';

export interface PaymentIntent extends JsonObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: PiStatus;
  capture_method: string;
  confirmation_method: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  payment_method_types: string[];
  latest_charge: string | null;
  last_payment_error: JsonObject | null;
  next_action: JsonObject | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  client_secret: string;
  application_fee_amount: number | null;
  on_behalf_of: string | null;
  transfer_data: { destination: string; amount?: number } | null;
  transfer_group: string | null;
  setup_future_usage: string | null;
  created: number;
  livemode: false;
}

export interface Charge extends JsonObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  currency: string;
  customer: string | null;
  payment_intent: string;
  payment_method: string;
  paid: boolean;
  refunded: boolean;
  disputed: boolean;
  status: 'succeeded' | 'failed';
  application_fee: string | null;
  application_fee_amount: number | null;
  transfer: string | null;
  metadata: Record<string, string>;
}

export interface SetupIntent extends JsonObject {
  id: string;
  object: 'setup_intent';
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'canceled' | 'succeeded';
  customer: string | null;
  payment_method: string | null;
  metadata: Record<string, string>;
  last_setup_error: JsonObject | null;
  next_action: JsonObject | null;
  client_secret: string;
}

export interface ApplicationFee extends JsonObject {
  id: string;
  object: 'application_fee';
  account: string;
  amount: number;
  amount_refunded: number;
  refunded: boolean;
  charge: string;
  currency: string;
  refunds: JsonObject & { data: JsonObject[]; total_count: number };
}

export interface Transfer extends JsonObject {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  reversed: boolean;
  currency: string;
  destination: string;
  reversals: JsonObject & { data: JsonObject[]; total_count: number };
}

export interface Dispute extends JsonObject {
  id: string;
  object: 'dispute';
  amount: number;
  charge: string;
  status: string;
  metadata: Record<string, string>;
  evidence: JsonObject;
  evidence_details: JsonObject & { submission_count: number; has_evidence: boolean };
}

/** Pending 3-D Secure: the url token and where the browser goes afterwards. */
export interface PendingAuth {
  token: string;
  returnUrl: string | null;
}

/** A hosted onboarding link: single use, short-lived, like Stripe's. */
export interface OnboardingLink {
  account: string;
  type: string;
  refreshUrl: string | null;
  returnUrl: string | null;
  expiresAt: number;
  used: boolean;
}

export interface StateOptions {
  seed: string;
  /** Milliseconds since the epoch; `created` and link expiry read it. */
  clock: () => number;
  sink: EventSink;
}

export class StripeState {
  readonly ids: IdGen;
  readonly platformId: string;
  /** Where the browser reaches the stand-in (onboarding and 3-D Secure pages); set once listening. */
  publicUrl = 'http://127.0.0.1';

  readonly accounts = new Map<string, Account>();
  readonly customers = new Map<string, Customer>();
  readonly paymentMethods = new Map<string, PaymentMethod>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, JsonObject & { id: string }>();
  readonly setupIntents = new Map<string, SetupIntent>();
  readonly applicationFees = new Map<string, ApplicationFee>();
  readonly transfers = new Map<string, Transfer>();
  readonly disputes = new Map<string, Dispute>();
  readonly events = new Map<string, EventRecord>();

  readonly onboardingLinks = new Map<string, OnboardingLink>();
  readonly pendingAuth = new Map<string, PendingAuth>();
  /** Payment methods used once without a customer: Stripe refuses to reuse them. */
  readonly consumedPaymentMethods = new Set<string>();

  private readonly owners = new Map<string, Owner>();
  private readonly index = new Map<string, JsonObject>();
  private readonly clock: () => number;
  private readonly sink: EventSink;

  constructor(opts: StateOptions) {
    this.ids = new IdGen(opts.seed);
    this.clock = opts.clock;
    this.sink = opts.sink;
    this.platformId = `acct_${this.ids.token('platform', 16)}`;
  }

  /** Seconds, as Stripe's `created` fields. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  id(prefix: string, length = 24): string {
    return this.ids.next(prefix, length);
  }

  /** Stores an object under its id and records its owner. */
  put<T extends JsonObject & { id: string }>(map: Map<string, T>, obj: T, owner: Owner): T {
    map.set(obj.id, obj);
    this.owners.set(obj.id, owner);
    this.index.set(obj.id, obj);
    return obj;
  }

  ownerOf(id: string): Owner {
    return this.owners.get(id) ?? null;
  }

  /** The object if it exists and belongs to `owner`; Stripe answers 404 for another account's objects. */
  find<T extends JsonObject>(map: Map<string, T>, id: string, owner: Owner, what: string, param = 'id'): T {
    const found = map.get(id);
    if (!found || this.ownerOf(id) !== owner) throw noSuch(what, id, param);
    return found;
  }

  /** Objects of `map` that `owner` can see, oldest first. */
  visible<T extends JsonObject>(map: Map<string, T>, owner: Owner): T[] {
    return [...map.values()].filter((o) => this.ownerOf(o.id as string) === owner);
  }

  account(id: string, param = 'account'): Account {
    const a = this.accounts.get(id);
    if (!a || a.deleted) throw noSuch('account', id, param);
    return a;
  }

  /**
   * Records an event and hands it to the webhook endpoints. `data.object` is a
   * snapshot, so later mutations do not rewrite history. Events about a
   * connected account's objects carry `account`, as Connect events do.
   */
  emit(type: string, object: JsonObject, owner: Owner, ctx?: Ctx, previous?: JsonObject): EventRecord {
    const data: EventRecord['data'] = { object: structuredClone(object) };
    if (previous && Object.keys(previous).length > 0) data.previous_attributes = structuredClone(previous);
    const event: EventRecord = {
      id: this.id('evt'),
      object: 'event',
      ...(owner ? { account: owner } : {}),
      api_version: ctx?.apiVersion ?? DEFAULT_API_VERSION,
      created: this.now(),
      data,
      livemode: false,
      pending_webhooks: 0,
      request: { id: ctx?.requestId ?? null, idempotency_key: ctx?.idempotencyKey ?? null },
      type,
    };
    event.pending_webhooks = this.sink.recipients(event);
    this.events.set(event.id, event);
    this.owners.set(event.id, owner);
    this.sink.enqueue(event);
    return event;
  }

  /** Redelivers a stored event to every endpoint that accepts it (Stripe may deliver twice; handlers must cope). */
  redeliver(event: EventRecord): void {
    this.sink.enqueue(event);
  }

  /**
   * A Stripe list: newest first, `limit` (1..100, default 10), `starting_after` /
   * `ending_before` cursors and a `created` filter (`created=t` or `created[gte]=t`...).
   */
  list(items: JsonObject[], p: Params, url: string): JsonObject {
    const limit = int(p, 'limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalid('This value must be between 1 and 100.', { code: 'parameter_invalid_integer', param: 'limit' });
    let rows = items.filter((o) => createdMatches(o.created as number, p.created)).reverse();
    const after = p.starting_after;
    const before = p.ending_before;
    let hasMore: boolean;
    if (typeof before === 'string' && before !== '') {
      const at = rows.findIndex((o) => o.id === before);
      if (at < 0) throw invalid(`No such object: '${before}'`, { code: 'resource_missing', param: 'ending_before' });
      rows = rows.slice(0, at);
      hasMore = rows.length > limit;
      rows = rows.slice(-limit);
    } else {
      if (typeof after === 'string' && after !== '') {
        const at = rows.findIndex((o) => o.id === after);
        if (at < 0) throw invalid(`No such object: '${after}'`, { code: 'resource_missing', param: 'starting_after' });
        rows = rows.slice(at + 1);
      }
      hasMore = rows.length > limit;
      rows = rows.slice(0, limit);
    }
    return { object: 'list', data: rows, has_more: hasMore, url };
  }

  /** Applies `expand[]` paths (`latest_charge`, `data.customer`, `latest_charge.transfer`) to a response. */
  expand(body: JsonObject, p: Params, owner: Owner): JsonObject {
    const paths = strings(p, 'expand') ?? [];
    if (paths.length === 0) return body;
    const out = structuredClone(body);
    for (const path of paths) this.expandPath(out, path.split('.'), path, owner);
    return out;
  }

  private expandPath(node: JsonObject, segs: string[], full: string, owner: Owner): void {
    const [head, ...rest] = segs;
    if (head === undefined) return;
    if (!(head in node)) throw invalid(`This property cannot be expanded (${full}).`, { param: 'expand' });
    const value = node[head];
    if (head === 'data' && Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object' && !Array.isArray(item)) this.expandPath(item, rest, full, owner);
      return;
    }
    if (typeof value === 'string') {
      const target = this.index.get(value);
      const ownerOk = target && (this.ownerOf(value) === owner || target.object === 'account');
      // Ids of objects the stand-in does not model (txn_, py_) stay ids.
      if (target && ownerOk) node[head] = structuredClone(target);
    }
    const next = node[head];
    if (rest.length > 0 && next && typeof next === 'object' && !Array.isArray(next)) this.expandPath(next, rest, full, owner);
  }
}

function createdMatches(created: number, filter: Params[string] | undefined): boolean {
  if (filter === undefined || filter === '') return true;
  if (typeof filter === 'string') return created === Number(filter);
  if (Array.isArray(filter)) return true;
  const bound = (k: string) => (typeof filter[k] === 'string' ? Number(filter[k]) : undefined);
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return (gt === undefined || created > gt) && (gte === undefined || created >= gte)
    && (lt === undefined || created < lt) && (lte === undefined || created <= lte);
}

/** Top-level fields of `before` whose value changed: Stripe's `previous_attributes`. */
export function previousAttributes(before: JsonObject, after: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(before)) {
    if (JSON.stringify(v) !== JSON.stringify(after[k])) out[k] = v;
  }
  return out;
}

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'] as const;

/** An empty sub-list as Stripe embeds them (`refunds`, `reversals`, `external_accounts`). */
export function subList(url: string, data: JsonObject[] = []): JsonObject & { data: JsonObject[]; total_count: number } {
  return { object: 'list', data, has_more: false, total_count: data.length, url };
}
