import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../app';
import { setLogSink } from '../../lib/logger';
import { call, neonRequests } from '../../../tests/worker/harness';
import type { ReadinessResponse } from './health.get';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/**
 * An app with bindings of its own (so its config, Stripe client and health cache are fresh) and
 * a count of the requests it sends to the Stripe stand-in.
 */
function isolatedApp(overrides: Partial<Record<keyof Env, string>> = {}) {
  const stripeHost = new URL(env.STRIPE_API_URL!).host;
  const stripeCalls: string[] = [];
  const realFetch = globalThis.fetch;
  // Installed before the first request: the Stripe SDK keeps the fetch it was built with.
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.host === stripeHost) stripeCalls.push(url.pathname);
    return realFetch(input, init);
  });
  // A query string makes a new Stripe client (clients are cached by key + URL); same stand-in.
  const bindings = { ...env, STRIPE_API_URL: `${env.STRIPE_API_URL}/?run=${crypto.randomUUID()}`, ...overrides } as Env;
  const app = createApp();
  return { stripeCalls, get: (path: string) => app.request(path, {}, bindings, ctx) };
}

afterEach(() => {
  vi.restoreAllMocks();
  setLogSink(null);
});

describe('GET /api/v1/health/live and /health (liveness)', () => {
  it('answers 200 {status: ok} without touching any dependency', async () => {
    const app = isolatedApp({ DATABASE_URL: 'postgresql://bookedbarber:test@127.0.0.1:9/bookedbarber', STRIPE_SECRET_KEY: 'sk_test_wrong' });
    for (const path of ['/api/v1/health/live', '/health']) {
      const res = await app.get(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(neonRequests(res)).toBe(0);
    }
    expect(app.stripeCalls).toEqual([]);
  });
});

describe('GET /api/v1/health and /api/v1/health/ready (readiness)', () => {
  it('reports each dependency ok after real round trips, with nothing but ok/fail per check', async () => {
    const res = await call('/api/v1/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as ReadinessResponse;
    expect(body).toEqual({ status: 'ok', checks: { database: { status: 'ok' }, redis: { status: 'ok' }, stripe: { status: 'ok' } } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // At most the one query of the database check.
    expect(neonRequests(res)).toBeLessThanOrEqual(1);
    const ready = await call('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(body);
  });

  it('costs one dependency round per few seconds however many callers ask (one Stripe call, one query)', async () => {
    const app = isolatedApp();
    const first = await app.get('/api/v1/health');
    expect(first.status).toBe(200);
    expect(neonRequests(first)).toBe(1);
    const more = await Promise.all([app.get('/api/v1/health'), app.get('/api/v1/health/ready'), app.get('/api/v1/health')]);
    expect(more.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(more.map(neonRequests)).toEqual([0, 0, 0]);
    expect(app.stripeCalls).toEqual(['/v1/balance']);
  });

  it('shares one round between callers that arrive together', async () => {
    const app = isolatedApp();
    const all = await Promise.all(Array.from({ length: 5 }, () => app.get('/api/v1/health/ready')));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(app.stripeCalls).toEqual(['/v1/balance']);
  });

  it('answers 503 naming only which check failed; the error text goes to the log, never the body', async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    // Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    const app = isolatedApp({
      DATABASE_URL: 'postgresql://bookedbarber:test@127.0.0.1:9/bookedbarber',
      UPSTASH_REDIS_REST_TOKEN: 'wrong-token',
      STRIPE_SECRET_KEY: 'sk_test_wrong',
    });
    const res = await app.get('/api/v1/health');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: 'unavailable',
      checks: { database: { status: 'fail' }, redis: { status: 'fail' }, stripe: { status: 'fail' } },
    });
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; errors?: Record<string, string> });
    const failing = logged.find((l) => l.msg === 'health check failing');
    expect(Object.keys(failing?.errors ?? {}).sort()).toEqual(['database', 'redis', 'stripe']);
    for (const detail of Object.values(failing!.errors!)) {
      expect(detail.length).toBeGreaterThan(0);
      expect(text).not.toContain(detail);
    }
    // Credentials never reach the log either.
    expect(lines.join('\n')).not.toContain('bookedbarber:test@');
    expect(lines.join('\n')).not.toContain('sk_test_wrong');
  });

  it('fails only the broken dependency', async () => {
    const app = isolatedApp({ STRIPE_SECRET_KEY: 'sk_test_wrong' });
    const res = await app.get('/api/v1/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      checks: { database: { status: 'ok' }, redis: { status: 'ok' }, stripe: { status: 'fail' } },
    });
  });
});
