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
  .openapi('DeactivatedBarber', {
    example: {
      barber: {
        id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
        shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        user_id: '4b3a2918-0f7e-4d6c-9b5a-483726150f4e',
        display_name: 'Marco',
        bio: 'Fades and beard work, 12 years behind the chair.',
        active: false,
      },
      future_appointments: [
        {
          id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
          shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
          barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          client_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
          service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
          start_time: '2026-12-07T15:30:00.000Z',
          end_time: '2026-12-07T16:00:00.000Z',
          status: 'confirmed',
        },
      ],
    },
  });

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
