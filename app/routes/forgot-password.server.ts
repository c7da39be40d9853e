import { data } from '@remix-run/cloudflare';
import { z } from 'zod';
import { ApiError } from '../../worker/lib/errors';
import { checkLimit, clientIp } from '../../worker/middleware/rate-limit';
import { forgotPassword, normaliseEmail } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';

const ForgotForm = z.object({ email: z.email('Enter your e-mail address, like name@example.com').max(254) });

export type ForgotResult = { status: 'sent'; email: string } | { status: 'retry'; email: string; error: string };

const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * The form's action: the same service and limit as POST /api/v1/auth/password/forgot. The answer
 * is the same whether or not the address has an account (no way to learn who is registered).
 */
export async function forgotFromForm(services: Services, request: Request) {
  const form = await request.formData();
  const raw = form.get('email');
  const email = typeof raw === 'string' ? raw.trim() : '';
  const parsed = ForgotForm.safeParse({ email });
  if (!parsed.success) return data<ForgotResult>({ status: 'retry', email, error: parsed.error.issues[0]!.message }, { status: 400, headers: NO_STORE });
  try {
    await checkLimit(services, {
      name: 'password-forgot',
      limit: services.config.LOGIN_ATTEMPTS_PER_MINUTE,
      window: '60 s',
      identifier: `${normaliseEmail(parsed.data.email)}|${clientIp(request)}`,
      failClosed: true,
    });
    await forgotPassword(services, parsed.data.email);
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) {
      return data<ForgotResult>({ status: 'retry', email, error: err.detail ?? 'Please try again in a minute' }, { status: err.status, headers: { ...NO_STORE, ...err.extra.headers } });
    }
    throw err;
  }
  return data<ForgotResult>({ status: 'sent', email: parsed.data.email }, { headers: NO_STORE });
}
