import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { formatPlainDate } from '../../domain/time';
import { errorResponses } from '../../lib/errors';
import { wireInstant } from '../../lib/wire';
import { availabilityDeps, MAX_RANGE_DAYS, shopAvailability } from '../../services/availability';
import type { HonoEnv } from '../../types';
import { dayRange } from './barbers.availability';
import { DateRangeQuery } from './booking.schemas';
import { IdParams } from './management.schemas';
import { WireInstant } from './wire.schemas';

export const ShopAvailabilityResponse = z
  .object({
    timezone: z.string().openapi({ example: 'America/New_York' }),
    service_id: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
    slots: z.array(z.object({ start: WireInstant, end: WireInstant, barber_ids: z.array(z.uuid()) })).openapi({
      description: 'Each opening with the barbers free for it (a barber with a different duration for the service appears under its own end)',
    }),
    earliest_by_day: z.array(z.object({ date: z.iso.date(), start: WireInstant, end: WireInstant, barber_ids: z.array(z.uuid()) })),
  })
  .openapi('ShopAvailability', {
    example: {
      timezone: 'America/New_York',
      service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
      from: '2026-12-07',
      to: '2026-12-07',
      slots: [
        {
          start: '2026-12-07T14:00:00.000Z',
          end: '2026-12-07T14:30:00.000Z',
          barber_ids: ['5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918'],
        },
        {
          start: '2026-12-07T14:15:00.000Z',
          end: '2026-12-07T14:45:00.000Z',
          barber_ids: ['7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918'],
        },
      ],
      earliest_by_day: [
        {
          date: '2026-12-07',
          start: '2026-12-07T14:00:00.000Z',
          end: '2026-12-07T14:30:00.000Z',
          barber_ids: ['5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918'],
        },
      ],
    },
  });

export const shopAvailabilityRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/availability',
  tags: ['Availability'],
  operationId: 'getShopAvailability',
  summary: '"Any barber": the shop\'s openings for a service, with the barbers free for each',
  description: `Public. At most ${MAX_RANGE_DAYS} days per request.`,
  request: { params: IdParams, query: DateRangeQuery },
  responses: {
    200: { description: 'Openings, ascending', content: { 'application/json': { schema: ShopAvailabilityResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    404: errorResponses[404],
  },
});

export function registerShopAvailability(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(shopAvailabilityRoute, async (c) => {
    const query = c.req.valid('query');
    const { from, to } = dayRange(query);
    const result = await shopAvailability(availabilityDeps(c.get('services')), c.req.valid('param').id, query.service_id, from, to);
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        timezone: result.timezone,
        service_id: result.service_id,
        from: formatPlainDate(from),
        to: formatPlainDate(to),
        slots: result.slots.map((s) => ({ start: wireInstant(s.start), end: wireInstant(s.end), barber_ids: s.barber_ids })),
        earliest_by_day: result.earliest_by_day.map((d) => ({ date: d.date, start: wireInstant(d.start), end: wireInstant(d.end), barber_ids: d.barber_ids })),
      },
      200,
    );
  });
}
