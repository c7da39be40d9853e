import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { cardOnFile, setupCard } from '../../services/payments';
import type { HonoEnv } from '../../types';
import { PaymentHandleSchema } from './payments.schemas';

export const CardOnFileSchema = z
  .object({
    card: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
  })
  .openapi('CardOnFile', {
    example: { card: { brand: 'visa', last4: '4242' } },
  });

export const getCardRoute = createRoute({
  method: 'get',
  path: '/api/v1/me/payment-methods',
  tags: ['Payments'],
  operationId: 'cardOnFile',
  summary: 'The card the caller has on file for late-cancel and no-show fees (if any)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  responses: {
    200: {
      description: 'The card, or null',
      content: { 'application/json': { schema: CardOnFileSchema } },
    },
    401: errorResponses[401],
  },
});

export const setupCardRoute = createRoute({
  method: 'post',
  path: '/api/v1/me/payment-methods',
  tags: ['Payments'],
  operationId: 'setupCard',
  summary: 'Start saving a card on file: a SetupIntent to confirm with Stripe.js or a mobile SDK',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  responses: {
    200: {
      description: 'Confirm it with `client_secret`',
      content: { 'application/json': { schema: PaymentHandleSchema } },
    },
    401: errorResponses[401],
    503: errorResponses[503],
  },
});

export function registerPaymentMethods(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(getCardRoute, async (c) => {
    c.header('Cache-Control', 'private, no-store');
    return c.json(await cardOnFile(c.get('services'), currentUser(c).userId), 200);
  });
  app.openapi(setupCardRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await setupCard(c.get('services'), currentUser(c).userId), 200);
  });
}
