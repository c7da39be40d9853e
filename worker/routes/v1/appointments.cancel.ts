import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { currentUser, requireAuth } from '../../middleware/auth';
import { settle } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { settledResponses } from './booking.schemas';
import { IdParams } from './management.schemas';

export const CancelBody = z
  .object({ reason: z.string().trim().max(300).optional().openapi({ example: 'Running late at work' }) })
  .openapi('CancelAppointment', {
    example: { reason: 'Running late at work' },
  });

export const cancelAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/cancel',
  tags: ['Appointments'],
  operationId: 'cancelAppointment',
  summary: 'Cancel (client, barber or owner); the refund or fee per policy is decided and recorded now',
  description: 'Outside the cancellation window a client gets back what was paid; inside it the late-cancel fee applies (or a paid deposit is kept). The shop cancelling always refunds. The freed slot is offered to the waitlist.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: CancelBody } } } },
  responses: settledResponses('The cancelled appointment and the money decision'),
});

export function registerCancelAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(cancelAppointmentRoute, async (c) => {
    const body = (c.req.valid('json') as z.infer<typeof CancelBody> | undefined) ?? {};
    const result = await settle(c.get('services'), currentUser(c).userId, c.req.valid('param').id, 'cancel', body.reason ?? null);
    return c.json(result, 200);
  });
}
