import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { verifyEmail } from '../../services/auth';
import type { HonoEnv } from '../../types';
import { json, OpaqueToken } from './auth.schemas';

export const VerifyEmailBody = z.object({ token: OpaqueToken }).openapi('VerifyEmailRequest', {
  example: { token: 'Y2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC10b2t' },
});

export const verifyEmailRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/verify-email',
  tags: ['Auth'],
  operationId: 'verifyEmail',
  summary: 'Confirm the e-mail address with the token sent at sign-up',
  request: { body: json(VerifyEmailBody) },
  responses: {
    204: { description: 'Verified' },
    400: errorResponses[400],
    422: errorResponses[422],
  },
});

export function registerVerifyEmail(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(verifyEmailRoute, async (c) => {
    await verifyEmail(c.get('services'), c.req.valid('json').token);
    return c.body(null, 204);
  });
}
