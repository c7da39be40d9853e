import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, memberships, users } from '../../db/schema';
import { buildUser, uniq } from '../../db/seed/builders';
import { tokenFor } from '../../../tests/worker/auth';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { send } from '../../../tests/worker/world';
import type { CreateShopResponse } from './shops.create';

async function newUser() {
  const [user] = await testDb().insert(users).values(buildUser()).returning();
  return { user: user!, token: await tokenFor(user!.id) };
}

const body = (overrides: Record<string, unknown> = {}) => ({
  name: 'Fade Street',
  slug: `fade-${uniq()}`,
  timezone: 'america/new_york',
  currency: 'USD',
  address: { line1: '12 Grand St', city: 'New York', postal_code: '10013', country: 'US' },
  policy: { deposit: { kind: 'percent', value: 20 } },
  ...overrides,
});

describe('POST /api/v1/shops', () => {
  it('creates the shop, makes the caller owner and audits it, in one Neon request', async () => {
    const { user, token } = await newUser();
    const res = await send('POST', '/api/v1/shops', token, body());
    expect(res.status).toBe(201);
    const shop = (await res.json()) as CreateShopResponse;
    expect(shop).toMatchObject({ name: 'Fade Street', timezone: 'America/New_York', currency: 'USD', active: true });
    // Omitted policy fields take the defaults; given ones win.
    expect(shop.policy).toMatchObject({ hold_minutes: 10, deposit: { kind: 'percent', value: 20 } });
    expect(neonRequests(res)).toBe(1);
    const db = testDb();
    const roles = await db.select().from(memberships).where(and(eq(memberships.userId, user.id), eq(memberships.shopId, shop.id)));
    expect(roles.map((m) => m.role)).toEqual(['owner']);
    const trail = await db.select().from(auditLog).where(eq(auditLog.shopId, shop.id));
    expect(trail.map((a) => a.action)).toEqual(['shop.created']);
  });

  it('answers a taken slug with 409 naming json.slug', async () => {
    const { token } = await newUser();
    const first = body();
    expect((await send('POST', '/api/v1/shops', token, first)).status).toBe(201);
    const res = await send('POST', '/api/v1/shops', token, body({ slug: first.slug }));
    expect(res.status).toBe(409);
    const problem = await problemOf(res);
    expect(problem.code).toBe('conflict');
    expect(problem.errors?.[0]?.path).toBe('json.slug');
  });

  it('answers an unknown time zone with 422 naming json.timezone', async () => {
    const { token } = await newUser();
    const res = await send('POST', '/api/v1/shops', token, body({ timezone: 'Mars/Olympus_Mons' }));
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('unprocessable');
    expect(problem.errors?.map((e) => e.path)).toEqual(['json.timezone']);
  });

  it('answers a percentage over 100 with 422 naming the policy field', async () => {
    const { token } = await newUser();
    const res = await send('POST', '/api/v1/shops', token, body({ policy: { no_show_fee: { kind: 'percent', value: 150 } } }));
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['json.policy.no_show_fee.value']);
  });

  it('answers schema failures with 422 naming each field', async () => {
    const { token } = await newUser();
    const res = await send('POST', '/api/v1/shops', token, body({ slug: 'Not A Slug', currency: 'usd' }));
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path).sort()).toEqual(['json.currency', 'json.slug']);
  });

  it('requires a signed-in user', async () => {
    const res = await send('POST', '/api/v1/shops', null, body());
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('unauthorized');
  });
});
