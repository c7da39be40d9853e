import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeShopRoles } from '../../services/management/access';
import { APPOINTMENT_STATUSES, listAppointments } from '../../services/appointments';
import type { HonoEnv } from '../../types';
import { APPOINTMENT_EXAMPLE, AppointmentSchema } from './appointments.schemas';

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
      data: [APPOINTMENT_EXAMPLE],
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
