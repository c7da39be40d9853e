import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeBarber } from '../../services/management/access';
import { removeTimeOff } from '../../services/management/schedule';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const DeleteTimeOffParams = IdParams.extend({
  time_off_id: z.uuid().openapi({ param: { name: 'time_off_id', in: 'path' } }),
});

export const deleteTimeOffRoute = createRoute({
  method: 'delete',
  path: '/api/v1/barbers/{id}/time-off/{time_off_id}',
  tags: ['Schedule'],
  operationId: 'deleteTimeOff',
  summary: 'Remove a block of time off (the barber or an owner)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: DeleteTimeOffParams },
  responses: {
    204: { description: 'Removed' },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerDeleteTimeOff(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(deleteTimeOffRoute, async (c) => {
    const { id, time_off_id } = c.req.valid('param');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const { barber, shop } = await authorizeBarber(services.db, actorId, id, 'self_or_owner');
    await removeTimeOff(services, actorId, { barberId: id, shopId: barber.shopId, timezone: shop.timezone }, time_off_id);
    return c.body(null, 204);
  });
}
