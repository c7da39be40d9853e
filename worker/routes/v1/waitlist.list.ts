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
      content: { 'application/json': { schema: z.object({ data: z.array(WaitlistEntrySchema), next_cursor: z.null() }).openapi('WaitlistList') } },
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
