import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';
import { createAppointment } from '../../services/booking';
import type { HonoEnv } from '../../types';
import { BarberRef, BookedAppointmentSchema, InstantInput } from './booking.schemas';

export const CreateAppointmentBody = z
  .object({
    barber_id: BarberRef,
    shop_id: z.uuid().optional().openapi({ description: 'Required with barber_id "any" and for staff bookings' }),
    service_id: z.uuid(),
    start_time: InstantInput,
    notes: z.string().trim().max(500).nullable().optional(),
    client_id: z.uuid().optional().openapi({ description: 'Staff: book for this existing client of the shop' }),
    client: z
      .object({
        email: z.email().max(320).optional().openapi({ description: 'Needed for a client who is new to the shop' }),
        first_name: z.string().trim().min(1).max(100).optional(),
        last_name: z.string().trim().max(100).optional(),
        phone: z.string().trim().max(40).regex(/^[+()\d\s.-]*$/, 'Digits, spaces and + ( ) . - only').optional(),
      })
      .refine((c) => c.email !== undefined || c.phone !== undefined, { message: 'Give an e-mail or a phone number', path: ['email'] })
      .refine((c) => c.email === undefined || c.first_name !== undefined, { message: 'A new client needs a first name', path: ['first_name'] })
      .refine((c) => c.first_name !== undefined || c.last_name === undefined, { message: 'A new client needs a first name', path: ['first_name'] })
      .optional()
      .openapi({
        description:
          'Staff: book for a client by e-mail (created if new to the shop), or by phone: an existing client of the shop with that number, else a new one from first_name + phone (no e-mail; 422 without first_name)',
      }),
    source: z.enum(['staff', 'walk_in']).optional().openapi({ description: 'Staff bookings: a phone/desk booking or a walk-in' }),
  })
  .refine((b) => !(b.client_id && b.client), { message: 'Give client_id or client, not both', path: ['client'] })
  .openapi('CreateAppointment', {
    example: { barber_id: 'any', shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f', start_time: '2026-12-07T10:30:00-05:00' },
  });

export type CreateAppointmentBody = z.infer<typeof CreateAppointmentBody>;

export const createAppointmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/appointments',
  tags: ['Appointments'],
  operationId: 'createAppointment',
  summary: 'Book a slot (held until paid when the shop takes a deposit, else confirmed)',
  description:
    'Serialised through the barber’s schedule object and backed by an exclusion constraint: a slot is never sold twice. ' +
    'A 409 `slot_unavailable` names the `reason`: taken, outside_hours, time_off, too_soon, too_far or not_on_step.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateAppointmentBody } } },
  },
  responses: {
    201: { description: 'The appointment (held or confirmed)', content: { 'application/json': { schema: BookedAppointmentSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
    503: errorResponses[503],
  },
});

export function registerCreateAppointment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(createAppointmentRoute, async (c) => {
    const body = c.req.valid('json');
    const appointment = await createAppointment(c.get('services'), currentUser(c).userId, {
      barberId: body.barber_id,
      serviceId: body.service_id,
      startMs: Date.parse(body.start_time),
      notes: body.notes ?? null,
      ...(body.shop_id ? { shopId: body.shop_id } : {}),
      ...(body.client_id ? { clientId: body.client_id } : {}),
      ...(body.client ? { client: body.client } : {}),
      ...(body.source ? { source: body.source } : {}),
    });
    c.header('Location', `/api/v1/appointments/${appointment.id}`);
    return c.json(appointment, 201);
  });
}
