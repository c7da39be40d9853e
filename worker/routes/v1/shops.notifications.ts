import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { shopFailedNotifications } from '../../notifications/failures';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const ListShopNotificationsQuery = z.object({
  status: z.enum(['failed']).default('failed').openapi({ description: 'Failed deliveries (the only listing for now)' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional().openapi({ description: '`next_cursor` from the previous page' }),
});

export const FailedNotificationSchema = z
  .object({
    id: z.uuid(),
    template: z.string().openapi({ example: 'appointment.confirmed' }),
    channel: z.enum(['email', 'sms', 'calendar', 'log']),
    recipient: z.string().openapi({ description: 'Masked', example: 'c***@example.com' }),
    state: z.enum(['retrying', 'failed', 'dead_lettered']).openapi({
      description: 'retrying: the queue tries again; failed: refused for good (bad number, unsubscribed); dead_lettered: out of retries',
    }),
    last_error: z.string().nullable().openapi({ example: 'twilio 400 21211 invalid_number: The To number is not valid' }),
    attempts: z.number().int(),
    created_at: z.string().openapi({ example: '2030-01-07T14:00:00.000000Z' }),
  })
  .openapi('FailedNotification');

export const FailedNotificationList = z
  .object({ data: z.array(FailedNotificationSchema), next_cursor: z.string().nullable() })
  .openapi('FailedNotificationList', {
    example: {
      data: [
        {
          id: 'e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b',
          template: 'appointment.confirmed',
          channel: 'email',
          recipient: 'j***@example.com',
          state: 'failed',
          last_error: 'sendgrid 400: The to address is not valid',
          attempts: 1,
          created_at: '2026-12-01T18:12:00.000000Z',
        },
      ],
      next_cursor: null,
    },
  });

export const listShopNotificationsRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/notifications',
  tags: ['Notifications'],
  operationId: 'listShopNotifications',
  summary: "Messages that did not reach the shop's clients, newest first (owner)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, query: ListShopNotificationsQuery },
  responses: {
    200: { description: 'A page', content: { 'application/json': { schema: FailedNotificationList } } },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerListShopNotifications(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(listShopNotificationsRoute, async (c) => {
    const q = c.req.valid('query');
    const page = await shopFailedNotifications(c.get('services'), currentUser(c).userId, c.req.valid('param').id, q);
    c.header('Cache-Control', 'private, no-store');
    return c.json(page, 200);
  });
}
