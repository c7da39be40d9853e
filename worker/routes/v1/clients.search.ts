import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { requireAuth, requireShopRole } from '../../middleware/auth';
import { searchShopClients } from '../../services/management/clients';
import type { HonoEnv } from '../../types';
import { Uuid } from './management.schemas';

export const SearchClientsQuery = z.object({
  shop_id: Uuid.openapi({ description: 'The shop whose clients to search (caller must be staff there)' }),
  q: z.string().trim().min(1).max(100).openapi({ description: 'Name or e-mail words (prefixes match), or the last phone digits', example: 'jo' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const ClientSummarySchema = z
  .object({
    id: z.uuid(),
    email: z.string().nullable(),
    first_name: z.string(),
    last_name: z.string(),
    phone_last4: z.string().nullable(),
  })
  .openapi('ClientSummary');

export const ClientSearchResponse = z
  .object({ data: z.array(ClientSummarySchema), next_cursor: z.null().openapi({ description: 'Ranked results come in one page' }) })
  .openapi('ClientSearch', {
    example: {
      data: [
        {
          id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
          email: 'jane@example.com',
          first_name: 'Jane',
          last_name: 'Doe',
          phone_last4: '0134',
        },
      ],
      next_cursor: null,
    },
  });

export type ClientSearchResponse = z.infer<typeof ClientSearchResponse>;

export const searchClientsRoute = createRoute({
  method: 'get',
  path: '/api/v1/clients',
  tags: ['Clients'],
  operationId: 'searchClients',
  summary: "Full-text search over one shop's clients (staff)",
  description: 'Ranked prefix matching over names and e-mail words ("jo" finds John); digits match the end of the phone number.',
  security: [{ bearerAuth: [] }],
  // Barbers and owners of the shop (admins too) may read its client records.
  middleware: [requireAuth(), requireShopRole('staff', { field: 'query.shop_id', shopId: (c) => c.req.query('shop_id') })] as const,
  request: { query: SearchClientsQuery },
  responses: {
    200: { description: 'Best matches first', content: { 'application/json': { schema: ClientSearchResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
  },
});

export function registerSearchClients(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(searchClientsRoute, async (c) => {
    const query = c.req.valid('query');
    const hits = await searchShopClients(c.get('services').db, query.shop_id, query.q, query.limit);
    c.header('Cache-Control', 'private, no-store');
    return c.json(
      {
        data: hits.map((h) => ({ id: h.id, email: h.email, first_name: h.firstName, last_name: h.lastName, phone_last4: h.phoneLast4 })),
        next_cursor: null,
      },
      200,
    );
  });
}
