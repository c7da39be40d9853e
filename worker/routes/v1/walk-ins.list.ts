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
  .openapi('WalkInQueue', {
    example: {
      shop: {
        id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        name: 'Fade Street',
        timezone: 'America/New_York',
      },
      now: '2026-12-07T18:50:00.000Z',
      entries: [
        {
          id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
          shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
          barber: { id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', name: 'Marco' },
          service: { id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f', name: 'Skin fade' },
          client_name: 'Sam',
          start_time: '2026-12-07T19:15:00.000Z',
          end_time: '2026-12-07T19:45:00.000Z',
          wait_minutes: 25,
          position: 2,
          status: 'waiting',
          status_url: 'https://bookedbarber.app/s/fade-street/walk-in/wt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw',
        },
      ],
      barbers: [
        {
          id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          name: 'Marco',
          next_free: '2026-12-07T19:15:00.000Z',
          booked_minutes: 240,
        },
      ],
    },
  });

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
