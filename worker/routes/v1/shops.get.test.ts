import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../db/schema';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { createManagedShop, type ManagedShop } from '../../../tests/worker/world';
import { ok, problem } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const shopPage = (slug: string, headers: Record<string, string> = {}) =>
  workerApi(undefined, headers).GET('/api/v1/shops/{slug}', { params: { path: { slug } } });

describe('GET /api/v1/shops/{slug}', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });

  it('returns the shop page with a strong ETag and Cache-Control in exactly one Neon request', async () => {
    const result = await shopPage(w.shop.slug);
    const res = result.response;
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(1);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get('cache-control')).toContain('public');
    const page = ok(result);
    expect(page).toMatchObject({ id: w.shop.id, slug: w.shop.slug, timezone: 'America/New_York' });
    expect(page.barbers).toHaveLength(1);
    expect(page.barbers[0]!.services[0]).toMatchObject({ service_id: w.service.id, price_cents: 3000, duration_min: 30 });
    expect(page.services.map((s) => s.id)).toEqual([w.service.id]);
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const first = await shopPage(w.shop.slug);
    const etag = first.response.headers.get('etag')!;
    const res = await shopPage(w.shop.slug, { 'if-none-match': `"other", W/${etag}` });
    expect(res.response.status).toBe(304);
    // No body: the client reads it as text and finds nothing.
    expect(res.data).toBeUndefined();
    expect(res.error).toBe('');
    expect(res.response.headers.get('etag')).toBe(etag);
  });

  it('changes the ETag when the page changes, so a stale tag gets the new body', async () => {
    const before = (await shopPage(w.shop.slug)).response.headers.get('etag')!;
    await testDb().update(services).set({ priceCents: 3200 }).where(eq(services.id, w.service.id));
    const res = await shopPage(w.shop.slug, { 'if-none-match': before });
    expect(ok(res).services[0]!.price_cents).toBe(3200);
    expect(res.response.headers.get('etag')).not.toBe(before);
  });

  it('answers an unknown slug with 404 and a malformed one with 422', async () => {
    const missing = await shopPage('no-such-shop-anywhere');
    expect(missing.response.status).toBe(404);
    expect(problem(missing).code).toBe('not_found');
    const bad = await shopPage('Bad_Slug!');
    expect(bad.response.status).toBe(422);
    expect(problem(bad).code).toBe('validation_failed');
  });
});
