import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { listWaitlistEntries } from '../../db/queries/waitlist';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import type { HonoEnv } from '../../types';
import { WaitlistEntrySchema } from './booking.schemas';
import { waitlistView } from './waitlist.schemas';

export const listWaitlistRoute = createRoute({
  method: 'get',
  path: '/api/v1/waitlist',
  tags: ['Waitlist'],
  operationId: 'listWaitlist',
  summary: 'Your waitlist entries, newest first',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  responses: {
    200: {
      description: 'Entries',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(WaitlistEntrySchema), next_cursor: z.null() }).openapi('WaitlistList', {
            example: {
              data: [
                {
                  id: 'b7a69584-7362-4514-9f3e-2d1c0b9a8f7e',
                  shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
                  barber_id: null,
                  service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
                  window_start: '2026-12-07T05:00:00.000Z',
                  window_end: '2026-12-12T05:00:00.000Z',
                  day_start: '17:00',
                  day_end: '20:00',
                  status: 'waiting',
                  offered_appointment_id: null,
                  created_at: '2026-12-01T18:30:00.000Z',
                },
              ],
              next_cursor: null,
            },
          }),
        },
      },
    },
    401: errorResponses[401],
  },
});

export function registerListWaitlist(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listWaitlistRoute, async (c) => {
    const rows = await listWaitlistEntries(c.get('services').db, currentUser(c).userId);
    c.header('Cache-Control', 'private, no-store');
    return c.json({ data: rows.map(waitlistView), next_cursor: null }, 200);
  });
}
