import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, errorResponses } from '../../lib/errors';
import { wireInstant } from '../../lib/wire';
import { currentUser, requireAuth } from '../../middleware/auth';
import { updateGoogleSettings } from '../../services/calendar-sync';
import { authorizeBarber } from '../../services/management/access';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const GoogleSettingsBody = z
  .object({
    block_busy: z.boolean().openapi({ description: 'Busy times in the Google calendar block bookings (next 30 days, refreshed by sync)', example: true }),
  })
  .openapi('GoogleCalendarSettings', {
    example: { block_busy: true },
  });

export const GoogleConnectionResponse = z
  .object({
    provider: z.literal('google'),
    calendar_id: z.string().nullable().openapi({ example: 'primary' }),
    block_busy: z.boolean(),
    sync_error: z.string().nullable().openapi({ description: "The last sync's failure; google_reauthorization_required means: connect again", example: null }),
    synced_at: z.string().nullable().openapi({ description: 'The last sync that worked', example: '2030-01-07T09:00:00.000Z' }),
  })
  .openapi('GoogleCalendarConnection', {
    example: {
      provider: 'google',
      calendar_id: 'primary',
      block_busy: true,
      sync_error: null,
      synced_at: '2026-12-07T09:00:00.000Z',
    },
  });

export type GoogleSettingsBody = z.infer<typeof GoogleSettingsBody>;
export type GoogleConnectionResponse = z.infer<typeof GoogleConnectionResponse>;

export const googleSettingsRoute = createRoute({
  method: 'patch',
  path: '/api/v1/barbers/{id}/integrations/google',
  tags: ['Integrations'],
  operationId: 'updateGoogleCalendar',
  summary: "Let the barber's Google busy times block bookings, or stop (the barber or an owner)",
  description: 'Turning it on reads busy times at once (a failure shows in sync_error; the setting stays on); turning it off removes the blocks.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: GoogleSettingsBody } } } },
  responses: {
    200: { description: 'The connection now', content: { 'application/json': { schema: GoogleConnectionResponse } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerGoogleSettings(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(googleSettingsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const { barber } = await authorizeBarber(services.db, actorId, id, 'self_or_owner');
    const state = await updateGoogleSettings(services, { barberId: barber.id, shopId: barber.shopId, actorId, blockBusy: body.block_busy, nowMs: Date.now() });
    if (!state) throw new ApiError('not_found', 'No Google calendar is connected for this barber');
    return c.json(
      {
        provider: 'google' as const,
        calendar_id: state.calendar_id,
        block_busy: state.block_busy,
        sync_error: state.sync_error,
        synced_at: state.synced_ms === null ? null : wireInstant(state.synced_ms),
      },
      200,
    );
  });
}
