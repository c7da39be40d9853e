import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { memberships, shops, users } from '../schema';
import { buildShop, buildUser } from '../seed/builders';
import { testDb } from '../../../tests/worker/harness';
import { isPlatformAdmin, isPlatformAdminSql } from './platform';

describe('platform admin', () => {
  it('comes only from users.platform_admin; no shop membership can grant it', async () => {
    const db = testDb();
    const [shop] = await db.insert(shops).values(buildShop()).returning();
    const [staff, owner] = await db.insert(users).values([buildUser({ platformAdmin: true }), buildUser()]).returning();
    await db.insert(memberships).values({ userId: owner!.id, shopId: shop!.id, role: 'owner' });

    expect(await isPlatformAdmin(db, staff!.id)).toBe(true);
    expect(await isPlatformAdmin(db, owner!.id)).toBe(false);
    expect(await isPlatformAdmin(db, crypto.randomUUID())).toBe(false);
    const rows = await db.execute<{ a: boolean | string; b: boolean | string }>(
      sql`select ${isPlatformAdminSql(staff!.id)} as a, ${isPlatformAdminSql(owner!.id)} as b`,
    );
    expect([rows.rows[0]!.a, rows.rows[0]!.b].map((v) => v === true || v === 't')).toEqual([true, false]);

    // An owner cannot make anyone platform staff through a membership row.
    await expect(db.insert(memberships).values({ userId: owner!.id, shopId: shop!.id, role: 'admin' })).rejects.toThrow();
  });
});
