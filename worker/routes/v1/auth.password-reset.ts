import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { clientIp, enforceLimit } from '../../middleware/rate-limit';
import { resetPassword } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { json, OpaqueToken } from './auth.schemas';

export const ResetBody = z
  .object({ token: OpaqueToken, password: z.string().min(1).max(1024) })
  .openapi('ResetPasswordRequest', {
    example: {
      token: 'Y2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC10b2t',
      password: 'copper kite 17 meadow',
    },
  });

export const resetPasswordRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/password/reset',
  tags: ['Auth'],
  operationId: 'resetPassword',
  summary: 'Set a new password with the e-mailed token (signs out every session)',
  request: { body: json(ResetBody) },
  responses: {
    204: { description: 'Password changed' },
    400: errorResponses[400],
    422: errorResponses[422],
    429: errorResponses[429],
  },
});

export function registerResetPassword(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(resetPasswordRoute, async (c) => {
    const { token, password } = c.req.valid('json');
    const services = c.get('services');
    await enforceLimit(c, {
      name: 'password-reset',
      limit: services.config.LOGIN_ATTEMPTS_PER_MINUTE,
      window: '60 s',
      identifier: clientIp(c),
      failClosed: true,
    });
    await resetPassword(services, token, password);
    return c.body(null, 204);
  });
}
