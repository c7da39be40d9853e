import { env } from 'cloudflare:test';
import { keyring, signAccessToken } from '../../worker/auth/jwt';
import type { Db } from '../../worker/db/client';
import { memberships, users, type MembershipRole } from '../../worker/db/schema';
import { buildUser } from '../../worker/db/seed/builders';

/** An access token for a user, minted with this run's signing key (as login would). */
export async function tokenFor(userId: string): Promise<string> {
  const ring = await keyring(env.JWT_SIGNING_KEYS);
  return (await signAccessToken(ring, env.APP_ORIGIN, userId)).token;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A new user holding `role` in `shopId`, with a ready access token. */
export async function userWithRole(db: Db, shopId: string, role: MembershipRole) {
  const [user] = await db.insert(users).values(buildUser()).returning();
  await db.insert(memberships).values({ userId: user!.id, shopId, role });
  return { user: user!, token: await tokenFor(user!.id) };
}
