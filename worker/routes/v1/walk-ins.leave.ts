import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { leaveWalkIn } from '../../services/walk-ins';
import type { HonoEnv } from '../../types';
import { WalkInStatusToken } from './walk-ins.schemas';

export const leaveWalkInRoute = createRoute({
  method: 'post',
  path: '/api/v1/walk-ins/leave',
  tags: ['Walk-ins'],
  operationId: 'leaveWalkIn',
  summary: 'Leave the walk-in queue with the status link’s token: the walk-in is cancelled (no fee) and its time freed',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ token: WalkInStatusToken }).openapi('LeaveWalkIn', { example: { token: 'wt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw' } }) } } } },
  responses: {
    204: { description: 'Left (leaving twice is fine)' },
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerLeaveWalkIn(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(leaveWalkInRoute, async (c) => {
    await leaveWalkIn(c.get('services'), c.req.valid('json').token);
    c.header('Cache-Control', 'private, no-store');
    return c.body(null, 204);
  });
}
