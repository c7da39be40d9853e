import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { clientIp, loginLimit } from '../../middleware/rate-limit';
import { login } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { EmailSchema, json, PasswordInput, SessionSchema } from './auth.schemas';

export const LoginBody = z.object({ email: EmailSchema, password: PasswordInput }).openapi('LoginRequest', {
  example: { email: 'jane@example.com', password: 'maple tram 42 violin' },
});
export type LoginBody = z.infer<typeof LoginBody>;

export const loginRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['Auth'],
  operationId: 'login',
  summary: 'Sign in with e-mail and password',
  description: `At most LOGIN_ATTEMPTS_PER_MINUTE (default 5) attempts per e-mail and IP each minute.`,
  request: { body: json(LoginBody) },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: SessionSchema } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    429: errorResponses[429],
    503: errorResponses[503],
  },
});

export function registerLogin(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(loginRoute, async (c) => {
    const { email, password } = c.req.valid('json');
    const services = c.get('services');
    // Counted before the password is checked, successes included.
    for (const [k, v] of Object.entries(await loginLimit(services, email, clientIp(c)))) c.header(k, v);
    const session = await login(services, email, password);
    c.header('Cache-Control', 'no-store');
    return c.json(session, 200);
  });
}
