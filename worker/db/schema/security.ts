import { relations, sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { createdAt, timestamps, tstz } from './columns';
import { shops } from './tenancy';
import { barbers, users } from './people';

/**
 * Rotating refresh tokens. Each login starts a family; each refresh marks the old row
 * `rotated_at` + `replaced_by` and inserts a new one. Presenting a rotated token again means
 * theft: the whole family gets `revoked_at`. Only SHA-256 hashes of tokens are stored.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: deleting an account logs it out everywhere.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: tstz('expires_at').notNull(),
    rotatedAt: tstz('rotated_at'),
    revokedAt: tstz('revoked_at'),
    // SET NULL: cleanup may delete the successor first.
    replacedBy: uuid('replaced_by').references((): AnyPgColumn => refreshTokens.id, {
      onDelete: 'set null',
    }),
    ...createdAt,
  },
  (t) => [
    unique('refresh_tokens_token_hash_unique').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

/**
 * Idempotency-Key replay store (ADR 8). Scope is "METHOD concrete-path" (the resource the request
 * names, not its route template); user_id is NULL for public endpoints, hence NULLS NOT DISTINCT
 * (PostgreSQL 15+) on the unique key. `id` doubles as the claim's fence: a takeover of a stale claim
 * gives it a new id, so only the request holding the current id may record the answer.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    /** SHA-256 of the canonical request body: same key + different body → 422. */
    requestHash: text('request_hash').notNull(),
    /** NULL while the first request is still in flight. */
    responseStatus: integer('response_status'),
    /** The recorded answer to replay: body text and the headers that describe it (not the parsed body). */
    responseBody: jsonb('response_body'),
    ...createdAt,
    expiresAt: tstz('expires_at').notNull(),
  },
  (t) => [
    unique('idempotency_keys_key_user_scope_unique')
      .on(t.key, t.userId, t.scope)
      .nullsNotDistinct(),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);

export const AUTH_TOKEN_KINDS = ['password_reset', 'email_verify'] as const;
export type AuthTokenKind = (typeof AUTH_TOKEN_KINDS)[number];

/** Single-use e-mailed tokens; only their hash is stored. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<AuthTokenKind>().notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    ...createdAt,
  },
  (t) => [
    unique('auth_tokens_token_hash_unique').on(t.tokenHash),
    check('auth_tokens_kind_check', sql`${t.kind} IN ('password_reset', 'email_verify')`),
    index('auth_tokens_user_idx').on(t.userId),
  ],
);

/**
 * OAuth tokens for a barber's external calendar, AES-256-GCM encrypted by worker/lib/crypto.ts.
 * `key_id` is the kid of the newest encryption so a key-rotation job can find rows to re-encrypt.
 */
export const calendarConnections = pgTable(
  'calendar_connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: the connection is the barber's.
    barberId: uuid('barber_id')
      .notNull()
      .references(() => barbers.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    calendarId: text('calendar_id'),
    accessTokenEnc: text('access_token_enc').notNull(),
    refreshTokenEnc: text('refresh_token_enc'),
    keyId: text('key_id').notNull(),
    expiresAt: tstz('expires_at'),
    /** The barber lets busy times from this calendar block their availability (freeBusy). */
    blockBusy: boolean('block_busy').notNull().default(false),
    /** The last sync's failure (shown to the barber); NULL when the last one worked. */
    syncError: text('sync_error'),
    syncedAt: tstz('synced_at'),
    ...timestamps,
  },
  (t) => [
    unique('calendar_connections_barber_provider_unique').on(t.barberId, t.provider),
    check('calendar_connections_provider_check', sql`${t.provider} IN ('google')`),
  ],
);

/** Append-only trail of who did what. SET NULL: the trail must survive deletions. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id').references(() => shops.id, { onDelete: 'set null' }),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    at: tstz('at').notNull().defaultNow(),
  },
  (t) => [index('audit_log_shop_at_idx').on(t.shopId, t.at)],
);

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  user: one(users, { fields: [refreshTokens.userId], references: [users.id] }),
}));

export const authTokensRelations = relations(authTokens, ({ one }) => ({
  user: one(users, { fields: [authTokens.userId], references: [users.id] }),
}));

/** The calendar event an appointment became in a connected calendar (create → patch → delete). */
export const calendarEvents = pgTable(
  'calendar_events',
  {
    appointmentId: uuid('appointment_id').notNull(),
    // CASCADE: disconnecting a calendar forgets what was written to it.
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => calendarConnections.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    /** The appointment's ics_sequence last written, so an older queued change never overwrites a newer one. */
    sequence: integer('sequence').notNull().default(0),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.appointmentId, t.connectionId] })],
);

/** Manage links already used (single-use purposes): the token's id, so a replay is refused. */
export const manageLinkUses = pgTable('manage_link_uses', {
  jti: text('jti').primaryKey(),
  appointmentId: uuid('appointment_id').notNull(),
  purpose: text('purpose').notNull(),
  usedAt: tstz('used_at').notNull().defaultNow(),
});

export const calendarConnectionsRelations = relations(calendarConnections, ({ one }) => ({
  barber: one(barbers, { fields: [calendarConnections.barberId], references: [barbers.id] }),
}));

export const auditLogRelations = relations(auditLog, ({ one }) => ({
  shop: one(shops, { fields: [auditLog.shopId], references: [shops.id] }),
  actor: one(users, { fields: [auditLog.actorId], references: [users.id] }),
}));

export type RefreshToken = typeof refreshTokens.$inferSelect;
export type NewRefreshToken = typeof refreshTokens.$inferInsert;
export type IdempotencyKey = typeof idempotencyKeys.$inferSelect;
export type NewIdempotencyKey = typeof idempotencyKeys.$inferInsert;
export type AuthToken = typeof authTokens.$inferSelect;
export type NewAuthToken = typeof authTokens.$inferInsert;
export type CalendarConnection = typeof calendarConnections.$inferSelect;
export type CalendarEvent = typeof calendarEvents.$inferSelect;
export type NewCalendarConnection = typeof calendarConnections.$inferInsert;
export type AuditLogEntry = typeof auditLog.$inferSelect;
export type NewAuditLogEntry = typeof auditLog.$inferInsert;
