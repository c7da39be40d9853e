import type { Context, MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { HonoEnv } from '../types';

/** The policy for anything that is not a page: nothing may load, nothing may frame it. */
const CLOSED_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers every response carries (hono/secure-headers, tuned). Pages get a CSP whose scripts must
 * come from our origin or carry this response's nonce — no 'unsafe-inline' for scripts. The nonce
 * is `c.get('secureHeadersNonce')`; worker/remix.ts hands it to Remix, which puts it on every
 * script it renders (app/entry.server.tsx, app/root.tsx). Styles keep 'unsafe-inline': the API
 * docs page (Swagger UI) sets inline styles, and styles cannot run code. Everything else gets
 * CLOSED_POLICY. HSTS only where `hsts` says so (production).
 */
export function securityHeaders(options: { hsts: (c: Context<HonoEnv>) => boolean }): MiddlewareHandler<HonoEnv> {
  const base = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", NONCE],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'strict-origin-when-cross-origin',
    strictTransportSecurity: false,
    // A response that set its own policy keeps it.
    overwrite: false,
  });
  return async function securityHeadersMiddleware(c, next) {
    const ownPolicy = { set: false };
    await base(c, async () => {
      await next();
      ownPolicy.set = c.res.headers.has('Content-Security-Policy');
    });
    const type = c.res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/html') && !ownPolicy.set) c.res.headers.set('Content-Security-Policy', CLOSED_POLICY);
    if (options.hsts(c)) c.res.headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
