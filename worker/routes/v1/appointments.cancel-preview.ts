import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { wireInstant } from '../../lib/wire';
import { currentUser, requireAuth } from '../../middleware/auth';
import { cancelPreview } from '../../services/appointments';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { WireInstant } from './wire.schemas';

export const CancelPreviewSchema = z
  .object({
    appointment: z.object({
      id: z.uuid(),
      shop_id: z.uuid(),
      status: z.string(),
      start_time: WireInstant,
      end_time: WireInstant,
      price_cents: z.number().int(),
      paid_cents: z.number().int().openapi({ description: 'Paid up front and not refunded' }),
      currency: z.string(),
      timezone: z.string(),
      shop_name: z.string(),
      barber_name: z.string(),
      service_name: z.string(),
    }),
    by: z.enum(['client', 'shop']).openapi({ description: "Whose cancellation it would be: the client's (the policy applies) or the shop's (always refunds)" }),
    cancel_window_hours: z.number(),
    decision: z.object({
      outcome: z.enum(['none', 'refund', 'keep_deposit', 'late_fee', 'no_show_fee']),
      late: z.boolean().openapi({ description: 'Inside the cancellation window' }),
      fee_cents: z.number().int(),
      refund_cents: z.number().int(),
      charge_cents: z.number().int().openapi({ description: 'Charged to the card on file on top of what was paid' }),
      currency: z.string(),
    }),
  })
  .openapi('CancelPreview', {
    example: {
      appointment: {
        id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
        shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        status: 'confirmed',
        start_time: '2026-12-07T15:30:00.000Z',
        end_time: '2026-12-07T16:00:00.000Z',
        price_cents: 3500,
        paid_cents: 700,
        currency: 'USD',
        timezone: 'America/New_York',
        shop_name: 'Fade Street',
        barber_name: 'Marco',
        service_name: 'Skin fade',
      },
      by: 'client',
      cancel_window_hours: 24,
      decision: {
        outcome: 'keep_deposit',
        late: true,
        fee_cents: 700,
        refund_cents: 0,
        charge_cents: 0,
        currency: 'USD',
      },
    },
  });

export const cancelPreviewRoute = createRoute({
  method: 'get',
  path: '/api/v1/appointments/{id}/cancel-preview',
  tags: ['Appointments'],
  operationId: 'previewCancellation',
  summary: 'What cancelling now would mean for money — the same decision the cancel records, nothing written',
  description:
    'Show this before the client confirms a cancellation: the refund, the fee kept or charged, and whether it is inside the window. It is the decision `POST /appointments/{id}/cancel` would record at this instant (so it can change as the start approaches). 404 for strangers, as for a missing id; 409 `conflict` (reason `status`) once it can no longer be cancelled.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'The decision, were the cancel made now', content: { 'application/json': { schema: CancelPreviewSchema } } },
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

export function registerCancelPreview(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(cancelPreviewRoute, async (c) => {
    const p = await cancelPreview(c.get('services').db, currentUser(c).userId, c.req.valid('param').id);
    const { start_ms, end_ms, shop_slug: _slug, ...rest } = p.appointment;
    c.header('Cache-Control', 'private, no-store');
    return c.json({ ...p, appointment: { ...rest, start_time: wireInstant(start_ms), end_time: wireInstant(end_ms) } }, 200);
  });
}
