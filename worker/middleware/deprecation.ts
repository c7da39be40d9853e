import type { MiddlewareHandler } from 'hono';

export interface DeprecationOptions {
  /** When the route was deprecated (ISO date). */
  deprecatedOn: string;
  /** When it stops working (ISO date). */
  sunsetOn: string;
  /** Where callers should go instead. */
  successor?: string;
}

/**
 * Marks a route as deprecated the way clients can detect it: RFC 9745 `Deprecation` (a structured
 * date), RFC 8594 `Sunset` (an HTTP date), `X-API-Deprecation-Date` for older SDKs, and a
 * `Link: <successor>; rel="successor-version"`.
 */
export function deprecated(options: DeprecationOptions): MiddlewareHandler {
  const deprecatedAt = Date.parse(options.deprecatedOn);
  const sunsetAt = Date.parse(options.sunsetOn);
  if (Number.isNaN(deprecatedAt) || Number.isNaN(sunsetAt)) {
    throw new Error('deprecated(): deprecatedOn and sunsetOn must be ISO dates');
  }
  if (sunsetAt <= deprecatedAt) throw new Error('deprecated(): sunset must come after deprecation');
  const deprecation = `@${Math.floor(deprecatedAt / 1000)}`;
  const sunset = new Date(sunsetAt).toUTCString();
  const legacy = new Date(deprecatedAt).toISOString().slice(0, 10);
  return async function deprecationMiddleware(c, next) {
    await next();
    c.header('Deprecation', deprecation);
    c.header('Sunset', sunset);
    c.header('X-API-Deprecation-Date', legacy);
    if (options.successor) c.header('Link', `<${options.successor}>; rel="successor-version"`, { append: true });
  };
}
