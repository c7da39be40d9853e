import type { MiddlewareHandler } from 'hono';
import { loadReadyConfig } from '../env';
import { createLogger } from '../lib/logger';
import { newMetrics, runWithMetrics, serverTiming } from '../lib/metrics';
import { createServices } from '../services/container';
import type { HonoEnv } from '../types';

const incomingId = /^[A-Za-z0-9._-]{8,100}$/;

/**
 * First middleware for every request: request id (a caller's well-formed X-Request-Id is kept so
 * traces join up across mobile → edge), logger, Neon counters and the per-request services.
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

    const config = await loadReadyConfig(c.env);
    logger = createLogger(config.LOG_LEVEL, { request_id: requestId });
    c.set('logger', logger);
    c.set('services', createServices(c.env, config, logger));

    await runWithMetrics(metrics, next);

    c.header('X-Request-Id', requestId);
    if (config.APP_ENV !== 'production') c.header('Server-Timing', serverTiming(metrics), { append: true });
    const url = new URL(c.req.url);
    logger.info('request', {
      method: c.req.method,
      path: url.pathname,
      status: c.res.status,
      duration_ms: Date.now() - started,
      neon_requests: metrics.neonRequests,
    });
  };
}
