/**
 * The app's own JSON API on 127.0.0.1, for arranging what a spec needs (a client, a taken slot,
 * a paid deposit) faster than through pages, and the dev outbox where the app's e-mails land.
 */
import { readDevVars } from '../../../dev/dev-vars.ts';
import { sleep } from '../../../dev/processes.ts';
import { baseUrl, root } from './env.ts';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} → ${status} ${JSON.stringify(body)}`);
  }
}

/** One API call; throws ApiFailure unless it answered 2xx. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const body: unknown = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!res.ok) throw new ApiFailure(res.status, body, `${init.method ?? 'GET'} ${path}`);
  return body as T;
}

export interface OutboxEntry {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  text: string;
  dedupe_key: string;
  created_at: string;
}

/**
 * The newest link on this app in a message to `recipient` whose path starts with `pathPrefix`
 * (e.g. "/verify-email", "/m"), waiting for the queue to deliver it (up to `timeoutMs`).
 */
export async function linkFromOutbox(recipient: string, pathPrefix: string, timeoutMs = 20_000): Promise<URL> {
  const until = Date.now() + timeoutMs;
  const wanted = recipient.toLowerCase();
  for (;;) {
    const { data } = await api<{ data: OutboxEntry[] }>('/dev/outbox.json');
    for (const entry of data) {
      if (entry.recipient.toLowerCase() !== wanted) continue;
      for (const match of entry.text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
        const url = new URL(match[0]);
        if (url.origin === baseUrl && url.pathname.startsWith(pathPrefix)) return url;
      }
    }
    if (Date.now() > until) throw new Error(`no message to ${recipient} with a ${pathPrefix} link within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** What `npm start` wrote to .dev.vars (the Stripe stand-in's address and key). */
export function devVars(): Record<string, string> {
  return readDevVars(`${root}.dev.vars`);
}

/**
 * Pays a PaymentIntent at the local Stripe stand-in as the client's card would; the stand-in then
 * sends the app its signed webhook, exactly as Stripe does.
 */
export async function payAtStandIn(paymentIntentId: string, paymentMethod = 'pm_card_visa'): Promise<void> {
  const vars = devVars();
  const res = await fetch(`${vars.STRIPE_API_URL}/__test/payment_intents/${paymentIntentId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vars.STRIPE_SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ payment_method: paymentMethod }),
  });
  if (!res.ok) throw new Error(`the stand-in did not pay ${paymentIntentId}: ${res.status} ${await res.text()}`);
}
