/**
 * Development and tests only: the in-process metrics aggregate as Prometheus text (ADR 19), for
 * a local Prometheus to scrape or a person to read. In production the route steps aside and the
 * request ends where any unknown path does (metrics there live in Analytics Engine).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { renderPrometheus } from '../lib/telemetry';
import type { HonoEnv } from '../types';

export const DEV_METRICS_PATH = '/dev/metrics';

export function registerDevMetrics(app: OpenAPIHono<HonoEnv>): void {
  app.get(DEV_METRICS_PATH, async (c, next) => {
    if (c.get('services').config.APP_ENV === 'production') return next();
    c.header('Cache-Control', 'no-store');
    return c.body(renderPrometheus(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
