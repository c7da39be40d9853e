import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { leaveWaitlist } from '../../services/waitlist';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const leaveWaitlistRoute = createRoute({
  method: 'delete',
  path: '/api/v1/waitlist/{id}',
  tags: ['Waitlist'],
  operationId: 'leaveWaitlist',
  summary: 'Leave the waitlist (your own entry)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    204: { description: 'Left' },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export function registerLeaveWaitlist(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(leaveWaitlistRoute, async (c) => {
    await leaveWaitlist(c.get('services').db, currentUser(c).userId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
