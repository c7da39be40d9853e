import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { quoteWalkIn } from '../../services/walk-ins';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { WireInstant } from './wire.schemas';

export const WalkInQuoteResponse = z
  .object({
    quote: z
      .object({ barber: z.object({ id: z.uuid(), name: z.string() }), start_time: WireInstant, wait_minutes: z.number().int() })
      .nullable()
      .openapi({ description: 'null: nothing fits today any more' }),
  })
  .openapi('WalkInQuote', {
    example: {
      quote: {
        barber: { id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', name: 'Marco' },
        start_time: '2026-12-07T19:15:00.000Z',
        wait_minutes: 25,
      },
    },
  });

export const walkInQuoteRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/walk-ins/quote',
  tags: ['Walk-ins'],
  operationId: 'quoteWalkIn',
  summary: 'Public: the estimated wait for a walk-in now (the next gap that fits today, least busy barber first on a tie)',
  request: {
    params: IdParams,
    query: z.object({ service_id: z.uuid(), barber_id: z.union([z.uuid(), z.literal('any')]).default('any') }),
  },
  responses: {
    200: { description: 'Where a walk-in would go now', content: { 'application/json': { schema: WalkInQuoteResponse } } },
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerWalkInQuote(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(walkInQuoteRoute, async (c) => {
    const q = c.req.valid('query');
    const quote = await quoteWalkIn(c.get('services'), c.req.valid('param').id, { serviceId: q.service_id, barberId: q.barber_id });
    c.header('Cache-Control', 'private, no-store');
    return c.json({ quote }, 200);
  });
}
