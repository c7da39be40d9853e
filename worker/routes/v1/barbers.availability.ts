import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { addDays, formatPlainDate, parsePlainDate } from '../../domain/time';
import { ApiError, errorResponses } from '../../lib/errors';
import { availabilityDeps, barberAvailability, MAX_RANGE_DAYS } from '../../services/availability';
import { wireInstant } from '../../lib/wire';
import type { HonoEnv } from '../../types';
import { DateRangeQuery, SlotSchema } from './booking.schemas';
import { IdParams } from './management.schemas';

export const BarberAvailabilityResponse = z
  .object({
    timezone: z.string().openapi({ description: "The shop's IANA zone; slots are instants, days are this zone's", example: 'America/New_York' }),
    barber_id: z.uuid(),
    service_id: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
    slots: z.array(SlotSchema),
  })
  .openapi('BarberAvailability', {
    example: {
      timezone: 'America/New_York',
      barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
      service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
      from: '2026-12-07',
      to: '2026-12-07',
      slots: [
        { start: '2026-12-07T14:00:00.000Z', end: '2026-12-07T14:30:00.000Z' },
        { start: '2026-12-07T14:15:00.000Z', end: '2026-12-07T14:45:00.000Z' },
      ],
    },
  });

export const barberAvailabilityRoute = createRoute({
  method: 'get',
  path: '/api/v1/barbers/{id}/availability',
  tags: ['Availability'],
  operationId: 'getBarberAvailability',
  summary: "A barber's bookable slots for a service, day by day in the shop's time zone",
  description: `Public. At most ${MAX_RANGE_DAYS} days per request. Always current: every booking, cancellation and schedule change invalidates the cache before it answers.`,
  request: { params: IdParams, query: DateRangeQuery },
  responses: {
    200: { description: 'Bookable slots, ascending', content: { 'application/json': { schema: BarberAvailabilityResponse } } },
    400: errorResponses[400],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

/** Parses and bounds the day range shared by both availability routes. */
export function dayRange(query: { from: string; to?: string | undefined }) {
  const from = parsePlainDate(query.from);
  const to = query.to ? parsePlainDate(query.to) : from && addDays(from, 6);
  if (!from) throw new ApiError('validation_failed', 'from is not a calendar date', { errors: [{ path: 'query.from', message: 'Not a real date' }] });
  if (!to) throw new ApiError('validation_failed', 'to is not a calendar date', { errors: [{ path: 'query.to', message: 'Not a real date' }] });
  if (formatPlainDate(to) < formatPlainDate(from)) {
    throw new ApiError('validation_failed', 'to is before from', { errors: [{ path: 'query.to', message: 'Must be on or after from' }] });
  }
  if (formatPlainDate(to) > formatPlainDate(addDays(from, MAX_RANGE_DAYS - 1))) {
    throw new ApiError('validation_failed', `At most ${MAX_RANGE_DAYS} days per request`, {
      errors: [{ path: 'query.to', message: `At most ${MAX_RANGE_DAYS - 1} days after from` }],
    });
  }
  return { from, to };
}

export function registerBarberAvailability(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(barberAvailabilityRoute, async (c) => {
    const query = c.req.valid('query');
    const { from, to } = dayRange(query);
    const result = await barberAvailability(availabilityDeps(c.get('services')), c.req.valid('param').id, query.service_id, from, to);
    // Availability is always fresh: never stored by browsers or shared caches.
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        timezone: result.timezone,
        barber_id: result.barber_id,
        service_id: result.service_id,
        from: formatPlainDate(from),
        to: formatPlainDate(to),
        slots: result.slots.map((s) => ({ start: wireInstant(s.start), end: wireInstant(s.end) })),
      },
      200,
    );
  });
}
