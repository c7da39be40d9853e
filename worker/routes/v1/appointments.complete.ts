import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { currentUser, requireAuth } from '../../middleware/auth';
import { settle } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { settledResponses } from './booking.schemas';
import { IdParams } from './management.schemas';

export const completeAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/complete',
  tags: ['Appointments'],
  operationId: 'completeAppointment',
  summary: 'Mark completed (the barber or an owner, after the start time)',
  description: 'Only a confirmed appointment that has started can be completed.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: settledResponses('The completed appointment'),
});

export function registerCompleteAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(completeAppointmentRoute, async (c) => {
    const result = await settle(c.get('services'), currentUser(c).userId, c.req.valid('param').id, 'complete');
    return c.json(result, 200);
  });
}
