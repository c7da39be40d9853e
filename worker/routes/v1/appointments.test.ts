import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { appointments, barbers, memberships, shops, users } from '../../db/schema';
import { buildAppointment, buildBarber, buildUser } from '../../db/seed/builders';
import { createBarberWorld } from '../../../tests/worker/fixtures';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { tokenFor, userWithRole } from '../../../tests/worker/auth';
import { ok, problem, type QueryOf } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

/**
 * Shop A keeps Nepal time (UTC+05:45): its local midnight falls at 18:15 UTC, where no usual
 * server zone has one, so a day filter that used UTC or the database session's TimeZone instead
 * of the shop's zone would put A's two late-evening/just-after-midnight bookings on one day.
 */
const SHOP_ZONE = 'Asia/Kathmandu';

/**
 * Two shops; in shop A one client with appointments either side of local midnight, another client
 * with one in each of two chairs (a second barber); shop B one.
 */
async function twoShops() {
  const db = testDb();
  const a = await createBarberWorld(db);
  const b = await createBarberWorld(db);
  await db.update(shops).set({ timezone: SHOP_ZONE }).where(eq(shops.id, a.shop.id));
  const [otherClient] = await db.insert(users).values(buildUser()).returning();
  const [secondBarberUser] = await db.insert(users).values(buildUser()).returning();
  const [secondBarber] = await db.insert(barbers).values(buildBarber({ userId: secondBarberUser!.id, shopId: a.shop.id })).returning();
  await db.insert(memberships).values([
    { userId: a.barber.userId, shopId: a.shop.id, role: 'barber' },
    { userId: secondBarberUser!.id, shopId: a.shop.id, role: 'barber' },
    { userId: b.barber.userId, shopId: b.shop.id, role: 'barber' },
  ]);
  const ids = (w: typeof a, clientId: string, barberId = w.barber.id) => ({
    shopId: w.shop.id,
    barberId,
    clientId,
    serviceId: w.service.id,
  });
  const [mine, mineNextDay, theirs, secondChair, inB] = await db
    .insert(appointments)
    .values([
      // 23:50 on 6 Jan and 00:10 on 7 Jan in Kathmandu; both are 6 Jan in UTC.
      buildAppointment(ids(a, a.client.id), { startTime: new Date('2030-01-06T18:05:00Z'), durationMin: 10 }),
      buildAppointment(ids(a, a.client.id), { startTime: new Date('2030-01-06T18:25:00Z') }),
      buildAppointment(ids(a, otherClient!.id), { startTime: new Date('2030-01-07T16:00:00Z') }),
      buildAppointment(ids(a, otherClient!.id, secondBarber!.id), { startTime: new Date('2030-01-07T16:00:00Z') }),
      buildAppointment(ids(b, b.client.id), { startTime: new Date('2030-01-07T16:00:00Z') }),
    ])
    .returning();
  return {
    a,
    b,
    otherClient: otherClient!,
    secondBarberUser: secondBarberUser!,
    mine: mine!,
    mineNextDay: mineNextDay!,
    theirs: theirs!,
    secondChair: secondChair!,
    inB: inB!,
  };
}

const list = async (token: string, query: QueryOf<'listAppointments'> = {}) => {
  const result = await workerApi(token).GET('/api/v1/appointments', { params: { query } });
  return { res: result.response, result, page: result.data };
};

