import { data } from '@remix-run/cloudflare';
import { OPAQUE_TOKEN_PATTERN } from '../../worker/auth/tokens';
import { ApiError } from '../../worker/lib/errors';
import { me } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { acceptInvitation } from '../../worker/services/management/staff';
import { requireUser } from '../session.server';

const PRIVATE = { 'Cache-Control': 'private, no-store' };

export const LOGIN_HREF = `/login?next=${encodeURIComponent('/invitations/accept')}`;

/**
 * The signed-in user, or null — without redirecting: the invitation token is in the page's
 * fragment, which a redirect to /login and back would lose. Headers carry a refreshed (or
 * cleared) session cookie.
 */
async function viewer(services: Services, request: Request): Promise<{ userId: string | null; headers: Headers }> {
  try {
    return await requireUser(services, request);
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    const headers = new Headers();
    const cookie = thrown.headers.get('Set-Cookie');
    if (cookie) headers.set('Set-Cookie', cookie);
    return { userId: null, headers };
  }
}

export async function loadInvitationPage(services: Services, request: Request) {
  const { userId, headers } = await viewer(services, request);
  for (const [k, v] of Object.entries(PRIVATE)) headers.set(k, v);
  const user = userId ? await me(services, userId) : null;
  return data(
    { viewer: user ? { email: user.email, verified: user.email_verified } : null, loginHref: LOGIN_HREF },
    { headers },
  );
}

/**
 * What the person pasted (no JavaScript): the code itself, or the whole link from the e-mail.
 * Null when it is neither.
 */
export function invitationToken(input: string): string | null {
  let value = input.trim();
  const at = value.indexOf('token=');
  if (at !== -1) value = new URLSearchParams(value.slice(at)).get('token') ?? '';
  return OPAQUE_TOKEN_PATTERN.test(value) ? value : null;
}

export type AcceptResult =
  | { ok: true; shopName: string | null }
  | { ok: false; code: 'malformed' | 'not_found' | 'conflict' | 'forbidden' | 'email_unverified' | 'other'; message: string };

const knownCodes = new Set(['not_found', 'conflict', 'forbidden', 'email_unverified']);

/**
 * The form's action: the same accept service as POST /api/v1/invitations/accept, for the
 * signed-in user (none → /login?next=…, as the account page does).
 */
export async function acceptFromForm(services: Services, request: Request) {
  const { userId, headers } = await requireUser(services, request);
  for (const [k, v] of Object.entries(PRIVATE)) headers.set(k, v);
  const form = await request.formData();
  const raw = form.get('token');
  const token = typeof raw === 'string' ? invitationToken(raw) : null;
  if (!token) {
    return data<AcceptResult>(
      { ok: false, code: 'malformed', message: 'That is not an invitation code. Paste the whole link from the e-mail, or the part after “#token=”.' },
      { status: 400, headers },
    );
  }
  try {
    const barber = await acceptInvitation(services.db, userId, token);
    const user = await me(services, userId);
    const shopName = user?.memberships.find((m) => m.shop_id === barber.shopId)?.shop_name ?? null;
    return data<AcceptResult>({ ok: true, shopName }, { headers });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const code = knownCodes.has(err.code) ? (err.code as 'not_found' | 'conflict' | 'forbidden' | 'email_unverified') : 'other';
    const message =
      code === 'not_found'
        ? 'We could not find this invitation. Check that you used the whole link from the e-mail.'
        : code === 'email_unverified'
          ? 'An invitation can only be accepted from a verified e-mail address. Open the verification link we e-mailed you, then accept the invitation again.'
          : (err.detail ?? 'The invitation could not be accepted');
    return data<AcceptResult>({ ok: false, code, message }, { status: err.status, headers });
  }
}
