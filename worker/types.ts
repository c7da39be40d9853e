import type { Logger } from './lib/logger';
import type { RequestMetrics } from './lib/metrics';
import type { Services } from './services/container';

/** The Hono environment every API route is typed against. */
export interface HonoEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    logger: Logger;
    metrics: RequestMetrics;
    services: Services;
  };
}
