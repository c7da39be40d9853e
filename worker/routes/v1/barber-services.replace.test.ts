import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { barberServices, services } from '../../db/schema';
import { buildService } from '../../db/seed/builders';
import { userWithRole } from '../../../tests/worker/auth';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { BarberServicesResponse } from './barber-services.replace';

describe('PUT /api/v1/barbers/{id}/services', () => {
  let w: ManagedShop;
  let second: string;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
    const [s] = await testDb().insert(services).values(buildService({ shopId: w.shop.id }, { priceCents: 5000, durationMin: 60 })).returning();
    second = s!.id;
  });
  const put = (body: unknown, token = w.owner.token) => send('PUT', `/api/v1/barbers/${w.barber.id}/services`, token, body);

  it('replaces the offerings with overrides: access 1 + write 1 Neon requests', async () => {
    const res = await put({ services: [{ service_id: w.service.id }, { service_id: second, price_cents: 5500, duration_min: 75 }] });
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as BarberServicesResponse;
    expect(body.services).toEqual([
      expect.objectContaining({ service_id: w.service.id, price_cents: null, effective_price_cents: 3000, effective_duration_min: 30 }),
      expect.objectContaining({ service_id: second, price_cents: 5500, effective_price_cents: 5500, effective_duration_min: 75 }),
    ]);
    const rows = await testDb().select().from(barberServices).where(eq(barberServices.barberId, w.barber.id));
    expect(rows.map((r) => r.serviceId).sort()).toEqual([w.service.id, second].sort());
  });

  it('lets the barber edit their own offerings, and an empty list clears them', async () => {
    const res = await put({ services: [] }, w.barberStaff.token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as BarberServicesResponse).services).toEqual([]);
  });

  it("refuses a service of another shop with 422 naming its row, and changes nothing", async () => {
    await put({ services: [{ service_id: w.service.id }] });
    const other = await createManagedShop(testDb());
    const res = await put({ services: [{ service_id: w.service.id }, { service_id: other.service.id }] });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['json.services.1.service_id']);
    const rows = await testDb().select().from(barberServices).where(eq(barberServices.barberId, w.barber.id));
    expect(rows.map((r) => r.serviceId)).toEqual([w.service.id]);
  });

  it('refuses duplicates (422) and bad overrides (422 validation_failed)', async () => {
    const dup = await put({ services: [{ service_id: w.service.id }, { service_id: w.service.id }] });
    expect(dup.status).toBe(422);
    expect((await problemOf(dup)).errors?.[0]?.path).toBe('json.services.1.service_id');
    const bad = await put({ services: [{ service_id: w.service.id, duration_min: 7 }] });
    expect(bad.status).toBe(422);
    expect((await problemOf(bad)).errors?.[0]?.path).toBe('json.services.0.duration_min');
  });

  it('refuses another barber of the same shop', async () => {
    const other = await createManagedShop(testDb());
    // A barber of another shop, and a colleague in the same shop who is not this barber.
    const colleague = await userWithRole(testDb(), w.shop.id, 'barber');
    expect((await put({ services: [] }, colleague.token)).status).toBe(403);
    expect((await put({ services: [] }, other.barberStaff.token)).status).toBe(403);
  });
});
