import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { keyring } from '../../auth/jwt';
import type { HonoEnv } from '../../types';

const Jwk = z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string(), alg: z.string(), use: z.string() });

const JwksSchema = z.object({ keys: z.array(Jwk) }).openapi({
  example: {
    keys: [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        kid: 'k1',
        alg: 'ES256',
        use: 'sig',
      },
    ],
  },
});

export const jwksRoute = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['Auth'],
  operationId: 'getJwks',
  summary: 'Public keys that verify our access tokens',
  description: 'Every key of the signing keyring, newest first: the newest signs, the older ones still verify tokens they signed during a rotation. Cached for 5 minutes.',
  responses: { 200: { description: 'JWK set', content: { 'application/json': { schema: JwksSchema } } } },
});

export function registerJwks(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(jwksRoute, async (c) => {
    const ring = await keyring(c.get('services').config.JWT_SIGNING_KEYS);
    // Cached briefly: verifiers pick up a new key within minutes of a rotation.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(ring.publicJwks as { keys: z.infer<typeof Jwk>[] }, 200);
  });
}
