import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { currentUser, requireAuth } from '../../middleware/auth';
import { settle } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { settledResponses } from './booking.schemas';
import { IdParams } from './management.schemas';

export const noShowAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/no-show',
  tags: ['Appointments'],
  operationId: 'markNoShow',
  summary: 'Mark a no-show (the barber or an owner, after the start time); the no-show fee is decided and recorded',
  description: 'The fee comes from the shop policy and never exceeds the price; what was paid counts towards it.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: settledResponses('The no-show and the money decision'),
});

export function registerNoShowAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(noShowAppointmentRoute, async (c) => {
    const result = await settle(c.get('services'), currentUser(c).userId, c.req.valid('param').id, 'no_show');
    return c.json(result, 200);
  });
}
