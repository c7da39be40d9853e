import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { keyring } from '../../auth/jwt';
import type { HonoEnv } from '../../types';

const Jwk = z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string(), alg: z.string(), use: z.string() });

export const jwksRoute = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['Auth'],
  operationId: 'getJwks',
  summary: 'Public keys that verify our access tokens',
  responses: { 200: { description: 'JWK set', content: { 'application/json': { schema: z.object({ keys: z.array(Jwk) }) } } } },
});

export function registerJwks(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(jwksRoute, async (c) => {
    const ring = await keyring(c.get('services').config.JWT_SIGNING_KEYS);
    // Cached briefly: verifiers pick up a new key within minutes of a rotation.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(ring.publicJwks as { keys: z.infer<typeof Jwk>[] }, 200);
  });
}
