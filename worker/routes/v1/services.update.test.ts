import { beforeAll, describe, expect, it } from 'vitest';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { UpdateServiceResponse } from './services.update';

describe('PATCH /api/v1/services/{id}', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });
  const patch = (body: unknown, token = w.owner.token) => send('PATCH', `/api/v1/services/${w.service.id}`, token, body);

  it('changes price and duration: access 1 + write 1 Neon requests', async () => {
    const res = await patch({ price_cents: 4000, duration_min: 45 });
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    expect((await res.json()) as UpdateServiceResponse).toMatchObject({ price_cents: 4000, duration_min: 45, active: true });
  });

  it('retires a service by deactivating it (it leaves the public page)', async () => {
    const res = await patch({ active: false });
    expect(res.status).toBe(200);
    expect(((await res.json()) as UpdateServiceResponse).active).toBe(false);
    const page = (await (await send('GET', `/api/v1/shops/${w.shop.slug}`, null)).json()) as { services: unknown[] };
    expect(page.services).toEqual([]);
    expect((await patch({ active: true })).status).toBe(200);
  });

  it('validates: 422 validation_failed for schema, 422 unprocessable for the currency rule', async () => {
    const schema = await patch({ price_cents: -5 });
    expect(schema.status).toBe(422);
    expect((await problemOf(schema)).errors?.[0]?.path).toBe('json.price_cents');
    const rule = await patch({ currency: 'GBP' });
    expect(rule.status).toBe(422);
    expect((await problemOf(rule)).errors?.[0]?.path).toBe('json.currency');
    expect((await patch({})).status).toBe(422);
  });

  it('is for owners only; unknown service → 404', async () => {
    expect((await patch({ price_cents: 1 }, w.barberStaff.token)).status).toBe(403);
    expect((await send('PATCH', `/api/v1/services/${crypto.randomUUID()}`, w.owner.token, { price_cents: 1 })).status).toBe(404);
  });
});
