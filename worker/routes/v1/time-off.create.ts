import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeBarber } from '../../services/management/access';
import { addTimeOff } from '../../services/management/schedule';
import type { HonoEnv } from '../../types';
import { AppointmentRefSchema, IdParams, Instant, TimeOffSchema, appointmentRef, timeOffView } from './management.schemas';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';

export const CreateTimeOffBody = z
  .object({
    starts_at: Instant,
    ends_at: Instant.openapi({ example: '2030-01-07T13:00:00-05:00' }),
    reason: z.string().trim().max(200).nullable().optional().openapi({ example: 'Dentist' }),
  })
  .openapi('CreateTimeOff');

export const CreatedTimeOffResponse = z
  .object({
    time_off: TimeOffSchema,
    stranded_appointments: z.array(AppointmentRefSchema).openapi({
      description: 'Held/pending/confirmed appointments inside the block; they are NOT cancelled',
    }),
  })
  .openapi('CreatedTimeOff');

export type CreateTimeOffBody = z.infer<typeof CreateTimeOffBody>;
export type CreatedTimeOffResponse = z.infer<typeof CreatedTimeOffResponse>;

export const createTimeOffRoute = createRoute({
  method: 'post',
  path: '/api/v1/barbers/{id}/time-off',
  tags: ['Schedule'],
  operationId: 'createTimeOff',
  summary: 'Block time off (the barber or an owner)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: { headers: IdempotencyHeaders, params: IdParams, body: { required: true, content: { 'application/json': { schema: CreateTimeOffBody } } } },
  responses: {
    201: { description: 'The block, and what it strands', content: { 'application/json': { schema: CreatedTimeOffResponse } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerCreateTimeOff(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(createTimeOffRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const { barber, shop } = await authorizeBarber(services.db, actorId, id, 'self_or_owner');
    const result = await addTimeOff(
      services,
      actorId,
      { barberId: id, shopId: barber.shopId, timezone: shop.timezone },
      { startsAt: new Date(body.starts_at), endsAt: new Date(body.ends_at), reason: body.reason ?? null },
    );
    return c.json({ time_off: timeOffView(result.timeOff), stranded_appointments: result.stranded.map(appointmentRef) }, 201);
  });
}
