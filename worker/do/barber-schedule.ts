import { DurableObject } from 'cloudflare:workers';
import { loadConfig, type AppConfig } from '../env';
import { createDb, isDatabaseUnavailable, type Db } from '../db/client';
import {
  insertAppointment,
  loadSnapshot,
  moveAppointment,
  releaseExpiredHolds,
  settleAppointment,
  waitlistCandidates,
  type AppointmentRecord,
  type InsertAppointment,
  type SnapshotRecord,
  type WaitlistCandidate,
  type WriteResult,
} from '../db/queries/booking';
import { checkBooking, depositFor, normaliseSnapshot, rejectionText, type BookingRejection, type ScheduleSnapshot } from '../domain/schedule';
import { decideCancellation, decideNoShow, isInsideCancelWindow, type CancelDecision } from '../domain/cancellation';
import { toZonedParts } from '../domain/time';
import { checkWalkIn } from '../domain/walk-ins';
import { upfrontKind } from '../domain/payments';
import type { ErrorCode } from '../lib/errors';
import { createLogger, type Logger } from '../lib/logger';
import { currentMetrics, newMetrics, runWithMetrics } from '../lib/metrics';
import { LockTimeoutError, Mutex } from '../lib/mutex';
import { isTransientSqlState, sqlState } from '../lib/pg-errors';
import { redisClient } from '../lib/redis';
import { bumpAvailabilityEpochs } from '../services/availability-cache';
import { appointmentEvents, type AppointmentEvent } from '../services/appointment-events';
import { enqueueNotification } from '../queue/messages';
import { applyHoldSecured, type HoldSecured, type HoldSecuredResult } from '../db/queries/payments';
import type { Movement } from '../db/queries/booking';
import { appointmentById } from '../db/queries/recovery';
import { telemetry } from '../lib/telemetry';

/** How long a request waits for this barber's lock before it is told to retry (503). */
const LOCK_WAIT_MS = 5_000;

export type ScheduleError = { code: ErrorCode; reason?: BookingRejection | string; detail: string };
/** Every RPC answers a value (never throws for expected outcomes) and reports its Neon requests. */
export type ScheduleResult<T> = ({ ok: true } & T & { neon: number }) | { ok: false; error: ScheduleError; neon: number };

export interface BookInput {
  clientId: string;
  serviceId: string;
  startMs: number;
  notes: string | null;
  source: InsertAppointment['source'];
  actorId: string;
  /** Apply the per-client limit of future bookings (client self-service). */
  enforceClientLimit: boolean;
  /** Id chosen by the caller (idempotent retries and tests); a new one otherwise. */
  appointmentId?: string;
  /** The shop the caller was authorised for: a barber of another shop is "not found". */
  shopId?: string;
  /**
   * A walk-in (domain/walk-ins.ts): today only, on a 5-minute grid, no minimum notice; hours,
   * breaks, time off, buffers and bookings apply as to any booking, and nothing is taken up front.
   */
  walkIn?: boolean;
}

export interface MoveInput {
  appointmentId: string;
  /** The appointment's shop: a move may only go to a barber of the same shop. */
  shopId: string;
  /** A client may move only outside the cancellation window; the shop always may. */
  by: 'client' | 'shop';
  fromBarberId: string;
  fromStartMs: number;
  serviceId: string;
  startMs: number;
  actorId: string;
  /** Moving a walk-in (earlier, when the chair frees up): checked with the walk-in rules. */
  walkIn?: boolean;
}

export type SettleKind = 'cancel' | 'complete' | 'no_show' | 'confirm';

/**
 * What a booking asks for up front, decided on the snapshot: an amount to pay now (deposit or the
 * full price) or, for a card-on-file shop, a card to save. `saveCard`: keep the card for fees.
 */
export interface UpfrontPlan {
  kind: 'deposit' | 'full' | 'setup';
  amountCents: number;
  currency: string;
  stripeAccountId: string;
  saveCard: boolean;
  /** The client's Stripe customer as the booking statement found it (null: none yet). */
  customerId?: string | null;
}

export interface SecureHoldAnswer {
  outcome: HoldSecuredResult['outcome'];
  appointment: AppointmentRecord | null;
  refund: HoldSecuredResult['refund'];
  /** With `moved`: the barber whose object to ask instead. */
  currentBarberId: string | null;
}

export type SecureHoldInput = Omit<HoldSecured, 'barberId' | 'rebook' | 'expectedVersion'> & {
  /** false: never book a lapsed hold again (a retry after the constraint refused it). */
  rebook?: boolean;
};

export interface SettleInput {
  appointmentId: string;
  kind: SettleKind;
  actorId: string | null;
  /** Who is acting, for the money decision: the client or the shop. */
  by: 'client' | 'shop';
  reason: string | null;
}

