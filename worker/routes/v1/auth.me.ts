import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { me } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { UserSchema } from './auth.schemas';

export const MeSchema = UserSchema.extend({
  memberships: z.array(
    z.object({
      shop_id: z.uuid(),
      shop_slug: z.string(),
      shop_name: z.string(),
      role: z.enum(['client', 'barber', 'owner', 'admin']),
    }),
  ),
}).openapi('Me');

export const meRoute = createRoute({
  method: 'get',
  path: '/api/v1/auth/me',
  tags: ['Auth'],
  operationId: 'getMe',
  summary: 'The signed-in user and their shop memberships',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'The caller', content: { 'application/json': { schema: MeSchema } } },
    401: errorResponses[401],
  },
});

export function registerMe(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(meRoute, async (c) => {
    const result = await me(c.get('services'), currentUser(c).userId);
    // A valid token for a deleted account.
    if (!result) throw new ApiError('unauthorized', 'This account no longer exists');
    c.header('Cache-Control', 'private, no-store');
    return c.json(result as z.infer<typeof MeSchema>, 200);
  });
}
