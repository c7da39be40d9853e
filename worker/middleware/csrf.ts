import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';
import type { HonoEnv } from '../types';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for the cookie-authenticated web app: a state-changing request must show that it
 * comes from our own pages, or it is refused (403). What counts as showing it:
 * - `Sec-Fetch-Site: same-origin` (set by the browser, unforgeable by page script), with no Origin
 *   or our own; or
 * - no Sec-Fetch-Site (older browsers) and an `Origin` that is ours or configured.
 * A request with neither is refused — it is not a browser form post from our pages, and no page
 * needs to send one. So are `same-site` (a sibling subdomain is not us), `cross-site`, `none`,
 * `Origin: null`, and headers that contradict each other.
 *
 * Why not hono/csrf: it only inspects form-like content types (others are left to CORS
 * preflights) and accepts either header even when the other contradicts it; this one judges
 * every state-changing request (see csrf.test.ts). The session cookie is also SameSite=Lax, so
 * this is the second lock, not the only one. The JSON API is not cookie-authenticated (bearer
 * tokens) and is left to CORS.
 */
export function csrfProtection(allowedOrigins: (c: Context<HonoEnv>) => string[]): MiddlewareHandler<HonoEnv> {
  return async function csrfMiddleware(c, next) {
    if (safeMethods.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    const originOk = origin !== undefined && (origin === new URL(c.req.url).origin || allowedOrigins(c).includes(origin));
    const allowed = fetchSite === undefined ? originOk : fetchSite === 'same-origin' && (origin === undefined || originOk);
    if (!allowed) {
      c.get('logger').warn('cross-site form post refused', { origin: origin ?? null, fetch_site: fetchSite ?? null });
      throw new ApiError('forbidden', 'Cross-site form submissions are not accepted');
    }
    return next();
  };
}
