import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerDocs } from './v1/docs';
import { registerHealth } from './v1/health.get';
import { registerListShops } from './v1/shops.list';

/** Every API route, in one readable list. Add a route: one file in ./v1, one line here. */
export function registerApiRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerHealth(app);
  registerDocs(app);
  registerListShops(app);
}
