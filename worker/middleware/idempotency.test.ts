import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { shops, users } from '../db/schema';
import { buildUser, uniq } from '../db/seed/builders';
import { call, problemOf, testDb } from '../../tests/worker/harness';
import { bearer, tokenFor } from '../../tests/worker/auth';

async function signedIn() {
  const [user] = await testDb().insert(users).values(buildUser()).returning();
  return tokenFor(user!.id);
}

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
    const { hashToken } = await import('../auth/tokens');
    const userId = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub as string;
    await testDb().execute(sql`
      INSERT INTO idempotency_keys (key, user_id, scope, request_hash, expires_at, created_at)
      VALUES (${key}, ${userId}, 'POST /api/v1/shops', ${await hashToken(JSON.stringify(body))},
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

  it('rejects malformed keys with 400', async () => {
    const res = await createShop(await signedIn(), shopBody(), 'has spaces in it');
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors?.[0]?.path).toBe('header.idempotency-key');
  });
});
