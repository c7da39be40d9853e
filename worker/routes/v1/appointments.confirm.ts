import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { currentUser, requireAuth } from '../../middleware/auth';
import { settle } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { settledResponses } from './booking.schemas';
import { IdParams } from './management.schemas';

export const confirmAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/confirm',
  tags: ['Appointments'],
  operationId: 'confirmAppointment',
  summary: 'Accept a held slot (a waitlist offer) when nothing is due up front',
  description: 'Holds that need a payment are confirmed by the payment instead. An expired hold answers 410 `hold_expired`.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: settledResponses('The confirmed appointment'),
});

export function registerConfirmAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(confirmAppointmentRoute, async (c) => {
    const result = await settle(c.get('services'), currentUser(c).userId, c.req.valid('param').id, 'confirm');
    return c.json(result, 200);
  });
}
