import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { walkInStatus } from '../../services/walk-ins';
import type { HonoEnv } from '../../types';
import { WalkInStatusToken, WalkInTicketSchema } from './walk-ins.schemas';

export const walkInStatusRoute = createRoute({
  method: 'get',
  path: '/api/v1/walk-ins/status',
  tags: ['Walk-ins'],
  operationId: 'getWalkInStatus',
  summary: 'A walk-in’s ticket by its signed status link (no sign-in); 404 for anything we did not sign',
  request: { query: z.object({ token: WalkInStatusToken }) },
  responses: {
    200: { description: 'The ticket', content: { 'application/json': { schema: WalkInTicketSchema } } },
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerWalkInStatus(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(walkInStatusRoute, async (c) => {
    const ticket = await walkInStatus(c.get('services'), c.req.valid('query').token);
    c.header('Cache-Control', 'private, no-store');
    return c.json(ticket, 200);
  });
}
