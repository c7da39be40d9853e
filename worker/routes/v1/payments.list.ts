import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { shopPayments } from '../../services/shop-payments';
import type { HonoEnv } from '../../types';
import { IdParams, Instant } from './management.schemas';
import { PaymentSchema, PaymentTotalsSchema } from './payments.schemas';

export const ListPaymentsQuery = z.object({
  from: Instant.optional().openapi({ description: 'Made at or after' }),
  to: Instant.optional().openapi({ description: 'Made before' }),
  status: z.enum(['requires_payment', 'processing', 'succeeded', 'failed', 'canceled', 'refunded']).optional(),
  kind: z.enum(['deposit', 'full', 'fee', 'refund']).optional(),
  barber_id: z.uuid().optional(),
  client_id: z.uuid().optional(),
  appointment_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional().openapi({ description: '`next_cursor` from the previous page' }),
});

export const PaymentList = z
  .object({
    data: z.array(PaymentSchema),
    next_cursor: z.string().nullable(),
    totals: z.array(PaymentTotalsSchema).openapi({
      description: 'Per currency, over every payment the filters match (not just this page)',
    }),
  })
  .openapi('PaymentList');

export const listPaymentsRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/payments',
  tags: ['Payments'],
  operationId: 'listPayments',
  summary: "The shop's payments, refunds and fees, newest first, with totals (owner)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, query: ListPaymentsQuery },
  responses: {
    200: {
      description: 'A page and the totals',
      content: { 'application/json': { schema: PaymentList } },
    },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerListPayments(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listPaymentsRoute, async (c) => {
    const q = c.req.valid('query');
    const page = await shopPayments(c.get('services'), currentUser(c).userId, c.req.valid('param').id, q);
    c.header('Cache-Control', 'private, no-store');
    return c.json(page, 200);
  });
}
