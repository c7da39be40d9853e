import { data } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { formatMoney, formatWhen } from '../../worker/notifications/format';
import { MANAGE_TOKEN_PATTERN } from '../../worker/notifications/manage-links';
import type { Services } from '../../worker/services/container';
import { cancelWithLink, viewWithLink, type ManageLinkView } from '../../worker/services/manage-links';

/**
 * The page's URL carries a signed link: no cache may keep it, and no link on it may pass the URL
 * on in a Referer. (The logger redacts `token=` from anything it writes.)
 */
const PRIVATE = { 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' };

/** What the page shows for a link that does not (or no longer) work. */
export type Refusal = { state: 'incomplete' | 'invalid' | 'expired' | 'cancelled' | 'past' | 'used' };

export interface Shown {
  state: 'ok';
  token: string;
  purpose: ManageLinkView['purpose'];
  shopName: string;
  service: string;
  barber: string;
  /** In the shop's zone, the zone named. */
  when: string;
  price: string;
  status: string;
  reschedulePath: string | null;
  /** A cancel link: what cancelling now means for money, in words. */
  cancelNote: string | null;
}

export type CancelResult = { state: 'done'; note: string } | Refusal;

function refusal(err: unknown): { body: Refusal; status: number } {
  if (!(err instanceof ApiError) || err.status >= 500) throw err;
  switch (err.code) {
    case 'link_used':
      return { body: { state: 'used' }, status: 409 };
    case 'link_expired': {
      const reason = err.extra.reason;
      return { body: { state: reason === 'cancelled' ? 'cancelled' : reason === 'past' ? 'past' : 'expired' }, status: 410 };
    }
    case 'conflict':
      return { body: { state: 'past' }, status: 409 };
    default:
      // link_invalid, forbidden (another purpose), validation: nothing to act on.
      return { body: { state: 'invalid' }, status: err.status === 403 ? 403 : 400 };
  }
}

function cancelNote(c: NonNullable<ManageLinkView['cancellation']>): string {
  switch (c.outcome) {
    case 'refund':
      return `Cancelling now refunds the ${formatMoney(c.refund_cents, c.currency)} you paid.`;
    case 'late_fee':
      return `It is less than the shop's cancellation window before your appointment: cancelling now costs a late-cancellation fee of ${formatMoney(c.fee_cents, c.currency)}.`;
    case 'keep_deposit':
      return `It is less than the shop's cancellation window before your appointment: the shop keeps your deposit of ${formatMoney(c.fee_cents, c.currency)}.`;
    default:
      return 'Cancelling is free.';
  }
}

const statusText: Record<string, string> = {
  held: 'Held — not confirmed yet',
  pending_payment: 'Waiting for payment',
  confirmed: 'Confirmed',
};

export async function loadManagePage(services: Services, request: Request) {
  const raw = new URL(request.url).searchParams.get('token');
  // 200, not 400: this loader also renders the page after the form's POST (to /m, no query),
  // and the action's own status must be the response's.
  if (!raw) return data<Shown | Refusal>({ state: 'incomplete' }, { headers: PRIVATE });
  if (!MANAGE_TOKEN_PATTERN.test(raw)) return data<Shown | Refusal>({ state: 'invalid' }, { status: 400, headers: PRIVATE });
  try {
    const view = await viewWithLink(services, raw);
    const a = view.appointment;
    const shown: Shown = {
      state: 'ok',
      token: raw,
      purpose: view.purpose,
      shopName: a.shop.name,
      service: a.service_name,
      barber: a.barber_name,
      when: formatWhen(Date.parse(a.start_time), a.timezone),
      price: formatMoney(a.price_cents, a.currency),
      status: statusText[a.status] ?? a.status,
      reschedulePath: view.reschedule_path,
      cancelNote: view.cancellation ? cancelNote(view.cancellation) : null,
    };
    return data<Shown | Refusal>(shown, { headers: PRIVATE });
  } catch (err) {
    const { body, status } = refusal(err);
    return data<Shown | Refusal>(body, { status, headers: PRIVATE });
  }
}

/** The form's action: the same service as POST /api/v1/manage/cancel. */
export async function cancelFromForm(services: Services, request: Request) {
  const form = await request.formData();
  const token = form.get('token');
  const reasonField = form.get('reason');
  const reason = typeof reasonField === 'string' && reasonField.trim() ? reasonField.trim().slice(0, 300) : null;
  if (typeof token !== 'string' || !MANAGE_TOKEN_PATTERN.test(token)) {
    return data<CancelResult>({ state: 'invalid' }, { status: 400, headers: PRIVATE });
  }
  try {
    const result = await cancelWithLink(services, token, reason);
    const s = result.settlement;
    const note =
      s?.outcome === 'refund'
        ? `${formatMoney(s.refund_cents, s.currency)} will be refunded to you.`
        : s?.outcome === 'late_fee'
          ? `A late-cancellation fee of ${formatMoney(s.fee_cents, s.currency)} applies.`
          : s?.outcome === 'keep_deposit'
            ? `The shop keeps your deposit of ${formatMoney(s.fee_cents, s.currency)}.`
            : 'Nothing was charged.';
    return data<CancelResult>({ state: 'done', note }, { headers: PRIVATE });
  } catch (err) {
    const { body, status } = refusal(err);
    return data<CancelResult>(body, { status, headers: PRIVATE });
  }
}
