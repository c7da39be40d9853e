import { data } from '@remix-run/cloudflare';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../worker/domain/password-policy';
import { ApiError } from '../../worker/lib/errors';
import { checkLimit, clientIp } from '../../worker/middleware/rate-limit';
import { OpaqueToken } from '../../worker/routes/v1/auth.schemas';
import { resetPassword } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { getSession, sessionStorage } from '../session.server';

/**
 * The page's URL carries a single-use token: no cache may keep it, and no link on it may pass
 * the URL on in a Referer.
 */
const PRIVATE = { 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' };

export function loadResetPassword(request: Request) {
  const parsed = OpaqueToken.safeParse(new URL(request.url).searchParams.get('token'));
  return data(
    { token: parsed.success ? parsed.data : null, minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
    { headers: PRIVATE },
  );
}

export type ResetResult =
  | { status: 'done' }
  | { status: 'invalid_link' }
  /** `token` again: the form posts to the bare path, so the page's query no longer has it. */
  | { status: 'retry'; token: string; fieldErrors: { password?: string[]; confirm?: string[] }; formError?: string };

const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/**
 * The form's action: the same reset service as POST /api/v1/auth/password/reset, behind the same
 * limit (shared with the API, so using both does not double the attempts). The password rules
 * are the service's; its messages are shown beside the field.
 */
export async function resetFromForm(services: Services, request: Request) {
  const form = await request.formData();
  const token = OpaqueToken.safeParse(field(form, 'token'));
  const password = field(form, 'password');
  const confirm = field(form, 'confirm');
  const reply = (result: ResetResult, init: { status?: number; headers?: Record<string, string> } = {}) =>
    data<ResetResult>(result, { status: init.status ?? 200, headers: { ...PRIVATE, ...init.headers } });

  if (!token.success) return reply({ status: 'invalid_link' }, { status: 422 });
  if (!password) return reply({ status: 'retry', token: token.data, fieldErrors: { password: ['Enter a new password'] } }, { status: 400 });
  if (password !== confirm) {
    return reply({ status: 'retry', token: token.data, fieldErrors: { confirm: ['The two passwords do not match'] } }, { status: 400 });
  }

  try {
    // As in worker/routes/v1/auth.password-reset.ts: per client, closed when Redis is down.
    await checkLimit(services, {
      name: 'password-reset',
      limit: services.config.LOGIN_ATTEMPTS_PER_MINUTE,
      window: '60 s',
      identifier: clientIp(request),
      failClosed: true,
    });
    await resetPassword(services, token.data, password);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const errors = err.extra.errors ?? [];
    if (errors.some((e) => e.path === 'json.token')) return reply({ status: 'invalid_link' }, { status: 422 });
    const passwordErrors = errors.filter((e) => e.path === 'json.password').map((e) => e.message);
    if (passwordErrors.length > 0) return reply({ status: 'retry', token: token.data, fieldErrors: { password: passwordErrors } }, { status: 422 });
    return reply(
      { status: 'retry', token: token.data, fieldErrors: {}, formError: err.detail ?? 'The password could not be changed' },
      { status: err.status, headers: err.extra.headers },
    );
  }

  // The reset signed out every session; a session cookie in this browser is dead too.
  const headers: Record<string, string> = {};
  const session = await getSession(services, request);
  if (session.get('userId')) headers['Set-Cookie'] = await sessionStorage(services).destroySession(session);
  return reply({ status: 'done' }, { headers });
}
