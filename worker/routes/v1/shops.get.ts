import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, errorResponses } from '../../lib/errors';
import { etagMatches, publicShopPage } from '../../services/management/shops';
import type { HonoEnv } from '../../types';
import { AddressSchema, PolicySchema, SHOP_EXAMPLE, Slug } from './management.schemas';

const OfferedServiceSchema = z.object({
  service_id: z.uuid(),
  name: z.string(),
  currency: z.string(),
  price_cents: z.number().int().openapi({ description: "The barber's price (override or the service's own)" }),
  duration_min: z.number().int(),
});

export const PublicShopSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    timezone: z.string(),
    currency: z.string(),
    address: AddressSchema.nullable(),
    policy: PolicySchema,
    barbers: z.array(
      z.object({
        id: z.uuid(),
        display_name: z.string(),
        bio: z.string(),
        services: z.array(OfferedServiceSchema),
        working_hours: z
          .array(z.object({ weekday: z.number().int(), start: z.string(), end: z.string() }))
          .openapi({ description: 'Weekly hours in the shop time zone; several per weekday = breaks' }),
      }),
    ),
    services: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        description: z.string(),
        price_cents: z.number().int(),
        currency: z.string(),
        duration_min: z.number().int(),
      }),
    ),
  })
  .openapi('PublicShop', {
    example: {
      ...SHOP_EXAMPLE,
      barbers: [
        {
          id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          display_name: 'Marco',
          bio: 'Fades and beard work, 12 years behind the chair.',
          services: [
            {
              service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
              name: 'Skin fade',
              currency: 'USD',
              price_cents: 3500,
              duration_min: 30,
            },
          ],
          working_hours: [
            { weekday: 1, start: '09:00', end: '12:30' },
            { weekday: 1, start: '13:30', end: '18:00' },
          ],
        },
      ],
      services: [
        {
          id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
          name: 'Skin fade',
          description: 'Clippers and foil, finished with a razor line-up',
          price_cents: 3500,
          currency: 'USD',
          duration_min: 30,
        },
      ],
    },
  });

export type PublicShopResponse = z.infer<typeof PublicShopSchema>;

export const GetShopParams = z.object({ slug: Slug.openapi({ param: { name: 'slug', in: 'path' } }) });

export const getShopRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{slug}',
  tags: ['Shops'],
  operationId: 'getShopBySlug',
  summary: 'A shop page: the shop, its active barbers (with offerings) and services',
  description:
    'Public and cacheable. Sends a strong `ETag`; a matching `If-None-Match` gets 304 with no body. ' +
    'One database round trip on a miss.',
  request: { params: GetShopParams },
  responses: {
    200: { description: 'The shop page', content: { 'application/json': { schema: PublicShopSchema } } },
    304: { description: 'Not modified since the ETag the client holds' },
    400: errorResponses[400],
    422: errorResponses[422],
    404: errorResponses[404],
  },
});

/**
 * Browsers and CDNs may keep the page a minute and serve it stale for a while longer while they
 * revalidate; owner edits therefore show within about a minute without any purge machinery.
 */
const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

export function registerGetShop(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(getShopRoute, async (c) => {
    const { slug } = c.req.valid('param');
    const page = await publicShopPage(c.get('services').db, slug);
    if (!page) throw new ApiError('not_found', 'No such shop');
    const headers = { ETag: page.etag, 'Cache-Control': CACHE_CONTROL };
    if (etagMatches(c.req.header('if-none-match'), page.etag)) {
      return c.body(null, 304, headers);
    }
    // The body is sent as serialised for the ETag, byte for byte.
    return c.body(page.body, 200, { ...headers, 'Content-Type': 'application/json' });
  });
}
