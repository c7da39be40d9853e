import { data, redirect, type HeadersFunction } from '@remix-run/cloudflare';
import { logout, me } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { requireUser, sessionStorage } from '../session.server';

/** A client's own pages show personal data: no cache anywhere may keep them. */
export const PRIVATE = 'private, no-store';

/**
 * The signed-in user for a client page (redirects to /login?next=… otherwise), with the headers
 * the response must carry: a refreshed session cookie when the access token was renewed, and
 * `Cache-Control: private, no-store`.
 */
export async function signedIn(services: Services, request: Request): Promise<{ userId: string; headers: Headers }> {
  const { userId, headers } = await requireUser(services, request);
  headers.set('Cache-Control', PRIVATE);
  return { userId, headers };
}

/** The document carries the loader's headers and, after a form post, the action's on top. */
export const privateHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((value, name) => merged.append(name, value));
  merged.set('Cache-Control', PRIVATE);
  return merged;
};

export async function loadAccount(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const user = await me(services, userId);
  if (!user) throw redirect('/login');
  return data({ user }, { headers });
}

/** Revokes the refresh-token family and clears the cookie. */
export async function signOut(services: Services, request: Request) {
  const storage = sessionStorage(services);
  const session = await storage.getSession(request.headers.get('Cookie'));
  const userId = session.get('userId');
  const refreshToken = session.get('refreshToken');
  if (userId && refreshToken) await logout(services, userId, refreshToken);
  return redirect('/', { headers: { 'Set-Cookie': await storage.destroySession(session) } });
}
