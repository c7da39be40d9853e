import { env, SELF } from 'cloudflare:test';
import { createDb } from '../../worker/db/client';
import { loadConfig } from '../../worker/env';
import type { Problem } from '../../worker/lib/errors';

export const origin = 'http://bookedbarber.test';

/** Calls the Worker exactly as a client would (through its fetch handler and bindings). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(new Request(new URL(path, origin), init));
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function problemOf(res: Response): Promise<Problem> {
  if (!res.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.status} ${res.headers.get('content-type')}: ${await res.text()}`);
  }
  return (await res.json()) as Problem;
}

/** Number of Neon HTTP requests the Worker reported for a response (Server-Timing desc). */
export function neonRequests(res: Response): number {
  const match = /db;dur=[\d.]+;desc="(\d+)"/.exec(res.headers.get('server-timing') ?? '');
  if (!match) throw new Error(`no db Server-Timing on response: ${res.headers.get('server-timing')}`);
  return Number(match[1]);
}

/** The Worker's own client; `deadlineMs` overrides the Neon deadline for a test that needs longer. */
export function testDb(deadlineMs?: number) {
  const config = loadConfig(env);
  return createDb(deadlineMs === undefined ? config : { ...config, NEON_DEADLINE_MS: deadlineMs });
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits, when needed, until at least `needMs` remain before the next boundary of a `windowMs`
 * rate-limit window. The sliding-window limiter weights the previous window by the share of it
 * still in view and floors the result, so a burst that straddles a boundary can be let through one
 * request early; a test asserting the exact request that gets 429 must not straddle one.
 */
export async function awayFromWindowEdge(windowMs: number, needMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}
