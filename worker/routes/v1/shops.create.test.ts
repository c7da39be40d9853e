import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, memberships, users } from '../../db/schema';
import { buildUser, uniq } from '../../db/seed/builders';
import { tokenFor } from '../../../tests/worker/auth';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { ok, problem, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

async function newUser() {
  const [user] = await testDb().insert(users).values(buildUser()).returning();
  return { user: user!, token: await tokenFor(user!.id) };
}

const body = (overrides: Partial<Schemas['CreateShop']> = {}): Schemas['CreateShop'] => ({
  name: 'Fade Street',
  slug: `fade-${uniq()}`,
  timezone: 'america/new_york',
  currency: 'USD',
  address: { line1: '12 Grand St', city: 'New York', postal_code: '10013', country: 'US' },
  policy: { deposit: { kind: 'percent', value: 20 } },
  ...overrides,
});

const create = (token: string | undefined, shop: Schemas['CreateShop']) => workerApi(token).POST('/api/v1/shops', { body: shop });

describe('POST /api/v1/shops', () => {
  it('creates the shop, makes the caller owner and audits it, in one Neon request', async () => {
    const { user, token } = await newUser();
    const res = await create(token, body());
    expect(res.response.status).toBe(201);
    const shop = ok(res);
    expect(shop).toMatchObject({ name: 'Fade Street', timezone: 'America/New_York', currency: 'USD', active: true });
    // Omitted policy fields take the defaults; given ones win.
    expect(shop.policy).toMatchObject({ hold_minutes: 10, deposit: { kind: 'percent', value: 20 } });
    expect(neonRequests(res.response)).toBe(1);
    const db = testDb();
    const roles = await db.select().from(memberships).where(and(eq(memberships.userId, user.id), eq(memberships.shopId, shop.id)));
    expect(roles.map((m) => m.role)).toEqual(['owner']);
    const trail = await db.select().from(auditLog).where(eq(auditLog.shopId, shop.id));
    expect(trail.map((a) => a.action)).toEqual(['shop.created']);
  });

  it('answers a taken slug with 409 naming json.slug', async () => {
    const { token } = await newUser();
    const first = body();
    expect((await create(token, first)).response.status).toBe(201);
    const res = await create(token, body({ slug: first.slug }));
    expect(res.response.status).toBe(409);
    const refused = problem(res);
    expect(refused.code).toBe('conflict');
    expect(refused.errors?.[0]?.path).toBe('json.slug');
  });

  it('answers an unknown time zone with 422 naming json.timezone', async () => {
    const { token } = await newUser();
    const res = await create(token, body({ timezone: 'Mars/Olympus_Mons' }));
    expect(res.response.status).toBe(422);
    const refused = problem(res);
    expect(refused.code).toBe('unprocessable');
    expect(refused.errors?.map((e) => e.path)).toEqual(['json.timezone']);
  });

  it('answers a percentage over 100 with 422 naming the policy field', async () => {
    const { token } = await newUser();
    const res = await create(token, body({ policy: { no_show_fee: { kind: 'percent', value: 150 } } }));
    expect(res.response.status).toBe(422);
    expect(problem(res).errors?.map((e) => e.path)).toEqual(['json.policy.no_show_fee.value']);
  });

  it('answers schema failures with 422 naming each field', async () => {
    const { token } = await newUser();
    const res = await create(token, body({ slug: 'Not A Slug', currency: 'usd' }));
    expect(res.response.status).toBe(422);
    expect(problem(res).errors?.map((e) => e.path).sort()).toEqual(['json.currency', 'json.slug']);
  });

  it('requires a signed-in user', async () => {
    const res = await create(undefined, body());
    expect(res.response.status).toBe(401);
    expect(problem(res).code).toBe('unauthorized');
  });
});
