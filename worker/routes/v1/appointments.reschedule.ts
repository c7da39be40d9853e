import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { rescheduleAppointment } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { AppointmentSchema } from './appointments.schemas';
import { InstantInput } from './booking.schemas';
import { IdParams } from './management.schemas';

export const RescheduleBody = z
  .object({
    start_time: InstantInput,
    barber_id: z.uuid().optional().openapi({ description: 'Move to another barber of the same shop' }),
  })
  .openapi('RescheduleAppointment', {
    example: { start_time: '2026-12-08T11:00:00-05:00' },
  });

export const rescheduleAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments/{id}/reschedule',
  tags: ['Appointments'],
  operationId: 'rescheduleAppointment',
  summary: 'Move an appointment (the new slot is taken and the old one freed in one step)',
  description: 'Clients may reschedule only outside the shop’s cancellation window (409 `inside_cancel_window`); staff always may.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: RescheduleBody } } } },
  responses: {
    200: { description: 'The moved appointment', content: { 'application/json': { schema: AppointmentSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
    503: errorResponses[503],
  },
});

export function registerRescheduleAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(rescheduleAppointmentRoute, async (c) => {
    const body = c.req.valid('json');
    const appointment = await rescheduleAppointment(c.get('services'), currentUser(c).userId, c.req.valid('param').id, {
      startMs: Date.parse(body.start_time),
      ...(body.barber_id ? { barberId: body.barber_id } : {}),
    });
    return c.json(appointment, 200);
  });
}
