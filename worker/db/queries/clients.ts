import { and, desc, eq, exists, like, sql, asc, type SQL } from 'drizzle-orm';
import { memberships, users, userSearchDocument } from '../schema';
import { escapeLike } from './shops';
import type { AnyDb } from './types';

export interface ClientSearchHit {
  id: string;
  email: string;
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

/** Users who are clients of `shopId`: search is always tenant-scoped. */
function isClientOf(db: AnyDb, shopId: string): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(memberships)
      .where(
        and(
          eq(memberships.userId, users.id),
          eq(memberships.shopId, shopId),
          eq(memberships.role, 'client'),
        ),
      ),
  );
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
    .where(and(sql`${doc} @@ ${query}`, isClientOf(db, shopId)))
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
    .where(and(phoneCond, isClientOf(db, shopId)))
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