describe('GET /api/v1/appointments', () => {
  it('shows a client only their own appointments, in one Neon request', async () => {
    const w = await twoShops();
    const { res, page } = await list(await tokenFor(w.a.client.id));
    expect(res.status).toBe(200);
    expect(page!.data.map((x) => x.id)).toEqual([w.mine.id, w.mineNextDay.id]);
    expect(page!.data[0]).toMatchObject({
      status: 'confirmed',
      timezone: SHOP_ZONE,
      start_time: '2030-01-06T18:05:00.000Z',
      end_time: '2030-01-06T18:15:00.000Z',
    });
    expect(neonRequests(res)).toBe(1);
  });

  it("filters by the day in the shop's time zone", async () => {
    const w = await twoShops();
    const token = await tokenFor(w.a.client.id);
    expect((await list(token, { date: '2030-01-06' })).page!.data.map((x) => x.id)).toEqual([w.mine.id]);
    expect((await list(token, { date: '2030-01-07' })).page!.data.map((x) => x.id)).toEqual([w.mineNextDay.id]);
    expect((await list(token, { date: '2030-01-08' })).page!.data).toEqual([]);
  });

  it('shows a barber their own chair, an owner the whole shop, and refuses other shops', async () => {
    const w = await twoShops();
    const barberToken = await tokenFor(w.a.barber.userId);
    const own = await list(barberToken, { shop_id: w.a.shop.id });
    expect(own.page!.data.map((x) => x.id).sort()).toEqual([w.mine.id, w.mineNextDay.id, w.theirs.id].sort());
    expect(neonRequests(own.res)).toBe(2);

    const owner = await userWithRole(testDb(), w.a.shop.id, 'owner');
    const all = await list(owner.token, { shop_id: w.a.shop.id });
    expect(all.page!.data).toHaveLength(4);

    const other = await list(barberToken, { shop_id: w.b.shop.id });
    expect(other.res.status).toBe(403);
    expect(problem(other.result).code).toBe('forbidden');
    const client = await list(await tokenFor(w.a.client.id), { shop_id: w.a.shop.id });
    expect(client.res.status).toBe(403);
  });

  it('paginates with an opaque cursor', async () => {
    const w = await twoShops();
    const owner = await userWithRole(testDb(), w.a.shop.id, 'owner');
    const first = await list(owner.token, { shop_id: w.a.shop.id, limit: 2 });
    expect(first.page!.data).toHaveLength(2);
    const second = await list(owner.token, { shop_id: w.a.shop.id, limit: 3, cursor: first.page!.next_cursor! });
    expect(second.page!.data).toHaveLength(2);
    expect(second.page!.next_cursor).toBeNull();
    const ids = [...first.page!.data, ...second.page!.data].map((x) => x.id);
    expect(new Set(ids).size).toBe(4);
    const bogus = await list(owner.token, { cursor: 'bogus' });
    expect(bogus.res.status).toBe(422);
    expect(problem(bogus.result).code).toBe('validation_failed');
  });

  it('requires a token', async () => {
    const anonymous = await workerApi().GET('/api/v1/appointments');
    expect(anonymous.response.status).toBe(401);
    expect(problem(anonymous).code).toBe('unauthorized');
  });
});

describe('GET /api/v1/appointments/{id}', () => {
  it('lets the parties read it and answers 404 to everyone else', async () => {
    const w = await twoShops();
    const read = async (token: string, id: string) => workerApi(token).GET('/api/v1/appointments/{id}', { params: { path: { id } } });
    const get = async (userId: string, id: string) => (await read(await tokenFor(userId), id)).response.status;
    expect(await get(w.a.client.id, w.mine.id)).toBe(200);
    expect(await get(w.a.barber.userId, w.mine.id)).toBe(200);
    // Another client of the same shop, the barber of another chair, staff of another shop.
    expect(await get(w.otherClient.id, w.mine.id)).toBe(404);
    expect(await get(w.secondBarberUser.id, w.mine.id)).toBe(404);
    expect(await get(w.b.barber.userId, w.mine.id)).toBe(404);
    expect(await get(w.a.client.id, w.inB.id)).toBe(404);
    const owner = await userWithRole(testDb(), w.a.shop.id, 'owner');
    const res = await read(owner.token, w.mine.id);
    expect(ok(res)).toMatchObject({ id: w.mine.id, shop_id: w.a.shop.id, client_id: w.a.client.id, timezone: SHOP_ZONE });
    expect(neonRequests(res.response)).toBe(1);
    const ownerOfB = await userWithRole(testDb(), w.b.shop.id, 'owner');
    const hidden = await read(ownerOfB.token, w.mine.id);
    expect(hidden.response.status).toBe(404);
    expect(problem(hidden).code).toBe('not_found');
  });

  it('answers a malformed id with 422', async () => {
    const w = await twoShops();
    const res = await workerApi(await tokenFor(w.a.client.id)).GET('/api/v1/appointments/{id}', { params: { path: { id: 'not-a-uuid' } } });
    expect(res.response.status).toBe(422);
    expect(problem(res).errors?.map((e) => e.path)).toContain('param.id');
  });
});
