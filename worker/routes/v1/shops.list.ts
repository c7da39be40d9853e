import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { listShops } from '../../services/shops';
import type { HonoEnv } from '../../types';

export const ShopSummarySchema = z
  .object({
    id: z.uuid(),
    slug: z.string().openapi({ example: 'fade-street' }),
    name: z.string().openapi({ example: 'Fade Street' }),
    timezone: z.string().openapi({ example: 'America/New_York' }),
    currency: z.string().length(3).openapi({ example: 'USD' }),
  })
  .openapi('ShopSummary');

export const ListShopsQuery = z.object({
  q: z.string().trim().max(100).optional().openapi({ description: 'Part of the shop name' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional().openapi({ description: '`next_cursor` from the previous page' }),
});

export const ListShopsResponse = z
  .object({ data: z.array(ShopSummarySchema), next_cursor: z.string().nullable() })
  .openapi('ShopList', {
    example: {
      data: [
        {
          id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
          slug: 'fade-street',
          name: 'Fade Street',
          timezone: 'America/New_York',
          currency: 'USD',
        },
      ],
      next_cursor: null,
    },
  });

export type ListShopsResponse = z.infer<typeof ListShopsResponse>;

export const listShopsRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops',
  tags: ['Shops'],
  operationId: 'listShops',
  summary: 'Active shops, optionally filtered by name',
  request: { query: ListShopsQuery },
  responses: {
    200: { description: 'A page of shops', content: { 'application/json': { schema: ListShopsResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
  },
});

export function registerListShops(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listShopsRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await listShops(c.get('services').db, query);
    c.header('Cache-Control', 'public, max-age=30');
    return c.json(page, 200);
  });
}
