import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerAppointmentPayment } from './v1/appointments.payment';
import { registerPaymentMethods } from './v1/me.payment-methods';
import { registerListPayments } from './v1/payments.list';
import { registerRefundPayment } from './v1/payments.refund';
import { registerStripeOnboarding } from './v1/shops.stripe-onboarding';
import { registerStripeStatus } from './v1/shops.stripe-status';
import { registerStripeWebhook } from './v1/webhooks.stripe';

/** Payments: paying for a booking, cards on file, the owner's Stripe account and payments, Stripe's webhook. */
export function registerPaymentRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerStripeWebhook(app);
  registerAppointmentPayment(app);
  registerPaymentMethods(app);
  registerStripeOnboarding(app);
  registerStripeStatus(app);
  registerListPayments(app);
  registerRefundPayment(app);
}
