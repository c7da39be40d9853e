import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeShop } from '../../services/management/access';
import { updateShop } from '../../services/management/shops';
import type { HonoEnv } from '../../types';
import { AddressSchema, IdParams, PolicySchema, ShopSchema, shopView } from './management.schemas';
import { availabilityChangedIn } from '../../services/availability-cache';

export const UpdateShopBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    timezone: z.string().max(64).optional().openapi({ example: 'Europe/London' }),
    address: AddressSchema.nullable().optional(),
    policy: PolicySchema.partial().optional().openapi({
      description: 'Merged over the current policy. Fixed fees and deposits may not exceed the cheapest active price.',
      example: { no_show_fee: { kind: 'fixed', value: 1500 }, cancel_window_hours: 12 },
    }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'Send at least one field to change' })
  .openapi('UpdateShop', {
    example: {
      name: 'Fade Street Soho',
      policy: { hold_minutes: 15, no_show_fee: { kind: 'percent', value: 50 }, card_on_file: true },
    },
  });

export type UpdateShopBody = z.infer<typeof UpdateShopBody>;
export type UpdateShopResponse = z.infer<typeof ShopSchema>;

export const updateShopRoute = createRoute({
  method: 'patch',
  path: '/api/v1/shops/{id}',
  tags: ['Shops'],
  operationId: 'updateShop',
  summary: 'Update the shop profile and policy (owner)',
  description: 'The currency is fixed at creation: services and appointments are priced in it.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: UpdateShopBody } } } },
  responses: {
    200: { description: 'The updated shop', content: { 'application/json': { schema: ShopSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerUpdateShop(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(updateShopRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('services').db;
    const actorId = currentUser(c).userId;
    const { shop, cheapestPriceCents } = await authorizeShop(db, actorId, id, 'owner');
    const updated = await updateShop(db, actorId, shop, cheapestPriceCents, body);
    // Only what slots depend on; a name or address change leaves availability alone.
    if (body.policy !== undefined || body.timezone !== undefined) {
      await availabilityChangedIn(c.get('services'), { barberIds: updated.barberIds, shopId: shop.id, serviceIds: updated.serviceIds });
    }
    return c.json(shopView(updated.shop), 200);
  });
}
