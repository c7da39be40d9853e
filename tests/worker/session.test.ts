import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { refreshTokens, users } from '../../worker/db/schema';
import { buildUser } from '../../worker/db/seed/builders';
import { hashPassword } from '../../worker/lib/password';
import { encryptPhone, generateFieldKey } from '../../worker/lib/crypto';
import { setLogSink } from '../../worker/lib/logger';
import { call, testDb } from './harness';

const password = 'harbour lamp 31 quill';

async function person() {
  const [user] = await testDb()
    .insert(users)
    .values(buildUser({ firstName: 'Marisol', passwordHash: await hashPassword(password) }))
    .returning();
  return user!;
}

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'bookedbarber.test', origin: 'http://bookedbarber.test', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

const cookieOf = (res: Response) => res.headers.get('set-cookie')?.split(';')[0] ?? '';

describe('web sign-in (cookie session)', () => {
  it('signs in with the form, shows the account page, and signs out', async () => {
    const user = await person();
    const login = await postForm('/login', { email: user.email!, password });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/account');
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^bb_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const account = await call('/account', { headers: { cookie: cookieOf(login) } });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain('Hello, Marisol');

    const logout = await postForm('/account', {}, { cookie: cookieOf(login) });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    // Signing out revoked the session's refresh tokens, so a copied cookie dies with its access
    // token (15 minutes at most).
    const tokens = await testDb().select().from(refreshTokens).where(eq(refreshTokens.userId, user.id));
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((t) => t.revokedAt !== null)).toBe(true);
    const after = await call('/account', { redirect: 'manual' });
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toMatch(/^\/login/);
  });

  it('shows an error for a wrong password without setting a cookie', async () => {
    const user = await person();
    const res = await postForm('/login', { email: user.email!, password: 'definitely wrong' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('E-mail or password is wrong');
  });

  it('refuses cross-site form posts (CSRF)', async () => {
    const user = await person();
    const evil = await postForm('/login', { email: user.email!, password }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('set-cookie')).toBeNull();
    const crossSite = await postForm('/account', {}, { origin: 'http://bookedbarber.test', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
  });

  it('refuses a form post that names no origin at all (no Origin, no Sec-Fetch-Site)', async () => {
    const user = await person();
    const res = await call('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'bookedbarber.test' },
      body: new URLSearchParams({ email: user.email!, password }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('accepts a same-origin post identified by Sec-Fetch-Site alone', async () => {
    const user = await person();
    const res = await call('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'bookedbarber.test', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ email: user.email!, password }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
  });

  it('signs in a user whose phone was encrypted under a key no longer in the ring (phone unreadable, warned)', async () => {
    // The key "retired" was dropped from FIELD_ENCRYPTION_KEYS before this row was re-encrypted.
    const stale = await encryptPhone('+1 212 555 0188', `retired:${generateFieldKey()}`);
    const [user] = await testDb()
      .insert(users)
      .values(buildUser({ firstName: 'Rhea', passwordHash: await hashPassword(password), ...stale }))
      .returning();
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    // In-process, so this test's log sink sees what the Worker logs.
    const { createApp } = await import('../../worker/app');
    const app = createApp();
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const post = (path: string, type: string, body: string) =>
      app.request(
        new URL(path, 'http://bookedbarber.test').href,
        { method: 'POST', headers: { 'content-type': type, host: 'bookedbarber.test', origin: 'http://bookedbarber.test' }, body, redirect: 'manual' },
        env,
        ctx,
      );
    try {
      const api = await post('/api/v1/auth/login', 'application/json', JSON.stringify({ email: user!.email, password }));
      expect(api.status).toBe(200);
      const session = (await api.json()) as { user: { phone: string | null; email: string } };
      expect(session.user).toMatchObject({ email: user!.email, phone: null });
      const web = await post('/login', 'application/x-www-form-urlencoded', new URLSearchParams({ email: user!.email!, password }).toString());
      expect(web.status).toBe(302);
      expect(web.headers.get('location')).toBe('/account');
    } finally {
      setLogSink(null);
    }
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'encrypted field unreadable');
    expect(warning).toMatchObject({ level: 'warn', kid: 'retired', reason: 'unknown_kid' });
  });

  it('does not redirect to other sites after sign-in', async () => {
    const user = await person();
    const res = await postForm('/login?next=//evil.example/x', { email: user.email!, password });
    expect(res.headers.get('location')).toBe('/account');
  });
});
