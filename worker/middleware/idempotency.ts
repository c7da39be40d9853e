import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { hashToken } from '../auth/tokens';
import { ApiError } from '../lib/errors';
import type { HonoEnv } from '../types';

const KEY_TTL_HOURS = 24;
const STALE_CLAIM_SECONDS = 60;
const keyFormat = /^[\x21-\x7e]{1,255}$/;

/** Documents the header on a route (`request: { headers: IdempotencyHeaders }`). */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .openapi({
      description:
        'Makes a retried create safe: the same key with the same body returns the first response; with a different body, 422 idempotency_conflict. Kept 24 h.',
      example: '5f1c2b9e-4a0d-4c47-9a51-1f1d8a6f1a2b',
    }),
});

type Claim = {
  id: string;
  fresh: boolean;
  request_hash: string | null;
  response_status: number | null;
  response_body: unknown;
};

/**
 * Idempotency-Key for POSTs that create things (mobile clients retry on flaky networks). One
 * statement claims the key or reads what it holds: a fresh claim runs the handler and stores the
 * response (5xx releases the claim so the retry can run); a stored response is replayed with
 * `Idempotent-Replayed: true`; a different body under the same key is 422; a claim still in
 * flight is 409. Keys are scoped to the caller and the route.
 */
export function idempotent(): MiddlewareHandler<HonoEnv> {
  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    if (!keyFormat.test(key)) {
      throw new ApiError('validation_failed', 'Idempotency-Key must be 1–255 visible ASCII characters', {
        errors: [{ path: 'header.idempotency-key', message: 'Use a UUID' }],
      });
    }
    const db = c.get('services').db;
    const userId = c.get('auth')?.userId ?? null;
    // The concrete path, not the route template: the same key and body sent to another barber's
    // time off is a different request.
    const scope = `${c.req.method} ${c.req.path}`;
    const requestHash = await hashToken(await c.req.text());

    const claimed = await db.execute<Claim>(sql`
      WITH ins AS (
        INSERT INTO idempotency_keys (key, user_id, scope, request_hash, expires_at)
        VALUES (${key}, ${userId}, ${scope}, ${requestHash}, now() + make_interval(hours => ${KEY_TTL_HOURS}))
        ON CONFLICT ON CONSTRAINT idempotency_keys_key_user_scope_unique DO UPDATE
          -- A claim whose request died mid-flight (isolate evicted, CPU limit) is taken over
          -- after a minute instead of blocking retries for the key's whole lifetime.
          SET created_at = now(), expires_at = EXCLUDED.expires_at
          WHERE idempotency_keys.response_status IS NULL
            AND idempotency_keys.request_hash = EXCLUDED.request_hash
            AND idempotency_keys.created_at < now() - interval '${sql.raw(String(STALE_CLAIM_SECONDS))} seconds'
        RETURNING id
      )
      SELECT id, true AS fresh, NULL::text AS request_hash, NULL::int AS response_status, NULL::jsonb AS response_body FROM ins
      UNION ALL
      SELECT id, false, request_hash, response_status, response_body FROM idempotency_keys
       WHERE key = ${key} AND user_id IS NOT DISTINCT FROM ${userId} AND scope = ${scope}
         AND NOT EXISTS (SELECT 1 FROM ins)`);
    const claim = claimed.rows[0];
    if (!claim) throw new ApiError('conflict', 'Could not claim the Idempotency-Key; retry');

    if (!claim.fresh) {
      if (claim.request_hash !== requestHash) {
        throw new ApiError('idempotency_conflict', 'This Idempotency-Key was used with a different request body');
      }
      if (claim.response_status === null) {
        throw new ApiError('conflict', 'A request with this Idempotency-Key is still being processed', {
          headers: { 'Retry-After': '1' },
        });
      }
      const body = typeof claim.response_body === 'string' ? JSON.parse(claim.response_body) : claim.response_body;
      return new Response(body === null ? null : JSON.stringify(body), {
        status: Number(claim.response_status),
        headers: { 'content-type': 'application/json', 'Idempotent-Replayed': 'true' },
      });
    }

    await next();
    const status = c.res.status;
    try {
      if (status >= 500) {
        await db.execute(sql`DELETE FROM idempotency_keys WHERE id = ${claim.id}`);
        return;
      }
      const text = status === 204 ? '' : await c.res.clone().text();
      let stored: unknown = null;
      try {
        stored = text ? JSON.parse(text) : null;
      } catch {
        stored = null;
      }
      await db.execute(sql`
        UPDATE idempotency_keys SET response_status = ${status}, response_body = ${JSON.stringify(stored)}::jsonb
         WHERE id = ${claim.id}`);
    } catch (err) {
      // The response stands; only its replay copy is lost. Free the key so a retry can run.
      c.get('logger').warn('idempotency record not stored', { err });
      await db.execute(sql`DELETE FROM idempotency_keys WHERE id = ${claim.id}`).catch(() => undefined);
    }
  };
}
