import { describe, expect, it } from 'vitest';
import { appointments, barbers } from '../../db/schema';
import { buildAppointment, buildBarber } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { userWithRole } from '../../../tests/worker/auth';
import { describeTenantIsolation } from '../../../tests/worker/security';
import { casesFor } from '../../../tests/worker/tenant-cases';
import { createManagedShop, send } from '../../../tests/worker/world';
import type { ShopBarberListResponse } from './barbers.list';

describe('GET /api/v1/shops/{id}/barbers', () => {
  it('lists active and deactivated barbers with e-mail and upcoming counts, in 2 Neon requests', async () => {
    const db = testDb();
    const w = await createManagedShop(db);
    const ids = { shopId: w.shop.id, barberId: w.barber.id, clientId: w.client.id, serviceId: w.service.id };
    // Past, cancelled and held-in-the-future: only the held one counts beside the seeded future one.
    await db.insert(appointments).values([
      buildAppointment(ids, { startTime: new Date('2020-01-06T15:00:00Z'), status: 'completed' }),
      buildAppointment(ids, { startTime: new Date('2030-02-04T15:00:00Z'), status: 'cancelled' }),
      buildAppointment(ids, { startTime: new Date('2030-02-05T15:00:00Z'), status: 'held', holdExpiresAt: new Date(Date.now() + 600_000) }),
    ]);
    const gone = await userWithRole(db, w.shop.id, 'client');
    const [former] = await db.insert(barbers).values(buildBarber({ userId: gone.user.id, shopId: w.shop.id }, { active: false })).returning();
    const res = await send('GET', `/api/v1/shops/${w.shop.id}/barbers`, w.owner.token);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const body = (await res.json()) as ShopBarberListResponse;
    expect(body.next_cursor).toBeNull();
    expect(body.data.map((b) => [b.id, b.active, b.upcoming_appointments])).toEqual([
      [w.barber.id, true, 2],
      [former!.id, false, 0],
    ]);
    expect(body.data[0]).toMatchObject({ user_id: w.barberStaff.user.id, email: w.barberStaff.user.email, display_name: w.barber.displayName });
    expect(body.data[0]!.joined_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('is for owners: a barber of the shop gets 403, a bad id 422', async () => {
    const w = await createManagedShop(testDb());
    const barber = await send('GET', `/api/v1/shops/${w.shop.id}/barbers`, w.barberStaff.token);
    expect(barber.status).toBe(403);
    expect((await problemOf(barber)).code).toBe('forbidden');
    expect((await send('GET', '/api/v1/shops/not-a-uuid/barbers', w.owner.token)).status).toBe(422);
  });
});

describeTenantIsolation(casesFor('GET /api/v1/shops/{id}/barbers'));
