import { relations, sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, smallint, text, uuid } from 'drizzle-orm/pg-core';
import { currency, timestamps, tstz } from './columns';
import { shops } from './tenancy';
import { barbers, users } from './people';
import { services } from './catalogue';
import { payments } from './payments';

export const appointmentStatus = pgEnum('appointment_status', [
  'held',
  'pending_payment',
  'confirmed',
  'completed',
  'cancelled',
  'no_show',
]);
export type AppointmentStatus = (typeof appointmentStatus.enumValues)[number];

/**
 * States that occupy the barber's time. Must match the WHERE clause of the exclusion
 * constraint `appointments_no_overlap` (custom migration) — schema.node.test.ts checks both.
 */
export const APPOINTMENT_SOURCES = ['online', 'staff', 'walk_in', 'waitlist'] as const;
export type AppointmentSource = (typeof APPOINTMENT_SOURCES)[number];
export const SETTLEMENTS = ['none', 'refund', 'keep_deposit', 'late_fee', 'no_show_fee'] as const;
export type Settlement = (typeof SETTLEMENTS)[number];

export const ACTIVE_APPOINTMENT_STATUSES = ['held', 'pending_payment', 'confirmed'] as const;

/**
 * One booking. Overlap safety lives in Postgres: the custom migration adds
 *   CONSTRAINT appointments_no_overlap EXCLUDE USING gist
 *     (barber_id WITH =, tstzrange(start_time, end_time, '[)') WITH &&)
 *     WHERE (status IN ('held','pending_payment','confirmed'))
 * drizzle-kit cannot express EXCLUDE constraints, so it is not declared here.
 * '[)' makes back-to-back bookings (10:00-10:30, 10:30-11:00) legal.
 */
export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Deletion of every parent is BLOCKED: appointments are business and money history;
    // parents get deactivated (active=false), never deleted from under their bookings.
    // NO ACTION rather than RESTRICT on purpose: both refuse the delete, but PostgreSQL 18
    // reports RESTRICT as SQLSTATE 23001 while 15-17 report 23503; NO ACTION is 23503 on every
    // version we run (PG 15 CI, PGlite 18, Neon), so the API maps one code.
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'no action' }),
    barberId: uuid('barber_id')
      .notNull()
      .references(() => barbers.id, { onDelete: 'no action' }),
    clientId: uuid('client_id')
      .notNull()
      .references(() => users.id, { onDelete: 'no action' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'no action' }),
    startTime: tstz('start_time').notNull(),
    endTime: tstz('end_time').notNull(),
    status: appointmentStatus('status').notNull().default('held'),
    /** Set while status = 'held'; the barber's Durable Object alarm releases it after this. */
    holdExpiresAt: tstz('hold_expires_at'),
    // Price and currency are copied at booking time: later catalogue edits must not rewrite
    // what the client agreed to pay.
    priceCents: integer('price_cents').notNull(),
    currency: currency().notNull(),
    depositCents: integer('deposit_cents').notNull().default(0),
    notes: text('notes'),
    /** When the client checked in at the shop (the barber's day sheet); a no-show is then impossible. */
    arrivedAt: tstz('arrived_at'),
    cancelledAt: tstz('cancelled_at'),
    cancelReason: text('cancel_reason'),
    // SET NULL: history outlives the account that cancelled or booked it.
    cancelledBy: uuid('cancelled_by').references(() => users.id, { onDelete: 'set null' }),
    /** How the booking came in: the client online, staff (phone/desk), a walk-in, a waitlist offer. */
    source: text('source').$type<AppointmentSource>().notNull().default('online'),
    bookedBy: uuid('booked_by').references(() => users.id, { onDelete: 'set null' }),
    /**
     * The money decision taken when the appointment was cancelled or marked a no-show
     * (domain/cancellation.ts): what the client owes in total and what is due back. Recorded
     * once, so a later policy edit never rewrites it; the payments work moves the money.
     */
    settlement: text('settlement').$type<Settlement>(),
    feeCents: integer('fee_cents').notNull().default(0),
    refundDueCents: integer('refund_due_cents').notNull().default(0),
    /**
     * Money that really moved, kept by a trigger on payments (migration 0007): everything the
     * client was charged that succeeded (deposit, prepay, fees) and everything given back.
     */
    paidCents: integer('paid_cents').notNull().default(0),
    refundedCents: integer('refunded_cents').notNull().default(0),
    /** iCalendar SEQUENCE: moved by a trigger (migration 0010) whenever time, barber or status changes. */
    icsSequence: integer('ics_sequence').notNull().default(0),
    /**
     * The start time each reminder was enqueued for: the cron enqueues a reminder only where this
     * differs from start_time (so once per start, and again after a reschedule), in the same
     * statement that sets it.
     */
    reminded24hFor: tstz('reminded_24h_for'),
    reminded2hFor: tstz('reminded_2h_for'),
    ...timestamps,
  },
  (t) => [
    check('appointments_time_range_check', sql`${t.endTime} > ${t.startTime}`),
    check('appointments_price_check', sql`${t.priceCents} >= 0`),
    // greatest(…, 0) keeps a negative price reported by appointments_price_check alone.
    check(
      'appointments_deposit_check',
      sql`${t.depositCents} BETWEEN 0 AND greatest(${t.priceCents}, 0)`,
    ),
    check('appointments_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    // A hold without an expiry could never be released.
    check(
      'appointments_hold_expiry_check',
      sql`${t.status} <> 'held' OR ${t.holdExpiresAt} IS NOT NULL`,
    ),
    check('appointments_source_check', sql`${t.source} IN ('online', 'staff', 'walk_in', 'waitlist')`),
    check('appointments_arrived_check', sql`${t.arrivedAt} IS NULL OR ${t.status} <> 'no_show'`),
    check(
      'appointments_settlement_check',
      sql`${t.settlement} IS NULL OR ${t.settlement} IN ('none', 'refund', 'keep_deposit', 'late_fee', 'no_show_fee')`,
    ),
    check('appointments_fee_check', sql`${t.feeCents} BETWEEN 0 AND greatest(${t.priceCents}, 0)`),
    check('appointments_refund_due_check', sql`${t.refundDueCents} >= 0`),
    index('appointments_barber_start_idx').on(t.barberId, t.startTime),
    index('appointments_client_idx').on(t.clientId, t.startTime),
    index('appointments_shop_start_idx').on(t.shopId, t.startTime),
    // The hold sweeper only ever looks at held rows.
    index('appointments_held_expiry_idx')
      .on(t.holdExpiresAt)
      .where(sql`${t.status} = 'held'`),
  ],
);

