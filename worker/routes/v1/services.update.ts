import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeService } from '../../services/management/access';
import { updateService } from '../../services/management/catalogue';
import type { HonoEnv } from '../../types';
import { Currency, DurationMin, IdParams, PriceCents, ServiceSchema, serviceView } from './management.schemas';
import { availabilityChangedIn } from '../../services/availability-cache';

export const UpdateServiceBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(1000).optional(),
    price_cents: PriceCents.optional(),
    currency: Currency.optional(),
    duration_min: DurationMin.optional(),
    active: z.boolean().optional().openapi({ description: 'false retires the service; services with history are never deleted' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'Send at least one field to change' })
  .openapi('UpdateService', { example: { price_cents: 4000, duration_min: 45 } });

export type UpdateServiceBody = z.infer<typeof UpdateServiceBody>;
export type UpdateServiceResponse = z.infer<typeof ServiceSchema>;

export const updateServiceRoute = createRoute({
  method: 'patch',
  path: '/api/v1/services/{id}',
  tags: ['Catalogue'],
  operationId: 'updateService',
  summary: 'Change or retire a service (owner)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: UpdateServiceBody } } } },
  responses: {
    200: { description: 'The updated service', content: { 'application/json': { schema: ServiceSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerUpdateService(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(updateServiceRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('services').db;
    const actorId = currentUser(c).userId;
    const { service, shop } = await authorizeService(db, actorId, id, 'owner');
    const updated = await updateService(db, actorId, service, shop, body);
    await availabilityChangedIn(c.get('services'), { serviceId: service.id, shopId: shop.id });
    return c.json(serviceView(updated), 200);
  });
}
