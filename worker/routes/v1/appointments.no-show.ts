import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { settle } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { SettledAppointmentSchema } from './booking.schemas';
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
  responses: {
    200: { description: 'The no-show and the money decision', content: { 'application/json': { schema: SettledAppointmentSchema } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    503: errorResponses[503],
  },
});

export function registerNoShowAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(noShowAppointmentRoute, async (c) => {
    const result = await settle(c.get('services'), currentUser(c).userId, c.req.valid('param').id, 'no_show');
    return c.json(result, 200);
  });
}
