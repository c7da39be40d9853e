import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';
import { refundPayment } from '../../services/shop-payments';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { PaymentSchema } from './payments.schemas';

export const RefundBody = z
  .object({
    amount_cents: z.number().int().min(1).max(100_000_000).optional().openapi({
      description: 'Partial refund; default everything left on the charge',
    }),
    note: z.string().trim().max(300).optional(),
  })
  .openapi('RefundPayment', {
    example: { amount_cents: 700, note: 'Shop closed for the day' },
  });

export const refundPaymentRoute = createRoute({
  method: 'post',
  path: '/api/v1/payments/{id}/refund',
  tags: ['Payments'],
  operationId: 'refundPayment',
  summary: 'Refund a charge, in part or in full — never more than is left of it (owner)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: {
    params: IdParams,
    headers: IdempotencyHeaders,
    body: {
      required: false,
      content: { 'application/json': { schema: RefundBody } },
    },
  },
  responses: {
    201: {
      description: 'The refund (succeeded, or processing at Stripe)',
      content: { 'application/json': { schema: PaymentSchema } },
    },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
    503: errorResponses[503],
  },
});

export function registerRefundPayment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(refundPaymentRoute, async (c) => {
    const body = (c.req.valid('json') as z.infer<typeof RefundBody> | undefined) ?? {};
    const refund = await refundPayment(c.get('services'), currentUser(c).userId, c.req.valid('param').id, body);
    return c.json(refund, 201);
  });
}
