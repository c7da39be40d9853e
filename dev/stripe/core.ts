/**
 * Building blocks of the Stripe stand-in: JSON and form-parameter types,
 * Stripe-shaped errors, the SDK's `a[b][0]=c` form decoding, parameter
 * readers that fail the way Stripe does, money rules and deterministic ids.
 */
import { createHmac } from 'node:crypto';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };
/** A decoded form body: nested objects and arrays of strings. */
export type Params = { [k: string]: Param };
export type Param = string | Param[] | Params;

/** The API version the pinned SDK (stripe 23.1.0) sends; events default to it. */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

// ---------------------------------------------------------------------------
// Errors

export interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  [k: string]: Json | undefined;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export const invalid = (message: string, extra: Partial<StripeErrorBody> = {}, status = 400) =>
  new StripeApiError(status, { type: 'invalid_request_error', message, ...extra });

export const missingParam = (param: string) =>
  invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param });

export const noSuch = (what: string, id: string, param = 'id') =>
  invalid(`No such ${what}: '${id}'`, { code: 'resource_missing', param }, 404);

// ---------------------------------------------------------------------------
// Form decoding (the SDK's qs-style `a[b][0]=c` encoding)

function setPath(target: Params, path: string[], value: string): void {
  let node: Params = target;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    // `a[]=x` appends: give it the next free numeric index.
    const key = seg === '' ? String(Object.keys(node).length) : seg;
    if (last) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Params;
  });
}

/** Objects whose keys are exactly 0..n-1 become arrays, as Stripe reads them. */
function arrayify(p: Param): Param {
  if (typeof p === 'string' || Array.isArray(p)) return p;
  const keys = Object.keys(p);
  const out: Params = {};
  for (const k of keys) out[k] = arrayify(p[k] as Param);
  const isArray = keys.length > 0 && keys.every((k, i) => k === String(i));
  return isArray ? keys.map((k) => out[k] as Param) : out;
}

