import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { revokeCalendarToken, rotateCalendarToken } from '../../services/calendar-feed';
import { authorizeBarber } from '../../services/management/access';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const CalendarTokenResponse = z
  .object({
    url: z.url().openapi({
      description: 'The feed URL with its secret. Shown once: only a hash is kept, so a lost URL is replaced by rotating again',
      example: 'https://bookedbarber.app/api/v1/barbers/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f/calendar.ics?token=…',
    }),
    webcal_url: z.string().openapi({ description: 'The same feed as a webcal: link (subscribe in Apple Calendar, Outlook)' }),
  })
  .openapi('CalendarToken', {
    example: {
      url: 'https://bookedbarber.app/api/v1/barbers/5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f/calendar.ics?token=cal1.Q2hhbmdlLW1l',
      webcal_url: 'webcal://bookedbarber.app/api/v1/barbers/5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f/calendar.ics?token=cal1.Q2hhbmdlLW1l',
    },
  });

export type CalendarTokenResponse = z.infer<typeof CalendarTokenResponse>;

export const rotateCalendarTokenRoute = createRoute({
  method: 'post',
  path: '/api/v1/barbers/{id}/calendar-token',
  tags: ['Schedule'],
  operationId: 'rotateCalendarToken',
  summary: "Create or rotate the barber's calendar feed URL (the barber or an owner); the old URL stops working",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    201: { description: 'The new feed URL, shown once', content: { 'application/json': { schema: CalendarTokenResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export const revokeCalendarTokenRoute = createRoute({
  method: 'delete',
  path: '/api/v1/barbers/{id}/calendar-token',
  tags: ['Schedule'],
  operationId: 'revokeCalendarToken',
  summary: "Turn the barber's calendar feed off (the barber or an owner); its URL answers 404",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    204: { description: 'Revoked (also when there was no feed)' },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerCalendarToken(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(rotateCalendarTokenRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { db, config } = c.get('services');
    const actorId = currentUser(c).userId;
    const { barber } = await authorizeBarber(db, actorId, id, 'self_or_owner');
    const issued = await rotateCalendarToken(db, config.APP_ORIGIN, actorId, barber);
    if (!issued) throw new ApiError('not_found', 'No such barber');
    c.header('Cache-Control', 'no-store');
    return c.json({ url: issued.url, webcal_url: issued.webcalUrl }, 201);
  });

  app.openapi(revokeCalendarTokenRoute, async (c) => {
    const { id } = c.req.valid('param');
    const db = c.get('services').db;
    const actorId = currentUser(c).userId;
    const { barber } = await authorizeBarber(db, actorId, id, 'self_or_owner');
    if (!(await revokeCalendarToken(db, actorId, barber))) throw new ApiError('not_found', 'No such barber');
    return c.body(null, 204);
  });
}
