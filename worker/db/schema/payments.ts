import { relations, sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, currency, timestamps, tstz } from './columns';
import { appointments } from './appointments';

export const paymentKind = pgEnum('payment_kind', ['deposit', 'full', 'fee', 'refund']);
export type PaymentKind = (typeof paymentKind.enumValues)[number];

/** Mirrors Stripe's PaymentIntent statuses we act on, plus `refunded`. */
export const paymentStatus = pgEnum('payment_status', [
  'requires_payment',
  'processing',
  'succeeded',
  'failed',
  'canceled',
  'refunded',
]);
export type PaymentStatus = (typeof paymentStatus.enumValues)[number];

export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Blocked (NO ACTION, see appointments.ts): money records outlive everything; an
    // appointment with payments is never deleted.
    appointmentId: uuid('appointment_id')
      .notNull()
      .references(() => appointments.id, { onDelete: 'no action' }),
    // UNIQUE but nullable: a row exists before Stripe answers; NULLs do not collide.
    stripePaymentIntentId: text('stripe_payment_intent_id'),
    stripeRefundId: text('stripe_refund_id'),
    /** Always positive; `kind = 'refund'` says which way the money went. */
    amountCents: integer('amount_cents').notNull(),
    currency: currency().notNull(),
    kind: paymentKind('kind').notNull(),
    status: paymentStatus('status').notNull().default('requires_payment'),
    failureReason: text('failure_reason'),
    ...timestamps,
  },
  (t) => [
    unique('payments_stripe_payment_intent_id_unique').on(t.stripePaymentIntentId),
    unique('payments_stripe_refund_id_unique').on(t.stripeRefundId),
    check('payments_amount_check', sql`${t.amountCents} >= 0`),
    check('payments_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    index('payments_appointment_idx').on(t.appointmentId),
    index('payments_status_idx').on(t.status),
  ],
);

/** Webhook dedupe: insert … ON CONFLICT (event_id) DO NOTHING decides who processes an event. */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    ...createdAt,
    processedAt: tstz('processed_at'),
  },
  (t) => [unique('stripe_events_event_id_unique').on(t.eventId)],
);

export const paymentsRelations = relations(payments, ({ one }) => ({
  appointment: one(appointments, {
    fields: [payments.appointmentId],
    references: [appointments.id],
  }),
}));

export type Payment = typeof payments.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type StripeEvent = typeof stripeEvents.$inferSelect;
export type NewStripeEvent = typeof stripeEvents.$inferInsert;
