import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { parseClock } from '../../domain/working-hours';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';
import { joinWaitlist } from '../../services/waitlist';
import type { HonoEnv } from '../../types';
import { WaitlistEntrySchema } from './booking.schemas';
import { waitlistView } from './waitlist.schemas';

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM, 00:00-24:00').openapi({ example: '17:00' });
const MAX_WINDOW_DAYS = 62;

export const JoinWaitlistBody = z
  .object({
    shop_id: z.uuid(),
    service_id: z.uuid(),
    barber_id: z.uuid().nullable().optional().openapi({ description: 'Omit or null for any barber' }),
    from: z.iso.date().openapi({ description: "First day wanted, in the shop's zone", example: '2026-12-07' }),
    to: z.iso.date().openapi({ description: 'Last day wanted (inclusive)', example: '2026-12-11' }),
    day_start: Clock.optional().openapi({ description: 'Earliest start time of day wanted (with day_end)' }),
    day_end: Clock.optional(),
  })
  .refine((b) => (b.day_start === undefined) === (b.day_end === undefined), { message: 'Give both day_start and day_end, or neither', path: ['day_end'] })
  .refine((b) => b.to >= b.from, { message: 'Must be on or after from', path: ['to'] })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= MAX_WINDOW_DAYS * 86_400_000, { message: `At most ${MAX_WINDOW_DAYS} days`, path: ['to'] })
  .refine((b) => !b.day_start || !b.day_end || parseClock(b.day_end)! > parseClock(b.day_start)!, { message: 'Must be after day_start', path: ['day_end'] })
  .openapi('JoinWaitlist', {
    example: {
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
      from: '2026-12-07',
      to: '2026-12-11',
      day_start: '17:00',
      day_end: '20:00',
    },
  });

export const joinWaitlistRoute = createRoute({
  method: 'post',
  path: '/api/v1/waitlist',
  tags: ['Waitlist'],
  operationId: 'joinWaitlist',
  summary: 'Wait for a slot: when one that matches frees up, you get a hold on it and a message',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: { headers: IdempotencyHeaders, body: { required: true, content: { 'application/json': { schema: JoinWaitlistBody } } } },
  responses: {
    201: { description: 'The entry', content: { 'application/json': { schema: WaitlistEntrySchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerJoinWaitlist(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(joinWaitlistRoute, async (c) => {
    const body = c.req.valid('json');
    const entry = await joinWaitlist(c.get('services').db, {
      clientId: currentUser(c).userId,
      shopId: body.shop_id,
      barberId: body.barber_id ?? null,
      serviceId: body.service_id,
      fromDate: body.from,
      toDate: body.to,
      dayStartMinute: body.day_start ? parseClock(body.day_start) : null,
      dayEndMinute: body.day_end ? parseClock(body.day_end) : null,
    });
    return c.json(waitlistView(entry), 201);
  });
}
