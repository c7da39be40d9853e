import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { checkHealth } from '../../services/health';
import type { HonoEnv } from '../../types';

const CheckSchema = z.object({
  status: z.enum(['ok', 'error']),
  latency_ms: z.number().int(),
  error: z.string().optional(),
});

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: CheckSchema, redis: CheckSchema, stripe: CheckSchema }),
    failing: z.array(z.enum(['database', 'redis', 'stripe'])),
  })
  .openapi('Health');

export type HealthResponse = z.infer<typeof HealthSchema>;

export const healthRoute = createRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['Platform'],
  operationId: 'getHealth',
  summary: 'Liveness and dependency health',
  description: 'Runs a real query, a Redis command and an authenticated Stripe call. 503 names what failed.',
  responses: {
    200: { description: 'Every dependency answered', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'At least one dependency failed', content: { 'application/json': { schema: HealthSchema } } },
  },
});

async function health(c: Context<HonoEnv>) {
  const report = await checkHealth(c.get('services'));
  c.header('Cache-Control', 'no-store');
  if (report.status !== 'ok') c.get('logger').warn('health check failing', { failing: report.failing });
  return c.json(report, report.status === 'ok' ? 200 : 503);
}

export function registerHealth(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(healthRoute, health);
  // Unversioned alias for load balancers and uptime monitors; same report.
  app.get('/health', health);
}
