import { base64url, createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { z } from 'zod';
import { parseJson } from '../lib/json';

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

const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const COORDINATE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding

const privateJwk = z.object({
  kty: z.literal('EC', 'must be "EC" (an ES256 key on P-256)'),
  crv: z.literal('P-256', 'must be "P-256"'),
  kid: z.string('is required').regex(KID_PATTERN, `must match ${KID_PATTERN.source}`),
  alg: z.literal(ALGORITHM, `must be "${ALGORITHM}" when given`).optional(),
  x: z.string('is required').regex(COORDINATE, 'must be 32 bytes of base64url'),
  y: z.string('is required').regex(COORDINATE, 'must be 32 bytes of base64url'),
  d: z.string('is required (a private key)').regex(COORDINATE, 'must be 32 bytes of base64url'),
});
type PrivateJwk = z.infer<typeof privateJwk>;

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
  }
}

/**
 * A parsed and validated JWT_SIGNING_KEYS (worker/env.ts builds it once per isolate): ES256 private
 * JWKs, newest first, unique kids, every public point on P-256. Printing or serialising it shows
 * the key ids only.
 */
export class SigningKeys {
  readonly kids: readonly string[];
  readonly #jwks: readonly PrivateJwk[];

  constructor(jwks: readonly PrivateJwk[]) {
    this.#jwks = jwks;
    this.kids = jwks.map((k) => k.kid);
  }

  get jwks(): readonly PrivateJwk[] {
    return this.#jwks;
  }

  toJSON(): { kids: readonly string[] } {
    return { kids: this.kids };
  }

  toString(): string {
    return `SigningKeys(${this.kids.join(', ')})`;
  }
}

/**
 * Parses JWT_SIGNING_KEYS synchronously. Every problem is reported (by key position and kid,
 * never with key material). Whether each private part matches its public point is checked when
 * the keys are imported (see keyring()).
 */
export function parseSigningKeys(text: string): SigningKeys {
  const json = parseJson(text);
  if (json === undefined) {
    throw new SigningKeyError(['must be a JSON array of ES256 private JWKs with kid (generate one with `npm run keys:jwt`)']);
  }
  if (!Array.isArray(json)) throw new SigningKeyError(['must be a JSON array of ES256 private JWKs with kid']);
  if (json.length === 0) throw new SigningKeyError(['must hold at least one key']);
  const issues: string[] = [];
  const keys: PrivateJwk[] = [];
  json.forEach((entry: unknown, index) => {
    const kid = typeof (entry as { kid?: unknown })?.kid === 'string' && KID_PATTERN.test((entry as { kid: string }).kid) ? (entry as { kid: string }).kid : undefined;
    const label = `key ${index + 1}${kid ? ` (kid "${kid}")` : ''}`;
    const parsed = privateJwk.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push(`${label}: ${issue.path.join('.') || 'key'} ${issue.message}`);
      return;
    }
    if (keys.some((k) => k.kid === parsed.data.kid)) {
      issues.push(`${label}: duplicate kid "${parsed.data.kid}"`);
      return;
    }
    if (!onP256(parsed.data.x, parsed.data.y)) issues.push(`${label}: x/y is not a point on P-256`);
    else if (!validScalar(parsed.data.d)) issues.push(`${label}: d is not a valid P-256 private scalar`);
    keys.push(parsed.data);
  });
  if (issues.length) throw new SigningKeyError(issues);
  return new SigningKeys(keys);
}

// ---- P-256 sanity checks (public parameters from SEC 2 / FIPS 186-4) -------------------------------

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function toBigInt(b64url: string): bigint {
  let hex = '';
  for (const byte of base64url.decode(b64url)) hex += byte.toString(16).padStart(2, '0');
  return BigInt(`0x${hex || '0'}`);
}

/** y² = x³ − 3x + b (mod p), with 0 ≤ x, y < p. */
function onP256(x64: string, y64: string): boolean {
  const x = toBigInt(x64);
  const y = toBigInt(y64);
  if (x >= P || y >= P) return false;
  const mod = (v: bigint) => ((v % P) + P) % P;
  return mod(y * y) === mod(x * x * x - 3n * x + B);
}

function validScalar(d64: string): boolean {
  const d = toBigInt(d64);
  return d > 0n && d < N;
}

// ---- imported keyrings ---------------------------------------------------------------------------

export interface Keyring {
  signingKid: string;
  signingKey: CryptoKey;
  publicJwks: { keys: JWK[] };
  verify: ReturnType<typeof createLocalJWKSet>;
}

/** Imports every key and proves each private part belongs to its public point (sign → verify). */
async function buildKeyring(keys: SigningKeys): Promise<Keyring> {
  const issues: string[] = [];
  const probe = new TextEncoder().encode('bookedbarber signing key self-test');
  let signingKey: CryptoKey | undefined;
  for (const [index, jwk] of keys.jwks.entries()) {
    const label = `key ${index + 1} (kid "${jwk.kid}")`;
    const { kty, crv, x, y, d } = jwk;
    let pub: CryptoKey;
    try {
      pub = (await importJWK({ kty, crv, x, y, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
    } catch {
      issues.push(`${label}: x/y cannot be imported as an ES256 public key`);
      continue;
    }
    try {
      // WebCrypto may refuse the pair outright, or import it and sign with d: either way a d that
      // is not this point's private part must not reach production.
      const priv = (await importJWK({ kty, crv, x, y, d, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
      const params = { name: 'ECDSA', hash: 'SHA-256' };
      const signature = await crypto.subtle.sign(params, priv, probe);
      if (!(await crypto.subtle.verify(params, pub, signature, probe))) throw new Error('mismatch');
      signingKey ??= priv;
    } catch {
      issues.push(`${label}: d does not match x/y`);
    }
  }
  if (issues.length || !signingKey) throw new SigningKeyError(issues.length ? issues : ['no usable key']);
  const publicKeys: JWK[] = keys.jwks.map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid, alg: ALGORITHM, use: 'sig' }));
  const publicJwks = { keys: publicKeys };
  return { signingKid: keys.kids[0]!, signingKey, publicJwks, verify: createLocalJWKSet(publicJwks) };
}

const byValue = new Map<string, SigningKeys>();
const imported = new WeakMap<SigningKeys, Promise<Keyring>>();

/**
 * The imported keyring, once per isolate: from the env's parsed SigningKeys (the app's path), or
 * from the JSON text (tests and scripts). Rejects with a SigningKeyError naming what is wrong.
 */
export function keyring(input: SigningKeys | string): Promise<Keyring> {
  let keys: SigningKeys;
  if (typeof input === 'string') {
    let parsed = byValue.get(input);
    if (!parsed) {
      try {
        parsed = parseSigningKeys(input);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      byValue.set(input, parsed);
    }
    keys = parsed;
  } else {
    keys = input;
  }
  let ring = imported.get(keys);
  if (!ring) {
    ring = buildKeyring(keys);
    imported.set(keys, ring);
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
