import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { logout } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { json, OpaqueToken } from './auth.schemas';

export const LogoutBody = z.object({ refresh_token: OpaqueToken }).openapi('LogoutRequest', {
  example: { refresh_token: 'rt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw' },
});

export const logoutRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  tags: ['Auth'],
  operationId: 'logout',
  summary: 'End this sign-in (revokes its refresh tokens)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { body: json(LogoutBody) },
  responses: {
    204: { description: 'Signed out' },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
  },
});

export function registerLogout(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(logoutRoute, async (c) => {
    await logout(c.get('services'), currentUser(c).userId, c.req.valid('json').refresh_token);
    return c.body(null, 204);
  });
}
