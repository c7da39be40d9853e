import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { getAppointmentForParty } from '../../services/appointments';
import type { HonoEnv } from '../../types';
import { AppointmentSchema } from './appointments.schemas';

export const getAppointmentRoute = createRoute({
  method: 'get',
  path: '/api/v1/appointments/{id}',
  tags: ['Appointments'],
  operationId: 'getAppointment',
  summary: 'One appointment (its client, its barber, the shop owner)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: { description: 'The appointment', content: { 'application/json': { schema: AppointmentSchema } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export function registerGetAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(getAppointmentRoute, async (c) => {
    const appointment = await getAppointmentForParty(c.get('services').db, currentUser(c).userId, c.req.valid('param').id);
    c.header('Cache-Control', 'private, no-store');
    return c.json(appointment, 200);
  });
}
