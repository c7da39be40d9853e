import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { appointments, memberships, users } from '../../db/schema';
import { buildAppointment, buildUser, uniq } from '../../db/seed/builders';
import { encryptPhone } from '../../lib/crypto';
import { tokenFor } from '../../../tests/worker/auth';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { ClientSearchResponse } from './clients.search';

/**
 * Acceptance #4 (issue #5). That the search is served by the GIN index users_search_idx is proven
 * by EXPLAIN in worker/db/schema.node.test.ts ("client full-text search → users_search_idx
 * (GIN)"): it plans clientTextSearchQuery, the query this route runs through searchClients.
 */
describe('GET /api/v1/clients?q=&shop_id=', () => {
  let w: ManagedShop;
  let other: ManagedShop;
  const tag = uniq().replace(/\d/g, 'x');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const db = testDb();
    w = await createManagedShop(db);
    other = await createManagedShop(db);
    const add = async (key: string, shopId: string, fields: Parameters<typeof buildUser>[0], phone?: string) => {
      const [u] = await db.insert(users).values(buildUser({ ...fields, ...(await encryptPhone(phone, env.FIELD_ENCRYPTION_KEYS)) })).returning();
      await db.insert(memberships).values({ userId: u!.id, shopId, role: 'client' });
      ids[key] = u!.id;
    };
    await add('john', w.shop.id, { firstName: `Johnathan${tag}`, lastName: 'Mills', email: `jm-${tag}@mail.test` }, '+1 (212) 555-7391');
    await add('joan', w.shop.id, { firstName: `Joan${tag}`, lastName: 'Reyes', email: `reyes.${tag}@inbox.test` });
    // Same name, other shop: must never show up in w's search.
    await add('foreign', other.shop.id, { firstName: `Johnathan${tag}`, lastName: 'Elsewhere', email: `far-${tag}@mail.test` }, '+1 212 555 7391');
  });

  const search = (q: string, token = w.barberStaff.token, shopId = w.shop.id) =>
    send('GET', `/api/v1/clients?shop_id=${shopId}&q=${encodeURIComponent(q)}`, token);
  const idsOf = async (res: Response) => ((await res.json()) as ClientSearchResponse).data.map((c) => c.id);

  it('finds by name prefix, ranked, only in the caller\'s shop (roles 1 + search 1)', async () => {
    const res = await search('Johnath');
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    const found = await idsOf(res);
    expect(found).toContain(ids.john);
    expect(found).not.toContain(ids.foreign);
  });

  it('the prefix "jo" finds both Johnathan and Joan of this shop and nobody else', async () => {
    const found = await idsOf(await search('jo'));
    expect(found.sort()).toEqual([ids.john, ids.joan].sort());
  });

  it('finds by an e-mail word', async () => {
    expect(await idsOf(await search(`reyes ${tag}`))).toEqual([ids.joan]);
  });

  it('finds by the last digits of the phone number, not across shops', async () => {
    const found = await idsOf(await search('7391'));
    expect(found).toContain(ids.john);
    expect(found).not.toContain(ids.foreign);
    expect(await idsOf(await search('555-7391'))).toContain(ids.john);
  });

  it('lets the owner search too, refuses a client, validates the query', async () => {
    expect((await search('jo', w.owner.token)).status).toBe(200);
    const asClient = await search('jo', await tokenFor(w.client.id));
    expect(asClient.status).toBe(403);
    const missing = await send('GET', `/api/v1/clients?shop_id=${w.shop.id}`, w.owner.token);
    expect(missing.status).toBe(422);
    expect((await problemOf(missing)).errors?.[0]?.path).toBe('query.q');
    expect((await send('GET', '/api/v1/clients?shop_id=x&q=jo', w.owner.token)).status).toBe(422);
  });

  it('applies the one client-of-shop rule: someone with only an appointment here is found, and their record reads', async () => {
    const db = testDb();
    const [walkIn] = await db.insert(users).values(buildUser({ firstName: `Walkin${tag}`, lastName: 'Only' })).returning();
    const ids = { shopId: w.shop.id, barberId: w.barber.id, clientId: walkIn!.id, serviceId: w.service.id };
    await db.insert(appointments).values(buildAppointment(ids, { startTime: new Date('2031-03-03T10:00:00Z'), status: 'completed' }));
    expect(await idsOf(await search(`Walkin${tag}`))).toEqual([walkIn!.id]);
    expect((await send('GET', `/api/v1/clients/${walkIn!.id}?shop_id=${w.shop.id}`, w.barberStaff.token)).status).toBe(200);
    // At the other shop they are nobody's client.
    expect(await idsOf(await search(`Walkin${tag}`, other.barberStaff.token, other.shop.id))).toEqual([]);
    expect((await send('GET', `/api/v1/clients/${walkIn!.id}?shop_id=${other.shop.id}`, other.barberStaff.token)).status).toBe(404);
  });
});
