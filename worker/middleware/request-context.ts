import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { loadReadyConfig } from '../env';
import { createLogger } from '../lib/logger';
import { newMetrics, runWithMetrics, serverTiming } from '../lib/metrics';
import { telemetry } from '../lib/telemetry';
import { createServices } from '../services/container';
import type { HonoEnv } from '../types';

const incomingId = /^[A-Za-z0-9._-]{8,100}$/;
/** A file name at the end of the path: an asset request that reached the Worker (most never do). */
const assetPath = /^\/(?:assets|build)\/|\.[A-Za-z0-9]{1,8}$/;

/**
 * The route a request is counted and logged under: the template Hono matched
 * (`/api/v1/barbers/:id/availability`), never the raw path, so metrics keep one series per route.
 * A middleware that answered first (401, 429, …) is labelled with the endpoint it stood in front
 * of. Requests no endpoint matched get one of three fixed labels: `unmatched` (the API),
 * `static` (a file name) or `page` (everything the Remix app renders).
 */
export function routeLabel(c: Context<HonoEnv>): string {
  const routes = matchedRoutes(c);
  const index = c.req.routeIndex;
  const specific = (path: string | undefined) => path !== undefined && !path.includes('*');
  if (specific(routes[index]?.path)) return routes[index]!.path;
  const guarded = routes.slice(index + 1).find((r) => specific(r.path));
  if (guarded) return guarded.path;
  const path = new URL(c.req.url).pathname;
  if (path.startsWith('/api/') || path === '/health') return 'unmatched';
  return assetPath.test(path) ? 'static' : 'page';
}

/**
 * First middleware for every request: request id (a caller's well-formed X-Request-Id is kept so
 * traces join up across mobile → edge), logger, Neon counters and the per-request services; and,
 * when the response is known, the one `request` log line and the HTTP metrics.
 */
export function requestContext(): MiddlewareHandler<HonoEnv> {
  return async function requestContextMiddleware(c, next) {
    const started = Date.now();
    const given = c.req.header('x-request-id');
    const requestId = given && incomingId.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    const metrics = newMetrics();
    c.set('metrics', metrics);
    // Before config is known we still log (at info) so a misconfiguration is visible.
    let logger = createLogger('info', { request_id: requestId });
    c.set('logger', logger);
    const meter = telemetry(c.env);

    let status = 500;
    try {
      const config = await loadReadyConfig(c.env);
      logger = createLogger(config.LOG_LEVEL, { request_id: requestId });
      c.set('logger', logger);
      c.set('services', createServices(c.env, config, logger));

      await runWithMetrics(metrics, next);

      status = c.res.status;
      c.header('X-Request-Id', requestId);
      if (config.APP_ENV !== 'production') c.header('Server-Timing', serverTiming(metrics), { append: true });
    } finally {
      // Also when the configuration is invalid (the error handler answers 500): one line per request.
      const durationMs = Date.now() - started;
      const method = c.req.method;
      const route = routeLabel(c);
      const auth = c.get('auth');
      const shop = c.get('shopAccess');
      logger.info('request', {
        method,
        route,
        path: new URL(c.req.url).pathname,
        status,
        duration_ms: durationMs,
        ...(auth ? { user_id: auth.userId } : {}),
        ...(shop ? { shop_id: shop.shopId } : {}),
        neon_requests: metrics.neonRequests,
        neon_ms: Math.round(metrics.neonMs * 10) / 10,
      });
      meter.count('http_requests_total', { method, route, status });
      meter.observe('http_request_duration_seconds', { method, route }, durationMs / 1000);
    }
  };
}
