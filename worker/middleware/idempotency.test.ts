import { OpenAPIHono } from '@hono/zod-openapi';
import { env } from 'cloudflare:test';
import { and, eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { hashToken } from '../auth/tokens';
import { idempotencyKeys, shops, users } from '../db/schema';
import { buildUser, uniq } from '../db/seed/builders';
import { ApiError } from '../lib/errors';
import type { HonoEnv } from '../types';
import { call, problemOf, testDb } from '../../tests/worker/harness';
import { bearer, tokenFor } from '../../tests/worker/auth';
import { requireAuth } from './auth';
import { idempotent } from './idempotency';

async function signedIn() {
  const [user] = await testDb().insert(users).values(buildUser()).returning();
  return tokenFor(user!.id);
}

const userIdOf = (token: string) => decodeJwt(token).sub!;

const createShop = (token: string, body: unknown, key?: string) =>
  call('/api/v1/shops', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

const shopBody = () => ({ name: 'Retry Cuts', slug: `retry-${uniq()}`, timezone: 'Europe/London', currency: 'GBP' });

describe('Idempotency-Key', () => {
  it('replays the first response for a retried create and creates one row', async () => {
    const token = await signedIn();
    const body = shopBody();
    const key = crypto.randomUUID();
    const first = await createShop(token, body, key);
    expect(first.status).toBe(201);
    const created = await first.json();
    const retry = await createShop(token, body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(created);
    const rows = await testDb().select().from(shops).where(eq(shops.slug, body.slug));
    expect(rows).toHaveLength(1);
  });

  it('refuses the same key with a different body (422 idempotency_conflict)', async () => {
    const token = await signedIn();
    const key = crypto.randomUUID();
    expect((await createShop(token, shopBody(), key)).status).toBe(201);
    const other = await createShop(token, shopBody(), key);
    expect(other.status).toBe(422);
    expect((await problemOf(other)).code).toBe('idempotency_conflict');
  });

  it('scopes keys to the caller', async () => {
    const key = crypto.randomUUID();
    expect((await createShop(await signedIn(), shopBody(), key)).status).toBe(201);
    expect((await createShop(await signedIn(), shopBody(), key)).status).toBe(201);
  });

  it('lets exactly one of two concurrent requests with the same key run', async () => {
    const token = await signedIn();
    const body = shopBody();
    const key = crypto.randomUUID();
    const results = await Promise.all([createShop(token, body, key), createShop(token, body, key)]);
    const statuses = results.map((r) => r.status).sort();
    // Either the second saw the claim in flight (409, retry later) or the stored result (201).
    expect([[201, 201], [201, 409]]).toContainEqual(statuses);
    expect(await testDb().select().from(shops).where(eq(shops.slug, body.slug))).toHaveLength(1);
  });

  it('takes over a claim whose request died before answering', async () => {
    const token = await signedIn();
    const body = shopBody();
    const key = crypto.randomUUID();
    // What an evicted isolate leaves behind: a claim with no response, two minutes old.
    await testDb().execute(sql`
      INSERT INTO idempotency_keys (key, user_id, scope, request_hash, expires_at, created_at)
      VALUES (${key}, ${userIdOf(token)}, 'POST /api/v1/shops', ${await hashToken(JSON.stringify(body))},
              now() + interval '1 day', now() - interval '2 minutes')`);
    const res = await createShop(token, body, key);
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('treats the same key on another resource as another request', async () => {
    const token = await signedIn();
    const shopIds: string[] = [];
    for (let i = 0; i < 2; i++) shopIds.push(((await (await createShop(token, shopBody())).json()) as { id: string }).id);
    const key = crypto.randomUUID();
    const service = { name: 'Skin fade', price_cents: 3000, currency: 'GBP', duration_min: 30 };
    for (const shopId of shopIds) {
      const res = await call(`/api/v1/shops/${shopId}/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token), 'idempotency-key': key },
        body: JSON.stringify(service),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    }
  });

  it('replays a failed create exactly: same status, same bytes, problem+json', async () => {
    const token = await signedIn();
    const body = { ...shopBody(), timezone: 'Mars/Olympus_Mons' };
    const key = crypto.randomUUID();
    const first = await createShop(token, body, key);
    expect(first.status).toBe(422);
    const firstText = await first.text();
    const retry = await createShop(token, body, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.status).toBe(422);
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await retry.text()).toBe(firstText);
    // The replay's own request id is in its header; the body names the request that ran.
    expect(retry.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(JSON.parse(firstText).request_id).toBe(first.headers.get('x-request-id'));
  });

  it('rejects malformed keys with 422', async () => {
    const res = await createShop(await signedIn(), shopBody(), 'has spaces in it');
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.[0]?.path).toBe('header.idempotency-key');
  });
});

// ---- the middleware on its own, behind fixture routes ----------------------------------------

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/** A fixture app whose one idempotent route does what `behave` says and counts its runs. */
function fixture(behave: (run: number) => Promise<Response> | Response) {
  let runs = 0;
  const app = createApp({
    routes: (a: OpenAPIHono<HonoEnv>) => {
      a.post('/api/v1/_idem', requireAuth(), idempotent(), async () => behave(++runs));
    },
  });
  return {
    runs: () => runs,
    post: (token: string, key: string, body = '{"n":1}') =>
      app.request('/api/v1/_idem', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json', 'idempotency-key': key }, body }, env, ctx),
  };
}

async function claimRow(token: string, key: string) {
  const [row] = await testDb()
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.key, key), eq(idempotencyKeys.userId, userIdOf(token))));
  return row;
}

describe('Idempotency-Key replay and recording', () => {
  it('replays the headers that describe the response, not the per-request ones', async () => {
    const f = fixture((run) =>
      new Response(JSON.stringify({ run, z: 1, a: 2 }), {
        status: 201,
        headers: { 'content-type': 'application/vnd.bb+json; charset=utf-8', location: `/things/${run}`, etag: `"v${run}"`, 'x-debug': 'per-request' },
      }),
    );
    const token = await signedIn();
    const key = crypto.randomUUID();
    const first = await f.post(token, key);
    const retry = await f.post(token, key);
    expect(f.runs()).toBe(1);
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe('{"run":1,"z":1,"a":2}');
    expect(retry.headers.get('content-type')).toBe('application/vnd.bb+json; charset=utf-8');
    expect(retry.headers.get('location')).toBe('/things/1');
    expect(retry.headers.get('etag')).toBe('"v1"');
    expect(retry.headers.get('x-debug')).toBeNull();
    expect(retry.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  describe('when the response cannot be recorded', () => {
    // A trigger stands in for the database refusing the write that records the response: for a
    // body containing "unstorable", and for every record under keys starting "offline-".
    beforeAll(async () => {
      await testDb().execute(sql`CREATE OR REPLACE FUNCTION bb_test_refuse_idempotency_record() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
          IF NEW.response_status IS NOT NULL AND (NEW.response_body::text LIKE '%unstorable%' OR NEW.key LIKE 'offline-%') THEN
            RAISE EXCEPTION 'refused by test trigger';
          END IF;
          RETURN NEW;
        END $$`);
      await testDb().execute(sql`CREATE OR REPLACE TRIGGER bb_test_refuse_idempotency_record BEFORE UPDATE ON idempotency_keys
        FOR EACH ROW EXECUTE FUNCTION bb_test_refuse_idempotency_record()`);
    });
    afterAll(async () => {
      await testDb().execute(sql`DROP TRIGGER IF EXISTS bb_test_refuse_idempotency_record ON idempotency_keys`);
      await testDb().execute(sql`DROP FUNCTION IF EXISTS bb_test_refuse_idempotency_record()`);
    });

    const created = () => new Response('{"unstorable":true}', { status: 201, headers: { 'content-type': 'application/json' } });

    it('records that the outcome is unknown: a retry gets 409, never a second run', async () => {
      const f = fixture(created);
      const token = await signedIn();
      const key = crypto.randomUUID();
      expect((await f.post(token, key)).status).toBe(201);
      const retry = await f.post(token, key);
      expect(f.runs()).toBe(1);
      expect(retry.status).toBe(409);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const problem = await problemOf(retry);
      expect(problem.code).toBe('conflict');
      expect(problem.detail).toMatch(/status 201.*could not be recorded/);
    });

    it('keeps the claim in flight when nothing can be recorded: a retry gets 409, never a second run', async () => {
      const f = fixture(created);
      const token = await signedIn();
      const key = `offline-${crypto.randomUUID()}`;
      expect((await f.post(token, key)).status).toBe(201);
      expect((await claimRow(token, key))?.responseStatus).toBeNull();
      const retry = await f.post(token, key);
      expect(f.runs()).toBe(1);
      expect(retry.status).toBe(409);
      expect((await problemOf(retry)).detail).toMatch(/still being processed/);
    });
  });

  it('records an unexpected 500 (its outcome is unknown) but frees the key after a 503', async () => {
    const token = await signedIn();
    const crashing = fixture(() => {
      throw new Error('after the write, before the answer');
    });
    const key = crypto.randomUUID();
    expect((await crashing.post(token, key)).status).toBe(500);
    expect((await crashing.post(token, key)).status).toBe(500);
    expect(crashing.runs()).toBe(1);

    const busy = fixture((run) => {
      if (run === 1) throw new ApiError('dependency_unavailable', 'Try again in a moment');
      return new Response('{}', { status: 201, headers: { 'content-type': 'application/json' } });
    });
    const other = crypto.randomUUID();
    expect((await busy.post(token, other)).status).toBe(503);
    expect((await busy.post(token, other)).status).toBe(201);
    expect(busy.runs()).toBe(2);
  });

  it('fences a takeover: the slow original cannot overwrite what the retry recorded', async () => {
    let releaseFirst!: () => void;
    const firstMayFinish = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const f = fixture(async (run) => {
      if (run === 1) {
        firstStarted();
        await firstMayFinish;
      }
      return new Response(JSON.stringify({ run }), { status: 201, headers: { 'content-type': 'application/json' } });
    });
    const token = await signedIn();
    const key = crypto.randomUUID();
    const slow = f.post(token, key);
    await started;
    // The original is still alive but looks dead: its claim is older than the takeover window.
    await testDb().execute(sql`UPDATE idempotency_keys SET created_at = now() - interval '2 minutes'
      WHERE key = ${key} AND user_id = ${userIdOf(token)}`);
    const takeover = await f.post(token, key);
    expect(takeover.status).toBe(201);
    expect(await takeover.json()).toEqual({ run: 2 });
    releaseFirst();
    const original = await slow;
    expect(original.status).toBe(201);
    expect(await original.json()).toEqual({ run: 1 });
    const replay = await f.post(token, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ run: 2 });
    expect(f.runs()).toBe(2);
  });
});
