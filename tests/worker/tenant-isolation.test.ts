/**
 * Tenant isolation for the whole API, driven by the route table: every route the app registers
 * (registerApiRoutes — the list the Worker really serves) is either public, acts only on the
 * caller's own account, or has a tenant case; each case then runs through the generator
 * (tests/worker/security.ts), refusals and positive control alike. A route that forgets its
 * auth middleware or its OpenAPI `security` cannot slip past: the route is still in the table.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../worker/openapi';
import { registerApiRoutes } from '../../worker/routes';
import type { HonoEnv } from '../../worker/types';
import { send } from './world';
import { describeTenantIsolation } from './security';
import { tenantCases } from './tenant-cases';

/** Anyone may call these. */
const PUBLIC = new Set([
  'GET /health',
  'GET /api/v1/health',
  'GET /api/v1/health/live',
  'GET /api/v1/health/ready',
  'GET /api/v1/openapi.json',
  'GET /api/docs',
  'GET /.well-known/jwks.json',
  'GET /api/v1/shops',
  'GET /api/v1/shops/{slug}',
  'GET /api/v1/barbers/{id}/availability',
  'GET /api/v1/shops/{id}/availability',
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/password/forgot',
  'POST /api/v1/auth/password/reset',
  'POST /api/v1/auth/verify-email',
  'POST /api/v1/webhooks/stripe', // Stripe, proven by its signature instead of a token
  'POST /api/v1/webhooks/twilio', // Twilio, proven by X-Twilio-Signature; acts only for the sender's own phone number
  'GET /api/v1/manage', // a signed manage link (?token=) bound to one appointment and purpose instead of a bearer
  'POST /api/v1/manage/cancel', // the same, with a single-use cancel link in the body
  'GET /api/v1/barbers/{id}/calendar.ics', // calendar apps: the secret in its URL (?token=) instead of a bearer; anything else is 404
  'GET /api/v1/integrations/google/callback', // Google sends the barber back: authenticated by its single-use state (bound to the user who started it), not a bearer
  // Walk-ins: anyone at the door may ask the wait and join (rate-limited, first name + mobile);
  // the ticket is read or left only with its signed link (?token= / body), bound to one walk-in.
  'GET /api/v1/shops/{id}/walk-ins/quote',
  'POST /api/v1/shops/{id}/walk-ins',
  'GET /api/v1/walk-ins/status',
  'POST /api/v1/walk-ins/leave',
]);

/** Protected, but acting only on the caller's own account, never on a shop's data. */
const OWN_ACCOUNT = new Set([
  'POST /api/v1/shops', // the caller becomes the new shop's owner
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/logout',
  'POST /api/v1/waitlist', // joins as the caller
  'GET /api/v1/waitlist', // the caller's own entries
  'GET /api/v1/me/payment-methods', // the caller's card on file
  'POST /api/v1/me/payment-methods',
]);

/** "METHOD /path/{param}" for every route the app registers (middleware entries excluded). */
function registeredRoutes(): string[] {
  const app = new OpenAPIHono<HonoEnv>();
  registerApiRoutes(app);
  const routes = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  return [...new Set(routes)];
}

/** A concrete path for a template: a random uuid (or an unknown slug) for each parameter. */
const concrete = (template: string) =>
  template.replace(/\{slug\}/g, 'no-such-shop-here').replace(/\{[^}]+\}/g, () => crypto.randomUUID());

const cased = new Set(tenantCases.map((c) => c.route));
const routes = registeredRoutes();

describe('tenant-isolation coverage', () => {
  it('classifies every registered route exactly once: public, own account, or a tenant case', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    const unclassified = routes.filter((r) => !PUBLIC.has(r) && !OWN_ACCOUNT.has(r) && !cased.has(r));
    expect(unclassified).toEqual([]);
    const twice = routes.filter((r) => [PUBLIC.has(r), OWN_ACCOUNT.has(r), cased.has(r)].filter(Boolean).length > 1);
    expect(twice).toEqual([]);
    const stale = [...PUBLIC, ...OWN_ACCOUNT, ...cased].filter((r) => !routes.includes(r));
    expect(stale).toEqual([]);
  });

  it.each([...OWN_ACCOUNT])('%s answers 401 without a token', async (route) => {
    const [method, template] = route.split(' ') as [string, string];
    const res = await send(method, concrete(template), null, method === 'GET' ? undefined : {});
    expect(res.status).toBe(401);
  });

  it.each([...PUBLIC])('%s needs no token', async (route) => {
    const [method, template] = route.split(' ') as [string, string];
    const res = await send(method, concrete(template), null, method === 'GET' ? undefined : {});
    expect(res.status).not.toBe(401);
    expect(res.status).toBeLessThan(500);
  });

  it('documents exactly the protected routes as needing a bearer token', () => {
    const doc = openApiDocument();
    const declared = new Set(
      Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
        Object.entries(item as Record<string, { security?: unknown[] }>)
          .filter(([, op]) => (op.security ?? []).length > 0)
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const undocumented = routes.filter((r) => !PUBLIC.has(r) && !declared.has(r));
    expect(undocumented).toEqual([]);
    expect([...declared].filter((r) => PUBLIC.has(r))).toEqual([]);
  });
});

describeTenantIsolation(tenantCases);
