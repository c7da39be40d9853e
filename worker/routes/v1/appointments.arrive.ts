import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { currentUser, requireAuth } from '../../middleware/auth';
import { checkIn } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { AppointmentSchema } from './appointments.schemas';
import { errorResponses } from '../../lib/errors';
import { IdParams } from './management.schemas';

export const arriveAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/arrive',
  tags: ['Appointments'],
  operationId: 'arriveAppointment',
  summary: 'Check the client in (the barber or an owner)',
  description:
    'Marks a confirmed appointment arrived, from two hours before its start. Repeating it answers the same appointment unchanged ' +
    '(a double tap on the day sheet). An arrived appointment can be completed before its start time and can no longer be marked a no-show.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'The appointment, arrived_at set', content: { 'application/json': { schema: AppointmentSchema } } },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerArriveAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(arriveAppointmentRoute, async (c) => {
    return c.json(await checkIn(c.get('services'), currentUser(c).userId, c.req.valid('param').id), 200);
  });
}
