import { char, timestamp } from 'drizzle-orm/pg-core';

/**
 * Shared column builders. Every instant is `timestamptz`: the shop's IANA zone is data
 * (shops.timezone), never the server's, so we store UTC instants and convert at the edges.
 */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** `created_at` / `updated_at` for mutable rows. `updated_at` is bumped by drizzle on update. */
export const timestamps = {
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at')
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/** Append-only rows only need `created_at`. */
export const createdAt = {
  createdAt: tstz('created_at').notNull().defaultNow(),
};

/** ISO 4217 code; the shape is enforced by a CHECK on each table that has one. */
export const currency = (name = 'currency') => char(name, { length: 3 });

/** Regex used by every `*_currency_check` constraint. */
export const CURRENCY_PATTERN = '^[A-Z]{3}$';
