import { and, asc, desc, eq, like, sql } from 'drizzle-orm';
import { appointments, barbers, clientNotes, services, users, userSearchDocument } from '../schema';
import { isClientOfShopSql } from './access';
import { escapeLike } from './shops';
import type { AnyDb } from './types';

export interface ClientSearchHit {
  id: string;
  email: string | null;
  firstName: string;
  lastName: string;
  phoneLast4: string | null;
  rank: number;
}

/**
 * Turns free text into a prefix tsquery: "Jo  Smi" → "jo:* & smi:*". Only letters and digits
 * survive, so the result is always valid tsquery syntax (user input never reaches the parser
 * raw). Returns null when nothing searchable is left.
 */
export function toPrefixTsQuery(q: string): string | null {
  const terms = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, 8);
  return terms.length === 0 ? null : terms.map((t) => `${t}:*`).join(' & ');
}

/**
 * Full-text client search (names, e-mail words, phone last4) with prefix matching, ranked.
 * Uses the GIN expression index users_search_idx — the document expression is shared with the
 * index definition through userSearchDocument(), so they cannot drift.
 */
export function clientTextSearchQuery(db: AnyDb, shopId: string, tsquery: string, limit = 20) {
  const doc = userSearchDocument(users);
  const query = sql`to_tsquery('simple'::regconfig, ${tsquery})`;
  const rank = sql<number>`ts_rank(${doc}, ${query})`.mapWith(Number);
  return db
    .select({
      id: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      phoneLast4: users.phoneLast4,
      rank,
    })
    .from(users)
    .where(and(sql`${doc} @@ ${query}`, isClientOfShopSql(users.id, shopId)))
    .orderBy(desc(rank), asc(users.lastName), asc(users.id))
    .limit(limit);
}

/**
 * Phone search on the plaintext last-4 column (the full number is encrypted, see
 * users.phone_last4). "4567" or a full number → exact last4 match (users_phone_last4_idx);
 * fewer digits → "ends with". Callers holding the keyring may decrypt the few hits to compare
 * a full number exactly.
 */
export function clientPhoneSearchQuery(db: AnyDb, shopId: string, digits: string, limit = 20) {
  const phoneCond =
    digits.length >= 4
      ? eq(users.phoneLast4, digits.slice(-4))
      : like(users.phoneLast4, `%${escapeLike(digits)}`);
  return db
    .select({
      id: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      phoneLast4: users.phoneLast4,
      rank: sql<number>`1`.mapWith(Number),
    })
    .from(users)
    .where(and(phoneCond, isClientOfShopSql(users.id, shopId)))
    .orderBy(asc(users.lastName), asc(users.firstName), asc(users.id))
    .limit(limit);
}

/**
 * Shop-scoped client search. Input that is only digits (and phone punctuation) is treated as
 * "last digits of the phone"; anything else goes through full text.
 */
export async function searchClients(
  db: AnyDb,
  shopId: string,
  q: string,
  opts: { limit?: number } = {},
): Promise<ClientSearchHit[]> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
  const trimmed = q.trim();
  if (/^[\d\s()+.-]+$/.test(trimmed)) {
    const digits = trimmed.replace(/\D+/g, '');
    if (digits.length > 0) return clientPhoneSearchQuery(db, shopId, digits, limit).execute();
  }
  const tsquery = toPrefixTsQuery(trimmed);
  if (!tsquery) return [];
  return clientTextSearchQuery(db, shopId, tsquery, limit).execute();
}

/**
 * A client record at one shop, as three queries for one batch (one Neon request): the user —
 * only if a client of the shop (isClientOfShopSql) — with their visit, no-show and late-cancel counts there, their
 * appointments there (newest first; appointments_client_idx) and the shop's notes on them.
 */
export function clientRecordQueries(db: AnyDb, shopId: string, clientId: string, historyLimit: number) {
  const userId = sql`${sql.identifier('users')}.${sql.identifier('id')}`;
  const client = db
    .select({
      id: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      phoneLast4: users.phoneLast4,
      noShowCount: sql<number>`(select count(*) from appointments ns
        where ns.client_id = ${userId} and ns.shop_id = ${shopId} and ns.status = 'no_show')`.mapWith(Number),
      visitCount: sql<number>`(select count(*) from appointments cv
        where cv.client_id = ${userId} and cv.shop_id = ${shopId} and cv.status = 'completed')`.mapWith(Number),
      // Late: cancelled inside the policy window with the deposit kept or a fee charged (domain/cancellation.ts).
      lateCancelCount: sql<number>`(select count(*) from appointments lc
        where lc.client_id = ${userId} and lc.shop_id = ${shopId} and lc.status = 'cancelled'
          and lc.settlement in ('late_fee', 'keep_deposit'))`.mapWith(Number),
    })
    .from(users)
    .where(and(eq(users.id, clientId), isClientOfShopSql(users.id, shopId)));
  const visits = db
    .select({
      id: appointments.id,
      barberId: appointments.barberId,
      barberName: barbers.displayName,
      serviceId: appointments.serviceId,
      serviceName: services.name,
      startTime: appointments.startTime,
      endTime: appointments.endTime,
      status: appointments.status,
      priceCents: appointments.priceCents,
      currency: appointments.currency,
    })
    .from(appointments)
    .innerJoin(barbers, eq(barbers.id, appointments.barberId))
    .innerJoin(services, eq(services.id, appointments.serviceId))
    .where(and(eq(appointments.clientId, clientId), eq(appointments.shopId, shopId)))
    .orderBy(desc(appointments.startTime), desc(appointments.id))
    .limit(historyLimit);
  const notes = db
    .select({ id: clientNotes.id, body: clientNotes.body, authorId: clientNotes.authorId, createdAt: clientNotes.createdAt })
    .from(clientNotes)
    .where(and(eq(clientNotes.clientId, clientId), eq(clientNotes.shopId, shopId)))
    .orderBy(desc(clientNotes.createdAt), desc(clientNotes.id))
    .limit(historyLimit);
  return { client, visits, notes };
}

/**
 * Clients of a shop whose phone ends in `last4`, with the encrypted number, so a staff booking "by
 * phone" can compare the full number after decrypting (only the last four digits are plain).
 */
export function shopClientsByPhoneLast4(db: AnyDb, shopId: string, last4: string, limit = 50) {
  return db
    .select({ id: users.id, phoneEnc: users.phoneEnc })
    .from(users)
    .where(and(eq(users.phoneLast4, last4), isClientOfShopSql(users.id, shopId)))
    .orderBy(asc(users.id))
    .limit(limit);
}
