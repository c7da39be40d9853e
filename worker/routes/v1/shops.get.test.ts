import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../db/schema';
import { call, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, type ManagedShop } from '../../../tests/worker/world';
import type { PublicShopResponse } from './shops.get';

describe('GET /api/v1/shops/{slug}', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });

  it('returns the shop page with a strong ETag and Cache-Control in exactly one Neon request', async () => {
    const res = await call(`/api/v1/shops/${w.shop.slug}`);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(1);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get('cache-control')).toContain('public');
    const page = (await res.json()) as PublicShopResponse;
    expect(page).toMatchObject({ id: w.shop.id, slug: w.shop.slug, timezone: 'America/New_York' });
    expect(page.barbers).toHaveLength(1);
    expect(page.barbers[0]!.services[0]).toMatchObject({ service_id: w.service.id, price_cents: 3000, duration_min: 30 });
    expect(page.services.map((s) => s.id)).toEqual([w.service.id]);
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const first = await call(`/api/v1/shops/${w.shop.slug}`);
    const etag = first.headers.get('etag')!;
    const res = await call(`/api/v1/shops/${w.shop.slug}`, { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    expect(res.headers.get('etag')).toBe(etag);
  });

  it('changes the ETag when the page changes, so a stale tag gets the new body', async () => {
    const before = (await call(`/api/v1/shops/${w.shop.slug}`)).headers.get('etag')!;
    await testDb().update(services).set({ priceCents: 3200 }).where(eq(services.id, w.service.id));
    const res = await call(`/api/v1/shops/${w.shop.slug}`, { headers: { 'if-none-match': before } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(before);
  });

  it('answers an unknown slug with 404 and a malformed one with 422', async () => {
    const missing = await call('/api/v1/shops/no-such-shop-anywhere');
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).code).toBe('not_found');
    const bad = await call('/api/v1/shops/Bad_Slug!');
    expect(bad.status).toBe(422);
  });
});
