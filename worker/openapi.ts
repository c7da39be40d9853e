import { OpenAPIHono } from '@hono/zod-openapi';
import { registerApiRoutes } from './routes';
import { withMiddlewareProblems } from './routes/openapi-helpers';
import type { HonoEnv } from './types';

export const openApiInfo = {
  title: 'BookedBarber API',
  version: '1.0.0',
  description:
    'Booking and payments for barbershops. Errors are RFC 9457 problem+json with a stable `code`. ' +
    'Times are RFC 3339 with offset; money is integer minor units with an ISO currency.',
};

export function registerSecuritySchemes(app: OpenAPIHono<HonoEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
}

/**
 * The OpenAPI 3.1 document, built from the same zod schemas that validate requests. Importable
 * outside workerd (no bindings needed), so Node tools and tests can validate and diff it.
 */
export function openApiDocument(serverUrl = 'https://bookedbarber.app') {
  const app = new OpenAPIHono<HonoEnv>();
  registerApiRoutes(app);
  return withMiddlewareProblems(
    app.getOpenAPI31Document({ openapi: '3.1.0', info: openApiInfo, servers: [{ url: serverUrl }] }),
  );
}
