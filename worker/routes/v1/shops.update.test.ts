import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { shops } from '../../db/schema';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { createManagedShop, type ManagedShop } from '../../../tests/worker/world';
import { ok, problem, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

describe('PATCH /api/v1/shops/{id}', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });
  const patch = (body: Schemas['UpdateShop'], token = w.owner.token, id = w.shop.id) =>
    workerApi(token).PATCH('/api/v1/shops/{id}', { params: { path: { id } }, body });

  it('updates profile and merges the policy: access 1 + write 1 Neon requests', async () => {
    const res = await patch({ name: 'Renamed', timezone: 'Europe/London', policy: { no_show_fee: { kind: 'fixed', value: 1500 } } });
    const shop = ok(res);
    expect(shop).toMatchObject({ name: 'Renamed', timezone: 'Europe/London' });
    expect(shop.policy).toMatchObject({ no_show_fee: { kind: 'fixed', value: 1500 }, hold_minutes: 10, cancel_window_hours: 24 });
    expect(neonRequests(res.response)).toBe(2);
  });

  it('refuses a fixed fee above the cheapest active service price with 422 naming the field', async () => {
    // The world's service costs 3000.
    const res = await patch({ policy: { late_cancel_fee: { kind: 'fixed', value: 3001 } } });
    expect(res.response.status).toBe(422);
    const refused = problem(res);
    expect(refused.code).toBe('unprocessable');
    expect(refused.errors?.map((e) => e.path)).toEqual(['json.policy.late_cancel_fee.value']);
    const [row] = await testDb().select().from(shops).where(eq(shops.id, w.shop.id));
    expect(row!.policy.late_cancel_fee).toEqual({ kind: 'none', value: 0 });
  });

  it('refuses an invalid time zone with 422 and an empty body with 422', async () => {
    const bad = await patch({ timezone: 'Europe/Londn' });
    expect(bad.response.status).toBe(422);
    expect(problem(bad).errors?.[0]?.path).toBe('json.timezone');
    expect(problem(await patch({})).code).toBe('validation_failed');
  });

  it('refuses a barber of the shop (owners only) and a malformed id', async () => {
    const res = await patch({ name: 'Barber shop' }, w.barberStaff.token);
    expect(problem(res).code).toBe('forbidden');
    const badId = await patch({ name: 'x' }, w.owner.token, 'not-a-uuid');
    expect(badId.response.status).toBe(422);
    expect(problem(badId).errors?.[0]?.path).toBe('param.id');
  });
});
