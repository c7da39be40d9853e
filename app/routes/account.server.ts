import { data, redirect } from '@remix-run/cloudflare';
import { logout, me } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { requireUser, sessionStorage } from '../session.server';

export async function loadAccount(services: Services, request: Request) {
  const { userId, headers } = await requireUser(services, request);
  const user = await me(services, userId);
  if (!user) throw redirect('/login');
  headers.set('Cache-Control', 'private, no-store');
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
