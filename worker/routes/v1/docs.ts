import type { OpenAPIHono } from '@hono/zod-openapi';
import { openApiInfo, registerSecuritySchemes } from '../../openapi';
import type { HonoEnv } from '../../types';
import { withMiddlewareProblems } from '../openapi-helpers';

export const openApiPath = '/api/v1/openapi.json';

/**
 * The OpenAPI 3.1 document is generated from the same zod schemas that validate requests, so the
 * contract cannot drift from the code. The docs page is Swagger UI served from our own assets
 * (copied from swagger-ui-dist at build time), so it works offline and under our CSP.
 */
export function registerDocs(app: OpenAPIHono<HonoEnv>): void {
  registerSecuritySchemes(app);
  // Like app.doc31, plus the problem responses the app-wide middleware answers (openapi-helpers).
  app.get(openApiPath, (c) =>
    c.json(
      withMiddlewareProblems(
        app.getOpenAPI31Document({ openapi: '3.1.0', info: openApiInfo, servers: [{ url: new URL(c.req.url).origin }] }),
      ),
    ),
  );

  app.get('/api/docs', (c) =>
    c.html(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>BookedBarber API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`),
  );
}
