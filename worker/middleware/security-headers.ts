import type { Context, MiddlewareHandler } from 'hono';
import type { HonoEnv } from '../types';

/**
 * Headers every response carries. Pages get a CSP that allows only our own origin plus the inline
 * bootstrap Remix emits (nonce-less for now: Remix's hydration script is inline).
 */
export function securityHeaders(options: { hsts: (c: Context<HonoEnv>) => boolean }): MiddlewareHandler<HonoEnv> {
  return async function securityHeadersMiddleware(c, next) {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    c.header('X-Frame-Options', 'DENY');
    if (options.hsts(c)) c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    const type = c.res.headers.get('content-type') ?? '';
    if (type.startsWith('text/html') && !c.res.headers.has('Content-Security-Policy')) {
      c.header(
        'Content-Security-Policy',
        [
          "default-src 'self'",
          "script-src 'self' 'unsafe-inline'",
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data:",
          "connect-src 'self'",
          "frame-ancestors 'none'",
          "base-uri 'self'",
          "form-action 'self'",
        ].join('; '),
      );
    } else if (!type.startsWith('text/html')) {
      c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    }
  };
}