/** Time a write freed; `candidates` when the write's own statement already found who is waiting for it. */
type Freed = { startMs: number; endMs: number; candidates?: WaitlistCandidate[] };
type Answer<T> = ({ ok: true } & T) | { ok: false; error: ScheduleError };

/**
 * One instance per barber (idFromName(barberId)). The object owns the barber's time: every write
 * that occupies or frees it — book, hold, confirm, reschedule in or out, cancel, complete,
 * no-show, release — runs here under `#lock`, is checked against the pure slot engine on the
 * object's snapshot, and is written in ONE statement that also asserts the barber's
 * `schedule_version` is the one the snapshot was taken at. A stale version (hours changed, a
 * reschedule moved an appointment away) comes back with the fresh snapshot in the same answer;
 * the object checks again and retries once. The exclusion constraint stays the backstop.
 *
 * The snapshot is kept in memory and in the object's storage, so a warm or re-awakened object
 * books in one Neon request; only its very first request loads it.
 */
export class BarberSchedule extends DurableObject<Env> {
  readonly #lock = new Mutex();
  #barberId: string | undefined;
  #snapshot: ScheduleSnapshot | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.#barberId = (await ctx.storage.get<string>('barber_id')) ?? undefined;
      this.#snapshot = (await ctx.storage.get<ScheduleSnapshot>('snapshot')) ?? undefined;
    });
  }

  // ── RPC ──────────────────────────────────────────────────────────────────────────────────

  async book(barberId: string, input: BookInput): Promise<ScheduleResult<{ appointment: AppointmentRecord; plan: UpfrontPlan | null }>> {
    return this.#run<{ appointment: AppointmentRecord; plan: UpfrontPlan | null }>(barberId, 'book', async (ctx) => {
      const appointmentId = input.appointmentId ?? crypto.randomUUID();
      let outcome: { ok: true; appointment: AppointmentRecord; plan: UpfrontPlan | null } | { ok: false; error: ScheduleError } | undefined;
      for (let attempt = 0; attempt < 3 && !outcome; attempt++) {
        const snap = await this.#ensureSnapshot(ctx);
        if (input.shopId !== undefined && snap.shop_id !== input.shopId) return { ok: false as const, error: notInShop() };
        const now = Date.now();
        const check = input.walkIn ? checkWalkIn(snap, input.serviceId, input.startMs, now) : checkBooking(snap, input.serviceId, input.startMs, now);
        if (!check.ok) {
          if (this.#mayBeStale(ctx, check.reason)) continue;
          return { ok: false as const, error: rejected(check.reason) };
        }
        const deposit = input.walkIn ? 0 : depositFor(snap.policy, check.offering.price_cents);
        // A card-on-file shop holds an online booking until the card is saved (when payments are on).
        const wantsCard = snap.policy.card_on_file && deposit === 0 && input.source === 'online' && snap.payments_ready === true;
        if (deposit > 0 && !(snap.payments_ready === true && snap.stripe_account_id)) {
          if (this.#mayBeStale(ctx, 'payments')) continue;
          return {
            ok: false as const,
            error: {
              code: 'payments_unavailable' as const,
              reason: 'shop_not_connected',
              detail: 'This shop takes a deposit but cannot accept card payments yet; book a service without one, or contact the shop',
            },
          };
        }
        const result = await this.#write(ctx, () =>
          insertAppointment(ctx.db, snap.version, {
            id: appointmentId,
            shopId: snap.shop_id,
            barberId: snap.barber_id,
            clientId: input.clientId,
            serviceId: input.serviceId,
            startMs: input.startMs,
            endMs: check.end,
            status: deposit > 0 ? 'held' : wantsCard ? 'card_on_file' : 'confirmed',
            holdMinutes: snap.policy.hold_minutes,
            priceCents: check.offering.price_cents,
            depositCents: deposit,
            currency: snap.currency,
            notes: input.notes,
            source: input.source,
            actorId: input.actorId,
            clientLimit: input.enforceClientLimit ? snap.policy.max_future_bookings : null,
          }),
        );
        if ('error' in result) {
          // The statement may have committed with its answer lost. The id is this object's choice,
          // so ask once: a booking that landed is answered as booked, not as a 503 to retry into "taken".
          const landed = result.error.code === 'dependency_unavailable' ? await this.#landed(ctx, appointmentId, input) : null;
          if (!landed) return { ok: false as const, error: result.error };
          ctx.logger.warn('a booking whose answer was lost had committed', { appointment_id: appointmentId });
          this.#afterWrite(ctx, { version: null, released: [], wasCurrent: false }, {});
          outcome = await this.#booked(snap, ctx, landed, deposit, check.offering.price_cents, undefined);
          telemetry(this.env).count('bookings_created_total', { source: input.source, status: landed.status });
          break;
        }
        if (result.version === null) {
          if (input.enforceClientLimit && (result.client_active ?? 0) >= snap.policy.max_future_bookings) {
            return {
              ok: false as const,
              error: {
                code: 'conflict' as const,
                reason: 'booking_limit',
                detail: `A client may hold at most ${snap.policy.max_future_bookings} upcoming bookings at this shop`,
              },
            };
          }
          this.#adopt(ctx, result.snapshot); // stale: check again against what is really there
          continue;
        }
        if (!result.appointment) throw new Error('booking statement bumped the version but inserted nothing');
        this.#afterWrite(ctx, result, { add: result.appointment });
        outcome = await this.#booked(snap, ctx, result.appointment, deposit, check.offering.price_cents, result.stripe_customer_id ?? null);
        telemetry(this.env).count('bookings_created_total', { source: input.source, status: result.appointment.status });
      }
      return outcome ?? { ok: false as const, error: busyError('The schedule kept changing; please retry') };
    });
  }

  /** A new booking's follow-ups: its hold's alarm, its message, and what it asks for up front. */
  async #booked(
    snap: ScheduleSnapshot,
    ctx: OpContext,
    appointment: AppointmentRecord,
    deposit: number,
    priceCents: number,
    customerId: string | null | undefined,
  ): Promise<{ ok: true; appointment: AppointmentRecord; plan: UpfrontPlan | null }> {
    if (appointment.status === 'held' && appointment.hold_expires_ms !== null) await this.#armAlarm(appointment.hold_expires_ms);
    ctx.events.push({ kind: appointment.status === 'held' ? 'held' : 'confirmed', appointment });
    const plan: UpfrontPlan | null =
      appointment.status !== 'held' || !snap.stripe_account_id
        ? null
        : {
            kind: deposit === 0 ? 'setup' : upfrontKind(deposit, priceCents),
            amountCents: deposit,
            currency: snap.currency,
            stripeAccountId: snap.stripe_account_id,
            saveCard: snap.policy.card_on_file,
            // undefined: not known here (the payment step looks the customer up).
            ...(customerId !== undefined ? { customerId } : {}),
          };
    return { ok: true, appointment, plan };
  }

  /** The booking `appointmentId` if its statement committed after all (this client, this start, active); else null. */
  async #landed(ctx: OpContext, appointmentId: string, input: BookInput): Promise<AppointmentRecord | null> {
    try {
      // The write already waited out a whole deadline inside this barber's lock; the look-up gets a
      // short one of its own, or one hung statement would hold every queued booking for two.
      const quick = createDb({ ...ctx.config, NEON_DEADLINE_MS: Math.min(LANDED_LOOKUP_DEADLINE_MS, ctx.config.NEON_DEADLINE_MS ?? LANDED_LOOKUP_DEADLINE_MS) });
      const found = await appointmentById(quick, appointmentId);
      if (!found || found.client_id !== input.clientId || found.start_ms !== input.startMs) return null;
      return ['held', 'pending_payment', 'confirmed'].includes(found.status) ? found : null;
    } catch {
      return null; // no answer again: the 503 stands
    }
  }

  /** Moves an appointment INTO this barber's schedule (same barber or from another one). */
  async reschedule(barberId: string, input: MoveInput): Promise<ScheduleResult<{ appointment: AppointmentRecord }>> {
    return this.#run<{ appointment: AppointmentRecord }>(barberId, 'reschedule', async (ctx) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const snap = await this.#ensureSnapshot(ctx);
        if (snap.shop_id !== input.shopId) return { ok: false as const, error: notInShop() };
        const now = Date.now();
        if (input.by === 'client' && isInsideCancelWindow(snap.policy, input.fromStartMs, now)) {
          return {
            ok: false as const,
            error: {
              code: 'conflict' as const,
              reason: 'inside_cancel_window',
              detail: `Too close to the appointment to reschedule online (inside the ${snap.policy.cancel_window_hours} h window); cancel or call the shop`,
            },
          };
        }
        const check = input.walkIn
          ? checkWalkIn(snap, input.serviceId, input.startMs, now, input.appointmentId)
          : checkBooking(snap, input.serviceId, input.startMs, now, input.appointmentId);
        if (!check.ok) {
          if (this.#mayBeStale(ctx, check.reason)) continue;
          return { ok: false as const, error: rejected(check.reason) };
        }
        const result = await this.#write(ctx, () =>
          moveAppointment(ctx.db, snap.version, {
            id: input.appointmentId,
            fromBarberId: input.fromBarberId,
            fromStartMs: input.fromStartMs,
            toBarberId: snap.barber_id,
            startMs: input.startMs,
            endMs: check.end,
            actorId: input.actorId,
          }),
        );
        if ('error' in result) return { ok: false as const, error: result.error };
        if (result.version === null) {
          this.#adopt(ctx, result.snapshot);
          continue;
        }
        if (!result.appointment) {
          return {
            ok: false as const,
            error: { code: 'conflict' as const, reason: 'changed', detail: 'The appointment changed meanwhile; reload it and try again' },
          };
        }
        this.#afterWrite(ctx, result, { add: result.appointment, removeId: input.appointmentId });
        ctx.events.push({ kind: 'rescheduled', appointment: result.appointment, previousStartMs: input.fromStartMs });
        const freed = { startMs: input.fromStartMs, endMs: input.fromStartMs + (result.appointment.end_ms - result.appointment.start_ms) };
        if (input.fromBarberId === snap.barber_id) ctx.freed.push({ ...freed, ...(result.candidates ? { candidates: result.candidates } : {}) });
        else ctx.freedElsewhere.push({ barberId: input.fromBarberId, appointmentId: input.appointmentId, ...freed });
        return { ok: true as const, appointment: result.appointment };
      }
      return { ok: false as const, error: busyError('The schedule kept changing; please retry') };
    });
  }

  /** Cancel, complete, mark a no-show or confirm a hold — with the money decision recorded. */
  async settle(
    barberId: string,
    input: SettleInput,
  ): Promise<ScheduleResult<{ appointment: AppointmentRecord; decision: CancelDecision | null; movements: Movement[] }>> {
    return this.#run<{ appointment: AppointmentRecord; decision: CancelDecision | null; movements: Movement[] }>(barberId, input.kind, async (ctx) => {
      let snap = await this.#ensureSnapshot(ctx);
      const now = Date.now();
      let busy = snap.busy.find((b) => b.id === input.appointmentId);
      if (!busy) {
        // Not in the snapshot (written around the object, or the snapshot is older): look again.
        this.#snapshot = undefined;
        snap = await this.#ensureSnapshot(ctx);
        busy = snap.busy.find((b) => b.id === input.appointmentId);
      }
      let decision: CancelDecision | null = null;
      let settlement: string | null = null;
      let requireCard = false;
      let from: readonly string[];
      let to: 'cancelled' | 'completed' | 'no_show' | 'confirmed';
      let action: string;
      switch (input.kind) {
        case 'cancel':
          from = ['held', 'pending_payment', 'confirmed'];
          to = 'cancelled';
          action = 'appointment.cancelled';
          if (busy) {
            decision = decideCancellation({
              policy: snap.policy,
              startMs: busy.start,
              nowMs: now,
              priceCents: busy.price_cents,
              paidCents: busy.paid_cents,
              by: input.by,
            });
            settlement = decision.outcome;
          }
          break;
        case 'complete':
          from = ['confirmed'];
          to = 'completed';
          action = 'appointment.completed';
          break;
        case 'no_show': {
          from = ['confirmed'];
          to = 'no_show';
          action = 'appointment.no_show';
          if (busy) {
            decision = decideNoShow({ policy: snap.policy, priceCents: busy.price_cents, paidCents: busy.paid_cents });
            settlement = decision.outcome;
          }
          break;
        }
        case 'confirm':
          from = ['held', 'pending_payment'];
          to = 'confirmed';
          action = 'appointment.confirmed';
          if (busy && busy.status === 'held' && busy.hold_expires !== null && busy.hold_expires <= now) {
            return { ok: false as const, error: { code: 'hold_expired' as const, detail: 'The hold on this slot has expired' } };
          }
          // A card-on-file shop confirms a hold only once the client has a card saved.
          requireCard = snap.policy.card_on_file && snap.payments_ready === true && (busy?.deposit_cents ?? 0) === 0;
          // A hold with a deposit due is confirmed by its payment (the webhook), never by asking.
          if (busy && busy.deposit_cents > busy.paid_cents) {
            return {
              ok: false as const,
              error: {
                code: 'payment_required' as const,
                reason: 'deposit_due',
                detail: 'Pay the deposit to confirm this booking: POST /api/v1/appointments/{id}/payment',
              },
            };
          }
          break;
      }
      const result = await this.#write(ctx, () =>
        settleAppointment(ctx.db, {
          id: input.appointmentId,
          barberId: snap.barber_id,
          fromStatuses: from,
          toStatus: to,
          actorId: input.actorId,
          action,
          reason: input.kind === 'cancel' ? (input.reason ?? (input.by === 'client' ? 'client_cancelled' : 'shop_cancelled')) : null,
          settlement,
          feeCents: decision?.feeCents ?? 0,
          refundDueCents: decision?.refundCents ?? 0,
          refundCents: decision?.refundCents ?? 0,
          refundReason: input.by === 'shop' ? 'shop_cancelled' : 'cancel_refund',
          chargeCents: decision?.chargeCents ?? 0,
          chargeReason: input.kind === 'no_show' ? 'no_show_fee' : 'late_cancel_fee',
          expectedVersion: snap.version,
          requireCard,
        }),
      );
      if ('error' in result) return { ok: false as const, error: result.error };
      if (!result.appointment && requireCard && result.hasCard === false) {
        return {
          ok: false as const,
          error: { code: 'payment_required' as const, reason: 'card_required', detail: 'This shop asks for a card on file: save one to confirm (POST /api/v1/appointments/{id}/payment)' },
        };
      }
      if (!result.appointment) {
        return {
          ok: false as const,
          error: {
            code: input.kind === 'confirm' ? ('hold_expired' as const) : ('conflict' as const),
            reason: 'status',
            detail: `The appointment cannot be ${pastTense[input.kind]} in its current state`,
          },
        };
      }
      const stillActive = to === 'confirmed';
      this.#afterWrite(ctx, result, stillActive ? { add: result.appointment, removeId: input.appointmentId } : { removeId: input.appointmentId });
      if (!stillActive && result.appointment.end_ms > now) {
        ctx.freed.push({
          startMs: Math.max(result.appointment.start_ms, now),
          endMs: result.appointment.end_ms,
          ...(result.candidates ? { candidates: result.candidates } : {}),
        });
      }
      ctx.events.push({ kind: eventKind[input.kind], appointment: result.appointment });
      return { ok: true as const, appointment: result.appointment, decision, movements: result.movements ?? [] };
    });
  }

  /**
   * A held booking was paid for, or its card saved (a Stripe webhook): confirm it — or, if its
   * hold lapsed and the time was released, book it again when the time is still free — in one
   * statement that also records the event and the payment (queries/payments.ts applyHoldSecured).
   * When the slot is gone the payment is recorded as owed back; the caller sends the refund.
   */
  async secureHold(
    barberId: string,
    input: SecureHoldInput,
  ): Promise<ScheduleResult<SecureHoldAnswer>> {
    return this.#run<SecureHoldAnswer>(barberId, 'secure_hold', async (ctx) => {
      const snap = await this.#ensureSnapshot(ctx);
      const before = snap.busy.find((b) => b.id === input.appointmentId);
      const result = await this.#write(ctx, () =>
        applyHoldSecured(ctx.db, {
          ...input,
          barberId: snap.barber_id,
          rebook: input.rebook !== false && snap.active && snap.shop_active,
          expectedVersion: snap.version,
        }),
      );
      if ('error' in result) return { ok: false as const, error: result.error };
      if (result.outcome === 'moved') {
        return { ok: true as const, outcome: result.outcome, appointment: null, refund: null, currentBarberId: result.currentBarberId };
      }
      const a = result.appointment;
      if (result.version !== null && a && !result.versionWasCurrent) {
        // Something else moved this barber's version since the snapshot (hours, the shop's payment
        // state): the snapshot cannot simply adopt the new number — reload it before the next write.
        this.#snapshot = undefined;
        ctx.persist = true;
        ctx.epochBump = true;
        ctx.events.push({ kind: 'confirmed', appointment: { ...a, status: 'confirmed', hold_expires_ms: null } });
      } else if (result.version !== null && a) {
        const paid = (before?.paid_cents ?? a.paid_cents - a.refunded_cents) + (input.payment?.amountCents ?? 0);
        this.#afterWrite(ctx, { version: result.version, released: [] }, { add: { ...a, status: 'confirmed', hold_expires_ms: null }, removeId: a.id, paidCents: paid });
        ctx.events.push({ kind: 'confirmed', appointment: { ...a, status: 'confirmed', hold_expires_ms: null } });
      }
      if (result.version !== null && a && input.payment) {
        ctx.events.push({
          kind: 'payment_receipt',
          appointment: { ...a, status: 'confirmed', hold_expires_ms: null },
          payment: { id: input.payment.paymentIntentId, amount_cents: input.payment.amountCents, kind: input.payment.kind },
        });
      }
      if (result.refund && a) ctx.events.push({ kind: 'payment_refunded', appointment: a, refund: result.refund });
      return { ok: true as const, outcome: result.outcome, appointment: a, refund: result.refund, currentBarberId: result.currentBarberId };
    });
  }

  /** Releases this barber's lapsed holds (alarm, cron safety net); returns how many. */
  async releaseExpiredHolds(barberId: string): Promise<number> {
    const result = await this.#run<{ released: number }>(barberId, 'release', async (ctx) => {
      const snap = await this.#ensureSnapshot(ctx);
      const answer = await this.#write(ctx, () => releaseExpiredHolds(ctx.db, snap.barber_id, snap.version));
      if ('error' in answer) return { ok: false as const, error: answer.error };
      if (answer.version !== null) this.#afterWrite(ctx, answer, {});
      if (answer.nextExpiryMs !== null) await this.#armAlarm(answer.nextExpiryMs, true);
      if (answer.released.length > 0) telemetry(this.env).count('holds_expired_total', {}, answer.released.length);
      return { ok: true as const, released: answer.released.length };
    });
    if (!result.ok) throw new Error(result.error.detail);
    return result.released;
  }

  /**
   * An appointment of this barber was moved to another barber (by that barber's object). Its time
   * is dropped from the snapshot at once — otherwise this object would keep refusing the slot as
   * taken — and offered to the waitlist. The snapshot's version is now behind Postgres (the move
   * bumped it), so the next write here also comes back with a fresh snapshot.
   */
  async movedAway(barberId: string, moved: Freed & { appointmentId: string }): Promise<{ neon: number }> {
    const result = await this.#run<object>(barberId, 'moved_away', async (ctx) => {
      if (this.#snapshot) {
        this.#snapshot = { ...this.#snapshot, busy: this.#snapshot.busy.filter((b) => b.id !== moved.appointmentId) };
        ctx.persist = true;
      }
      ctx.freed.push({ startMs: moved.startMs, endMs: moved.endMs });
      return { ok: true as const };
    });
    return { neon: result.neon };
  }

  /** Current version of this barber's schedule as the object knows it (tests, observability). */
  async version(): Promise<number | null> {
    return this.#snapshot?.version ?? null;
  }

  /** Requests queued for or holding the lock right now. */
  async queueDepth(): Promise<number> {
    return this.#lock.pending;
  }

  override async alarm(): Promise<void> {
    if (!this.#barberId) return;
    const released = await this.releaseExpiredHolds(this.#barberId);
    createLogger('info', { do: 'BarberSchedule', barber_id: this.#barberId }).info('expired holds released', { released });
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  /**
   * Runs one operation under the lock, counting its Neon requests, then (outside the lock's
   * critical path but before answering) publishes what changed: availability caches, queue
   * messages, waitlist offers for freed time.
   */
  async #run<T extends object>(
    claimedBarberId: string,
    op: string,
    work: (ctx: OpContext) => Promise<Answer<T>>,
  ): Promise<ScheduleResult<T>> {
    const metrics = newMetrics();
    return runWithMetrics(metrics, async () => {
      const config = loadConfig(this.env);
      const logger = createLogger(config.LOG_LEVEL, { do: 'BarberSchedule', op });
      let ctx: OpContext;
      try {
        const barberId = await this.#identify(claimedBarberId);
        ctx = { barberId, config, logger, db: createDb(config), events: [], freed: [], freedElsewhere: [], epochBump: false };
      } catch (err) {
        logger.error('refused a call for another barber', { err });
        return { ok: false, error: { code: 'internal_error', detail: 'Wrong schedule object' }, neon: 0 };
      }
      let answer: Answer<T>;
      try {
        answer = await this.#lock.run(async () => {
          const result = await work(ctx);
          if (ctx.freed.length > 0) await this.#offerToWaitlist(ctx);
          return result;
        }, { waitMs: LOCK_WAIT_MS });
      } catch (err) {
        if (err instanceof UnknownBarber) {
          return { ok: false, error: { code: 'not_found', detail: 'No such barber' }, neon: metrics.neonRequests };
        }
        if (err instanceof LockTimeoutError) {
          logger.warn('schedule lock wait exceeded', { waited_ms: err.waitedMs, queue: this.#lock.pending });
          return { ok: false, error: busyError('This barber’s schedule is busy; please retry'), neon: metrics.neonRequests };
        }
        if (isDatabaseUnavailable(err)) {
          // A read (the snapshot, waitlist candidates) got no answer. The error's wrappers would not
          // survive the RPC, so answer the retryable 503 here; the snapshot is reloaded next time.
          this.#snapshot = undefined;
          logger.warn('schedule read got no answer', { err: (err as Error).message });
          return { ok: false, error: busyError('The database did not answer; please retry'), neon: metrics.neonRequests };
        }
        throw err;
      }
      await this.#publish(ctx);
      return { ...answer, neon: metrics.neonRequests } as ScheduleResult<T>;
    });
  }

  /**
   * The barber this object belongs to, from its own name — never from the caller alone: the
   * caller's claim must hash to this object's id.
   */
  async #identify(claimed: string): Promise<string> {
    if (this.#barberId) {
      if (claimed !== this.#barberId) throw new Error(`object of barber ${this.#barberId} called for ${claimed}`);
      return this.#barberId;
    }
    const own = this.ctx.id.name;
    const matches = own !== undefined ? own === claimed : this.env.BARBER_SCHEDULE.idFromName(claimed).equals(this.ctx.id);
    if (!matches) throw new Error(`object called for barber ${claimed}, which is not its name`);
    this.#barberId = claimed;
    await this.ctx.storage.put('barber_id', claimed);
    return claimed;
  }

  async #ensureSnapshot(ctx: OpContext): Promise<ScheduleSnapshot> {
    if (this.#snapshot) return this.#snapshot;
    const record = await loadSnapshot(ctx.db, ctx.barberId);
    if (!record) throw new UnknownBarber();
    this.#adopt(ctx, record);
    return this.#snapshot!;
  }

  /**
   * Before refusing on the snapshot for anything but "taken", make sure it is current: hours,
   * time off, offerings, policy and the shop's payment state change outside this object (their
   * triggers move the version, which only a write would notice). Busy time changes only here, so
   * a race's losers are still turned away without a Neon request; other refusals cost one reload.
   * True: the snapshot was dropped, check again.
   */
  #mayBeStale(ctx: OpContext, reason: BookingRejection | 'payments'): boolean {
    if (reason === 'taken' || ctx.reloaded) return false;
    ctx.reloaded = true;
    this.#snapshot = undefined;
    return true;
  }

  #adopt(ctx: OpContext, record: SnapshotRecord | null): void {
    if (!record) {
      this.#snapshot = undefined;
      return;
    }
    this.#snapshot = normaliseSnapshot(record) as ScheduleSnapshot;
    ctx.persist = true;
    ctx.reloaded = true;
  }

  /** A write, with Postgres' own verdicts turned into answers and an unknown outcome reloaded. */
  async #write<R>(ctx: OpContext, statement: () => Promise<R>): Promise<R | { error: ScheduleError }> {
    try {
      return await statement();
    } catch (err) {
      // Whatever happened, the snapshot may no longer match the database: reload before the next write.
      this.#snapshot = undefined;
      await this.ctx.storage.delete('snapshot');
      const state = sqlState(err);
      if (state?.code === '23P01') return { error: rejected('taken') };
      // Drizzle wraps the driver's error, which wraps the fetch's: look through them.
      if (isDatabaseUnavailable(err)) {
        ctx.logger.warn('schedule write got no answer', { err: (err as Error).message });
        return { error: busyError('The database did not answer; please retry') };
      }
      if (state && isTransientSqlState(state.code)) {
        // Rolled back for reasons of the moment (a deadlock, a timeout): nothing was written.
        ctx.logger.warn('schedule write rolled back by the database', { sqlstate: state.code });
        return { error: busyError('The database could not take this write now; please retry') };
      }
      throw err;
    }
  }

  /** Folds a successful write into the snapshot: new version, busy time added/removed, lapsed holds gone. */
  #afterWrite(
    ctx: OpContext,
    result: Pick<WriteResult, 'version' | 'released' | 'wasCurrent'>,
    change: { add?: AppointmentRecord; removeId?: string; paidCents?: number },
  ): void {
    ctx.epochBump = true;
    const snap = this.#snapshot;
    if (!snap) return;
    const releasedIds = new Set(result.released.map((r) => r.id));
    for (const r of result.released) ctx.freed.push({ startMs: r.start_ms, endMs: r.end_ms });
    if (result.wasCurrent === false) {
      // The version moved under the snapshot (hours, policy, the shop's payments): reload it.
      this.#snapshot = undefined;
      ctx.persist = true;
      return;
    }
    const busy = snap.busy.filter((b) => !releasedIds.has(b.id) && b.id !== change.removeId);
    if (change.add) {
      const a = change.add;
      busy.push({
        id: a.id,
        client_id: a.client_id,
        service_id: a.service_id,
        start: a.start_ms,
        end: a.end_ms,
        status: a.status,
        hold_expires: a.hold_expires_ms,
        price_cents: a.price_cents,
        deposit_cents: a.deposit_cents,
        paid_cents: change.paidCents ?? (change.removeId ? (snap.busy.find((b) => b.id === change.removeId)?.paid_cents ?? 0) : 0),
      });
      busy.sort((x, y) => x.start - y.start);
    }
    this.#snapshot = { ...snap, busy, version: result.version ?? snap.version };
    ctx.persist = true;
  }

  /**
   * Freed time goes to the waitlist: the first waiting entry whose service fits at the freed
   * start gets a hold (source 'waitlist') and a message. One offer per freed interval; when it
   * lapses, the alarm releases it and the next entry gets the same treatment.
   */
  async #offerToWaitlist(ctx: OpContext): Promise<void> {
    const freed = ctx.freed.splice(0);
    for (const slot of freed) {
      const snap = await this.#ensureSnapshot(ctx);
      if (slot.endMs <= Date.now()) continue;
      const candidates = slot.candidates ?? (await waitlistCandidates(ctx.db, snap.shop_id, snap.barber_id, slot));
      for (const entry of candidates) {
        const start = slot.startMs;
        if (start < entry.window_start_ms || start >= entry.window_end_ms) continue;
        if (entry.day_start_minute !== null && entry.day_end_minute !== null) {
          const local = toZonedParts(new Date(start), snap.timezone);
          const minute = local.hour * 60 + local.minute;
          if (minute < entry.day_start_minute || minute >= entry.day_end_minute) continue;
        }
        const check = checkBooking(snap, entry.service_id, start, Date.now());
        if (!check.ok) continue;
        const result = await this.#write(ctx, () =>
          insertAppointment(ctx.db, snap.version, {
            id: crypto.randomUUID(),
            shopId: snap.shop_id,
            barberId: snap.barber_id,
            clientId: entry.client_id,
            serviceId: entry.service_id,
            startMs: start,
            endMs: check.end,
            status: 'held',
            holdMinutes: snap.policy.waitlist_offer_minutes,
            priceCents: check.offering.price_cents,
            depositCents: depositFor(snap.policy, check.offering.price_cents),
            currency: snap.currency,
            notes: null,
            source: 'waitlist',
            actorId: entry.client_id,
            clientLimit: null,
            waitlistEntryId: entry.id,
          }),
        );
        if ('error' in result || result.version === null || !result.appointment) {
          if (!('error' in result) && result.version === null) this.#adopt(ctx, result.snapshot);
          continue;
        }
        this.#afterWrite(ctx, result, { add: result.appointment });
        if (result.appointment.hold_expires_ms !== null) await this.#armAlarm(result.appointment.hold_expires_ms);
        ctx.events.push({ kind: 'waitlist_offer', appointment: result.appointment, waitlistEntryId: entry.id });
        break;
      }
    }
  }

  async #armAlarm(at: number, replace = false): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (replace || current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /** After the lock: persist the snapshot, move availability epochs, enqueue messages. */
  async #publish(ctx: OpContext): Promise<void> {
    if (ctx.persist) {
      if (this.#snapshot) await this.ctx.storage.put('snapshot', this.#snapshot);
      else await this.ctx.storage.delete('snapshot');
    }
    const tasks: Promise<unknown>[] = [];
    if (ctx.epochBump) {
      const barbers = [ctx.barberId, ...ctx.freedElsewhere.map((f) => f.barberId)];
      tasks.push(bumpAvailabilityEpochs(redisClient(ctx.config), ctx.config.REDIS_PREFIX, barbers));
    }
    for (const event of ctx.events) {
      for (const message of appointmentEvents(event)) tasks.push(enqueueNotification(this.env.NOTIFICATIONS, message, ctx.config.FIELD_ENCRYPTION_KEYS));
    }
    for (const f of ctx.freedElsewhere) {
      const other = this.env.BARBER_SCHEDULE.get(this.env.BARBER_SCHEDULE.idFromName(f.barberId));
      // Part of this request: its Neon requests (the other object's waitlist lookup) count here too.
      const metrics = currentMetrics();
      tasks.push(
        other.movedAway(f.barberId, { appointmentId: f.appointmentId, startMs: f.startMs, endMs: f.endMs }).then((r) => {
          if (metrics) metrics.neonRequests += r.neon;
        }),
      );
    }
    const results = await Promise.allSettled(tasks);
    for (const r of results) {
      // The write is committed; a lost cache bump or message is logged, never turned into a failure.
      if (r.status === 'rejected') ctx.logger.error('publishing a schedule change failed', { err: r.reason });
    }
  }
}


