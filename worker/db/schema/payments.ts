import { relations, sql } from 'drizzle-orm';
import { type AnyPgColumn, check, index, integer, jsonb, pgEnum, pgTable, smallint, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, currency, timestamps, tstz } from './columns';
import { appointments } from './appointments';
import { users } from './people';
import { shops } from './tenancy';

export const paymentKind = pgEnum('payment_kind', ['deposit', 'full', 'fee', 'refund']);
export type PaymentKind = (typeof paymentKind.enumValues)[number];

/**
 * Mirrors Stripe's PaymentIntent statuses we act on, plus `refunded`. A refund row, or a fee to
 * charge, that is recorded but not yet sent to Stripe is `processing` / `requires_payment` with no
 * Stripe id: the outbox the payment service (and the cron's sweep) works off.
 */
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
    /** Denormalised from the appointment: the owner's payment list filters on it without a join. */
    shopId: uuid('shop_id').references(() => shops.id, { onDelete: 'no action' }),
    stripeChargeId: text('stripe_charge_id'),
    /** The connected account the money went to (destination charge). */
    stripeAccountId: text('stripe_account_id'),
    /** The platform's cut of a charge (application_fee_amount). */
    applicationFeeCents: integer('application_fee_cents').notNull().default(0),
    /**
     * For a charge: what refunds made or under way take from it. Every refund reserves its amount
     * here with a conditional UPDATE of this row before its own row is written, so concurrent
     * refunds are ordered by the row lock and re-checked against the committed value — never more
     * than the charge between them (a failed refund gives its reservation back).
     */
    refundReservedCents: integer('refund_reserved_cents').notNull().default(0),
    /** For a refund: the charge row it gives money back from. */
    refundOf: uuid('refund_of').references((): AnyPgColumn => payments.id, { onDelete: 'no action' }),
    /** Why the money moved: deposit, prepay, cancel_refund, late_cancel_fee, no_show_fee, slot_taken, manual, external. */
    reason: text('reason'),
    /** Sends to Stripe so far (outbox rows); a decline is final, never retried. */
    attempts: smallint('attempts').notNull().default(0),
    /** Stripe dispute id and status when the client disputed the charge. */
    disputeId: text('dispute_id'),
    disputeStatus: text('dispute_status'),
    ...timestamps,
  },
  (t) => [
    unique('payments_stripe_payment_intent_id_unique').on(t.stripePaymentIntentId),
    unique('payments_stripe_refund_id_unique').on(t.stripeRefundId),
    index('payments_shop_created_idx').on(t.shopId, t.createdAt),
    index('payments_refund_of_idx').on(t.refundOf),
    check('payments_amount_check', sql`${t.amountCents} >= 0`),
    check('payments_refund_reserved_check', sql`${t.refundReservedCents} BETWEEN 0 AND ${t.amountCents}`),
    check('payments_refund_of_check', sql`${t.kind} <> 'refund' OR ${t.refundOf} IS NOT NULL`),
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
    /** What the event did (confirmed, rebooked, refunded, ignored, …), for support and tests. */
    outcome: text('outcome'),
  },
  (t) => [unique('stripe_events_event_id_unique').on(t.eventId)],
);

/**
 * A client's Stripe customer on the platform account (destination charges keep customers on the
 * platform, so one saved card serves every shop) and the card saved for off-session fees.
 */
export const stripeCustomers = pgTable(
  'stripe_customers',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    customerId: text('customer_id').notNull(),
    paymentMethodId: text('payment_method_id'),
    cardBrand: text('card_brand'),
    cardLast4: text('card_last4'),
    ...timestamps,
  },
  (t) => [unique('stripe_customers_customer_id_unique').on(t.customerId)],
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
export type StripeCustomer = typeof stripeCustomers.$inferSelect;
export type NewStripeEvent = typeof stripeEvents.$inferInsert;
