import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { startOnboarding } from '../../services/shop-payments';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { PaymentsStatusSchema } from './payments.schemas';
import { WireInstant } from './wire.schemas';

export const OnboardingLink = z
  .object({
    url: z.url(),
    expires_at: WireInstant,
    status: PaymentsStatusSchema,
  })
  .openapi('StripeOnboardingLink', {
    example: {
      url: 'https://connect.stripe.com/setup/e/acct_1Qx7Lk2eZvKYlo2C/Q2hhbmdlLW1l',
      expires_at: '2026-12-01T09:05:00.000Z',
      status: {
        connected: true,
        stripe_account_id: 'acct_1Qx7Lk2eZvKYlo2C',
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        payments_enabled: false,
        reason: 'onboarding_incomplete',
        currently_due: ['external_account'],
        synced_at: '2026-12-01T09:00:00.000Z',
      },
    },
  });

export const stripeOnboardingRoute = createRoute({
  method: 'post',
  path: '/api/v1/shops/{id}/stripe/onboarding',
  tags: ['Payments'],
  operationId: 'startStripeOnboarding',
  summary: "Connect the shop's Stripe account: creates it on first use and returns an onboarding link (owner)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams },
  responses: {
    200: {
      description: 'Send the owner to `url`',
      content: { 'application/json': { schema: OnboardingLink } },
    },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
    503: errorResponses[503],
  },
});

export function registerStripeOnboarding(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(stripeOnboardingRoute, async (c) => {
    const result = await startOnboarding(c.get('services'), currentUser(c).userId, c.req.valid('param').id);
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  });
}
