import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { setLogSink } from '../lib/logger';
import { createBookingWorld } from '../../tests/worker/booking-world';
import { bearer } from '../../tests/worker/auth';
import { testDb } from '../../tests/worker/harness';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
// The test project logs at warn; the request line is info.
const infoEnv = { ...env, LOG_LEVEL: 'info' } as Env;

type Line = Record<string, unknown>;

/** Runs each request through the real app and returns the responses with every log line written meanwhile. */
async function captured(requests: [string, RequestInit?][]): Promise<{ responses: Response[]; lines: Line[] }> {
  const lines: Line[] = [];
  setLogSink((line) => lines.push(JSON.parse(line) as Line));
  const app = createApp();
  const responses: Response[] = [];
  for (const [path, init] of requests) {
    const res = await app.request(path, init ?? {}, infoEnv, ctx);
    await res.arrayBuffer();
    responses.push(res);
  }
  return { responses, lines };
}

const requestLines = (lines: Line[]) => lines.filter((l) => l.msg === 'request');

describe('the request log line', () => {
  let w: Awaited<ReturnType<typeof createBookingWorld>>;
  beforeAll(async () => {
    w = await createBookingWorld(testDb());
  });
  afterEach(() => setLogSink(null));

  it('writes exactly one line per request, joined to X-Request-Id, with the route template and Neon figures', async () => {
    const { responses, lines } = await captured([
      [`/api/v1/barbers/${w.barber.barber.id}/availability?service_id=${w.short.id}&from=2031-01-06&to=2031-01-06`],
      ['/api/v1/health/live'],
      ['/health'],
    ]);
    const logged = requestLines(lines);
    expect(logged).toHaveLength(3);
    expect(logged.map((l) => l.request_id)).toEqual(responses.map((r) => r.headers.get('x-request-id')));
    const [availability, live, probe] = logged;
    expect(availability).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/api/v1/barbers/:id/availability',
      path: `/api/v1/barbers/${w.barber.barber.id}/availability`,
      status: responses[0]!.status,
    });
    expect(availability!.neon_requests).toBeGreaterThan(0);
    expect(typeof availability!.neon_ms).toBe('number');
    expect(typeof availability!.duration_ms).toBe('number');
    expect(availability).not.toHaveProperty('user_id');
    expect(live).toMatchObject({ route: '/api/v1/health/live', status: 200, neon_requests: 0, neon_ms: 0 });
    expect(probe).toMatchObject({ route: '/health', status: 200 });
  });

  it('names the signed-in user and the shop authorised against, and never the token or e-mail', async () => {
    const token = w.owner.token;
    const { responses, lines } = await captured([[`/api/v1/clients?shop_id=${w.shop.id}&q=ab`, { headers: bearer(token) }]]);
    expect(responses[0]!.status).toBe(200);
    const logged = requestLines(lines);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      method: 'GET',
      route: '/api/v1/clients',
      status: 200,
      user_id: w.owner.user.id,
      shop_id: w.shop.id,
      request_id: responses[0]!.headers.get('x-request-id'),
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(token);
    expect(text).not.toContain(w.owner.user.email);
  });

  it('labels 404s and middleware refusals with a low-cardinality route, one line each', async () => {
    const { responses, lines } = await captured([
      ['/api/v1/no-such-thing/12345'],
      ['/api/v1/shops/no-such-shop-slug-here'],
      ['/api/v1/auth/me'],
      ['/api/v1/auth/me', { headers: { authorization: 'Bearer not-a-jwt' } }],
      ['/assets/missing-0123abcd.js'],
      ['/s/no-such-shop-anywhere'],
    ]);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 401, 401, 404, 404]);
    const logged = requestLines(lines);
    expect(logged).toHaveLength(6);
    expect(logged.map((l) => [l.route, l.status])).toEqual([
      ['unmatched', 404],
      ['/api/v1/shops/:slug', 404],
      // requireAuth refused before the handler ran: still the endpoint's template.
      ['/api/v1/auth/me', 401],
      ['/api/v1/auth/me', 401],
      ['static', 404],
      ['page', 404],
    ]);
    for (const l of logged) expect(l).not.toHaveProperty('user_id');
    expect(new Set(logged.map((l) => l.request_id)).size).toBe(6);
  });

  it('still writes the line when the configuration is invalid (500)', async () => {
    const lines: Line[] = [];
    setLogSink((line) => lines.push(JSON.parse(line) as Line));
    const broken = { ...infoEnv, DATABASE_URL: 'mysql://nope' } as Env;
    const res = await createApp().request('/api/v1/health/live', {}, broken, ctx);
    expect(res.status).toBe(500);
    const logged = requestLines(lines);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ route: '/api/v1/health/live', status: 500 });
  });
});
