/**
 * The OAuth `state` of a connection in progress: who started it (the signed-in user), for which
 * barber, the PKCE verifier, and the SHA-256 of a nonce that only the browser which started it
 * holds (an HttpOnly cookie scoped to the callback). In Redis for 10 minutes, and taken with
 * GETDEL, so a state works once: a replayed or forged callback finds nothing.
 *
 * Why the nonce: the state alone proves the flow was started here, not that the browser arriving
 * at the callback is the one that started it. Without it an attacker could start a connection for
 * their own barber, stop at Google's consent page, and get a signed-in victim to open the
 * callback with the attacker's state and their own Google code — the victim's calendar would be
 * linked to the attacker's barber (login CSRF). The callback compares the cookie's nonce with
 * the hash kept here; the raw nonce is never stored server-side.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { base64url } from 'jose';
import { z } from 'zod';
import { CALLBACK_PATH } from './oauth';

export const STATE_TTL_SECONDS = 600;

const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const pending = z.object({
  user_id: z.uuid(),
  barber_id: z.uuid(),
  code_verifier: z.string().min(43).max(128),
  /** base64url SHA-256 of the browser's nonce. */
  nonce_hash: z.string().regex(NONCE_PATTERN),
});
export type PendingConnection = z.infer<typeof pending>;

const STATE_PATTERN = /^[A-Za-z0-9_-]{20,128}$/;
const stateKey = (prefix: string, state: string) => `${prefix}oauth:google:${state}`;

/** A fresh browser nonce (32 random bytes) for the cookie. */
export const newBrowserNonce = () => base64url.encode(crypto.getRandomValues(new Uint8Array(32)));

export async function nonceHash(nonce: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(nonce))));
}

/**
 * Whether the cookie's nonce is the one the state was made for. The hashes are compared in
 * constant time (both are 32 bytes: HMAC verification would do as well; this is simpler).
 */
export async function nonceMatches(p: PendingConnection, nonce: string | undefined): Promise<boolean> {
  if (!nonce || !NONCE_PATTERN.test(nonce)) return false;
  const a = new TextEncoder().encode(await nonceHash(nonce));
  const b = new TextEncoder().encode(p.nonce_hash);
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export async function saveOAuthState(redis: Redis, prefix: string, state: string, value: PendingConnection): Promise<void> {
  await redis.set(stateKey(prefix, state), pending.parse(value), { ex: STATE_TTL_SECONDS });
}

/** The pending connection `state` names, removed as it is read; null if unknown, used or expired. */
export async function takeOAuthState(redis: Redis, prefix: string, state: string): Promise<PendingConnection | null> {
  if (!STATE_PATTERN.test(state)) return null;
  // Upstash deserialises JSON values itself.
  const raw = await redis.getdel<unknown>(stateKey(prefix, state));
  const parsed = pending.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * The cookie that carries the nonce: HttpOnly, SameSite=Lax (Google's redirect back is a
 * top-level GET, which Lax lets through; a cross-site subrequest never carries it), sent only to
 * the callback, gone with the state. Secure (with the `__Secure-` prefix) whenever the app is
 * served over HTTPS; local development on http://127.0.0.1 cannot set a Secure cookie — the web
 * session cookie makes the same choice (app/session.server.ts).
 */
export function stateCookie(appOrigin: string) {
  const secure = appOrigin.startsWith('https://');
  return {
    name: secure ? '__Secure-bb_google_oauth' : 'bb_google_oauth',
    options: { path: CALLBACK_PATH, httpOnly: true, secure, sameSite: 'Lax', maxAge: STATE_TTL_SECONDS } as const,
  };
}
