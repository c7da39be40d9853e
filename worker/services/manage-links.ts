/**
 * Manage links, the service: what a signed link (worker/notifications/manage-links.ts) may do
 * with its appointment now, and the cancel it allows — through `settle`, with the client as the
 * actor, so the same rules and money decisions apply as to POST /appointments/{id}/cancel.
 *
 * Refusals (problem+json, stable codes):
 * - 400 `link_invalid`: not a link we signed (malformed, tampered, signed with another key).
 * - 403 `forbidden` (reason `purpose`): a real link, for another purpose (a view link cannot cancel).
 * - 410 `link_expired`: past its expiry, or its appointment is cancelled, over or gone
 *   (reason `expired` | `cancelled` | `past` | `gone`).
 * - 409 `link_used`: a single-use (cancel) link that has been used.
 */
import { claimManageLink, manageTarget, releaseManageLink, type ManageTarget } from '../db/queries/manage-links';
import { decideCancellation, type CancelOutcome } from '../domain/cancellation';
import { ApiError } from '../lib/errors';
import { wireInstant } from '../lib/wire';
import { SINGLE_USE, verifyManageToken, type ManageClaims, type ManagePurpose } from '../notifications/manage-links';
import { settle, type SettleResult } from './booking';
import type { Services } from './container';

const ACTIVE = new Set(['held', 'pending_payment', 'confirmed']);

export interface ManageLinkView {
  purpose: ManagePurpose;
  expires_at: string;
  appointment: {
    id: string;
    status: ManageTarget['status'];
    start_time: string;
    end_time: string;
    timezone: string;
    shop: { name: string; slug: string };
    barber_name: string;
    service_name: string;
    price_cents: number;
    currency: string;
    /** Paid up front and not refunded. */
    paid_cents: number;
  };
  /** What this link lets its holder do (each link has one purpose; viewing comes with all). */
  allows: { view: true; reschedule: boolean; cancel: boolean };
  /** For a reschedule link: where to choose the new time (the shop's booking page, this appointment named). */
  reschedule_path: string | null;
  /** For a cancel link: what cancelling now would mean for money, by the shop's policy. */
  cancellation: { late: boolean; outcome: CancelOutcome; fee_cents: number; refund_cents: number; charge_cents: number; currency: string } | null;
}

async function verified(services: Services, token: string, purpose: ManagePurpose | ManagePurpose[]): Promise<ManageClaims> {
  const result = await verifyManageToken(services.config.SESSION_SECRET, token, purpose);
  if (result.ok) return result.claims;
  switch (result.reason) {
    case 'expired':
      throw new ApiError('link_expired', 'This link has expired', { reason: 'expired' });
    case 'wrong_purpose':
      throw new ApiError('forbidden', 'This link is not for that', { reason: 'purpose' });
    default:
      if (result.reason === 'bad_signature') services.logger.warn('manage link refused', { reason: result.reason });
      throw new ApiError('link_invalid', 'This link is incomplete or has been altered', { reason: result.reason });
  }
}

/** Why a link to this appointment is dead now, or null while it lives. */
function deadReason(target: ManageTarget | null, claims: ManageClaims, now: number): ApiError | null {
  if (!target) return new ApiError('link_expired', 'This appointment no longer exists', { reason: 'gone' });
  if (SINGLE_USE.has(claims.purpose) && target.used) return new ApiError('link_used', 'This link has already been used', { reason: 'used' });
  if (target.status === 'cancelled') return new ApiError('link_expired', 'This appointment has been cancelled', { reason: 'cancelled' });
  if (!ACTIVE.has(target.status) || target.end_ms <= now) return new ApiError('link_expired', 'This appointment is over', { reason: 'past' });
  return null;
}

/** GET /api/v1/manage: the appointment behind a link of any purpose, and what the link allows. */
export async function viewWithLink(services: Services, token: string): Promise<ManageLinkView> {
  const claims = await verified(services, token, ['view', 'reschedule', 'cancel']);
  const target = await manageTarget(services.db, claims.appointmentId, claims.jti);
  const now = Date.now();
  const dead = deadReason(target, claims, now);
  if (dead) throw dead;
  const t = target!;
  const paid = Math.max(0, t.paid_cents - t.refunded_cents);
  const decision =
    claims.purpose === 'cancel'
      ? decideCancellation({ policy: t.policy, startMs: t.start_ms, nowMs: now, priceCents: t.price_cents, paidCents: paid, by: 'client' })
      : null;
  return {
    purpose: claims.purpose,
    expires_at: wireInstant(Math.min(claims.expiresMs, t.end_ms)),
    appointment: {
      id: t.id,
      status: t.status,
      start_time: wireInstant(t.start_ms),
      end_time: wireInstant(t.end_ms),
      timezone: t.timezone,
      shop: { name: t.shop_name, slug: t.shop_slug },
      barber_name: t.barber_name,
      service_name: t.service_name,
      price_cents: t.price_cents,
      currency: t.currency,
      paid_cents: paid,
    },
    allows: { view: true, reschedule: claims.purpose === 'reschedule', cancel: claims.purpose === 'cancel' },
    reschedule_path: claims.purpose === 'reschedule' ? `/s/${encodeURIComponent(t.shop_slug)}?reschedule=${t.id}` : null,
    cancellation: decision
      ? {
          late: decision.late,
          outcome: decision.outcome,
          fee_cents: decision.feeCents,
          refund_cents: decision.refundCents,
          charge_cents: decision.chargeCents,
          currency: t.currency,
        }
      : null,
  };
}

/**
 * POST /api/v1/manage/cancel: cancels as the appointment's client. The link is claimed first, in
 * the statement that checks the appointment is still live (a replay or a racing second click is
 * `link_used`); if the cancel then fails, the claim is given back so the link can be tried again.
 */
export async function cancelWithLink(services: Services, token: string, reason: string | null): Promise<SettleResult> {
  const claims = await verified(services, token, 'cancel');
  const claim = await claimManageLink(services.db, { jti: claims.jti, appointmentId: claims.appointmentId, purpose: claims.purpose });
  if (claim.outcome !== 'claimed') {
    if (claim.outcome === 'used') throw new ApiError('link_used', 'This link has already been used', { reason: 'used' });
    // Dead: say why (one more read, on the refusal path only).
    const target = await manageTarget(services.db, claims.appointmentId, claims.jti);
    throw deadReason(target, claims, Date.now()) ?? new ApiError('link_expired', 'This appointment can no longer be changed', { reason: 'past' });
  }
  try {
    return await settle(services, claim.clientId, claims.appointmentId, 'cancel', reason);
  } catch (err) {
    await releaseManageLink(services.db, claims.jti).catch((e: unknown) => services.logger.warn('manage link claim not released', { err: e }));
    throw err;
  }
}
