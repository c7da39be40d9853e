import type { AccessClaims } from './auth/jwt';
import type { Logger } from './lib/logger';
import type { ShopAccess } from './services/management/access';
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
    /** Set by authenticate() when the request carries a valid access token. */
    auth?: AccessClaims;
    authError?: 'malformed' | 'invalid';
    /** Set by requireShopRole(). */
    shopAccess?: ShopAccess;
  };
}
