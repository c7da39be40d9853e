import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { wireInstant } from '../../lib/wire';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeShop } from '../../services/management/access';
import { listShopBarbers } from '../../services/management/staff';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { WireInstant } from './wire.schemas';

export const ShopBarberSchema = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    display_name: z.string(),
    email: z.string(),
    active: z.boolean().openapi({ description: 'false once deactivated: hidden from booking, no staff access' }),
    joined_at: WireInstant,
    upcoming_appointments: z.number().int().openapi({ description: 'Held, pending or confirmed appointments from now on' }),
  })
  .openapi('ShopBarber');

export const ShopBarberListResponse = z
  .object({
    data: z.array(ShopBarberSchema),
    next_cursor: z.string().nullable().openapi({ description: 'Always null: a shop has few barbers, all are listed' }),
  })
  .openapi('ShopBarberList', {
    example: {
      data: [
        {
          id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          user_id: '4b3a2918-0f7e-4d6c-9b5a-483726150f4e',
          display_name: 'Marco',
          email: 'marco@example.com',
          active: true,
          joined_at: '2026-11-02T14:05:00.000Z',
          upcoming_appointments: 14,
        },
      ],
      next_cursor: null,
    },
  });

export type ShopBarberListResponse = z.infer<typeof ShopBarberListResponse>;

export const listShopBarbersRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/barbers',
  tags: ['Staff'],
  operationId: 'listShopBarbers',
  summary: "The shop's barbers, active and deactivated, with upcoming appointment counts (owner)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'Active barbers first, then by name', content: { 'application/json': { schema: ShopBarberListResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerListShopBarbers(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listShopBarbersRoute, async (c) => {
    const { id } = c.req.valid('param');
    const db = c.get('services').db;
    await authorizeShop(db, currentUser(c).userId, id, 'owner');
    const { barbers } = await listShopBarbers(db, id);
    c.header('Cache-Control', 'private, no-store');
    return c.json(
      {
        data: barbers.map((b) => ({
          id: b.id,
          user_id: b.user_id,
          display_name: b.display_name,
          email: b.email,
          active: b.active,
          joined_at: wireInstant(b.joined_ms),
          upcoming_appointments: b.upcoming,
        })),
        next_cursor: null,
      },
      200,
    );
  });
}
