import { data } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { OpaqueToken } from '../../worker/routes/v1/auth.schemas';
import { verifyEmail } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';

/**
 * The page's URL carries a single-use token: no cache may keep it, and no link on it may pass
 * the URL on in a Referer.
 */
const PRIVATE = { 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' };

/** The token from the e-mailed link, if it has the shape of one. Nothing is used up on GET. */
export function tokenFromQuery(request: Request): { token: string | null } {
  const parsed = OpaqueToken.safeParse(new URL(request.url).searchParams.get('token'));
  return { token: parsed.success ? parsed.data : null };
}

export function loadVerifyEmail(request: Request) {
  return data(tokenFromQuery(request), { headers: PRIVATE });
}

export type VerifyResult = { status: 'verified' } | { status: 'invalid' };

/** The form's action: the same service as POST /api/v1/auth/verify-email. */
export async function confirmEmail(services: Services, request: Request) {
  const form = await request.formData();
  const parsed = OpaqueToken.safeParse(form.get('token'));
  const invalid = () => data<VerifyResult>({ status: 'invalid' }, { status: 422, headers: PRIVATE });
  if (!parsed.success) return invalid();
  try {
    await verifyEmail(services, parsed.data);
  } catch (err) {
    // The service's only expected failure: unknown, expired or already used (422).
    if (err instanceof ApiError && err.status === 422) return invalid();
    throw err;
  }
  return data<VerifyResult>({ status: 'verified' }, { headers: PRIVATE });
}
