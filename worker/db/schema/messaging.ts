import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { tstz } from './columns';

export const NOTIFICATION_CHANNELS = ['email', 'sms', 'calendar', 'log'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const NOTIFICATION_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * The notification log written by the queue consumer. `dedupe_key` (e.g.
 * "reminder:24h:<appointment id>:email") makes at-least-once queue delivery and repeated cron
 * runs send each message once: insert … ON CONFLICT (dedupe_key) DO NOTHING RETURNING.
 * Channel/status are text + CHECK (not enums) so adding a channel is a one-line migration.
 * No FKs on purpose: the log must survive deletion of whatever it talks about.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dedupeKey: text('dedupe_key').notNull(),
    channel: text('channel').$type<NotificationChannel>().notNull(),
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<NotificationStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    sentAt: tstz('sent_at'),
    /**
     * When the current delivery took the row (status `sending`). A lease: a consumer that died
     * mid-send leaves it behind, and after a few minutes another delivery may take over.
     */
    claimedAt: tstz('claimed_at'),
    /** The shop the message is about (from its data), so owners can list what failed to reach clients. */
    shopId: uuid('shop_id'),
    /** The provider's id of what it accepted (SendGrid X-Message-Id, Twilio message SID). */
    providerMessageId: text('provider_message_id'),
    /**
     * The number (E.164) an SMS went out from, as Twilio reported it (null when it did not say,
     * e.g. a messaging service picking the sender later). A reply comes in on this number: it
     * tells which of a client's bookings the reply answers (services/sms-replies.ts).
     */
    sender: text('sender'),
  },
  (t) => [
    unique('notifications_dedupe_key_unique').on(t.dedupeKey),
    check('notifications_channel_check', sql`${t.channel} IN ('email', 'sms', 'calendar', 'log')`),
    check(
      'notifications_status_check',
      sql`${t.status} IN ('queued', 'sending', 'sent', 'failed', 'skipped')`,
    ),
    check('notifications_attempts_check', sql`${t.attempts} >= 0`),
    index('notifications_status_created_idx').on(t.status, t.createdAt),
    index('notifications_shop_status_idx').on(t.shopId, t.status),
    // A reply's lookup: the latest SMS sent to a user (`user:<id>`).
    index('notifications_sms_sent_idx').on(t.recipient, t.sentAt).where(sql`${t.channel} = 'sms' AND ${t.status} = 'sent'`),
  ],
);

/**
 * Inbound SMS already handled, by Twilio's MessageSid: Twilio retries a webhook it got no answer
 * to, and a retried X must not cancel a second booking. The row is claimed before the reply acts
 * (so a retry arriving meanwhile acts on nothing) and keeps the answer sent, so a retry gets the
 * same text back. Rows older than a month are pruned as new ones arrive (queries/sms-replies.ts).
 */
export const smsInbound = pgTable(
  'sms_inbound',
  {
    messageSid: text('message_sid').primaryKey(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    /** The TwiML text answered; null while the reply is being handled. */
    reply: text('reply'),
  },
  (t) => [index('sms_inbound_received_idx').on(t.receivedAt)],
);

/**
 * Development and test only: what the outbox provider "sent" when no SendGrid/Twilio keys are
 * configured — read at /dev/outbox. Never written in production (the provider refuses there).
 */
export const devOutbox = pgTable(
  'dev_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').$type<'email' | 'sms'>().notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject'),
    text: text('text').notNull(),
    html: text('html'),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('dev_outbox_created_idx').on(t.createdAt)],
);

export type Notification = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;
