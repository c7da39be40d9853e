/** Schemas of the payment routes: the handle a client pays with, payment rows, the shop's Stripe state. */
import { z } from '@hono/zod-openapi';
import { WireInstant } from './wire.schemas';

export const PaymentHandleSchema = z
  .object({
    kind: z.enum(['deposit', 'full', 'setup']).openapi({
      description: 'deposit or full (prepay): pay `amount`; setup: save a card (amount 0)',
    }),
    status: z.string().openapi({
      description: "Stripe's status of the intent",
      example: 'requires_payment_method',
    }),
    amount: z.number().int().openapi({ description: 'Minor units of `currency`', example: 700 }),
    // A SetupIntent moves no money, so a `setup` handle has no currency: '' there.
    currency: z.union([z.string().length(3), z.literal('')]).openapi({ description: 'ISO 4217; empty for `setup`', example: 'USD' }),
    client_secret: z.string().openapi({
      description: 'For Stripe.js / the mobile SDKs (confirmCardPayment, confirmSetup)',
    }),
    publishable_key: z.string().openapi({ example: 'pk_live_…' }),
    payment_intent_id: z.string().nullable(),
    setup_intent_id: z.string().nullable(),
    expires_at: WireInstant.nullable().openapi({
      description: 'Pay before this, or the slot is released',
    }),
  })
  .openapi('PaymentHandle', {
    example: {
      kind: 'deposit',
      status: 'requires_payment_method',
      amount: 700,
      currency: 'USD',
      client_secret: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d_secret_9f8e7d6c',
      publishable_key: 'pk_live_51Hx…',
      payment_intent_id: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d',
      setup_intent_id: null,
      expires_at: '2026-12-01T18:22:00.000Z',
    },
  });

export const PaymentSchema = z
  .object({
    id: z.uuid(),
    appointment_id: z.uuid(),
    kind: z.enum(['deposit', 'full', 'fee', 'refund']),
    status: z.string().openapi({
      description: 'requires_payment, processing, succeeded, failed, canceled',
    }),
    amount_cents: z.number().int(),
    currency: z.string().length(3),
    application_fee_cents: z.number().int().openapi({ description: "The platform's fee on a charge" }),
    refunded_cents: z.number().int().openapi({ description: 'A charge: refunds made or under way' }),
    refundable_cents: z.number().int().openapi({ description: 'A charge: what is left to refund' }),
    reason: z.string().nullable().openapi({
      description: 'deposit, prepay, late_cancel_fee, no_show_fee, cancel_refund, shop_cancelled, slot_taken, manual, external, …',
    }),
    failure_reason: z.string().nullable().openapi({
      description: 'Why it failed (a decline code, no_card_on_file, …)',
    }),
    refund_of: z.uuid().nullable(),
    dispute_status: z.string().nullable(),
    stripe_payment_intent_id: z.string().nullable(),
    stripe_charge_id: z.string().nullable(),
    stripe_refund_id: z.string().nullable(),
    client: z.object({ id: z.uuid(), name: z.string() }),
    barber: z.object({ id: z.uuid(), name: z.string() }),
    appointment_start_time: WireInstant,
    created_at: WireInstant,
  })
  .openapi('Payment', {
    example: {
      id: 'c0ffee00-1234-4abc-8def-0123456789ab',
      appointment_id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
      kind: 'refund',
      status: 'succeeded',
      amount_cents: 700,
      currency: 'USD',
      application_fee_cents: 0,
      refunded_cents: 0,
      refundable_cents: 0,
      reason: 'Shop closed for the day',
      failure_reason: null,
      refund_of: '6e5d4c3b-2a19-4f08-8e7d-6c5b4a392817',
      dispute_status: null,
      stripe_payment_intent_id: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d',
      stripe_charge_id: null,
      stripe_refund_id: 're_3Qx7Lk2eZvKYlo2C0a1b2c3d',
      client: { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'Jane Doe' },
      barber: { id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', name: 'Marco' },
      appointment_start_time: '2026-12-07T15:30:00.000Z',
      created_at: '2026-12-06T20:01:00.000Z',
    },
  });

export const PaymentTotalsSchema = z
  .object({
    currency: z.string().length(3),
    captured_cents: z.number().int(),
    refunded_cents: z.number().int(),
    net_cents: z.number().int(),
    platform_fee_cents: z.number().int(),
    failed_fee_cents: z.number().int().openapi({
      description: 'Fees that could not be charged (declined, no card): collect in person',
    }),
    disputed_cents: z.number().int(),
    count: z.number().int(),
  })
  .openapi('PaymentTotals');

export const PaymentsStatusSchema = z
  .object({
    connected: z.boolean(),
    stripe_account_id: z.string().nullable(),
    charges_enabled: z.boolean(),
    payouts_enabled: z.boolean(),
    details_submitted: z.boolean(),
    payments_enabled: z.boolean().openapi({ description: 'Bookings that need a payment are taken' }),
    reason: z.string().nullable().openapi({
      description: 'Why payments are off: not_connected, onboarding_incomplete, under_review or Stripe’s disabled_reason',
    }),
    currently_due: z.array(z.string()).openapi({ description: 'What Stripe still needs from the owner' }),
    synced_at: WireInstant.nullable(),
  })
  .openapi('PaymentsStatus', {
    example: {
      connected: true,
      stripe_account_id: 'acct_1Qx7Lk2eZvKYlo2C',
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      payments_enabled: true,
      reason: null,
      currently_due: [],
      synced_at: '2026-12-01T09:00:00.000Z',
    },
  });

export const MovementSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['refund', 'fee']),
    status: z.string(),
    amount_cents: z.number().int(),
    failure_reason: z.string().nullable(),
  })
  .openapi('MoneyMovement');
