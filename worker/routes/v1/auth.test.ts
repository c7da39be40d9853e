import { env } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyring, signAccessToken, AUDIENCE } from '../../auth/jwt';
import { hashToken } from '../../auth/tokens';
import { refreshTokens, users } from '../../db/schema';
import { loadConfig } from '../../env';
import { createLogger, setLogSink } from '../../lib/logger';
import type { NotificationMessage } from '../../queue/messages';
import { forgotPassword } from '../../services/auth';
import { createServices } from '../../services/container';
import { awayFromWindowEdge, call, postJson, problemOf, testDb } from '../../../tests/worker/harness';
import { bearer } from '../../../tests/worker/auth';
import type { Session } from '../../services/auth';

const password = 'maple tram 42 violin';
let seq = 0;
const newEmail = () => `auth-${Date.now().toString(36)}-${++seq}@example.test`;

async function registerUser(email = newEmail(), extra: Record<string, unknown> = {}) {
  const res = await postJson('/api/v1/auth/register', { email, password, first_name: 'Ada', last_name: 'Lovelace', ...extra });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

describe('register → login → me → refresh → reuse', () => {
  it('rotates refresh tokens and revokes the whole family when a used one comes back', async () => {
    const email = newEmail();
    const registered = await registerUser(email, { phone: '+1 (212) 555-0134' });
    expect(registered).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { email, phone: '12125550134', email_verified: false } });

    const loginRes = await postJson('/api/v1/auth/login', { email: email.toUpperCase(), password });
    expect(loginRes.status).toBe(200);
    const session = (await loginRes.json()) as Session;
    expect(session.user.id).toBe(registered.user.id);

    const meRes = await call('/api/v1/auth/me', { headers: bearer(session.access_token) });
    expect(meRes.status).toBe(200);
    expect(await meRes.json()).toMatchObject({ id: registered.user.id, email, memberships: [] });

    const first = await postJson('/api/v1/auth/refresh', { refresh_token: session.refresh_token });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as Session;
    expect(rotated.refresh_token).not.toBe(session.refresh_token);
    expect((await call('/api/v1/auth/me', { headers: bearer(rotated.access_token) })).status).toBe(200);

    // The old token again: a replay. 401, and the token it was exchanged for dies with it.
    const replay = await postJson('/api/v1/auth/refresh', { refresh_token: session.refresh_token });
    expect(replay.status).toBe(401);
    expect((await problemOf(replay)).code).toBe('unauthorized');
    const afterReplay = await postJson('/api/v1/auth/refresh', { refresh_token: rotated.refresh_token });
    expect(afterReplay.status).toBe(401);

    // The registration's own session is a different family and still works.
    expect((await postJson('/api/v1/auth/refresh', { refresh_token: registered.refresh_token })).status).toBe(200);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const session = await registerUser();
    const results = await Promise.all([1, 2].map(() => postJson('/api/v1/auth/refresh', { refresh_token: session.refresh_token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('logout revokes the session', async () => {
    const session = await registerUser();
    const out = await postJson('/api/v1/auth/logout', { refresh_token: session.refresh_token }, bearer(session.access_token));
    expect(out.status).toBe(204);
    expect((await postJson('/api/v1/auth/refresh', { refresh_token: session.refresh_token })).status).toBe(401);
  });

  it('refuses a taken e-mail (any case) with 409 and weak passwords with 422 naming the field', async () => {
    const email = newEmail();
    await registerUser(email);
    const again = await postJson('/api/v1/auth/register', { email: email.toUpperCase(), password, first_name: 'A', last_name: 'B' });
    expect(again.status).toBe(409);
    const weak = await postJson('/api/v1/auth/register', { email: newEmail(), password: 'password123', first_name: 'A', last_name: 'B' });
    expect(weak.status).toBe(422);
    expect((await problemOf(weak)).errors?.[0]).toMatchObject({ path: 'json.password', code: 'too_common' });
  });

  it('answers a wrong password and an unknown e-mail the same way', async () => {
    const email = newEmail();
    await registerUser(email);
    const wrong = await postJson('/api/v1/auth/login', { email, password: 'not the password' });
    const unknown = await postJson('/api/v1/auth/login', { email: newEmail(), password });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await problemOf(wrong)).detail).toBe((await problemOf(unknown)).detail);
  });
});

describe('access token verification', () => {
  async function meWith(token: string) {
    const res = await call('/api/v1/auth/me', { headers: bearer(token) });
    return { status: res.status, challenge: res.headers.get('www-authenticate') };
  }

  it('rejects tampered, expired, alg:none, wrong-audience, wrong-issuer and wrong-key tokens', async () => {
    const { user } = await registerUser();
    const ring = await keyring(env.JWT_SIGNING_KEYS);
    const good = (await signAccessToken(ring, env.APP_ORIGIN, user.id)).token;
    expect((await meWith(good)).status).toBe(200);

    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    const forgedPayload = base64url.encode(JSON.stringify({ ...payload, sub: crypto.randomUUID() }));
    const tampered = `${h}.${forgedPayload}.${s}`;
    const tamperedSig = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;

    const expired = (await signAccessToken(ring, env.APP_ORIGIN, user.id, Math.floor(Date.now() / 1000) - 3600)).token;
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${p}.`;

    const sign = (claims: { aud?: string; iss?: string }, key = ring.signingKey, kid = ring.signingKid) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(user.id)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime('10m')
        .setAudience(claims.aud ?? AUDIENCE)
        .setIssuer(claims.iss ?? env.APP_ORIGIN)
        .sign(key);
    const wrongAudience = await sign({ aud: 'someone-else' });
    const wrongIssuer = await sign({ iss: 'https://evil.example' });
    const { privateKey: otherKey } = await generateKeyPair('ES256', { extractable: true });
    const wrongKey = await sign({}, otherKey as CryptoKey);
    // HS256 signed with the public key as the secret: the classic algorithm-confusion attack.
    const publicJwk = ring.publicJwks.keys[0]!;
    const hsConfused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: ring.signingKid })
      .setSubject(user.id)
      .setAudience(AUDIENCE)
      .setIssuer(env.APP_ORIGIN)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));

    for (const [name, token] of Object.entries({ tampered, tamperedSig, expired, none, wrongAudience, wrongIssuer, wrongKey, hsConfused })) {
      const result = await meWith(token);
      expect({ name, ...result }).toEqual({ name, status: 401, challenge: 'Bearer realm="api", error="invalid_token"' });
    }
    expect(await meWith('garbage')).toEqual({ status: 401, challenge: 'Bearer realm="api", error="invalid_token"' });
    const missing = await call('/api/v1/auth/me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    void exportJWK;
  });

  it('publishes the verification keys (public parts only) at /.well-known/jwks.json', async () => {
    const res = await call('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Record<string, string>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'test-key-1' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('login rate limit', () => {
  it('answers the 6th attempt in a minute with 429 and Retry-After', async () => {
    const email = newEmail();
    await registerUser(email);
    // Six logins (password hashing included) take seconds on a loaded machine.
    await awayFromWindowEdge(60_000, 20_000);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await postJson('/api/v1/auth/login', { email, password: i === 4 ? password : 'wrong password here' }, { 'cf-connecting-ip': '203.0.113.7' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect((await problemOf(last!)).code).toBe('rate_limited');
    // Another client IP for the same account is counted separately.
    const elsewhere = await postJson('/api/v1/auth/login', { email, password }, { 'cf-connecting-ip': '198.51.100.9' });
    expect(elsewhere.status).toBe(200);
   }, 60_000);

  it('limits every caller globally with RateLimit headers', async () => {
    const { createApp } = await import('../../app');
    const app = createApp();
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const ip = `192.0.2.${Math.floor(Math.random() * 200) + 1}`;
    const tight = { ...env, RATE_LIMIT_PER_MINUTE: '3' };
    await awayFromWindowEdge(60_000, 10_000);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.request('/api/v1/shops', { headers: { 'cf-connecting-ip': ip } }, tight, ctx);
      statuses.push(res.status);
      if (i === 0) expect(res.headers.get('ratelimit-limit')).toBe('3');
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
   }, 60_000);
});

describe('secrets at rest and in logs', () => {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    setLogSink((line) => lines.push(line));
  });
  afterEach(() => setLogSink(null));

  it('never stores or logs passwords and refresh tokens in plaintext', async () => {
    // Everything logged, at debug level, through the real app.
    const { createApp } = await import('../../app');
    const app = createApp();
    const verbose = { ...env, LOG_LEVEL: 'debug' };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
      (await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, verbose, ctx)).json() as Promise<Session>;
    const email = newEmail();
    const session = await post('/api/v1/auth/register', { email, password, first_name: 'Ada', last_name: 'Lovelace', phone: '+44 20 7946 0991' });
    const login = await post('/api/v1/auth/login', { email, password });
    const rotated = await post('/api/v1/auth/refresh', { refresh_token: login.refresh_token });
    await app.request('/api/v1/auth/me', { headers: bearer(login.access_token) }, verbose, ctx);
    await post('/api/v1/auth/login', { email, password: 'a wrong password' });

    const db = testDb();
    const [row] = await db.execute<Record<string, string | null>>(sql`SELECT * FROM users WHERE id = ${session.user.id}`).then((r) => r.rows);
    const rowText = JSON.stringify(row);
    expect(rowText).not.toContain(password);
    expect(rowText).not.toContain('79460991');
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$/);

    const tokens = await db.select().from(refreshTokens).where(eq(refreshTokens.userId, session.user.id));
    expect(tokens.length).toBe(3);
    const stored = JSON.stringify(tokens);
    for (const t of [session.refresh_token, login.refresh_token, rotated.refresh_token]) {
      expect(stored).not.toContain(t);
      expect(tokens.map((r) => r.tokenHash)).toContain(await hashToken(t));
    }

    const logged = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [password, session.refresh_token, login.refresh_token, rotated.refresh_token, login.access_token]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('password reset and e-mail verification', () => {
  function servicesCapturing(sent: NotificationMessage[]) {
    const config = loadConfig(env);
    return { ...createServices(env, config, createLogger('warn')), notify: async (m: NotificationMessage) => void sent.push(m) };
  }

  it('resets with a single-use token and signs out every session', async () => {
    const email = newEmail();
    const session = await registerUser(email);
    const sent: NotificationMessage[] = [];
    await forgotPassword(servicesCapturing(sent), email);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0]!.data)).not.toContain('token=');
    const token = new URL(sent[0]!.secrets!.link!).searchParams.get('token')!;

    const newPassword = 'lantern orbit 77 quay';
    expect((await postJson('/api/v1/auth/password/reset', { token, password: newPassword })).status).toBe(204);
    expect((await postJson('/api/v1/auth/password/reset', { token, password: newPassword })).status).toBe(422);
    expect((await postJson('/api/v1/auth/refresh', { refresh_token: session.refresh_token })).status).toBe(401);
    expect((await postJson('/api/v1/auth/login', { email, password })).status).toBe(401);
    expect((await postJson('/api/v1/auth/login', { email, password: newPassword })).status).toBe(200);
  });

  it('answers forgot-password the same for unknown addresses', async () => {
    const res = await postJson('/api/v1/auth/password/forgot', { email: newEmail() });
    expect(res.status).toBe(202);
  });

  it('verifies the e-mail once', async () => {
    const email = newEmail();
    const session = await registerUser(email);
    // The sign-up mail's token reached only the queue message; stand in with a fresh one.
    const db = testDb();
    const token = `verify-${crypto.randomUUID()}`;
    await db.execute(sql`INSERT INTO auth_tokens (user_id, kind, token_hash, expires_at)
                         VALUES (${session.user.id}, 'email_verify', ${await hashToken(token)}, now() + interval '1 hour')`);
    expect((await postJson('/api/v1/auth/verify-email', { token })).status).toBe(204);
    expect((await postJson('/api/v1/auth/verify-email', { token })).status).toBe(422);
    const [user] = await db.select().from(users).where(eq(users.id, session.user.id));
    expect(user!.verifiedAt).not.toBeNull();
  });
});
