/**
 * The shared tenant-isolation generator. For every protected, shop-scoped route it asserts: no
 * token → 401; a garbage token → 401; the owner or a barber of ANOTHER shop → 403 or 404 — in
 * every case with the victim shop's data byte-for-byte unchanged (a fingerprint over every table
 * that holds shop data, audit log included) — and then, as the positive control, that the very
 * same request from the rightful caller succeeds (2xx): a refusal is about the tenant, never a
 * request that could not have worked anyway.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { problemOf, testDb } from './harness';
import { createManagedShop, send, type ManagedShop } from './world';

export interface TenantWorld {
  /** The attacker's own shop (its owner and barber make the cross-tenant calls). */
  attacker: ManagedShop;
  /** The shop under attack: fresh for every case, since positive controls change it. */
  victim: ManagedShop;
  /** What the case's `prepare` added to the victim's shop. */
  extra: Record<string, string>;
}

export interface TenantCase {
  /** "METHOD /api/v1/path/{template}", as registered (and documented). */
  route: string;
  path: (w: TenantWorld) => string;
  body?: (w: TenantWorld) => unknown;
  /** Rows the case needs in the victim's shop beyond the standard world; ids go to `w.extra`. */
  prepare?: (victim: ManagedShop) => Promise<Record<string, string>>;
  /** Who the request is rightfully for (the positive control); the victim shop's owner by default. */
  rightful?: (w: TenantWorld) => string;
}

/** md5 over every row of the shop's data, so "unchanged" means unchanged everywhere. */
export async function shopFingerprint(shopId: string): Promise<string> {
  const per = (table: string, where: string) =>
    sql.raw(`(select coalesce(json_agg(t order by t.id)::text, '') from ${table} t where ${where})`);
  const barberOf = `t.barber_id in (select id from barbers where shop_id = '${shopId}')`;
  const result = await testDb().execute<{ fp: string }>(sql`select md5(concat_ws('|',
    ${per('shops', `t.id = '${shopId}'`)},
    ${per('memberships', `t.shop_id = '${shopId}'`)},
    ${per('invitations', `t.shop_id = '${shopId}'`)},
    ${per('barbers', `t.shop_id = '${shopId}'`)},
    ${per('services', `t.shop_id = '${shopId}'`)},
    ${per('barber_services', barberOf)},
    ${per('working_hours', barberOf)},
    ${per('time_off', barberOf)},
    ${per('appointments', `t.shop_id = '${shopId}'`)},
    ${per('payments', `t.appointment_id in (select id from appointments where shop_id = '${shopId}')`)},
    ${per('waitlist_entries', `t.shop_id = '${shopId}'`)},
    ${per('client_notes', `t.shop_id = '${shopId}'`)},
    ${per('audit_log', `t.shop_id = '${shopId}'`)})) as fp`);
  return result.rows[0]!.fp;
}

function methodOf(route: string): string {
  return route.split(' ')[0]!;
}

export function describeTenantIsolation(cases: readonly TenantCase[]): void {
  describe('tenant isolation', () => {
    let attacker: ManagedShop;
    beforeAll(async () => {
      attacker = await createManagedShop(testDb());
    });

    describe.each(cases.map((c) => ({ ...c, name: c.route })))('$name', (tc) => {
      let w: TenantWorld;
      beforeAll(async () => {
        const victim = await createManagedShop(testDb());
        w = { attacker, victim, extra: tc.prepare ? await tc.prepare(victim) : {} };
      });
      const request = (token: string | null) => send(methodOf(tc.route), tc.path(w), token, tc.body?.(w));

      it('answers 401 without a token, 401 with a garbage one, and changes nothing', async () => {
        const before = await shopFingerprint(w.victim.shop.id);
        const missing = await request(null);
        expect(missing.status).toBe(401);
        expect((await problemOf(missing)).code).toBe('unauthorized');
        const garbage = await request('not.a.token');
        expect(garbage.status).toBe(401);
        expect(garbage.headers.get('www-authenticate')).toContain('invalid_token');
        expect(await shopFingerprint(w.victim.shop.id)).toBe(before);
      });

      it.each([
        { who: 'owner', token: () => w.attacker.owner.token },
        { who: 'barber', token: () => w.attacker.barberStaff.token },
      ])("refuses the $who of another shop (403/404) and leaves the victim's data unchanged", async ({ token }) => {
        const before = await shopFingerprint(w.victim.shop.id);
        const res = await request(token());
        expect([403, 404]).toContain(res.status);
        expect(['forbidden', 'not_found']).toContain((await problemOf(res)).code);
        expect(await shopFingerprint(w.victim.shop.id)).toBe(before);
      });

      // Last: it may change the victim's shop, which is this case's alone.
      it('lets the rightful caller make the same request (2xx)', async () => {
        const res = await request((tc.rightful ?? ((x: TenantWorld) => x.victim.owner.token))(w));
        expect(res.status, `${tc.route} → ${res.status}: ${await res.clone().text()}`).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(300);
      });
    });
  });
}
