/**
 * Connecting Google Calendar: the consent URL (PKCE S256, state), and the callback — its state
 * works once, for the user who started it, in the browser that started it (the state cookie),
 * and the tokens it stores are encrypted.
 */
import { eq } from 'drizzle-orm';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { auditLog, calendarConnections } from '../../db/schema';
import { decryptField } from '../../lib/crypto';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld } from '../../../tests/worker/booking-world';
import { browserCookie, calendarDeps, captured, captureUrl, script, tokenAnswer } from '../../../tests/worker/google';
import { stateCookie } from '../../integrations/google/state';
import { call, problemOf, testDb } from '../../../tests/worker/harness';

const connectPath = (barberId: string, mode?: 'json') =>
  `/api/v1/integrations/google/connect?${new URLSearchParams({ barber_id: barberId, ...(mode ? { mode } : {}) })}`;

/** The consent URL, with the cookie the browser that asked for it now holds. */
async function consentIn(barberId: string, token: string): Promise<{ url: URL; cookie: string }> {
  const res = await call(connectPath(barberId, 'json'), { headers: bearer(token) });
  expect(res.status).toBe(200);
  const url = new URL(((await res.json()) as { authorization_url: string }).authorization_url);
  return { url, cookie: browserCookie(res) };
}

/** Browsers of these tests: the consent URL's state → the cookie its browser holds. */
const browsers = new Map<string, string>();

async function consent(barberId: string, token: string): Promise<URL> {
  const { url, cookie } = await consentIn(barberId, token);
  browsers.set(url.searchParams.get('state')!, cookie);
  return url;
}

