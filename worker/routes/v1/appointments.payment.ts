import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { paymentForAppointment } from '../../services/payments';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { PaymentHandleSchema } from './payments.schemas';

export const appointmentPaymentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/payment',
  tags: ['Payments'],
  operationId: 'appointmentPayment',
  summary: 'The payment of a held booking: the open intent again, or a new one if the last was cancelled (the client)',
  description:
    'While the hold lives. 410 `hold_expired` after it; 409 `already_paid` once paid; 409 `payments_unavailable` if the shop cannot take payments.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: {
      description: 'Pay with `client_secret`',
      content: { 'application/json': { schema: PaymentHandleSchema } },
    },
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    410: {
      description: 'The hold expired',
      content: errorResponses[409].content,
    },
    422: errorResponses[422],
    503: errorResponses[503],
  },
});

export function registerAppointmentPayment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(appointmentPaymentRoute, async (c) => {
    const handle = await paymentForAppointment(c.get('services'), currentUser(c).userId, c.req.valid('param').id);
    c.header('Cache-Control', 'no-store');
    return c.json(handle, 200);
  });
}
