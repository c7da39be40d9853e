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
  .openapi('CreateTimeOff', {
    example: {
      starts_at: '2026-12-08T09:00:00-05:00',
      ends_at: '2026-12-08T13:00:00-05:00',
      reason: 'Dentist',
    },
  });

export const CreatedTimeOffResponse = z
  .object({
    time_off: TimeOffSchema,
    stranded_appointments: z.array(AppointmentRefSchema).openapi({
      description: 'Held/pending/confirmed appointments inside the block; they are NOT cancelled',
    }),
  })
  .openapi('CreatedTimeOff', {
    example: {
      time_off: {
        id: '0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b',
        barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
        starts_at: '2026-12-08T14:00:00.000Z',
        ends_at: '2026-12-08T18:00:00.000Z',
        reason: 'Dentist',
        created_at: '2026-12-01T12:00:00.000Z',
      },
      stranded_appointments: [],
    },
  });

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
