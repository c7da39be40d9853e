import { redirect } from '@remix-run/cloudflare';
import { z } from 'zod';
import { ApiError } from '../../worker/lib/errors';
import { clientIp, loginLimit } from '../../worker/middleware/rate-limit';
import { login } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { getSession, sessionStorage } from '../session.server';

const LoginForm = z.object({
  email: z.email('Enter your e-mail address').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
});

export async function redirectIfSignedIn(services: Services, request: Request): Promise<void> {
  const session = await getSession(services, request);
  if (session.get('userId')) throw redirect('/account');
}

/**
 * Only our own origin: an open redirect after login is a phishing tool. Resolving the value the
 * way a browser would catches `//evil`, `/\evil` and control-character tricks alike.
 */
export function safeNext(request: Request): string {
  const fallback = '/account';
  const next = new URL(request.url).searchParams.get('next');
  if (!next) return fallback;
  const own = new URL(request.url);
  try {
    const target = new URL(next, own);
    return target.origin === own.origin ? `${target.pathname}${target.search}` : fallback;
  } catch {
    return fallback;
  }
}

/** The form's action: the same login service (and the same rate limit) as POST /api/v1/auth/login. */
export async function signIn(services: Services, request: Request) {
  const form = Object.fromEntries(await request.formData());
  const parsed = LoginForm.safeParse(form);
  const email = typeof form.email === 'string' ? form.email : '';
  if (!parsed.success) return { error: parsed.error.issues[0]!.message, email };
  try {
    await loginLimit(services, parsed.data.email, clientIp(request));
    const result = await login(services, parsed.data.email, parsed.data.password);
    const storage = sessionStorage(services);
    const session = await storage.getSession(request.headers.get('Cookie'));
    session.set('userId', result.user.id);
    session.set('accessToken', result.access_token);
    session.set('refreshToken', result.refresh_token);
    return redirect(safeNext(request), { headers: { 'Set-Cookie': await storage.commitSession(session) } });
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) return { error: err.detail ?? 'Could not sign in', email };
    throw err;
  }
}
