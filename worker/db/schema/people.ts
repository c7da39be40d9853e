import { relations, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import {
  boolean,
  integer,
  check,
  index,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, timestamps, tstz } from './columns';
import { memberships, shops } from './tenancy';
import { barberServices } from './catalogue';
import { timeOff, workingHours } from './schedule';
import { appointments } from './appointments';
import { calendarConnections } from './security';

/**
 * The document client search runs over. It is an EXPRESSION (not a stored column) so the GIN
 * index `users_search_idx` and the query in queries/clients.ts are built from this one function
 * and can never drift apart. Why these choices:
 * - 'simple' config: no stemming/stop words, so "jo:*" prefix-matches "John" identically on
 *   PG 15 and PGlite (PG 18) whatever dictionaries are installed.
 * - The e-mail is split on non-alphanumerics, otherwise the default parser keeps
 *   "john.doe@example.test" as one token and "doe" or "example" would not match it.
 * - Only `phone_last4` takes part: the full number is encrypted (see `users.phoneEnc`).
 * The two-argument to_tsvector(regconfig, text) and regexp_replace are IMMUTABLE, as an
 * index expression requires.
 */
export function userSearchDocument(cols: {
  firstName: AnyColumn;
  lastName: AnyColumn;
  email: AnyColumn;
  phoneLast4: AnyColumn;
}): SQL {
  return sql`to_tsvector('simple'::regconfig, coalesce(${cols.firstName}, '') || ' ' || coalesce(${cols.lastName}, '') || ' ' || regexp_replace(coalesce(${cols.email}, ''), '[^a-zA-Z0-9]+', ' ', 'g') || ' ' || coalesce(${cols.phoneLast4}, ''))`;
}

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Stored as typed; uniqueness is case-insensitive through users_email_lower_unique
    // (a lower(email) expression index: citext is not available everywhere we run).
    // Nullable since 0015: a walk-in or phone-booked client may have only a phone
    // (users_contact_check: an e-mail or a phone, never neither).
    email: text('email'),
    // Nullable: staff may add a walk-in client who has never set a password.
    passwordHash: text('password_hash'),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull().default(''),
    /**
     * The phone number, AES-256-GCM encrypted by worker/lib/crypto.ts
     * ('v1.<kid>.<iv>.<ciphertext>'). The plaintext never reaches the database.
     */
    phoneEnc: text('phone_enc'),
    /**
     * DECISION: phone search works on the last four digits, stored in plain text.
     * Staff look clients up by "the number ending 4567" (the same trade-off card
     * processors make with last4). Four digits identify nobody on their own, yet let the
     * front desk disambiguate. We deliberately do NOT store all digits, nor an unkeyed hash
     * of them: a phone number has so little entropy that a plain hash can be brute-forced
     * in seconds, which would defeat the encryption. Exact-number lookups (if ever needed)
     * should use a keyed HMAC with its own secret, added as a new column.
     */
    phoneLast4: text('phone_last4'),
    verifiedAt: tstz('verified_at'),
    /**
     * Platform staff (may act in every shop). No API flow writes it: it is set by direct
     * database action only, so no shop-level role, invitation or signup can grant it.
     */
    platformAdmin: boolean('platform_admin').notNull().default(false),
    /** Channel preferences for booking messages (account messages — reset, verification — always go). */
    notifyEmail: boolean('notify_email').notNull().default(true),
    notifySms: boolean('notify_sms').notNull().default(true),
    /** Set when the client texted STOP (Twilio consent); cleared by START. No SMS while set. */
    smsOptedOutAt: tstz('sms_opted_out_at'),
    /** BCP 47 language tag for messages (formats dates and times). */
    locale: text('locale').notNull().default('en'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
    check('users_email_format_check', sql`${t.email} ~ '^[^@[:space:]]+@[^@[:space:]]+$'`),
    check('users_contact_check', sql`${t.email} IS NOT NULL OR ${t.phoneEnc} IS NOT NULL`),
    check('users_phone_last4_check', sql`${t.phoneLast4} ~ '^[0-9]{1,4}$'`),
    // Both or neither: a last4 without a phone (or vice versa) is a bug in the writer.
    check('users_phone_pair_check', sql`(${t.phoneEnc} IS NULL) = (${t.phoneLast4} IS NULL)`),
    index('users_search_idx').using('gin', userSearchDocument(t)),
    index('users_phone_last4_idx').on(t.phoneLast4),
  ],
);

export const barbers = pgTable(
  'barbers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Blocked (NO ACTION, see appointments.ts for why not RESTRICT): a barber with history is
    // deactivated, not deleted with their user account.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'no action' }),
    // CASCADE from shops: removing a shop removes its staff profiles (appointments block the
    // shop delete anyway once there is any history).
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    displayName: text('display_name').notNull(),
    bio: text('bio').notNull().default(''),
    active: boolean('active').notNull().default(true),
    /**
     * Moves on every change to what this barber's availability depends on: bookings (asserted and
     * bumped by the barber's Durable Object in the same statement as the write), and hours, time
     * off, offerings, services, shop policy and activation (bumped by triggers, migration 0005, so
     * no write path can forget). The object checks requests against a snapshot taken at a
     * version and its writes only land if the version is unchanged.
     */
    scheduleVersion: integer('schedule_version').notNull().default(0),
    /**
     * SHA-256 of the secret in the barber's ICS feed URL (`calendar.ics?token=`). Rotating it
     * (a new secret) revokes every subscription made with the old one; NULL: no feed.
     */
    icsTokenHash: text('ics_token_hash'),
    ...timestamps,
  },
  (t) => [
    unique('barbers_user_shop_unique').on(t.userId, t.shopId),
    unique('barbers_ics_token_hash_unique').on(t.icsTokenHash),
    index('barbers_shop_idx').on(t.shopId),
  ],
);

export const clientNotes = pgTable(
  'client_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    // CASCADE: notes are personal data about the client; erasing the client erases them.
    clientId: uuid('client_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // SET NULL: the note survives its author leaving.
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    ...createdAt,
  },
  (t) => [
    check('client_notes_body_check', sql`length(${t.body}) > 0`),
    index('client_notes_shop_client_idx').on(t.shopId, t.clientId),
  ],
);

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(memberships),
  barberProfiles: many(barbers),
  appointments: many(appointments),
}));

export const barbersRelations = relations(barbers, ({ one, many }) => ({
  user: one(users, { fields: [barbers.userId], references: [users.id] }),
  shop: one(shops, { fields: [barbers.shopId], references: [shops.id] }),
  services: many(barberServices),
  workingHours: many(workingHours),
  timeOff: many(timeOff),
  appointments: many(appointments),
  calendarConnections: many(calendarConnections),
}));

export const clientNotesRelations = relations(clientNotes, ({ one }) => ({
  shop: one(shops, { fields: [clientNotes.shopId], references: [shops.id] }),
  client: one(users, {
    fields: [clientNotes.clientId],
    references: [users.id],
    relationName: 'client_notes_client',
  }),
  author: one(users, {
    fields: [clientNotes.authorId],
    references: [users.id],
    relationName: 'client_notes_author',
  }),
}));

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Barber = typeof barbers.$inferSelect;
export type NewBarber = typeof barbers.$inferInsert;
export type ClientNote = typeof clientNotes.$inferSelect;
export type NewClientNote = typeof clientNotes.$inferInsert;
