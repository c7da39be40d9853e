import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { refresh } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { json, OpaqueToken, TokenPair } from './auth.schemas';

export const RefreshBody = z.object({ refresh_token: OpaqueToken }).openapi('RefreshRequest', {
  example: { refresh_token: 'rt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw' },
});

export const refreshRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/refresh',
  tags: ['Auth'],
  operationId: 'refreshTokens',
  summary: 'Exchange a refresh token for a new token pair',
  description:
    'Refresh tokens are single use. Presenting one that was already used revokes every token of that sign-in (theft detection).',
  request: { body: json(RefreshBody) },
  responses: {
    200: { description: 'New pair', content: { 'application/json': { schema: TokenPair } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
  },
});

export function registerRefresh(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(refreshRoute, async (c) => {
    const pair = await refresh(c.get('services'), c.req.valid('json').refresh_token);
    c.header('Cache-Control', 'no-store');
    return c.json(pair, 200);
  });
}
