import { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { hashToken } from '../auth/tokens';
import {
  claimIdempotencyKey,
  IDEMPOTENCY_KEY_TTL_HOURS,
  recordIdempotentResponse,
  releaseIdempotencyKey,
} from '../db/queries/idempotency';
import { ApiError, problemBody } from '../lib/errors';
import { parseJson } from '../lib/json';
import type { HonoEnv } from '../types';

const keyFormat = /^[\x21-\x7e]{1,255}$/;

/** Documents the header on a route (`request: { headers: IdempotencyHeaders }`). */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .openapi({
      description: `Makes a retried create safe: the same key with the same body returns the first response (status, headers, body); with a different body, 422 idempotency_conflict. Kept ${IDEMPOTENCY_KEY_TTL_HOURS} h.`,
      example: '5f1c2b9e-4a0d-4c47-9a51-1f1d8a6f1a2b',
    }),
});

/**
 * The headers that describe the response itself and so come back on a replay. Everything else is
 * about the request that carried it (X-Request-Id, RateLimit-*, Server-Timing, CORS, security
 * headers) and is set afresh on the replaying request by the middleware around this one.
 */
const REPLAYED_HEADERS = ['content-type', 'content-language', 'content-location', 'location', 'etag', 'last-modified', 'cache-control'];

/** What is stored per key: enough to send the same response again byte for byte. */
const ReplayRecord = z.object({ headers: z.record(z.string(), z.string()), body: z.string().nullable() });
type ReplayRecord = z.infer<typeof ReplayRecord>;

/** 503 is "try again": the handler promises it changed nothing, so the key is freed for the retry. */
const RETRYABLE_STATUS = 503;

async function replayRecord(res: Response): Promise<ReplayRecord> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const body = res.body === null ? null : await res.clone().text();
  return { headers, body };
}

function replay(status: number, stored: unknown): Response {
  const value = typeof stored === 'string' ? parseJson(stored) : stored;
  const parsed = ReplayRecord.safeParse(value);
  // Records from before ADR 0008 held the parsed JSON body alone.
  const record: ReplayRecord = parsed.success
    ? parsed.data
    : { headers: { 'content-type': 'application/json' }, body: value == null ? null : JSON.stringify(value) };
  return new Response(record.body, { status, headers: { ...record.headers, 'Idempotent-Replayed': 'true' } });
}

/**
 * Idempotency-Key for POSTs that create things (mobile clients retry on flaky networks); ADR 0008.
 * One statement claims the key or reads what it holds. A fresh claim runs the handler and records
 * its response — status, the headers that describe it and the body's exact bytes — so a retry
 * gets the same answer, problems included (`Idempotent-Replayed: true`). A different body under
 * the same key is 422; a claim still in flight is 409. Keys are scoped to the caller and path.
 *
 * Never twice: once the handler ran, the claim is never deleted (only a 503, which promises no
 * effect, frees it). If the response cannot be recorded, a stored 409 says the outcome is unknown;
 * if even that fails the claim stays in flight. A claim that looks dead is taken over after a
 * minute; the takeover re-keys it, so the original, if it was merely slow, cannot overwrite what
 * the retry records.
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
    const logger = c.get('logger');
    const claim = await claimIdempotencyKey(db, {
      key,
      userId: c.get('auth')?.userId ?? null,
      // The concrete path, not the route template: the same key and body sent to another barber's
      // time off is a different request.
      scope: `${c.req.method} ${c.req.path}`,
      requestHash: await hashToken(await c.req.text()),
    });
    switch (claim.kind) {
      case 'mismatch':
        throw new ApiError('idempotency_conflict', 'This Idempotency-Key was used with a different request body');
      case 'in_flight':
        throw new ApiError(
          'conflict',
          'A request with this Idempotency-Key is still being processed, or ended without its outcome being recorded; retry shortly',
          { headers: { 'Retry-After': '1' } },
        );
      case 'completed':
        return replay(claim.status, claim.record);
      case 'claimed':
        break;
    }

    await next();
    const status = c.res.status;
    if (status === RETRYABLE_STATUS) {
      await releaseIdempotencyKey(db, claim.token).catch((err: unknown) => logger.warn('idempotency claim not released', { err }));
      return;
    }
    let recorded: boolean;
    try {
      recorded = await recordIdempotentResponse(db, claim.token, status, await replayRecord(c.res));
    } catch (err) {
      // The response stands, and a retry must not run the request again: record that much.
      logger.warn('idempotent response not recorded; recording an unknown outcome instead', { err });
      const detail = `The first request with this Idempotency-Key finished (status ${status}) but its response could not be recorded. Check whether it took effect before retrying with a new key.`;
      const problem = problemBody('conflict', c.get('requestId'), detail, undefined, c.req.path);
      const unknown: ReplayRecord = { headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(problem) };
      try {
        recorded = await recordIdempotentResponse(db, claim.token, problem.status, unknown);
      } catch (again) {
        logger.error('idempotency claim left in flight: nothing could be recorded', { err: again });
        return;
      }
    }
    if (!recorded) logger.warn('idempotency claim was taken over by a retry; its response is the recorded one');
  };
}
