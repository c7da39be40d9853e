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
  .openapi('ClientDetail');

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
