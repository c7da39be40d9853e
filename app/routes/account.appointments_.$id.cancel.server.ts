import { data, redirect } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { cancelPreview, type CancelPreview } from '../../worker/services/appointments';
import { settle, type SettleResult } from '../../worker/services/booking';
import type { Services } from '../../worker/services/container';
import { formatDateTime, formatMoney, formatZoneName } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { signedIn } from './account.server';

type Decision = CancelPreview['decision'];

/**
 * What cancelling now means for money, in plain words — said before the client confirms. The
 * words follow the decision exactly (domain/cancellation.ts), so the page never promises more
 * or less than the cancel then does.
 */
export function consequence(d: Decision, by: CancelPreview['by'], windowHours: number, locale: string): string {
  const money = (cents: number) => formatMoney(cents, d.currency, locale);
  const window = `less than ${windowHours} ${windowHours === 1 ? 'hour' : 'hours'} before the appointment`;
  switch (d.outcome) {
    case 'refund':
      return by === 'shop'
        ? `The shop is cancelling: the client gets back the ${money(d.refund_cents)} they paid.`
        : `You will get back the ${money(d.refund_cents)} you paid. Nothing is charged.`;
    case 'keep_deposit':
      return `It is ${window}, so the shop keeps your deposit of ${money(d.fee_cents)}. Nothing more is charged.`;
    case 'late_fee': {
      const parts = [`It is ${window}, so a late-cancellation fee of ${money(d.fee_cents)} applies.`];
      if (d.refund_cents > 0) parts.push(`It comes out of what you paid; the other ${money(d.refund_cents)} is refunded to you.`);
      else if (d.charge_cents > 0) parts.push(`${money(d.charge_cents)} will be charged to your card on file.`);
      else parts.push('It comes out of what you paid.');
      return parts.join(' ');
    }
    default:
      return 'Cancelling is free: nothing was paid and no fee applies.';
  }
}

/** What the cancel did, from the decision it recorded and the money it moved. */
export function outcomeText(result: SettleResult, locale: string): string {
  const s = result.settlement;
  if (!s) return 'Nothing was charged.';
  const money = (cents: number) => formatMoney(cents, s.currency, locale);
  const refund = result.movements.find((m) => m.kind === 'refund');
  const fee = result.movements.find((m) => m.kind === 'fee');
  const parts: string[] = [];
  if (s.refund_cents > 0) {
    parts.push(
      refund && refund.status !== 'succeeded' && refund.status !== 'pending'
        ? `A refund of ${money(s.refund_cents)} is due to you; the shop has been told it could not be sent yet.`
        : `${money(s.refund_cents)} will be refunded to you.`,
    );
  }
  if (s.outcome === 'keep_deposit') parts.push(`The shop keeps your deposit of ${money(s.fee_cents)}.`);
  if (s.outcome === 'late_fee') {
    parts.push(`A late-cancellation fee of ${money(s.fee_cents)} applies.`);
    if (fee?.status === 'failed') parts.push('Charging your card for it did not work; the shop will be in touch.');
  }
  return parts.length ? parts.join(' ') : 'Nothing was charged.';
}

export type CancelPage =
  | {
      state: 'confirm';
      id: string;
      title: string;
      when: string;
      barber: string;
      consequence: string;
      late: boolean;
    }
  | { state: 'closed'; title: string };

function title(a: CancelPreview['appointment']): string {
  return `${a.service_name} at ${a.shop_name}`;
}

export async function loadCancelPage(services: Services, request: Request, id: string) {
  const { userId, headers } = await signedIn(services, request);
  const locale = visitorLocale(request);
  try {
    const p = await cancelPreview(services.db, userId, id);
    const a = p.appointment;
    const page: CancelPage = {
      state: 'confirm',
      id: a.id,
      title: title(a),
      when: `${formatDateTime(a.start_ms, a.timezone, locale)} ${formatZoneName(a.timezone, locale, a.start_ms)}`,
      barber: a.barber_name,
      consequence: consequence(p.decision, p.by, p.cancel_window_hours, locale),
      late: p.decision.late,
    };
    return data(page, { headers });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_found') throw new Response('Not found', { status: 404, headers });
    if (err instanceof ApiError && err.code === 'conflict') return data<CancelPage>({ state: 'closed', title: 'This appointment can no longer be cancelled' }, { headers });
    throw err;
  }
}

export type CancelDone = { state: 'done'; text: string } | { state: 'refused'; text: string };

/** The form's action: the same service as POST /api/v1/appointments/{id}/cancel. */
export async function cancelFromPage(services: Services, request: Request, id: string) {
  const { userId, headers } = await signedIn(services, request);
  const form = await request.formData();
  const reasonField = form.get('reason');
  const reason = typeof reasonField === 'string' && reasonField.trim() ? reasonField.trim().slice(0, 300) : null;
  try {
    const result = await settle(services, userId, id, 'cancel', reason);
    return data<CancelDone>({ state: 'done', text: outcomeText(result, visitorLocale(request)) }, { headers });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_found') throw redirect('/account/appointments', { headers });
    if (err instanceof ApiError && err.status < 500) {
      return data<CancelDone>({ state: 'refused', text: err.detail ?? 'This appointment can no longer be cancelled.' }, { status: err.status, headers });
    }
    throw err;
  }
}