export function decodeForm(text: string): Params {
  const root: Params = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    if (!m) throw invalid(`Invalid parameter name: ${rawKey}`, { code: 'parameter_unknown', param: rawKey });
    const segs = [m[1] as string, ...[...(m[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((x) => x[1] as string)];
    setPath(root, segs, value);
  }
  return arrayify(root) as Params;
}

// ---------------------------------------------------------------------------
// Parameter readers

export function str(p: Params, name: string, label = name): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid string: ${label}`, { code: 'parameter_invalid_string', param: label });
  return v;
}

export function int(p: Params, name: string, label = name): number | undefined {
  const v = str(p, name, label);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw invalid(`Invalid integer: ${v}`, { code: 'parameter_invalid_integer', param: label });
  }
  return Number(v);
}

export function bool(p: Params, name: string, label = name): boolean | undefined {
  const v = str(p, name, label);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalid(`Invalid boolean: ${v}`, { code: 'parameter_invalid_boolean', param: label });
  return v === 'true';
}

export function oneOf<T extends string>(p: Params, name: string, allowed: readonly T[], label = name): T | undefined {
  const v = str(p, name, label);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid(`Invalid ${label}: must be one of ${allowed.join(', ')}`, { code: 'parameter_invalid_empty', param: label });
  }
  return v as T;
}

/** A nested hash parameter (`a[b]=c`), or undefined; a string where a hash belongs is refused. */
export function hash(p: Params, name: string, label = name): Params | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`Invalid object: ${label}`, { code: 'parameter_invalid_empty', param: label });
  return v;
}

/** An array of strings (`a[0]=x&a[1]=y`). */
export function strings(p: Params, name: string): string[] | undefined {
  const v = p[name];
  if (v === undefined) return undefined;
  if (v === '') return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) {
    throw invalid(`Invalid array: ${name}`, { code: 'parameter_invalid_empty', param: name });
  }
  return list;
}

/** Stripe rejects parameters it does not know; catching typos early is the point. */
export function allowOnly(p: Params, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(p)) {
    if (key !== 'expand' && !allowed.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw invalid(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });
    }
  }
}

export function metadataOf(p: Params, current: Record<string, string> = {}): Record<string, string> {
  const m = p.metadata;
  if (m === undefined) return current;
  if (m === '') return {}; // `metadata=` clears everything
  if (typeof m !== 'object' || Array.isArray(m)) throw invalid('Invalid metadata', { param: 'metadata' });
  const out = { ...current };
  for (const [k, v] of Object.entries(m)) {
    // A bracket in a key arrives as a deeper nesting level, which Stripe refuses too.
    if (typeof v !== 'string') throw invalid(`Invalid value for metadata key ${k}: metadata values must be strings and keys cannot contain brackets`, { param: `metadata[${k}]` });
    if (v === '') delete out[k]; // an empty value unsets the key
    else out[k] = v;
  }
  if (Object.keys(out).length > 50) throw invalid('Metadata can have at most 50 keys', { param: 'metadata' });
  return out;
}

/** A form hash as plain JSON (strings stay strings), for echoing nested params back. */
export function paramsJson(p: Param): Json {
  if (typeof p === 'string') return p;
  if (Array.isArray(p)) return p.map(paramsJson);
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, paramsJson(v)]));
}

export function checkUrl(p: Params, name: string): string | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(`Not a valid URL`, { code: 'url_invalid', param: name });
  return v;
}

// ---------------------------------------------------------------------------
// Money

/** Minimum charge amounts in the smallest currency unit (Stripe's table, abridged). */
const MIN_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50, sek: 300, nok: 300, dkk: 250 };
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'xof', 'xaf', 'bif', 'djf', 'gnf', 'kmf', 'mga', 'pyg', 'rwf', 'ugx', 'vuv', 'xpf']);

export function currencyOf(p: Params, required: boolean): string | undefined {
  const c = str(p, 'currency')?.toLowerCase();
  if (c === undefined) {
    if (required) throw missingParam('currency');
    return undefined;
  }
  if (!/^[a-z]{3}$/.test(c)) throw invalid(`Invalid currency: ${c}`, { code: 'parameter_invalid_empty', param: 'currency' });
  return c;
}

export function formatMoney(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return currency === 'usd' ? `$${major}` : `${major} ${currency}`;
}

export function checkAmount(amount: number, currency: string, param = 'amount'): void {
  const min = MIN_AMOUNT[currency] ?? 50;
  if (amount < min) {
    throw invalid(`Amount must be at least ${formatMoney(min, currency)} ${currency}`, { code: 'amount_too_small', param });
  }
  if (amount > 99_999_999) {
    throw invalid(`Amount must be no more than ${formatMoney(99_999_999, currency)}`, { code: 'amount_too_large', param });
  }
}

/** `part` of `whole` scaled to `total`, rounded; used for proportional fee refunds and transfer reversals. */
export function proportion(total: number, part: number, whole: number): number {
  return whole <= 0 ? 0 : Math.round((total * part) / whole);
}

// ---------------------------------------------------------------------------
// Ids

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Deterministic ids: the n-th `pi_` of a run is HMAC(seed, "pi:n") in base62,
 * so the same seed and the same calls give the same ids. Counters are per
 * prefix, so unrelated traffic (health probes minting `req_` ids) does not
 * shift the ids of the objects a test cares about.
 */
export class IdGen {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: string) {
    if (!seed) throw new Error('IdGen: an empty seed would make every run collide');
  }

  next(prefix: string, length = 24): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}_${this.token(`${prefix}:${n}`, length)}`;
  }

  /** A stable token for a label (client secrets, webhook secrets). */
  token(label: string, length: number): string {
    let out = '';
    for (let block = 0; out.length < length; block++) {
      const bytes = createHmac('sha256', this.seed).update(`${label}#${block}`).digest();
      for (const b of bytes) {
        if (b >= 248) continue; // 248 = 4 * 62: keep the alphabet unbiased
        out += ALPHABET[b % ALPHABET.length];
        if (out.length === length) break;
      }
    }
    return out;
  }
}
