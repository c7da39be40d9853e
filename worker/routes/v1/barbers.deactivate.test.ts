import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, barbers } from '../../db/schema';
import { buildAppointment } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send } from '../../../tests/worker/world';
import type { DeactivateBarberResponse } from './barbers.deactivate';

describe('POST /api/v1/barbers/{id}/deactivate', () => {
  it('deactivates and reports future active appointments without cancelling them', async () => {
    const w = await createManagedShop(testDb());
    const ids = { shopId: w.shop.id, barberId: w.barber.id, clientId: w.client.id, serviceId: w.service.id };
    // A past one and a cancelled future one are not reported.
    await testDb()
      .insert(appointments)
      .values([
        buildAppointment(ids, { startTime: new Date('2020-01-06T15:00:00Z'), status: 'completed' }),
        buildAppointment(ids, { startTime: new Date('2030-02-04T15:00:00Z'), status: 'cancelled' }),
      ]);
    const res = await send('POST', `/api/v1/barbers/${w.barber.id}/deactivate`, w.owner.token);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as DeactivateBarberResponse;
    expect(body.barber.active).toBe(false);
    expect(body.future_appointments.map((a) => a.id)).toEqual([w.appointment.id]);
    const [still] = await testDb().select().from(appointments).where(eq(appointments.id, w.appointment.id));
    expect(still!.status).toBe('confirmed');
    const [row] = await testDb().select().from(barbers).where(eq(barbers.id, w.barber.id));
    expect(row!.active).toBe(false);
  });

  it('ends the barber’s staff access to the shop', async () => {
    const w = await createManagedShop(testDb());
    const search = () => send('GET', `/api/v1/clients?shop_id=${w.shop.id}&q=clara`, w.barberStaff.token);
    expect((await search()).status).toBe(200);
    expect((await send('POST', `/api/v1/barbers/${w.barber.id}/deactivate`, w.owner.token)).status).toBe(200);
    const after = await search();
    expect(after.status).toBe(403);
    expect((await send('PUT', `/api/v1/barbers/${w.barber.id}/working-hours`, w.barberStaff.token, { rules: [] })).status).toBe(403);
  });

  it('is for owners: the barber cannot deactivate themself; unknown id → 404; bad id → 422', async () => {
    const w = await createManagedShop(testDb());
    expect((await send('POST', `/api/v1/barbers/${w.barber.id}/deactivate`, w.barberStaff.token)).status).toBe(403);
    const missing = await send('POST', `/api/v1/barbers/${crypto.randomUUID()}/deactivate`, w.owner.token);
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).code).toBe('not_found');
    expect((await send('POST', '/api/v1/barbers/123/deactivate', w.owner.token)).status).toBe(422);
  });
});
