import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { walkInQueue } from '../../services/walk-ins';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { WalkInTicketSchema } from './walk-ins.schemas';
import { WireInstant } from './wire.schemas';

export const WalkInQueueResponse = z
  .object({
    shop: z.object({ id: z.uuid(), name: z.string(), timezone: z.string() }),
    now: WireInstant,
    entries: z.array(WalkInTicketSchema),
    barbers: z.array(z.object({ id: z.uuid(), name: z.string(), next_free: WireInstant.nullable(), booked_minutes: z.number().int() })),
  })
  .openapi('WalkInQueue');

export const walkInQueueRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/walk-ins',
  tags: ['Walk-ins'],
  operationId: 'listWalkIns',
  summary: 'Staff: the shop’s live walk-in queue with estimates and each barber’s next free time (one database statement)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'Today’s walk-ins, soonest first', content: { 'application/json': { schema: WalkInQueueResponse } } },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerListWalkIns(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(walkInQueueRoute, async (c) => {
    const queue = await walkInQueue(c.get('services'), currentUser(c).userId, c.req.valid('param').id);
    c.header('Cache-Control', 'private, no-store');
    return c.json(queue, 200);
  });
}
