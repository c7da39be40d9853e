import type { Context, MiddlewareHandler } from 'hono';
import { sql } from 'drizzle-orm';
import { keyring, verifyAccessToken, type AccessClaims } from '../auth/jwt';
import type { MembershipRole } from '../db/schema';
import { ApiError } from '../lib/errors';
import type { HonoEnv } from '../types';

const bearer = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/;

/**
 * Reads the bearer token if there is one, without rejecting: the rate limiter keys on the user
 * when the token is valid, and `requireAuth()` decides what an invalid one means for a route.
 */
export function authenticate(): MiddlewareHandler<HonoEnv> {
  return async function authenticateMiddleware(c, next) {
    const header = c.req.header('authorization');
    if (header) {
      const match = bearer.exec(header.trim());
      if (!match) {
        c.set('authError', 'malformed');
      } else {
        try {
          const config = c.get('services').config;
          const ring = await keyring(config.JWT_SIGNING_KEYS);
          c.set('auth', await verifyAccessToken(ring, config.APP_ORIGIN, match[1]!));
        } catch {
          c.set('authError', 'invalid');
        }
      }
    }
    await next();
  };
}

function unauthorized(reason: 'missing' | 'malformed' | 'invalid'): ApiError {
  const challenge = reason === 'missing' ? 'Bearer realm="api"' : 'Bearer realm="api", error="invalid_token"';
  const detail =
    reason === 'missing' ? 'Send an access token: Authorization: Bearer <token>' : 'The access token is invalid or expired';
  return new ApiError('unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
}

/** The signed-in caller, or a 401 with a WWW-Authenticate challenge. */
export function requireAuth(): MiddlewareHandler<HonoEnv> {
  return async function requireAuthMiddleware(c, next) {
    if (!c.get('auth')) throw unauthorized(c.get('authError') ?? 'missing');
    await next();
  };
}

export function currentUser(c: Context<HonoEnv>): AccessClaims {
  const auth = c.get('auth');
  if (!auth) throw unauthorized('missing');
  return auth;
}

export interface ShopAccess {
  shopId: string;
  roles: MembershipRole[];
  isAdmin: boolean;
}

/** The caller's roles in a shop (platform admins hold 'admin' in any shop). One statement. */
export async function rolesInShop(c: Context<HonoEnv>, userId: string, shopId: string): Promise<ShopAccess> {
  const rows = await c.get('services').db.execute<{ role: MembershipRole }>(sql`
    SELECT role FROM memberships WHERE user_id = ${userId} AND (shop_id = ${shopId} OR role = 'admin')`);
  const roles = [...new Set(rows.rows.map((r) => r.role))];
  return { shopId, roles, isAdmin: roles.includes('admin') };
}

/**
 * Authorises against the shop the resource belongs to: `resolveShopId` finds it (from a path
 * parameter, or by looking the resource up); no shop → 404; the caller must hold one of `roles`
 * there (admins always pass) or gets 403. Sets `shopAccess` for the handler.
 */
export function requireShopRole(
  roles: readonly MembershipRole[],
  resolveShopId: (c: Context<HonoEnv>) => Promise<string | null> | string | null,
): MiddlewareHandler<HonoEnv> {
  if (roles.length === 0) throw new Error('requireShopRole needs at least one role');
  return async function requireShopRoleMiddleware(c, next) {
    const user = currentUser(c);
    const shopId = await resolveShopId(c);
    if (!shopId) throw new ApiError('not_found', 'No such shop or resource');
    const access = await rolesInShop(c, user.userId, shopId);
    if (!access.isAdmin && !access.roles.some((r) => roles.includes(r))) {
      throw new ApiError('forbidden', `Requires the ${roles.join(' or ')} role in this shop`);
    }
    c.set('shopAccess', access);
    await next();
  };
}
