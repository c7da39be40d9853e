import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeBarber } from '../../services/management/access';
import { saveOfferings } from '../../services/management/catalogue';
import type { HonoEnv } from '../../types';
import { DurationMin, IdParams, PriceCents, Uuid } from './management.schemas';

export const ReplaceBarberServicesBody = z
  .object({
    services: z
      .array(
        z.object({
          service_id: Uuid,
          price_cents: PriceCents.nullable().optional().openapi({ description: "Override; null/omitted = the service's price" }),
          duration_min: DurationMin.nullable().optional().openapi({ description: "Override; null/omitted = the service's duration" }),
        }),
      )
      .max(200),
  })
  .openapi('ReplaceBarberServices', {
    example: { services: [{ service_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', price_cents: 4500 }] },
  });

export const OfferingSchema = z
  .object({
    service_id: z.uuid(),
    name: z.string(),
    currency: z.string(),
    price_cents: z.number().int().nullable(),
    duration_min: z.number().int().nullable(),
    effective_price_cents: z.number().int(),
    effective_duration_min: z.number().int(),
    active: z.boolean(),
  })
  .openapi('Offering');

export const BarberServicesResponse = z
  .object({ barber_id: z.uuid(), services: z.array(OfferingSchema) })
  .openapi('BarberServices', {
    example: {
      barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
      services: [
        {
          service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
          name: 'Skin fade',
          currency: 'USD',
          price_cents: 4000,
          duration_min: null,
          effective_price_cents: 4000,
          effective_duration_min: 30,
          active: true,
        },
      ],
    },
  });

export type ReplaceBarberServicesBody = z.infer<typeof ReplaceBarberServicesBody>;
export type BarberServicesResponse = z.infer<typeof BarberServicesResponse>;

export const replaceBarberServicesRoute = createRoute({
  method: 'put',
  path: '/api/v1/barbers/{id}/services',
  tags: ['Catalogue'],
  operationId: 'replaceBarberServices',
  summary: "Replace a barber's offerings (owner or the barber)",
  description: 'Atomic. Every service must belong to the barber\'s shop (else 422 naming `json.services.<i>.service_id`).',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: ReplaceBarberServicesBody } } } },
  responses: {
    200: { description: 'The offerings now in force', content: { 'application/json': { schema: BarberServicesResponse } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerReplaceBarberServices(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(replaceBarberServicesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const ctx = await authorizeBarber(services.db, actorId, id, 'self_or_owner', { withServices: true });
    const offerings = await saveOfferings(
      services,
      actorId,
      { barberId: id, shopId: ctx.barber.shopId, policy: ctx.shop.policy, catalogue: ctx.shopServices },
      body.services,
    );
    return c.json({ barber_id: id, services: offerings }, 200);
  });
}
