import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { clientIp, enforceLimit } from '../../middleware/rate-limit';
import { forgotPassword, normaliseEmail } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { EmailSchema, json } from './auth.schemas';

export const ForgotBody = z.object({ email: EmailSchema }).openapi('ForgotPasswordRequest', {
  example: { email: 'jane@example.com' },
});

export const forgotPasswordRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/password/forgot',
  tags: ['Auth'],
  operationId: 'forgotPassword',
  summary: 'E-mail a password reset link',
  description: 'Always 202, whether or not the address has an account.',
  request: { body: json(ForgotBody) },
  responses: {
    202: { description: 'If the account exists, a link is on its way', content: { 'application/json': { schema: z.object({ status: z.literal('accepted') }).openapi({ example: { status: 'accepted' } }) } } },
    400: errorResponses[400],
    422: errorResponses[422],
    429: errorResponses[429],
  },
});

export function registerForgotPassword(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(forgotPasswordRoute, async (c) => {
    const { email } = c.req.valid('json');
    const services = c.get('services');
    await enforceLimit(c, {
      name: 'password-forgot',
      limit: services.config.LOGIN_ATTEMPTS_PER_MINUTE,
      window: '60 s',
      identifier: `${normaliseEmail(email)}|${clientIp(c)}`,
      failClosed: true,
    });
    await forgotPassword(services, email);
    return c.json({ status: 'accepted' as const }, 202);
  });
}
