import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { paymentsStatus } from '../../services/shop-payments';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { PaymentsStatusSchema } from './payments.schemas';

export const stripeStatusRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/stripe',
  tags: ['Payments'],
  operationId: 'stripeStatus',
  summary: 'Whether the shop takes payments, and why not: onboarding and payout status (owner)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The account as Stripe has it now',
      content: { 'application/json': { schema: PaymentsStatusSchema } },
    },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerStripeStatus(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(stripeStatusRoute, async (c) => {
    const status = await paymentsStatus(c.get('services'), currentUser(c).userId, c.req.valid('param').id);
    c.header('Cache-Control', 'private, no-store');
    return c.json(status, 200);
  });
}
