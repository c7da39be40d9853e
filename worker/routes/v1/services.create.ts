import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeShop } from '../../services/management/access';
import { createService } from '../../services/management/catalogue';
import type { HonoEnv } from '../../types';
import { Currency, DurationMin, IdParams, PriceCents, ServiceSchema, serviceView } from './management.schemas';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';

export const ServiceFieldsSchema = z.object({
  name: z.string().trim().min(1).max(100).openapi({ example: 'Skin fade' }),
  description: z.string().trim().max(1000).default('').openapi({ example: 'Clippers and foil, finished with a razor line-up' }),
  price_cents: PriceCents,
  currency: Currency.openapi({ description: "Must equal the shop's currency" }),
  duration_min: DurationMin,
  active: z.boolean().default(true),
});

export const CreateServiceBody = ServiceFieldsSchema.openapi('CreateService', {
  example: {
    name: 'Skin fade',
    description: 'Clippers and foil, finished with a razor line-up',
    price_cents: 3500,
    currency: 'USD',
    duration_min: 30,
  },
});

export type CreateServiceBody = z.infer<typeof CreateServiceBody>;
export type ServiceResponse = z.infer<typeof ServiceSchema>;

export const createServiceRoute = createRoute({
  method: 'post',
  path: '/api/v1/shops/{id}/services',
  tags: ['Catalogue'],
  operationId: 'createService',
  summary: 'Add a service to the catalogue (owner)',
  description: "Currency other than the shop's, or a price below the policy's fixed fees → 422. Same name twice → 409.",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: { headers: IdempotencyHeaders, params: IdParams, body: { required: true, content: { 'application/json': { schema: CreateServiceBody } } } },
  responses: {
    201: { description: 'The new service', content: { 'application/json': { schema: ServiceSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerCreateService(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(createServiceRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('services').db;
    const actorId = currentUser(c).userId;
    const { shop } = await authorizeShop(db, actorId, id, 'owner');
    const service = await createService(db, actorId, shop, body);
    return c.json(serviceView(service), 201);
  });
}
