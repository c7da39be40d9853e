import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { shops } from '../../db/schema';
import { uniq } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { ServiceResponse } from './services.create';

describe('POST /api/v1/shops/{id}/services', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });
  const create = (body: Record<string, unknown>, token = w.owner.token) =>
    send('POST', `/api/v1/shops/${w.shop.id}/services`, token, { name: `Cut ${uniq()}`, price_cents: 2500, currency: 'USD', duration_min: 45, ...body });

  it('adds a service: access 1 + write 1 Neon requests', async () => {
    const res = await create({ description: 'With a hot towel' });
    expect(res.status).toBe(201);
    expect(neonRequests(res)).toBe(2);
    const service = (await res.json()) as ServiceResponse;
    expect(service).toMatchObject({ shop_id: w.shop.id, price_cents: 2500, currency: 'USD', duration_min: 45, active: true, description: 'With a hot towel' });
  });

  it('rejects a negative price and a duration off the 5-minute grid with 422', async () => {
    const res = await create({ price_cents: -1, duration_min: 32 });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path).sort()).toEqual(['json.duration_min', 'json.price_cents']);
  });

  it("rejects a currency other than the shop's with 422", async () => {
    const res = await create({ currency: 'EUR' });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['json.currency']);
  });

  it("rejects a price below the policy's fixed fee with 422", async () => {
    const [shop] = await testDb().select().from(shops).where(eq(shops.id, w.shop.id));
    await testDb().update(shops).set({ policy: { ...shop!.policy, no_show_fee: { kind: 'fixed', value: 2000 } } }).where(eq(shops.id, w.shop.id));
    const res = await create({ price_cents: 1999 });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['json.price_cents']);
    await testDb().update(shops).set({ policy: shop!.policy }).where(eq(shops.id, w.shop.id));
  });

  it('answers a duplicate name with 409 naming json.name', async () => {
    const name = `Beard ${uniq()}`;
    expect((await create({ name })).status).toBe(201);
    const res = await create({ name });
    expect(res.status).toBe(409);
    expect((await problemOf(res)).errors?.[0]?.path).toBe('json.name');
  });

  it('is for owners only', async () => {
    expect((await create({}, w.barberStaff.token)).status).toBe(403);
  });
});