/** Google sending the browser that started the flow (by its state) back, cookie and all. */
const callback = (q: Record<string, string>, cookie: string | null = browsers.get(q.state!) ?? null) =>
  call(`/api/v1/integrations/google/callback?${new URLSearchParams(q)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

async function stored(barberId: string) {
  const [row] = await testDb().select().from(calendarConnections).where(eq(calendarConnections.barberId, barberId));
  return row ?? null;
}

describe('GET /api/v1/integrations/google/connect', () => {
  it("redirects the barber to Google's consent page with a PKCE S256 challenge and a state", async () => {
    const w = await createBookingWorld(testDb());
    const res = await call(connectPath(w.barber.barber.id), { headers: bearer(w.barber.token), redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const url = new URL(res.headers.get('location')!);
    expect(`${url.origin}${url.pathname}`).toBe(`${captureUrl}/o/oauth2/v2/auth`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      client_id: 'test-client.apps.googleusercontent.com',
      response_type: 'code',
      code_challenge_method: 'S256',
      access_type: 'offline',
      redirect_uri: 'http://127.0.0.1:8787/api/v1/integrations/google/callback',
    });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.scope!.split(' ')).toEqual(
      expect.arrayContaining(['https://www.googleapis.com/auth/calendar.events.owned', 'https://www.googleapis.com/auth/calendar.freebusy']),
    );
    // Every start is a new state and challenge.
    const again = await consent(w.barber.barber.id, w.owner.token);
    expect(again.searchParams.get('state')).not.toBe(q.state);
    expect(again.searchParams.get('code_challenge')).not.toBe(q.code_challenge);
  });

  it('sets the state cookie: HttpOnly, SameSite=Lax, only for the callback, as long as the state lives; Secure over HTTPS', async () => {
    const w = await createBookingWorld(testDb());
    const res = await call(connectPath(w.barber.barber.id), { headers: bearer(w.barber.token), redirect: 'manual' });
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/^bb_google_oauth=[A-Za-z0-9_-]{43};/);
    const attributes = set.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['max-age=600', 'path=/api/v1/integrations/google/callback', 'httponly', 'samesite=lax']));
    // The test origin is http://127.0.0.1: a Secure cookie would never come back there.
    expect(attributes).not.toContain('secure');
    expect(stateCookie('https://bookedbarber.app')).toEqual({
      name: '__Secure-bb_google_oauth',
      options: { path: '/api/v1/integrations/google/callback', httpOnly: true, secure: true, sameSite: 'Lax', maxAge: 600 },
    });
    // The nonce itself is not in the consent URL (only its hash, in the state kept server-side).
    const nonce = set.slice('bb_google_oauth='.length, set.indexOf(';'));
    expect(res.headers.get('location')).not.toContain(nonce);
  });

  it('refuses a colleague (403) and an unknown barber (404)', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2 });
    const colleague = await call(connectPath(w.barbers[0]!.barber.id, 'json'), { headers: bearer(w.barbers[1]!.token) });
    expect(colleague.status).toBe(403);
    expect((await call(connectPath(crypto.randomUUID(), 'json'), { headers: bearer(w.owner.token) })).status).toBe(404);
  });
});

describe('GET /api/v1/integrations/google/callback', () => {
  it('exchanges the code with the PKCE verifier, stores the tokens encrypted and sends the barber to /account', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    const url = await consent(barberId, w.barber.token);
    const code = `4/code-${crypto.randomUUID()}`;
    const access = `ya29.access-${crypto.randomUUID()}`;
    const refresh = `1//refresh-${crypto.randomUUID()}`;
    await script(code, [tokenAnswer(access, { refresh_token: refresh })]);

    const res = await callback({ state: url.searchParams.get('state')!, code });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!, 'http://x').pathname + new URL(res.headers.get('location')!, 'http://x').search).toBe(
      '/account?google=connected',
    );

    const [exchange, ...more] = await captured(code);
    expect(more).toHaveLength(0);
    expect(exchange!.path).toBe('/token');
    const form = Object.fromEntries(new URLSearchParams(exchange!.body));
    expect(form).toMatchObject({ grant_type: 'authorization_code', code, redirect_uri: url.searchParams.get('redirect_uri'), client_secret: 'test-google-client-secret' });
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(form.code_verifier!)));
    expect(base64url.encode(digest)).toBe(url.searchParams.get('code_challenge'));

    const row = (await stored(barberId))!;
    const keys = calendarDeps().config.FIELD_ENCRYPTION_KEYS;
    // Encrypted at rest: neither token appears anywhere in the row.
    expect(JSON.stringify(row)).not.toContain(access);
    expect(JSON.stringify(row)).not.toContain(refresh);
    expect(row.accessTokenEnc).toMatch(/^v1\.k2\./);
    expect(row.keyId).toBe('k2');
    expect(await decryptField(row.accessTokenEnc, keys)).toBe(access);
    expect(await decryptField(row.refreshTokenEnc!, keys)).toBe(refresh);
    expect(row).toMatchObject({ provider: 'google', calendarId: 'primary', blockBusy: false, syncError: null });
    expect(row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, barberId));
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([['barber.google_calendar_connected', w.barber.user.id]]);
  });

  it('refuses a state it did not make, and a state already used — without calling Google', async () => {
    const w = await createBookingWorld(testDb());
    const code = `4/code-${crypto.randomUUID()}`;
    // A browser holding a real state cookie, with a state nobody made.
    const { cookie } = await consentIn(w.barber.barber.id, w.barber.token);
    const forged = await callback({ state: base64url.encode(crypto.getRandomValues(new Uint8Array(32))), code }, cookie);
    expect(forged.status).toBe(403);
    expect((await problemOf(forged)).code).toBe('forbidden');
    expect(await captured(code)).toHaveLength(0);

    const url = await consent(w.barber.barber.id, w.barber.token);
    const state = url.searchParams.get('state')!;
    await script(code, [tokenAnswer(`ya29.${crypto.randomUUID()}`, { refresh_token: `1//${crypto.randomUUID()}` })]);
    expect((await callback({ state, code })).status).toBe(302);
    const replay = await callback({ state, code });
    expect(replay.status).toBe(403);
    expect(await captured(code)).toHaveLength(1);
  });

  it("refuses a callback in a browser without the cookie, or with another flow's: the attacker's flow cannot be finished by a victim", async () => {
    const db = testDb();
    const attacker = await createBookingWorld(db);
    const victim = await createBookingWorld(db);
    const code = `4/code-${crypto.randomUUID()}`;
    await script(code, [tokenAnswer(`ya29.${crypto.randomUUID()}`, { refresh_token: `1//${crypto.randomUUID()}` })]);
    // The attacker starts a connection for their own barber and stops at Google's consent page…
    const theirs = await consentIn(attacker.barber.barber.id, attacker.barber.token);
    const state = theirs.url.searchParams.get('state')!;
    // …then gets the victim's browser to open the callback with that state: no cookie there,
    const bare = await callback({ state, code }, null);
    expect(bare.status).toBe(403);
    expect(await problemOf(bare)).toMatchObject({ code: 'forbidden', reason: 'oauth_browser' });
    // or the cookie of the victim's own connection in progress.
    const own = await consentIn(victim.barber.barber.id, victim.barber.token);
    const crossed = await callback({ state, code }, own.cookie);
    expect(crossed.status).toBe(403);
    expect(await problemOf(crossed)).toMatchObject({ code: 'forbidden', reason: 'oauth_browser' });
    // The cookie is cleared, the code never reached Google, nothing is connected…
    expect(crossed.headers.get('set-cookie')).toMatch(/^bb_google_oauth=;.*Max-Age=0/i);
    expect(await captured(code)).toHaveLength(0);
    expect(await stored(attacker.barber.barber.id)).toBeNull();
    expect(await stored(victim.barber.barber.id)).toBeNull();
    // …and the refused state is spent: not even the attacker's own browser can finish it now.
    expect((await callback({ state, code }, theirs.cookie)).status).toBe(403);
  });

  it('clears the cookie after a successful callback', async () => {
    const w = await createBookingWorld(testDb());
    const url = await consent(w.barber.barber.id, w.barber.token);
    const code = `4/code-${crypto.randomUUID()}`;
    await script(code, [tokenAnswer(`ya29.${crypto.randomUUID()}`, { refresh_token: `1//${crypto.randomUUID()}` })]);
    const res = await callback({ state: url.searchParams.get('state')!, code });
    expect(res.headers.get('location')).toContain('google=connected');
    expect(res.headers.get('set-cookie')).toMatch(/^bb_google_oauth=;.*Max-Age=0.*Path=\/api\/v1\/integrations\/google\/callback/i);
  });

  it('the user who started it must still be allowed to act for the barber; a refusal at Google stores nothing', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    // A state bound to another shop's owner cannot connect this barber: the check is redone at the callback.
    const other = await createBookingWorld(db);
    const url = await consent(other.barber.barber.id, other.owner.token);
    const denied = await callback({ state: url.searchParams.get('state')!, error: 'access_denied' });
    expect(denied.status).toBe(302);
    expect(denied.headers.get('location')).toContain('google=denied');
    expect(await stored(other.barber.barber.id)).toBeNull();

    const failing = `4/code-${crypto.randomUUID()}`;
    await script(failing, [{ status: 400, body: { error: 'invalid_grant' } }]);
    const started = await consent(w.barber.barber.id, w.barber.token);
    const failed = await callback({ state: started.searchParams.get('state')!, code: failing });
    expect(failed.headers.get('location')).toContain('google=failed');
    expect(await stored(w.barber.barber.id)).toBeNull();
  });
});
