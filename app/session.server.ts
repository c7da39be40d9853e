import { createCookieSessionStorage, redirect, type Session } from '@remix-run/cloudflare';
import type { Services } from '../worker/services/container';
import { refresh } from '../worker/services/auth';
import { keyring, verifyAccessToken } from '../worker/auth/jwt';

interface SessionData {
  userId: string;
  accessToken: string;
  refreshToken: string;
}

type Storage = ReturnType<typeof createCookieSessionStorage<SessionData>>;
const storages = new Map<string, Storage>();

/**
 * The web app's session: the same access/refresh pair the API hands to mobile apps, kept in a
 * signed cookie the page's JavaScript cannot read (httpOnly), sent only first-party (SameSite=Lax)
 * and only over HTTPS outside local development (`__Host-` prefix pins it to our origin).
 */
export function sessionStorage(services: Services): Storage {
  const { SESSION_SECRET, APP_ORIGIN } = services.config;
  const secure = APP_ORIGIN.startsWith('https://');
  const key = `${SESSION_SECRET}|${secure}`;
  let storage = storages.get(key);
  if (!storage) {
    storage = createCookieSessionStorage<SessionData>({
      cookie: {
        name: secure ? '__Host-bb_session' : 'bb_session',
        httpOnly: true,
        secure,
        sameSite: 'lax',
        path: '/',
        maxAge: 30 * 24 * 60 * 60,
        secrets: [SESSION_SECRET],
      },
    });
    storages.set(key, storage);
  }
  return storage;
}

export async function getSession(services: Services, request: Request): Promise<Session<SessionData>> {
  return sessionStorage(services).getSession(request.headers.get('Cookie'));
}

/**
 * The signed-in user's id, refreshing an expired access token on the way (the new pair is
 * written back through `headers`). Redirects to /login when there is no usable session.
 */
export async function requireUser(
  services: Services,
  request: Request,
): Promise<{ userId: string; headers: Headers }> {
  const storage = sessionStorage(services);
  const session = await storage.getSession(request.headers.get('Cookie'));
  const headers = new Headers();
  const toLogin = () => redirect(`/login?next=${encodeURIComponent(new URL(request.url).pathname)}`);
  const accessToken = session.get('accessToken');
  const refreshToken = session.get('refreshToken');
  if (!accessToken || !refreshToken) throw toLogin();
  const ring = await keyring(services.config.JWT_SIGNING_KEYS);
  try {
    const claims = await verifyAccessToken(ring, services.config.APP_ORIGIN, accessToken);
    return { userId: claims.userId, headers };
  } catch {
    try {
      const pair = await refresh(services, refreshToken);
      const claims = await verifyAccessToken(ring, services.config.APP_ORIGIN, pair.access_token);
      session.set('accessToken', pair.access_token);
      session.set('refreshToken', pair.refresh_token);
      headers.append('Set-Cookie', await storage.commitSession(session));
      return { userId: claims.userId, headers };
    } catch {
      throw redirect('/login', { headers: { 'Set-Cookie': await storage.destroySession(session) } });
    }
  }
}
