import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { shops } from '../../db/schema';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { UpdateShopResponse } from './shops.update';

describe('PATCH /api/v1/shops/{id}', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });
  const patch = (body: unknown, token = w.owner.token) => send('PATCH', `/api/v1/shops/${w.shop.id}`, token, body);

  it('updates profile and merges the policy: access 1 + write 1 Neon requests', async () => {
    const res = await patch({ name: 'Renamed', timezone: 'Europe/London', policy: { no_show_fee: { kind: 'fixed', value: 1500 } } });
    expect(res.status).toBe(200);
    const shop = (await res.json()) as UpdateShopResponse;
    expect(shop).toMatchObject({ name: 'Renamed', timezone: 'Europe/London' });
    expect(shop.policy).toMatchObject({ no_show_fee: { kind: 'fixed', value: 1500 }, hold_minutes: 10, cancel_window_hours: 24 });
    expect(neonRequests(res)).toBe(2);
  });

  it('refuses a fixed fee above the cheapest active service price with 422 naming the field', async () => {
    // The world's service costs 3000.
    const res = await patch({ policy: { late_cancel_fee: { kind: 'fixed', value: 3001 } } });
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('unprocessable');
    expect(problem.errors?.map((e) => e.path)).toEqual(['json.policy.late_cancel_fee.value']);
    const [row] = await testDb().select().from(shops).where(eq(shops.id, w.shop.id));
    expect(row!.policy.late_cancel_fee).toEqual({ kind: 'none', value: 0 });
  });

  it('refuses an invalid time zone with 422 and an empty body with 422', async () => {
    const bad = await patch({ timezone: 'Europe/Londn' });
    expect(bad.status).toBe(422);
    expect((await problemOf(bad)).errors?.[0]?.path).toBe('json.timezone');
    expect((await patch({})).status).toBe(422);
  });

  it('refuses a barber of the shop (owners only) and a malformed id', async () => {
    const res = await patch({ name: 'Barber shop' }, w.barberStaff.token);
    expect(res.status).toBe(403);
    const badId = await send('PATCH', '/api/v1/shops/not-a-uuid', w.owner.token, { name: 'x' });
    expect(badId.status).toBe(422);
    expect((await problemOf(badId)).errors?.[0]?.path).toBe('param.id');
  });
});
