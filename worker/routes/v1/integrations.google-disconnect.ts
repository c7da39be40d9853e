import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { disconnectGoogle } from '../../services/calendar-sync';
import { authorizeBarber } from '../../services/management/access';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const googleDisconnectRoute = createRoute({
  method: 'delete',
  path: '/api/v1/barbers/{id}/integrations/google',
  tags: ['Integrations'],
  operationId: 'disconnectGoogleCalendar',
  summary: "Disconnect the barber's Google Calendar (the barber or an owner): the grant is revoked, its busy blocks removed",
  description: 'Events already written stay in the calendar. Answers 204 also when nothing was connected.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    204: { description: 'Disconnected' },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerGoogleDisconnect(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(googleDisconnectRoute, async (c) => {
    const { id } = c.req.valid('param');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const { barber } = await authorizeBarber(services.db, actorId, id, 'self_or_owner');
    await disconnectGoogle(services, { barberId: barber.id, shopId: barber.shopId, actorId });
    return c.body(null, 204);
  });
}