/** A client waiting for a slot with a barber (or any barber) for a service in a time window. */
export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: a wish list has no value once its shop, client, barber or service is gone.
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    clientId: uuid('client_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** NULL = any barber of the shop. */
    barberId: uuid('barber_id').references(() => barbers.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    windowStart: tstz('window_start').notNull(),
    windowEnd: tstz('window_end').notNull(),
    /** Optional time of day in the shop's zone ("after work": 1020-1200); NULL = any time. */
    dayStartMinute: smallint('day_start_minute'),
    dayEndMinute: smallint('day_end_minute'),
    /** waiting → offered → booked, or cancelled / expired. */
    status: text('status').notNull().default('waiting'),
    // SET NULL: the offer's hold may be deleted by cleanup; the entry keeps its history.
    offeredAppointmentId: uuid('offered_appointment_id').references(() => appointments.id, {
      onDelete: 'set null',
    }),
    offeredAt: tstz('offered_at'),
    ...timestamps,
  },
  (t) => [
    check('waitlist_entries_window_check', sql`${t.windowEnd} > ${t.windowStart}`),
    check(
      'waitlist_entries_day_range_check',
      sql`(${t.dayStartMinute} IS NULL) = (${t.dayEndMinute} IS NULL) AND (${t.dayStartMinute} IS NULL OR (${t.dayStartMinute} >= 0 AND ${t.dayEndMinute} <= 1440 AND ${t.dayEndMinute} > ${t.dayStartMinute}))`,
    ),
    check(
      'waitlist_entries_status_check',
      sql`${t.status} IN ('waiting', 'offered', 'booked', 'cancelled', 'expired')`,
    ),
    // "first match for a freed slot": waiting entries of a shop in arrival order.
    index('waitlist_entries_shop_waiting_idx')
      .on(t.shopId, t.createdAt)
      .where(sql`${t.status} = 'waiting'`),
    index('waitlist_entries_client_idx').on(t.clientId),
  ],
);

export const appointmentsRelations = relations(appointments, ({ one, many }) => ({
  shop: one(shops, { fields: [appointments.shopId], references: [shops.id] }),
  barber: one(barbers, { fields: [appointments.barberId], references: [barbers.id] }),
  client: one(users, { fields: [appointments.clientId], references: [users.id] }),
  service: one(services, { fields: [appointments.serviceId], references: [services.id] }),
  payments: many(payments),
}));

export const waitlistEntriesRelations = relations(waitlistEntries, ({ one }) => ({
  shop: one(shops, { fields: [waitlistEntries.shopId], references: [shops.id] }),
  client: one(users, { fields: [waitlistEntries.clientId], references: [users.id] }),
  barber: one(barbers, { fields: [waitlistEntries.barberId], references: [barbers.id] }),
  service: one(services, { fields: [waitlistEntries.serviceId], references: [services.id] }),
  offeredAppointment: one(appointments, {
    fields: [waitlistEntries.offeredAppointmentId],
    references: [appointments.id],
  }),
}));

export type Appointment = typeof appointments.$inferSelect;
export type NewAppointment = typeof appointments.$inferInsert;
export type WaitlistEntry = typeof waitlistEntries.$inferSelect;
export type NewWaitlistEntry = typeof waitlistEntries.$inferInsert;
