import { eq, sql, type SQL } from 'drizzle-orm';
import { users } from '../schema';
import type { AnyDb } from './types';

/**
 * Platform staff. `users.platform_admin` is the only source: it is set by direct database action
 * (never by an API flow), and no shop membership confers it (memberships_role_check forbids an
 * `admin` membership). Authorisation SQL that lets platform staff through embeds this fragment
 * instead of looking for `m.role = 'admin'`.
 */
export function isPlatformAdminSql(userId: string | SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from users pa where pa.id = ${userId} and pa.platform_admin)`;
}

/** Whether the user is platform staff (one statement; false for an unknown user). */
export async function isPlatformAdmin(db: AnyDb, userId: string): Promise<boolean> {
  const [row] = await db.select({ admin: users.platformAdmin }).from(users).where(eq(users.id, userId));
  return row?.admin === true;
}
