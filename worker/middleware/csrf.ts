import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';
import type { HonoEnv } from '../types';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for the cookie-authenticated web app: a state-changing request must come from
 * our own pages. Browsers send `Origin` on every form POST (and `Sec-Fetch-Site`); a mismatch is
 * refused. The session cookie is also SameSite=Lax, so this is the second lock, not the only one.
 * The JSON API is not cookie-authenticated (bearer tokens) and is left to CORS.
 */
export function csrfProtection(allowedOrigins: (c: Context<HonoEnv>) => string[]): MiddlewareHandler<HonoEnv> {
  return async function csrfMiddleware(c, next) {
    if (safeMethods.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    const own = new URL(c.req.url).origin;
    const allowed = origin === undefined || origin === own || allowedOrigins(c).includes(origin);
    if (!allowed || fetchSite === 'cross-site') {
      c.get('logger').warn('cross-site form post refused', { origin, fetch_site: fetchSite });
      throw new ApiError('forbidden', 'Cross-site form submissions are not accepted');
    }
    return next();
  };
}
