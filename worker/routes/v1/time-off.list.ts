import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeBarber } from '../../services/management/access';
import { listTimeOff } from '../../services/management/schedule';
import type { HonoEnv } from '../../types';
import { IdParams, Instant, TimeOffSchema, timeOffView } from './management.schemas';

export const ListTimeOffQuery = z.object({
  from: Instant.optional().openapi({ description: 'Blocks that have not ended by then; default now' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional().openapi({ description: '`next_cursor` from the previous page' }),
});

export const TimeOffListResponse = z
  .object({ data: z.array(TimeOffSchema), next_cursor: z.string().nullable() })
  .openapi('TimeOffList', {
    example: {
      data: [
        {
          id: '0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b',
          barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          starts_at: '2026-12-08T14:00:00.000Z',
          ends_at: '2026-12-08T18:00:00.000Z',
          reason: 'Dentist',
          created_at: '2026-12-01T12:00:00.000Z',
        },
      ],
      next_cursor: null,
    },
  });

export type TimeOffListResponse = z.infer<typeof TimeOffListResponse>;

export const listTimeOffRoute = createRoute({
  method: 'get',
  path: '/api/v1/barbers/{id}/time-off',
  tags: ['Schedule'],
  operationId: 'listTimeOff',
  summary: "A barber's current and upcoming time off (the barber or an owner)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, query: ListTimeOffQuery },
  responses: {
    200: { description: 'A page of blocks, by start', content: { 'application/json': { schema: TimeOffListResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerListTimeOff(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listTimeOffRoute, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const db = c.get('services').db;
    await authorizeBarber(db, currentUser(c).userId, id, 'self_or_owner');
    const page = await listTimeOff(db, id, {
      from: query.from ? new Date(query.from) : new Date(),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    c.header('Cache-Control', 'private, no-store');
    return c.json({ data: page.data.map(timeOffView), next_cursor: page.nextCursor }, 200);
  });
}