/** How long the look-up of a booking whose answer was lost may take (see #landed). */
const LANDED_LOOKUP_DEADLINE_MS = 1_500;
interface OpContext {
  barberId: string;
  config: AppConfig;
  logger: Logger;
  db: Db;
  events: AppointmentEvent[];
  freed: Freed[];
  freedElsewhere: (Freed & { barberId: string; appointmentId: string })[];
  epochBump: boolean;
  persist?: boolean;
  /** The snapshot was reloaded during this operation (so a refusal on it is current). */
  reloaded?: boolean;
}

class UnknownBarber extends Error {
  constructor() {
    super('no such barber');
    this.name = 'UnknownBarber';
  }
}

const pastTense: Record<SettleKind, string> = { cancel: 'cancelled', complete: 'completed', no_show: 'marked a no-show', confirm: 'confirmed' };
const eventKind: Record<SettleKind, 'cancelled' | 'completed' | 'no_show' | 'confirmed'> = { cancel: 'cancelled', complete: 'completed', no_show: 'no_show', confirm: 'confirmed' };

function rejected(reason: BookingRejection): ScheduleError {
  if (reason === 'not_offered') return { code: 'unprocessable', reason, detail: rejectionText[reason] };
  if (reason === 'barber_unavailable') return { code: 'not_found', reason, detail: rejectionText[reason] };
  return { code: 'slot_unavailable', reason, detail: rejectionText[reason] };
}

function notInShop(): ScheduleError {
  return { code: 'not_found', reason: 'barber_unavailable', detail: 'No such barber at this shop' };
}

function busyError(detail: string): ScheduleError {
  return { code: 'dependency_unavailable', reason: 'busy', detail };
}
