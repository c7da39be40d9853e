import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type Stripe from 'stripe';
import { isDatabaseUnavailable } from '../../db/client';
import { ApiError, errorResponses } from '../../lib/errors';
import { webhookCrypto } from '../../lib/stripe';
import { telemetry } from '../../lib/telemetry';
import { handleStripeEvent } from '../../services/stripe-webhooks';
import type { HonoEnv } from '../../types';

/** Stripe's own default: a signature older than this is a replay. */
const TOLERANCE_SEC = 300;

export const WebhookAck = z.object({ received: z.literal(true), outcome: z.string() }).openapi('WebhookAck', {
  example: { received: true, outcome: 'confirmed' },
});

export const stripeWebhookRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/stripe',
  tags: ['Webhooks'],
  operationId: 'stripeWebhook',
  summary: 'Stripe events (signed); each has its effect exactly once',
  description:
    'The raw body is verified against `Stripe-Signature` (5-minute tolerance). Handled: payment_intent.succeeded / payment_failed / canceled, ' +
    'charge.refunded, charge.dispute.*, setup_intent.succeeded, account.updated; anything else is acknowledged and ignored. ' +
    'A redelivered event changes nothing.',
  request: {
    headers: z.object({ 'stripe-signature': z.string().optional() }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({})
            .passthrough()
            .openapi({
              description: 'A Stripe event',
              example: {
                id: 'evt_3Qx7Lk2eZvKYlo2C0e1f2a3b',
                object: 'event',
                type: 'payment_intent.succeeded',
                created: 1796659980,
                data: { object: { id: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d', object: 'payment_intent', status: 'succeeded' } },
              },
            }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Processed (or already processed, or ignored)',
      content: { 'application/json': { schema: WebhookAck } },
    },
    400: errorResponses[400],
    503: errorResponses[503],
  },
});

/** The event, if any configured secret signed it within the tolerance; otherwise a 400. */
async function verified(services: HonoEnv['Variables']['services'], payload: string, signature: string): Promise<Stripe.Event> {
  let reason = 'no secret matched';
  for (const secret of services.config.STRIPE_WEBHOOK_SECRET) {
    try {
      return await services.stripe.webhooks.constructEventAsync(payload, signature, secret, TOLERANCE_SEC, webhookCrypto);
    } catch (err) {
      reason = err instanceof Error ? err.message.split('\n')[0]! : 'unknown';
    }
  }
  services.logger.warn('stripe webhook refused', { reason });
  throw new ApiError('invalid_signature', 'The Stripe signature is missing, wrong or too old');
}

export function registerStripeWebhook(app: OpenAPIHono<HonoEnv>): void {
  // Not app.openapi(): the body must stay raw bytes for the signature; the route is documented above.
  app.post(stripeWebhookRoute.path.replace(/{(\w+)}/g, ':$1'), async (c) => {
    const services = c.get('services');
    const signature = c.req.header('stripe-signature');
    if (!signature) throw new ApiError('invalid_signature', 'Stripe-Signature header missing');
    const payload = await c.req.text();
    const event = await verified(services, payload, signature);
    let outcome: string;
    try {
      outcome = await handleStripeEvent(services, event);
    } catch (err) {
      // Counted before anything is rethrown: events Stripe will have to redeliver are the ones to alert on.
      telemetry().count('stripe_webhooks_total', { type: event.type, outcome: 'failed' });
      if (err instanceof ApiError || isDatabaseUnavailable(err)) throw err;
      // Each event has its effect once (keyed by its id), so delivering it again is always safe:
      // whatever failed (a barber's object reset mid-call, say) is a retryable 503 to Stripe.
      services.logger.error('stripe event not processed', { event_id: event.id, type: event.type, err });
      throw new ApiError('dependency_unavailable', 'The event could not be processed now; deliver it again', { headers: { 'Retry-After': '1' } });
    }
    telemetry().count('stripe_webhooks_total', { type: event.type, outcome });
    services.logger.info('stripe event', {
      event_id: event.id,
      type: event.type,
      outcome,
    });
    return c.json({ received: true as const, outcome }, 200);
  });
  app.openAPIRegistry.registerPath(stripeWebhookRoute);
}
