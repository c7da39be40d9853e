import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app';
import { call, neonRequests } from '../../../tests/worker/harness';
import type { HealthResponse } from './health.get';

describe('GET /api/v1/health', () => {
  it('reports every dependency ok after real round trips', async () => {
    const res = await call('/api/v1/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as HealthResponse;
    expect(body.status).toBe('ok');
    expect(body.failing).toEqual([]);
    for (const check of ['database', 'redis', 'stripe'] as const) expect(body.checks[check].status).toBe('ok');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // The database check is one real query: exactly one Neon HTTP request.
    expect(neonRequests(res)).toBe(1);
  });

  it('is also served at /health', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(((await res.json()) as HealthResponse).status).toBe('ok');
  });

  it('returns 503 naming the database when the Neon endpoint is down', async () => {
    // Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    const res = await createApp().request(
      '/api/v1/health',
      {},
      { ...env, DATABASE_URL: 'postgresql://bookedbarber:test@127.0.0.1:9/bookedbarber' },
      { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext,
    );
    expect(res.status).toBe(503);
    const body = (await res.json()) as HealthResponse;
    expect(body.status).toBe('unavailable');
    expect(body.failing).toEqual(['database']);
    expect(body.checks.database.error).toBeTruthy();
    expect(body.checks.database.error).not.toContain('bookedbarber:test@');
    expect(body.checks.redis.status).toBe('ok');
  });

  it('returns 503 naming redis and stripe when their credentials are rejected', async () => {
    const res = await createApp().request(
      '/api/v1/health',
      {},
      { ...env, UPSTASH_REDIS_REST_TOKEN: 'wrong-token', STRIPE_SECRET_KEY: 'sk_test_wrong' },
      { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext,
    );
    expect(res.status).toBe(503);
    const body = (await res.json()) as HealthResponse;
    expect(body.failing.sort()).toEqual(['redis', 'stripe']);
    expect(body.checks.database.status).toBe('ok');
  });
});
