import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { clientIp, enforceLimit } from '../../middleware/rate-limit';
import { register } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { EmailSchema, json, SessionSchema } from './auth.schemas';

export const RegisterBody = z
  .object({
    email: EmailSchema,
    password: z.string().min(1).max(1024),
    first_name: z.string().trim().min(1).max(80),
    last_name: z.string().trim().min(1).max(80),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{7,20}$/, 'Use digits, spaces, brackets or dashes')
      .optional()
      .openapi({ example: '+1 212 555 0134' }),
  })
  .openapi('RegisterRequest', {
    example: {
      email: 'jane@example.com',
      password: 'maple tram 42 violin',
      first_name: 'Jane',
      last_name: 'Doe',
      phone: '+1 212 555 0134',
    },
  });

export type RegisterBody = z.infer<typeof RegisterBody>;

export const registerRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/register',
  tags: ['Auth'],
  operationId: 'register',
  summary: 'Create an account and sign in',
  // No Idempotency-Key here: a stored response would hold the new session's tokens in plain
  // text. A retried sign-up gets 409 and the app signs in instead.
  request: { body: json(RegisterBody) },
  responses: {
    201: { description: 'Account created', content: { 'application/json': { schema: SessionSchema } } },
    400: errorResponses[400],
    409: errorResponses[409],
    422: errorResponses[422],
    429: errorResponses[429],
  },
});

export function registerRegister(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(registerRoute, async (c) => {
    const services = c.get('services');
    // Sign-up spam is throttled per IP on top of the global limit.
    await enforceLimit(c, {
      name: 'register',
      limit: services.config.REGISTRATIONS_PER_HOUR,
      window: '1 h',
      identifier: clientIp(c),
    });
    const session = await register(services, c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json(session, 201);
  });
}
