import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { parseClock, formatClock } from '../../domain/working-hours';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeBarber } from '../../services/management/access';
import { saveWorkingHours } from '../../services/management/schedule';
import type { HonoEnv } from '../../types';
import { AppointmentRefSchema, IdParams, appointmentRef } from './management.schemas';

const Clock = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'HH:MM, 00:00 to 24:00');

const RuleSchema = z.object({
  weekday: z.number().int().min(0).max(6).openapi({ description: '0 = Sunday … 6 = Saturday', example: 1 }),
  start: Clock.openapi({ description: "Shop-local wall time", example: '09:00' }),
  end: Clock.openapi({ description: 'Exclusive; 24:00 = end of day', example: '12:30' }),
});

export const ReplaceWorkingHoursBody = z
  .object({ rules: z.array(RuleSchema).max(7 * 12) })
  .openapi('ReplaceWorkingHours', {
    description: 'Several intervals on one weekday express breaks.',
    example: {
      rules: [
        { weekday: 1, start: '09:00', end: '12:30' },
        { weekday: 1, start: '13:30', end: '18:00' },
      ],
    },
  });

export const WorkingHoursResponse = z
  .object({
    barber_id: z.uuid(),
    timezone: z.string(),
    rules: z.array(RuleSchema),
    stranded_appointments: z.array(AppointmentRefSchema).openapi({
      description: 'Upcoming held/pending/confirmed appointments the new hours no longer cover; they are NOT cancelled',
    }),
  })
  .openapi('WorkingHours', {
    example: {
      barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
      timezone: 'America/New_York',
      rules: [
        { weekday: 1, start: '09:00', end: '12:30' },
        { weekday: 1, start: '13:30', end: '18:00' },
      ],
      stranded_appointments: [],
    },
  });

export type ReplaceWorkingHoursBody = z.infer<typeof ReplaceWorkingHoursBody>;
export type WorkingHoursResponse = z.infer<typeof WorkingHoursResponse>;

export const replaceWorkingHoursRoute = createRoute({
  method: 'put',
  path: '/api/v1/barbers/{id}/working-hours',
  tags: ['Schedule'],
  operationId: 'replaceWorkingHours',
  summary: "Replace a barber's weekly hours (the barber or an owner)",
  description: 'Inverted or overlapping intervals → 422 naming each offending `json.rules.<i>`.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: ReplaceWorkingHoursBody } } } },
  responses: {
    200: { description: 'The hours now in force', content: { 'application/json': { schema: WorkingHoursResponse } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerReplaceWorkingHours(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(replaceWorkingHoursRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const { barber, shop } = await authorizeBarber(services.db, actorId, id, 'self_or_owner');
    const rules = body.rules.map((r) => ({ weekday: r.weekday, startMinute: parseClock(r.start)!, endMinute: parseClock(r.end)! }));
    const result = await saveWorkingHours(services, actorId, { barberId: id, shopId: barber.shopId, timezone: shop.timezone }, rules);
    return c.json(
      {
        barber_id: id,
        timezone: shop.timezone,
        rules: result.rules.map((r) => ({ weekday: r.weekday, start: formatClock(r.startMinute), end: formatClock(r.endMinute) })),
        stranded_appointments: result.stranded.map(appointmentRef),
      },
      200,
    );
  });
}
