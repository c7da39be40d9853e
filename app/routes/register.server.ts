import { data, redirect } from '@remix-run/cloudflare';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../worker/domain/password-policy';
import { ApiError } from '../../worker/lib/errors';
import { checkLimit, clientIp } from '../../worker/middleware/rate-limit';
import { register } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { sessionStorage } from '../session.server';
import { safeNext } from './login.server';

const RegisterForm = z.object({
  first_name: z.string().trim().min(1, 'Enter your first name').max(80, 'At most 80 characters'),
  last_name: z.string().trim().min(1, 'Enter your last name').max(80, 'At most 80 characters'),
  email: z.email('Enter your e-mail address, like name@example.com').max(254),
  phone: z
    .string()
    .trim()
    .refine((v) => v === '' || /^\+?[0-9 ()-]{7,20}$/.test(v), 'Use digits, spaces, brackets or dashes, e.g. +1 212 555 0134'),
  password: z.string().min(1, 'Choose a password').max(PASSWORD_MAX_LENGTH),
});

export type RegisterField = keyof z.infer<typeof RegisterForm>;
export interface RegisterFailure {
  fieldErrors: Partial<Record<RegisterField, string[]>>;
  formError?: string;
  values: { first_name: string; last_name: string; email: string; phone: string };
}

export const passwordRules = { minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH };

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
};

/**
 * The form's action: the same register service (and the same per-client hourly limit) as POST
 * /api/v1/auth/register. Success signs the new account in here and goes on to `next` (a booking
 * in progress keeps its place); the verification e-mail is on its way.
 */
export async function registerFromForm(services: Services, request: Request) {
  const form = await request.formData();
  const values = { first_name: text(form, 'first_name'), last_name: text(form, 'last_name'), email: text(form, 'email'), phone: text(form, 'phone') };
  const fail = (f: Omit<RegisterFailure, 'values'>, status: number, headers: Record<string, string> = {}) =>
    data<RegisterFailure>({ ...f, values }, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
  const parsed = RegisterForm.safeParse({ ...values, password: text(form, 'password') });
  if (!parsed.success) {
    const fieldErrors: RegisterFailure['fieldErrors'] = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path[0] as RegisterField] ??= []).push(issue.message);
    return fail({ fieldErrors }, 400);
  }
  let session;
  try {
    await checkLimit(services, { name: 'register', limit: services.config.REGISTRATIONS_PER_HOUR, window: '1 h', identifier: clientIp(request) });
    const { phone, ...rest } = parsed.data;
    session = await register(services, { ...rest, ...(phone ? { phone } : {}) });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const errors = err.extra.errors ?? [];
    const fieldErrors: RegisterFailure['fieldErrors'] = {};
    for (const e of errors) {
      const field = e.path.replace(/^json\./, '') as RegisterField;
      if (field in RegisterForm.shape) (fieldErrors[field] ??= []).push(field === 'email' && err.code === 'conflict' ? 'An account with this e-mail already exists. Sign in, or reset its password.' : e.message);
    }
    return fail({ fieldErrors, ...(Object.keys(fieldErrors).length ? {} : { formError: err.detail ?? 'The account could not be created' }) }, err.status, err.extra.headers);
  }
  const storage = sessionStorage(services);
  const cookie = await storage.getSession(request.headers.get('Cookie'));
  cookie.set('userId', session.user.id);
  cookie.set('accessToken', session.access_token);
  cookie.set('refreshToken', session.refresh_token);
  return redirect(safeNext(request), { headers: { 'Set-Cookie': await storage.commitSession(cookie) } });
}
