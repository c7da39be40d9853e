import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { requireAuth, requireShopRole } from '../../middleware/auth';
import { clientDetail } from '../../services/management/clients';
import type { HonoEnv } from '../../types';
import { IdParams, Uuid } from './management.schemas';
import { WireInstant } from './wire.schemas';

export const ClientDetailQuery = z.object({ shop_id: Uuid.openapi({ description: 'The shop whose record to read' }) });

export const ClientDetailSchema = z
  .object({
    id: z.uuid(),
    email: z.string().nullable(),
    first_name: z.string(),
    last_name: z.string(),
    phone_last4: z.string().nullable(),
    visit_count: z.number().int().openapi({ description: 'Completed appointments at this shop' }),
    no_show_count: z.number().int(),
    late_cancel_count: z.number().int().openapi({ description: 'Cancelled inside the policy window (deposit kept or a late-cancel fee)' }),
    visits: z.array(
      z.object({
        id: z.uuid(),
        barber_id: z.uuid(),
        barber_name: z.string(),
        service_id: z.uuid(),
        service_name: z.string(),
        start_time: WireInstant,
        end_time: WireInstant,
        status: z.string(),
        price_cents: z.number().int(),
        currency: z.string(),
      }),
    ),
    notes: z.array(z.object({ id: z.uuid(), body: z.string(), author_id: z.uuid().nullable(), created_at: WireInstant })),
  })
  .openapi('ClientDetail', {
    example: {
      id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      email: 'jane@example.com',
      first_name: 'Jane',
      last_name: 'Doe',
      phone_last4: '0134',
      visit_count: 6,
      no_show_count: 0,
      late_cancel_count: 1,
      visits: [
        {
          id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
          barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          barber_name: 'Marco',
          service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
          service_name: 'Skin fade',
          start_time: '2026-12-07T15:30:00.000Z',
          end_time: '2026-12-07T16:00:00.000Z',
          status: 'completed',
          price_cents: 3500,
          currency: 'USD',
        },
      ],
      notes: [
        {
          id: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
          body: 'Prefers a number 2 on the sides.',
          author_id: '4b3a2918-0f7e-4d6c-9b5a-483726150f4e',
          created_at: '2026-11-20T16:40:00.000Z',
        },
      ],
    },
  });

export type ClientDetailResponse = z.infer<typeof ClientDetailSchema>;

export const getClientRoute = createRoute({
  method: 'get',
  path: '/api/v1/clients/{id}',
  tags: ['Clients'],
  operationId: 'getClient',
  summary: 'A client record at one shop: visits, no-shows, private staff notes (staff)',
  description: 'Only this shop\'s appointments and notes. A user who is not a client of the shop → 404.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), requireShopRole('staff', { field: 'query.shop_id', shopId: (c) => c.req.query('shop_id') })] as const,
  request: { params: IdParams, query: ClientDetailQuery },
  responses: {
    200: { description: 'The client record', content: { 'application/json': { schema: ClientDetailSchema } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerGetClient(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(getClientRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { shop_id } = c.req.valid('query');
    const detail = await clientDetail(c.get('services').db, shop_id, id);
    c.header('Cache-Control', 'private, no-store');
    return c.json(detail, 200);
  });
}
