import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cachedHealth, CHECK_NAMES, HEALTH_CACHE_MS, type HealthReport } from '../../services/health';
import type { HonoEnv } from '../../types';

export const LivenessSchema = z.object({ status: z.literal('ok') }).openapi('Liveness', {
  example: { status: 'ok' },
});

const CheckSchema = z.object({ status: z.enum(['ok', 'fail']) });

export const ReadinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: CheckSchema, redis: CheckSchema, stripe: CheckSchema }),
  })
  .openapi('Readiness', {
    example: {
      status: 'ok',
      checks: { database: { status: 'ok' }, redis: { status: 'ok' }, stripe: { status: 'ok' } },
    },
  });

export type LivenessResponse = z.infer<typeof LivenessSchema>;
export type ReadinessResponse = z.infer<typeof ReadinessSchema>;

export const livenessRoute = createRoute({
  method: 'get',
  path: '/api/v1/health/live',
  tags: ['Platform'],
  operationId: 'getLiveness',
  summary: 'Liveness: the Worker answers',
  description: 'Touches no dependency, so it is cheap to poll. Also served at `/health`.',
  responses: { 200: { description: 'Up', content: { 'application/json': { schema: LivenessSchema } } } },
});

const readinessDescription =
  'Runs a real query, a Redis command and an authenticated Stripe call. One round answers for ' +
  `${HEALTH_CACHE_MS / 1000} s per isolate, so frequent probes cost no more. The body says only ok or fail ` +
  'per check; what failed and why is in the logs.';

const readinessResponses = {
  200: { description: 'Every dependency answered', content: { 'application/json': { schema: ReadinessSchema } } },
  503: { description: 'At least one dependency failed', content: { 'application/json': { schema: ReadinessSchema } } },
};

export const readinessRoute = createRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['Platform'],
  operationId: 'getHealth',
  summary: 'Readiness: dependency health',
  description: `${readinessDescription} Same as \`/api/v1/health/ready\`.`,
  responses: readinessResponses,
});

export const readyRoute = createRoute({
  method: 'get',
  path: '/api/v1/health/ready',
  tags: ['Platform'],
  operationId: 'getReadiness',
  summary: 'Readiness: dependency health',
  description: readinessDescription,
  responses: readinessResponses,
});

/** The public view of a report: ok/fail per check, nothing else. */
export function readinessView(report: HealthReport): ReadinessResponse {
  const checks = Object.fromEntries(CHECK_NAMES.map((name) => [name, { status: report.checks[name].status }]));
  return { status: report.status, checks: checks as ReadinessResponse['checks'] };
}

function live(c: Context<HonoEnv>) {
  c.header('Cache-Control', 'no-store');
  return c.json({ status: 'ok' as const }, 200);
}

async function ready(c: Context<HonoEnv>) {
  const { report, fresh } = await cachedHealth(c.get('services'));
  c.header('Cache-Control', 'no-store');
  if (fresh && report.status !== 'ok') {
    const errors = Object.fromEntries(report.failing.map((name) => [name, report.checks[name].error ?? 'failed']));
    c.get('logger').warn('health check failing', { failing: report.failing, errors });
  }
  return c.json(readinessView(report), report.status === 'ok' ? 200 : 503);
}

export function registerHealth(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(livenessRoute, live);
  app.openapi(readinessRoute, ready);
  app.openapi(readyRoute, ready);
  // Unversioned liveness for load balancers and uptime monitors.
  app.get('/health', live);
}
