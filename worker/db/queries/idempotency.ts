import { sql } from 'drizzle-orm';
import type { AnyDb } from './types';

/** How long a key is remembered (the cron deletes expired keys). */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** A claim older than this with no response is presumed dead (isolate evicted) and may be taken over. */
const STALE_CLAIM_SECONDS = 60;

export interface IdempotencyRequest {
  key: string;
  /** NULL for public endpoints. */
  userId: string | null;
  /** "METHOD /concrete/path". */
  scope: string;
  requestHash: string;
}

/**
 * What a claim found:
 * - `claimed`: this request runs; `token` is its fencing token (the row's id, which a takeover
 *   changes), required to record the response or release the claim.
 * - `in_flight`: another request holds a live claim, or finished without its response recorded.
 * - `mismatch`: the key was used with a different body.
 * - `completed`: the recorded response (`record` is the stored replay record, unparsed).
 */
export type IdempotencyClaim =
  | { kind: 'claimed'; token: string }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' }
  | { kind: 'completed'; status: number; record: unknown };

type ClaimRow = {
  token: string;
  fresh: boolean | string;
  request_hash: string | null;
  response_status: number | string | null;
  response_body: unknown;
};

/**
 * Claims the key or reads what it holds, in one statement. A claim whose request died mid-flight
 * is taken over once stale; the takeover gives the row a new id, so the original request — if it
 * was only slow — can no longer record or release it (see recordIdempotentResponse).
 */
export async function claimIdempotencyKey(db: AnyDb, r: IdempotencyRequest): Promise<IdempotencyClaim> {
  const result = await db.execute(sql`
    WITH ins AS (
      INSERT INTO idempotency_keys (key, user_id, scope, request_hash, expires_at)
      VALUES (${r.key}, ${r.userId}, ${r.scope}, ${r.requestHash}, now() + make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS}))
      ON CONFLICT ON CONSTRAINT idempotency_keys_key_user_scope_unique DO UPDATE
        SET id = gen_random_uuid(), created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.response_status IS NULL
          AND idempotency_keys.request_hash = EXCLUDED.request_hash
          AND idempotency_keys.created_at < now() - make_interval(secs => ${STALE_CLAIM_SECONDS})
      RETURNING id
    )
    SELECT id AS token, true AS fresh, NULL::text AS request_hash, NULL::int AS response_status, NULL::jsonb AS response_body FROM ins
    UNION ALL
    SELECT id, false, request_hash, response_status, response_body FROM idempotency_keys
     WHERE key = ${r.key} AND user_id IS NOT DISTINCT FROM ${r.userId} AND scope = ${r.scope}
       AND NOT EXISTS (SELECT 1 FROM ins)`);
  const row = (result as unknown as { rows: ClaimRow[] }).rows[0];
  // The row was inserted by a request that committed after this statement's snapshot: in flight.
  if (!row) return { kind: 'in_flight' };
  if (row.fresh === true || row.fresh === 't') return { kind: 'claimed', token: row.token };
  if (row.request_hash !== r.requestHash) return { kind: 'mismatch' };
  if (row.response_status === null) return { kind: 'in_flight' };
  return { kind: 'completed', status: Number(row.response_status), record: row.response_body };
}

/**
 * Records the response under the claim `token`. False when the claim is no longer this
 * request's (a retry took it over): the record the retry writes is the one that stands.
 */
export async function recordIdempotentResponse(db: AnyDb, token: string, status: number, record: unknown): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE idempotency_keys SET response_status = ${status}, response_body = ${JSON.stringify(record)}::jsonb
     WHERE id = ${token} AND response_status IS NULL
    RETURNING id`);
  return (result as unknown as { rows: unknown[] }).rows.length > 0;
}

/** Frees the key for a retry (the request had no effect); a no-op once the claim was taken over. */
export async function releaseIdempotencyKey(db: AnyDb, token: string): Promise<void> {
  await db.execute(sql`DELETE FROM idempotency_keys WHERE id = ${token} AND response_status IS NULL`);
}

