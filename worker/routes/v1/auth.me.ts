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
}).openapi('Me', {
  example: {
    id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    email: 'jane@example.com',
    first_name: 'Jane',
    last_name: 'Doe',
    phone: '12125550134',
    email_verified: true,
    created_at: '2026-11-02T14:05:00.000Z',
    memberships: [
      {
        shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        shop_slug: 'fade-street',
        shop_name: 'Fade Street',
        role: 'client',
      },
    ],
  },
});

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
