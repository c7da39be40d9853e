import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { clientIp } from '../../middleware/rate-limit';
import { joinWalkIn } from '../../services/walk-ins';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { WalkInTicketSchema } from './walk-ins.schemas';

export const JoinWalkInBody = z
  .object({
    service_id: z.uuid(),
    barber_id: z.union([z.uuid(), z.literal('any')]).default('any'),
    first_name: z.string().max(100),
    last_name: z.string().max(100).optional(),
    phone: z.string().max(40).openapi({ example: '+1 212 555 0134' }),
  })
  .openapi('JoinWalkIn', {
    example: {
      service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
      barber_id: 'any',
      first_name: 'Sam',
      phone: '+1 212 555 0188',
    },
  });

export const joinWalkInRoute = createRoute({
  method: 'post',
  path: '/api/v1/shops/{id}/walk-ins',
  tags: ['Walk-ins'],
  operationId: 'joinWalkIn',
  summary: 'Join the walk-in queue (public or kiosk: first name + phone, no account; or staff for a client)',
  description:
    'Placed in the next gap that fits today through the barber’s schedule object, like any booking. Public joins are rate-limited per address. ' +
    '409 `no_gap_today` when nothing fits today; 422 for a missing first name or a phone number a text cannot reach.',
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: JoinWalkInBody } } } },
  responses: {
    201: { description: 'The ticket', content: { 'application/json': { schema: WalkInTicketSchema } } },
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
    429: errorResponses[429],
  },
});

export function registerJoinWalkIn(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(joinWalkInRoute, async (c) => {
    const body = c.req.valid('json');
    const ticket = await joinWalkIn(c.get('services'), c.get('auth')?.userId ?? null, c.req.valid('param').id, {
      serviceId: body.service_id,
      barberId: body.barber_id,
      firstName: body.first_name,
      ...(body.last_name !== undefined ? { lastName: body.last_name } : {}),
      phone: body.phone,
      ip: clientIp(c),
    });
    c.header('Cache-Control', 'private, no-store');
    return c.json(ticket, 201);
  });
}
