import { data } from '@remix-run/cloudflare';
import type { PaymentTotals } from '../../worker/db/queries/payments';
import { addDays, parsePlainDate, zonedTimeToUtc } from '../../worker/domain/time';
import { ApiError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { publicShopPage } from '../../worker/services/management/shops';
import { refundPayment, shopPayments, type PaymentQuery, type PaymentView } from '../../worker/services/shop-payments';
import { KINDS, STATUSES, type PaymentFilterValues } from '../components/money-filters';
import { formatAmountInput, formatMoney, formatShortDate, formatTime, parseAmountInput } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { office, refused, refusalOf, UUID } from './manage._index.server';

const PAGE_SIZE = 25;

/** Why the money moved, in words, where the kind alone does not say it. */
const REASONS: Record<string, string> = {
  no_show_fee: 'No-show fee',
  late_cancel_fee: 'Late-cancel fee',
  cancel_refund: 'Refund: cancelled in time',
  shop_cancelled: 'Refund: cancelled by the shop',
  slot_taken: 'Refund: the slot was taken',
  manual: 'Refund by the shop',
  external: 'Refund made at Stripe',
};

/** What a payment was, in words: "No-show fee", "Deposit", "Refund by the shop". */
export function kindText(kind: string, reason: string | null): string {
  if (kind === 'fee') return reason === 'no_show_fee' || reason === 'late_cancel_fee' ? REASONS[reason]! : 'Fee';
  if (kind === 'refund') return (reason && REASONS[reason]?.startsWith('Refund') ? REASONS[reason] : null) ?? 'Refund';
  return KINDS[kind as keyof typeof KINDS] ?? kind;
}

/** Stripe's decline codes and ours, in words. */
export function failureText(reason: string | null): string | null {
  if (!reason) return null;
  const known: Record<string, string> = {
    no_card_on_file: 'no card on file',
    insufficient_funds: 'insufficient funds',
    card_declined: 'the card was declined',
    generic_decline: 'the card was declined',
    expired_card: 'the card has expired',
    lost_card: 'the card was reported lost',
    stolen_card: 'the card was reported stolen',
    authentication_required: 'the bank asked the client to confirm',
  };
  return known[reason] ?? reason.replace(/_/g, ' ');
}

export function statusText(p: Pick<PaymentView, 'kind' | 'status' | 'failure_reason'>): string {
  if (p.kind === 'refund' && p.status === 'succeeded') return 'Refunded';
  if (p.status === 'failed') {
    const why = failureText(p.failure_reason);
    return why ? `Failed: ${why}` : 'Failed';
  }
  return STATUSES[p.status as keyof typeof STATUSES] ?? p.status;
}

export interface PaymentLine {
  id: string;
  appointmentId: string;
  when: string;
  client: string;
  barber: string;
  appointment: string;
  kind: string;
  kindText: string;
  amount: string;
  status: string;
  statusText: string;
  /** A charge with refunds: how much went back. */
  refundedText: string | null;
  /** A charge that can still be refunded: what is left, as text and as the form's default. */
  refundable: { cents: number; text: string; input: string } | null;
  currency: string;
}

export interface TotalsLine {
  currency: string;
  captured: string;
  refunded: string;
  net: string;
  platformFee: string;
  failedFees: string | null;
  disputed: string | null;
  count: number;
}

export type Filters = PaymentFilterValues;

export interface PaymentsPage {
  shopId: string;
  shopName: string;
  timezone: string;
  currency: string;
  filters: Filters;
  barbers: { id: string; name: string }[];
  lines: PaymentLine[];
  totals: TotalsLine[];
  older: string | null;
  newest: string;
  paged: boolean;
}

export function paymentLine(p: PaymentView, timezone: string, locale: string): PaymentLine {
  const money = (cents: number) => formatMoney(cents, p.currency, locale);
  const at = (iso: string) => `${formatShortDate(iso, timezone, locale)}, ${formatTime(iso, timezone, locale)}`;
  return {
    id: p.id,
    appointmentId: p.appointment_id,
    when: at(p.created_at),
    client: p.client.name || 'Client',
    barber: p.barber.name,
    appointment: at(p.appointment_start_time),
    kind: p.kind,
    kindText: kindText(p.kind, p.reason),
    amount: p.kind === 'refund' ? `−${money(p.amount_cents)}` : money(p.amount_cents),
    status: p.status,
    statusText: statusText(p),
    refundedText: p.kind !== 'refund' && p.refunded_cents > 0 ? `${money(p.refunded_cents)} refunded` : null,
    refundable:
      p.refundable_cents > 0 ? { cents: p.refundable_cents, text: money(p.refundable_cents), input: formatAmountInput(p.refundable_cents, p.currency) } : null,
    currency: p.currency,
  };
}

export function totalsLine(t: PaymentTotals, locale: string): TotalsLine {
  const money = (cents: number) => formatMoney(cents, t.currency, locale);
  return {
    currency: t.currency,
    captured: money(t.captured_cents),
    refunded: money(t.refunded_cents),
    net: money(t.net_cents),
    platformFee: money(t.platform_fee_cents),
    failedFees: t.failed_fee_cents > 0 ? money(t.failed_fee_cents) : null,
    disputed: t.disputed_cents > 0 ? money(t.disputed_cents) : null,
    count: t.count,
  };
}

/** The filters as the page's query string gives them; anything unknown is left out. */
export function readFilters(url: URL): Filters {
  const q = url.searchParams;
  const pick = (name: string, ok: (v: string) => boolean) => {
    const v = q.get(name) ?? '';
    return ok(v) ? v : '';
  };
  return {
    kind: pick('kind', (v) => v in KINDS),
    status: pick('status', (v) => v in STATUSES),
    barber: pick('barber', (v) => UUID.test(v)),
    from: pick('from', (v) => parsePlainDate(v) !== null),
    to: pick('to', (v) => parsePlainDate(v) !== null),
  };
}

/** The filters as the service takes them: whole days in the shop's zone, `to` included. */
export function paymentQuery(f: Filters, timezone: string, cursor: string | null): PaymentQuery {
  const from = f.from ? parsePlainDate(f.from) : null;
  const to = f.to ? parsePlainDate(f.to) : null;
  return {
    limit: PAGE_SIZE,
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.barber ? { barber_id: f.barber } : {}),
    ...(from ? { from: zonedTimeToUtc(from, 0, timezone).toISOString() } : {}),
    ...(to ? { to: zonedTimeToUtc(addDays(to, 1), 0, timezone).toISOString() } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

function query(f: Filters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function activeBarbers(services: Services, slug: string): Promise<{ id: string; name: string }[]> {
  const page = await publicShopPage(services.db, slug);
  if (!page) return [];
  const shop = JSON.parse(page.body) as { barbers?: { id: string; display_name: string }[] };
  return (shop.barbers ?? []).map((b) => ({ id: b.id, name: b.display_name }));
}

export async function loadPayments(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return refused(o);
  const url = new URL(request.url);
  const filters = readFilters(url);
  const cursor = url.searchParams.get('cursor');
  const locale = visitorLocale(request);
  const tz = o.shop.timezone;
  try {
    const [list, barbers] = await Promise.all([
      shopPayments(services, o.userId, o.shop.id, paymentQuery(filters, tz, cursor)),
      activeBarbers(services, o.shop.slug),
    ]);
    const page: PaymentsPage = {
      shopId: o.shop.id,
      shopName: o.shop.name,
      timezone: tz,
      currency: o.shop.currency,
      filters,
      barbers,
      lines: list.data.map((p) => paymentLine(p, tz, locale)),
      totals: list.totals.map((t) => totalsLine(t, locale)),
      older: list.next_cursor ? `/manage/${o.shop.id}/payments${query(filters, { cursor: list.next_cursor })}` : null,
      newest: `/manage/${o.shop.id}/payments${query(filters)}`,
      paged: cursor !== null,
    };
    return data({ page, problem: null, status: 200 }, { headers: o.headers });
  } catch (err) {
    const r = refusalOf(err);
    const problem = r.status === 422 ? 'That page of payments does not exist any more. Start again from the newest.' : r.problem;
    return data({ page: null, problem, status: r.status }, { status: r.status, headers: o.headers });
  }
}

export interface RefundResult {
  id: string;
  ok: boolean;
  /** review: the owner is asked to confirm `amountCents`; edit: back to the amount; done: refunded. */
  step: 'review' | 'edit' | 'done' | 'error';
  text: string;
  amountCents: number | null;
  amountInput: string;
  /** The error belongs to the amount field. */
  field: boolean;
}

/**
 * The Refund action in two steps: `review` checks the amount against what is left and asks to
 * confirm; `refund` makes it through refundPayment, which decides again (a refund racing this one
 * may have taken some of what was left).
 */
export async function refundFromPage(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  const form = await request.formData();
  const id = String(form.get('payment') ?? '');
  const appointmentId = String(form.get('appointment') ?? '');
  const intent = String(form.get('intent') ?? '');
  const amountInput = String(form.get('amount') ?? '').trim();
  const answer = (status: number, r: Omit<RefundResult, 'id' | 'amountInput'>) =>
    data({ id, amountInput, ...r } satisfies RefundResult, { status, headers: o.headers });
  const fail = (status: number, text: string, field = false) => answer(status, { ok: false, step: 'error', text, amountCents: null, field });
  if (!o.ok) return fail(o.status, o.problem);
  if (!UUID.test(id) || !UUID.test(appointmentId) || !['review', 'edit', 'refund'].includes(intent)) {
    return fail(422, 'That refund is not available.');
  }
  if (intent === 'edit') return answer(200, { ok: true, step: 'edit', text: '', amountCents: null, field: false });
  const locale = visitorLocale(request);
  try {
    // The charge as this shop's list has it: a payment of another shop is not found here.
    const list = await shopPayments(services, o.userId, o.shop.id, { appointment_id: appointmentId, limit: 100 });
    const row = list.data.find((p) => p.id === id);
    if (!row) return fail(404, 'No such payment at this shop.');
    const money = (cents: number) => formatMoney(cents, row.currency, locale);
    if (row.refundable_cents <= 0) return fail(409, 'Nothing is left to refund on this payment.');
    const cents = amountInput === '' ? row.refundable_cents : parseAmountInput(amountInput, row.currency);
    if (cents === null) return fail(422, `Enter an amount like ${formatAmountInput(row.refundable_cents, row.currency)}.`, true);
    const tooMuch = () => fail(422, `That is more than is left: at most ${money(row.refundable_cents)} can be refunded on this charge.`, true);
    if (cents > row.refundable_cents) return tooMuch();
    if (intent === 'review') {
      return answer(200, {
        ok: true,
        step: 'review',
        text: `Refund ${money(cents)} of ${row.client.name || 'the client'}’s ${kindText(row.kind, row.reason).toLowerCase()}? This cannot be undone.`,
        amountCents: cents,
        field: false,
      });
    }
    try {
      const refund = await refundPayment(services, o.userId, id, { amount_cents: cents });
      const pending = refund.status === 'succeeded' ? '' : ' Stripe is still processing it.';
      return answer(200, { ok: true, step: 'done', text: `Refunded ${money(refund.amount_cents)}.${pending}`, amountCents: refund.amount_cents, field: false });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.extra.reason === 'exceeds_refundable') {
        const again = await shopPayments(services, o.userId, o.shop.id, { appointment_id: appointmentId, limit: 100 });
        const left = again.data.find((p) => p.id === id)?.refundable_cents ?? 0;
        return fail(422, left > 0 ? `That is more than is left: at most ${money(left)} can be refunded on this charge.` : 'Nothing is left to refund on this payment.', true);
      }
      if (err.extra.reason === 'refund_refused') return fail(409, 'Stripe refused the refund, so nothing was refunded. Try again later or refund from your Stripe dashboard.');
      if (err.extra.reason === 'not_refundable') return fail(409, 'Only a payment that went through can be refunded.');
      throw err;
    }
  } catch (err) {
    const r = refusalOf(err);
    return fail(r.status, r.problem);
  }
}

