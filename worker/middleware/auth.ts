import type { Context, MiddlewareHandler } from 'hono';
import { keyring, verifyAccessToken, type AccessClaims } from '../auth/jwt';
import { z } from 'zod';
import { authorizeShopRoles, type Permit } from '../services/management/access';
import { ApiError } from '../lib/errors';
import type { HonoEnv } from '../types';

const uuid = z.uuid();
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

/**
 * Authorises against the shop a request names (resolved from the raw request, before the route's
 * validators run): a missing or malformed id is a 400 naming `field`; otherwise the caller must
 * hold `permit` there (see services/management/access.ts — admins always pass) or gets 403.
 * Routes whose resource carries its shop (a barber, a service) use the one-statement loaders in
 * access.ts instead, which check access and load the resource together.
 */
export function requireShopRole(
  permit: Permit,
  resolve: { field: string; shopId: (c: Context<HonoEnv>) => string | undefined },
): MiddlewareHandler<HonoEnv> {
  return async function requireShopRoleMiddleware(c, next) {
    const user = currentUser(c);
    const shopId = resolve.shopId(c);
    if (!shopId || !uuid.safeParse(shopId).success) {
      throw new ApiError('validation_failed', 'A shop id is required', {
        errors: [{ path: resolve.field, message: 'Expected the shop id (a UUID)' }],
      });
    }
    c.set('shopAccess', await authorizeShopRoles(c.get('services').db, user.userId, shopId, permit));
    await next();
  };
}
