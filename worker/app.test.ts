import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { ApiError } from './lib/errors';
import { openApiDocument } from './openapi';
import { registerApiRoutes } from './routes';
import type { HonoEnv } from './types';
import { call, postJson, problemOf, testDb } from '../tests/worker/harness';
import { bearer, tokenFor } from '../tests/worker/auth';
import { users } from './db/schema';
import { buildUser } from './db/seed/builders';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/** A fixture route exercising the shared machinery (validation hook, error mapping). */
function fixtureRoutes(app: OpenAPIHono<HonoEnv>) {
  registerApiRoutes(app);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/_fixture',
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ name: z.string().min(2), age: z.number().int() }) } },
        },
      },
      responses: { 200: { description: 'ok' } },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.name === 'boom') throw new Error('database password is hunter2');
      if (body.name === 'taken') throw new ApiError('conflict', 'That name is taken');
      if (body.name === 'overlap') {
        throw Object.assign(new Error('conflicting key value violates exclusion constraint'), {
          code: '23P01',
          constraint: 'appointments_no_overlap',
        });
      }
      if (body.name === 'deadlock') {
        throw Object.assign(new Error('Failed query: update …'), { cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }) });
      }
      return c.json({ ok: true }, 200);
    },
  );
}

function fixtureApp() {
  const app = createApp({ routes: fixtureRoutes });
  return (path: string, init: RequestInit = {}) => app.request(path, init, env, ctx);
}

describe('error model', () => {
  const request = fixtureApp();
  const post = (body: string, type = 'application/json') =>
    request('/api/v1/_fixture', { method: 'POST', headers: { 'content-type': type }, body });

  it('answers malformed JSON with 400 problem+json, never 500', async () => {
    const res = await post('{"name": "ab",');
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 400, code: 'malformed_request', instance: '/api/v1/_fixture' });
    expect(problem.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('names every invalid field', async () => {
    const res = await post(JSON.stringify({ name: 'a', age: 'old' }));
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['json.age', 'json.name']);
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await post('name=abc', 'text/plain');
    expect(res.status).toBe(415);
    expect((await problemOf(res)).code).toBe('unsupported_media_type');
  });

  it('maps ApiError to its status and code', async () => {
    const res = await post(JSON.stringify({ name: 'taken', age: 3 }));
    expect(res.status).toBe(409);
    expect(await problemOf(res)).toMatchObject({ code: 'conflict', detail: 'That name is taken' });
  });

  it('maps an exclusion-constraint violation (23P01) to 409 slot_unavailable', async () => {
    const res = await post(JSON.stringify({ name: 'overlap', age: 3 }));
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('slot_unavailable');
  });

  it('maps a statement Postgres rolled back for the moment (a deadlock victim, 40P01) to a retryable 503', async () => {
    const res = await post(JSON.stringify({ name: 'deadlock', age: 3 }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const problem = await problemOf(res);
    expect(problem.code).toBe('dependency_unavailable');
    expect(problem.detail).toMatch(/could not take this request now/); // not "took too long": it was refused
  });

  it('hides unexpected errors behind a 500 without leaking their message', async () => {
    const res = await post(JSON.stringify({ name: 'boom', age: 3 }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).code).toBe('internal_error');
  });

  it('rejects bodies over the limit with 413', async () => {
    const res = await post(JSON.stringify({ name: 'x'.repeat(300 * 1024), age: 1 }));
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe('payload_too_large');
  });
});

describe('every route that takes a JSON body', () => {
  const doc = openApiDocument();
  const bodyRoutes = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    (['post', 'put', 'patch'] as const)
      // Stripe's webhook reads raw bytes and checks the signature before anything else (webhooks.stripe.test.ts).
      .filter((method) => path !== '/api/v1/webhooks/stripe' && (item as Record<string, { requestBody?: unknown }>)[method]?.requestBody)
      .map((method) => ({ method, path: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000') })),
  );

  it('finds the routes it checks', () => {
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(15);
  });

  // A real, verified caller: protected routes get past authentication and actually read the body.
  let token: string;
  beforeAll(async () => {
    const [user] = await testDb().insert(users).values(buildUser({ verifiedAt: new Date() })).returning();
    token = await tokenFor(user!.id);
  });

  it.each(bodyRoutes)('answers malformed JSON to $method $path with 400 malformed_request', async ({ method, path }) => {
    const res = await call(path, {
      method: method.toUpperCase(),
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: '{"oops": ',
    });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('malformed_request');
  });
});

describe('request plumbing', () => {
  it('answers unknown API routes with a 404 problem', async () => {
    const res = await call('/api/v1/nope');
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('not_found');
  });

  it('keeps a well-formed incoming X-Request-Id and replaces a malformed one', async () => {
    const kept = await call('/api/v1/shops', { headers: { 'x-request-id': 'mobile-abc-12345678' } });
    expect(kept.headers.get('x-request-id')).toBe('mobile-abc-12345678');
    const replaced = await call('/api/v1/shops', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers on API responses, HSTS only in production', async () => {
    const res = await call('/api/v1/shops');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const prod = await createApp().request('/api/v1/shops', {}, { ...env, APP_ENV: 'production' }, ctx);
    expect(prod.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    // Production responses do not expose the database timing.
    expect(prod.headers.get('server-timing')).toBeNull();
  });

  it('answers CORS preflight only for configured origins', async () => {
    const allowed = await call('/api/v1/shops', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8787', 'access-control-request-method': 'GET' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8787');
    const denied = await call('/api/v1/shops', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rejects bad query parameters with the field named', async () => {
    const res = await call('/api/v1/shops?limit=abc');
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.errors?.[0]?.path).toBe('query.limit');
  });

  it('rejects a forged cursor with 422', async () => {
    const res = await call('/api/v1/shops?cursor=not-a-cursor');
    expect(res.status).toBe(422);
    expect((await problemOf(res)).code).toBe('validation_failed');
  });

  it('posts to a GET-only route get a problem, not a crash', async () => {
    const res = await postJson('/api/v1/health', {});
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
