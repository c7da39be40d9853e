import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { z } from 'zod';

/**
 * Access tokens: short-lived ES256 JWTs. Asymmetric so mobile apps and other services can verify
 * them from /.well-known/jwks.json without holding a secret. Keys rotate by `kid`: the first key
 * in JWT_SIGNING_KEYS signs, every listed key verifies (keep the old one listed for one token
 * lifetime after rotating).
 */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const AUDIENCE = 'bookedbarber-api';
const ALGORITHM = 'ES256';
const CLOCK_TOLERANCE_SECONDS = 30;

const privateJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().min(1),
  x: z.string(),
  y: z.string(),
  d: z.string(),
});

export interface Keyring {
  signingKid: string;
  signingKey: CryptoKey;
  publicJwks: { keys: JWK[] };
  verify: ReturnType<typeof createLocalJWKSet>;
}

const keyrings = new Map<string, Promise<Keyring>>();

async function buildKeyring(raw: string): Promise<Keyring> {
  const parsed = z.array(privateJwk).min(1).safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error('JWT_SIGNING_KEYS must be a JSON array of P-256 private JWKs with kid');
  const [newest] = parsed.data;
  const publicKeys: JWK[] = parsed.data.map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid, alg: ALGORITHM, use: 'sig' }));
  const signingKey = (await importJWK({ ...newest!, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
  const publicJwks = { keys: publicKeys };
  return { signingKid: newest!.kid, signingKey, publicJwks, verify: createLocalJWKSet(publicJwks) };
}

/** Imported once per isolate and keyring value. */
export function keyring(raw: string): Promise<Keyring> {
  let ring = keyrings.get(raw);
  if (!ring) {
    ring = buildKeyring(raw);
    keyrings.set(raw, ring);
    ring.catch(() => keyrings.delete(raw));
  }
  return ring;
}

export interface AccessClaims {
  userId: string;
  tokenId: string;
  expiresAt: number;
}

export async function signAccessToken(
  ring: Keyring,
  issuer: string,
  userId: string,
  now = Math.floor(Date.now() / 1000),
): Promise<{ token: string; expiresIn: number }> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, kid: ring.signingKid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(userId)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
    .sign(ring.signingKey);
  return { token, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

/**
 * Strict verification: ES256 only (so `alg: none` and HS256-with-the-public-key tricks fail),
 * our issuer and audience, exp/nbf with 30 s leeway, and the claims we rely on present.
 * Throws on anything else.
 */
export async function verifyAccessToken(ring: Keyring, issuer: string, token: string): Promise<AccessClaims> {
  const { payload } = await jwtVerify<JWTPayload>(token, ring.verify, {
    algorithms: [ALGORITHM],
    issuer,
    audience: AUDIENCE,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'jti', 'exp', 'iat'],
  });
  if (!z.uuid().safeParse(payload.sub).success) throw new Error('subject is not a user id');
  return { userId: payload.sub!, tokenId: payload.jti!, expiresAt: payload.exp! };
}
