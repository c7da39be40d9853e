import { beforeAll, describe, expect, it } from 'vitest';
import { appointments, clientNotes, users } from '../../db/schema';
import { buildAppointment, buildUser } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { ClientDetailResponse } from './clients.get';

describe('GET /api/v1/clients/{id}?shop_id=', () => {
  let w: ManagedShop;
  let other: ManagedShop;
  beforeAll(async () => {
    const db = testDb();
    w = await createManagedShop(db);
    other = await createManagedShop(db);
    const here = { shopId: w.shop.id, barberId: w.barber.id, clientId: w.client.id, serviceId: w.service.id };
    await db.insert(appointments).values([
      buildAppointment(here, { startTime: new Date('2029-06-01T15:00:00Z'), status: 'no_show' }),
      buildAppointment(here, { startTime: new Date('2029-05-01T15:00:00Z'), status: 'completed' }),
      // The same person booked at the other shop: must not leak into w's view.
      buildAppointment(
        { shopId: other.shop.id, barberId: other.barber.id, clientId: w.client.id, serviceId: other.service.id },
        { startTime: new Date('2029-07-01T15:00:00Z'), status: 'no_show' },
      ),
    ]);
    await db.insert(clientNotes).values([
      { shopId: w.shop.id, clientId: w.client.id, authorId: w.owner.user.id, body: 'Likes it short' },
      { shopId: other.shop.id, clientId: w.client.id, authorId: other.owner.user.id, body: 'Other shop secret' },
    ]);
  });

  it("returns this shop's visits, no-shows and notes only (roles 1 + detail 1)", async () => {
    const res = await send('GET', `/api/v1/clients/${w.client.id}?shop_id=${w.shop.id}`, w.barberStaff.token);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as ClientDetailResponse;
    expect(body).toMatchObject({ id: w.client.id, first_name: 'Clara', no_show_count: 1 });
    expect(body.visits.map((v) => v.start_time)).toEqual([
      '2030-01-07T15:00:00.000Z',
      '2029-06-01T15:00:00.000Z',
      '2029-05-01T15:00:00.000Z',
    ]);
    expect(body.visits[0]).toMatchObject({ barber_id: w.barber.id, service_id: w.service.id, status: 'confirmed', price_cents: 3000 });
    expect(body.notes.map((n) => n.body)).toEqual(['Likes it short']);
  });

  it('answers 404 for a user who is not a client of this shop', async () => {
    const [stranger] = await testDb().insert(users).values(buildUser()).returning();
    const res = await send('GET', `/api/v1/clients/${stranger!.id}?shop_id=${w.shop.id}`, w.owner.token);
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('not_found');
    // other's client is not w's client either.
    expect((await send('GET', `/api/v1/clients/${other.client.id}?shop_id=${w.shop.id}`, w.owner.token)).status).toBe(404);
  });

  it('validates id and shop_id', async () => {
    const badId = await send('GET', `/api/v1/clients/xyz?shop_id=${w.shop.id}`, w.owner.token);
    expect(badId.status).toBe(422);
    expect((await problemOf(badId)).errors?.map((e) => e.path)).toEqual(['param.id']);
    const noShop = await send('GET', `/api/v1/clients/${w.client.id}`, w.owner.token);
    expect(noShop.status).toBe(422);
    expect((await problemOf(noShop)).errors?.map((e) => e.path)).toEqual(['query.shop_id']);
  });
});
