import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { createShop } from '../../services/management/shops';
import type { HonoEnv } from '../../types';
import { AddressSchema, Currency, PolicySchema, ShopSchema, Slug, shopView } from './management.schemas';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';

export const CreateShopBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'Fade Street' }),
    slug: Slug,
    timezone: z.string().max(64).openapi({ description: 'IANA time zone', example: 'America/New_York' }),
    currency: Currency,
    address: AddressSchema.nullable().optional(),
    policy: PolicySchema.partial().optional().openapi({ description: 'Omitted fields take the defaults' }),
  })
  .openapi('CreateShop', {
    example: {
      name: 'Fade Street',
      slug: 'fade-street',
      timezone: 'America/New_York',
      currency: 'USD',
      address: {
        line1: '12 Grand St',
        city: 'New York',
        region: 'NY',
        postal_code: '10013',
        country: 'US',
      },
      policy: { deposit: { kind: 'percent', value: 20 }, cancel_window_hours: 24 },
    },
  });

export type CreateShopBody = z.infer<typeof CreateShopBody>;
export type CreateShopResponse = z.infer<typeof ShopSchema>;

export const createShopRoute = createRoute({
  method: 'post',
  path: '/api/v1/shops',
  tags: ['Shops'],
  operationId: 'createShop',
  summary: 'Create a shop; the caller becomes its owner',
  description: 'Invalid time zone or policy → 422 naming the field; a taken slug → 409.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: { headers: IdempotencyHeaders, body: { required: true, content: { 'application/json': { schema: CreateShopBody } } } },
  responses: {
    201: { description: 'The new shop', content: { 'application/json': { schema: ShopSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerCreateShop(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(createShopRoute, async (c) => {
    const body = c.req.valid('json');
    const shop = await createShop(c.get('services').db, currentUser(c).userId, body);
    return c.json(shopView(shop), 201);
  });
}
