import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeBarber } from '../../services/management/access';
import { deactivateBarber } from '../../services/management/staff';
import type { HonoEnv } from '../../types';
import { AppointmentRefSchema, BarberSchema, IdParams, appointmentRef, barberView } from './management.schemas';
import { availabilityChangedIn } from '../../services/availability-cache';

export const DeactivateBarberResponse = z
  .object({
    barber: BarberSchema,
    future_appointments: z.array(AppointmentRefSchema).openapi({
      description: 'Upcoming held/pending/confirmed appointments, left untouched for the owner to move or cancel',
    }),
  })
  .openapi('DeactivatedBarber');

export type DeactivateBarberResponse = z.infer<typeof DeactivateBarberResponse>;

export const deactivateBarberRoute = createRoute({
  method: 'post',
  path: '/api/v1/barbers/{id}/deactivate',
  tags: ['Staff'],
  operationId: 'deactivateBarber',
  summary: 'Deactivate a barber (owner); reports their future appointments',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'Deactivated', content: { 'application/json': { schema: DeactivateBarberResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerDeactivateBarber(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(deactivateBarberRoute, async (c) => {
    const { id } = c.req.valid('param');
    const db = c.get('services').db;
    const actorId = currentUser(c).userId;
    const { barber } = await authorizeBarber(db, actorId, id, 'owner');
    const result = await deactivateBarber(db, actorId, barber);
    await availabilityChangedIn(c.get('services'), { barberIds: [barber.id] });
    return c.json({ barber: barberView(result.barber), future_appointments: result.futureAppointments.map(appointmentRef) }, 200);
  });
}
