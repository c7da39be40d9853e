import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeShopRoles } from '../../services/management/access';
import { APPOINTMENT_STATUSES, listAppointments } from '../../services/appointments';
import type { HonoEnv } from '../../types';
import { AppointmentSchema } from './appointments.schemas';

export const ListAppointmentsQuery = z.object({
  shop_id: z.uuid().optional().openapi({ description: "Staff: list this shop's appointments (barbers see their own chair)" }),
  barber_id: z.uuid().optional(),
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  date: z.iso.date().optional().openapi({ description: "A day in the shop's time zone", example: '2026-12-01' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

export const AppointmentList = z
  .object({ data: z.array(AppointmentSchema), next_cursor: z.string().nullable() })
  .openapi('AppointmentList', {
    example: {
      data: [
        {
          id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
          shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
          barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          client_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
          service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
          start_time: '2026-12-07T15:30:00.000Z',
          end_time: '2026-12-07T16:00:00.000Z',
          status: 'confirmed',
          hold_expires_at: null,
          price_cents: 3500,
          deposit_cents: 700,
          currency: 'USD',
          notes: 'Short back and sides',
          arrived_at: null,
          cancelled_at: null,
          cancel_reason: null,
          source: 'online',
          settlement: null,
          fee_cents: 0,
          refund_due_cents: 0,
          paid_cents: 700,
          refunded_cents: 0,
          owed_cents: 2800,
          created_at: '2026-12-01T18:12:00.000Z',
          timezone: 'America/New_York',
          service_name: 'Skin fade',
          barber_name: 'Marco',
        },
      ],
      next_cursor: null,
    },
  });

export const listAppointmentsRoute = createRoute({
  method: 'get',
  path: '/api/v1/appointments',
  tags: ['Appointments'],
  operationId: 'listAppointments',
  summary: "Your appointments, or a shop's (staff)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { query: ListAppointmentsQuery },
  responses: {
    200: { description: 'A page of appointments', content: { 'application/json': { schema: AppointmentList } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
  },
});

export function registerListAppointments(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listAppointmentsRoute, async (c) => {
    const query = c.req.valid('query');
    const user = currentUser(c);
    let staffScope: 'own_chair' | 'whole_shop' | undefined;
    if (query.shop_id) {
      const access = await authorizeShopRoles(c.get('services').db, user.userId, query.shop_id, 'staff');
      staffScope = access.isAdmin || access.roles.includes('owner') ? 'whole_shop' : 'own_chair';
    }
    const page = await listAppointments(c.get('services').db, user.userId, {
      shopId: query.shop_id,
      staffScope,
      barberId: query.barber_id,
      status: query.status,
      date: query.date,
      limit: query.limit,
      cursor: query.cursor,
    });
    c.header('Cache-Control', 'private, no-store');
    return c.json(page, 200);
  });
}
