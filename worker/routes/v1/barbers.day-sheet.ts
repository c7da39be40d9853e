import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { daySheet } from '../../services/day-sheet';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { WireInstant } from './wire.schemas';

export const DaySheetQuery = z.object({
  date: z.iso.date().optional().openapi({ description: "A day on the shop's clock; default today there", example: '2026-12-07' }),
});

const Span = z.object({ start_time: WireInstant, end_time: WireInstant });

export const DaySheetSchema = z
  .object({
    barber: z.object({ id: z.uuid(), shop_id: z.uuid(), name: z.string(), active: z.boolean() }),
    date: z.iso.date(),
    timezone: z.string(),
    currency: z.string().length(3),
    working: z.array(Span).openapi({ description: 'Working time that day (breaks are the spaces between)' }),
    time_off: z.array(Span.extend({ reason: z.string().nullable() })),
    appointments: z.array(
      z.object({
        id: z.uuid(),
        start_time: WireInstant,
        end_time: WireInstant,
        status: z.string(),
        source: z.string(),
        arrived_at: WireInstant.nullable(),
        notes: z.string().nullable(),
        service_id: z.uuid(),
        service_name: z.string(),
        price_cents: z.number().int(),
        owed_cents: z.number().int().openapi({ description: 'Still to take at the shop (or the fee not yet covered)' }),
        client: z.object({
          id: z.uuid(),
          name: z.string(),
          visits: z.number().int().openapi({ description: 'Completed appointments at this shop' }),
          no_shows: z.number().int(),
          latest_note: z.string().nullable().openapi({ description: "The shop's most recent note on the client" }),
        }),
      }),
    ),
    gaps: z
      .array(Span.extend({ minutes: z.number().int() }))
      .openapi({ description: 'Free working time between appointments and time off; cancelled and no-show appointments leave it free' }),
  })
  .openapi('DaySheet', {
    example: {
      barber: {
        id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
        shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        name: 'Marco',
        active: true,
      },
      date: '2026-12-07',
      timezone: 'America/New_York',
      currency: 'USD',
      working: [
        { start_time: '2026-12-07T14:00:00.000Z', end_time: '2026-12-07T17:30:00.000Z' },
        { start_time: '2026-12-07T18:30:00.000Z', end_time: '2026-12-07T23:00:00.000Z' },
      ],
      time_off: [],
      appointments: [
        {
          id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
          start_time: '2026-12-07T15:30:00.000Z',
          end_time: '2026-12-07T16:00:00.000Z',
          status: 'confirmed',
          source: 'online',
          arrived_at: null,
          notes: 'Short back and sides',
          service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
          service_name: 'Skin fade',
          price_cents: 3500,
          owed_cents: 2800,
          client: {
            id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
            name: 'Jane Doe',
            visits: 6,
            no_shows: 0,
            latest_note: 'Prefers a number 2 on the sides.',
          },
        },
      ],
      gaps: [
        {
          start_time: '2026-12-07T14:00:00.000Z',
          end_time: '2026-12-07T15:30:00.000Z',
          minutes: 90,
        },
        {
          start_time: '2026-12-07T16:00:00.000Z',
          end_time: '2026-12-07T17:30:00.000Z',
          minutes: 90,
        },
        {
          start_time: '2026-12-07T18:30:00.000Z',
          end_time: '2026-12-07T23:00:00.000Z',
          minutes: 270,
        },
      ],
    },
  });

export const daySheetRoute = createRoute({
  method: 'get',
  path: '/api/v1/barbers/{id}/day-sheet',
  tags: ['Schedule'],
  operationId: 'getDaySheet',
  summary: "A barber's day: appointments in order, their clients, and the gaps (the barber or an owner)",
  description: 'One Neon request. Held appointments appear until their hold lapses; `date` and the gaps are read on the shop’s clock (a DST day is as long as it really is).',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, query: DaySheetQuery },
  responses: {
    200: { description: 'The day sheet', content: { 'application/json': { schema: DaySheetSchema } } },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerDaySheet(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(daySheetRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await daySheet(c.get('services'), currentUser(c).userId, id, c.req.valid('query').date), 200);
  });
}
