import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, errorResponses } from '../../lib/errors';
import { FEED_MAX_AGE_S, renderCalendarFeed } from '../../services/calendar-feed';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const CalendarFeedQuery = z.object({
  // Optional in the schema on purpose: a missing token is the same 404 as a wrong one.
  token: z.string().max(200).optional().openapi({ description: 'The secret from POST /barbers/{id}/calendar-token' }),
});

export const calendarFeedRoute = createRoute({
  method: 'get',
  path: '/api/v1/barbers/{id}/calendar.ics',
  tags: ['Schedule'],
  operationId: 'getCalendarFeed',
  summary: "The barber's appointments as an iCalendar feed to subscribe to (authenticated by the token in its URL)",
  description:
    'RFC 5545, instants in UTC, X-WR-TIMEZONE the shop zone; 30 days back (cancellations of that month as STATUS:CANCELLED, so subscribed calendars drop them) to 180 days ahead. A wrong, missing or revoked token is a 404, the same as an unknown barber.',
  request: { params: IdParams, query: CalendarFeedQuery },
  responses: {
    200: {
      description: 'The feed',
      content: {
        'text/calendar': {
          schema: z.string().openapi({
            example:
              'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//BookedBarber//Calendar//EN\r\nX-WR-TIMEZONE:America/New_York\r\n' +
              'BEGIN:VEVENT\r\nUID:2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c@bookedbarber.app\r\nSEQUENCE:0\r\nDTSTART:20261207T153000Z\r\nDTEND:20261207T160000Z\r\n' +
              'SUMMARY:Skin fade – Jane Doe\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
          }),
        },
      },
    },
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerCalendarFeed(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(calendarFeedRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { token } = c.req.valid('query');
    const body = await renderCalendarFeed(c.get('services').db, id, token);
    if (body === null) throw new ApiError('not_found', 'No such calendar feed');
    return c.body(body, 200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Cache-Control': `private, max-age=${FEED_MAX_AGE_S}`,
      'Content-Disposition': 'inline; filename="bookedbarber.ics"',
    });
  });
}
