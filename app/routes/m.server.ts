import { data } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { MANAGE_TOKEN_PATTERN } from '../../worker/notifications/manage-links';
import { cancelPreview } from '../../worker/services/appointments';
import type { Services } from '../../worker/services/container';
import { cancelWithLink, viewWithLink, type ManageLinkView } from '../../worker/services/manage-links';
import { formatWhen } from '../../worker/notifications/format';
import { formatMoney } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';

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
  /** Where to choose a new time — only while the client may still move it online (outside the shop's cancellation window). */
  reschedulePath: string | null;
  /** A reschedule link inside the window: why it cannot be moved online. */
  rescheduleNote: string | null;
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

function cancelNote(c: NonNullable<ManageLinkView['cancellation']>, locale: string): string {
  const money = (cents: number) => formatMoney(cents, c.currency, locale);
  switch (c.outcome) {
    case 'refund':
      return `Cancelling now refunds the ${money(c.refund_cents)} you paid.`;
    case 'late_fee':
      return `It is less than the shop's cancellation window before your appointment: cancelling now costs a late-cancellation fee of ${money(c.fee_cents)}.${
        c.refund_cents > 0 ? ` It comes out of what you paid; the other ${money(c.refund_cents)} is refunded.` : c.charge_cents > 0 ? ` ${money(c.charge_cents)} is charged to your card on file.` : ''
      }`;
    case 'keep_deposit':
      return `It is less than the shop's cancellation window before your appointment: the shop keeps your deposit of ${money(c.fee_cents)}.`;
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
  const locale = visitorLocale(request);
  try {
    const view = await viewWithLink(services, raw);
    const a = view.appointment;
    // Whether the client may still move it online is the cancellation window's question (the
    // booking object refuses a client's reschedule inside it); the link already proved the holder.
    const terms = await cancelPreview(services.db, null, a.id);
    const movable = !terms.decision.late;
    const shown: Shown = {
      state: 'ok',
      token: raw,
      purpose: view.purpose,
      shopName: a.shop.name,
      service: a.service_name,
      barber: a.barber_name,
      // The messages' own form (the zone named by its IANA id), in the visitor's locale: the page
      // and the e-mail that linked to it say the same time the same way.
      when: formatWhen(Date.parse(a.start_time), a.timezone, locale),
      price: formatMoney(a.price_cents, a.currency, locale),
      status: statusText[a.status] ?? a.status,
      reschedulePath: movable ? (view.reschedule_path ?? `/s/${encodeURIComponent(a.shop.slug)}?reschedule=${a.id}`) : null,
      rescheduleNote:
        !movable && view.purpose === 'reschedule'
          ? `It is less than ${terms.cancel_window_hours} hours before your appointment, so it can no longer be moved online. Call the shop, or cancel.`
          : null,
      cancelNote: view.cancellation ? cancelNote(view.cancellation, locale) : null,
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
    const money = (cents: number) => formatMoney(cents, s?.currency ?? 'USD', visitorLocale(request));
    const note =
      s?.outcome === 'refund'
        ? `${money(s.refund_cents)} will be refunded to you.`
        : s?.outcome === 'late_fee'
          ? `A late-cancellation fee of ${money(s.fee_cents)} applies.${s.refund_cents > 0 ? ` ${money(s.refund_cents)} will be refunded to you.` : ''}`
          : s?.outcome === 'keep_deposit'
            ? `The shop keeps your deposit of ${money(s.fee_cents)}.`
            : 'Nothing was charged.';
    return data<CancelResult>({ state: 'done', note }, { headers: PRIVATE });
  } catch (err) {
    const { body, status } = refusal(err);
    return data<CancelResult>(body, { status, headers: PRIVATE });
  }
}
