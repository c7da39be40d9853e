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
  .openapi('PaymentList', {
    example: {
      data: [
        {
          id: '6e5d4c3b-2a19-4f08-8e7d-6c5b4a392817',
          appointment_id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
          kind: 'deposit',
          status: 'succeeded',
          amount_cents: 700,
          currency: 'USD',
          application_fee_cents: 65,
          refunded_cents: 0,
          refundable_cents: 700,
          reason: null,
          failure_reason: null,
          refund_of: null,
          dispute_status: null,
          stripe_payment_intent_id: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d',
          stripe_charge_id: 'ch_3Qx7Lk2eZvKYlo2C1d4c3b2a',
          stripe_refund_id: null,
          client: { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'Jane Doe' },
          barber: { id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', name: 'Marco' },
          appointment_start_time: '2026-12-07T15:30:00.000Z',
          created_at: '2026-12-01T18:13:00.000Z',
        },
      ],
      next_cursor: null,
      totals: [
        {
          currency: 'USD',
          captured_cents: 182000,
          refunded_cents: 3500,
          net_cents: 178500,
          platform_fee_cents: 9100,
          failed_fee_cents: 0,
          disputed_cents: 0,
          count: 61,
        },
      ],
    },
  });

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
