import type { NeonHttpDatabase } from 'drizzle-orm/neon-http';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from '../schema';

export type Schema = typeof schema;

/** The app's database: drizzle over Neon's HTTP driver. */
export type Db = NeonHttpDatabase<Schema>;

/**
 * What query/seed functions accept: any drizzle Postgres database over our schema (neon-http in
 * the Worker, node-postgres / PGlite in Node tests and scripts). Queries only use the generic
 * pg-core builder API, which behaves the same on all of them.
 */
export type AnyDb = PgDatabase<PgQueryResultHKT, Schema>;

/** `{ data, next_cursor }` pages (DESIGN.md §3). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
