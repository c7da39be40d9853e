/**
 * Booking: every write that occupies or frees a barber's time is routed to that barber's
 * Durable Object (worker/do/barber-schedule.ts), which checks it against the slot engine under a
 * lock and writes it in one statement. This layer finds the right object, checks who may act,
 * and turns the object's answers into API errors.
 */
import type { AppointmentRecord } from '../db/queries/booking';
import { loadShopSnapshots, locateAppointment, markArrived, resolveStaffClient, type AppointmentLocator } from '../db/queries/booking';
import type { BookInput, ScheduleError, SettleKind, UpfrontPlan } from '../do/barber-schedule';
import type { CancelDecision } from '../domain/cancellation';
import { checkBooking, normaliseSnapshot, type ScheduleSnapshot } from '../domain/schedule';
import { formatPlainDate, localDate } from '../domain/time';
import { shopClientsByPhoneLast4 } from '../db/queries/clients';
import { decryptPhone, encryptPhone, normalizePhone, samePhone } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { currentMetrics } from '../lib/metrics';
import { wireInstant } from '../lib/wire';
import { owedCents } from '../domain/payments';
import type { AppointmentView } from './appointments';
import type { Services } from './container';
import { executeMovements, upfrontForNewHold, type PaymentHandle } from './payments';
import type { MovementOutcome } from '../db/queries/payments';
import type { Movement } from '../db/queries/booking';
import { appointmentEvents, type AppointmentEvent } from './appointment-events';
import { walkInFollowUp } from './walk-ins';
import { telemetry } from '../lib/telemetry';

/** Booking answers are the same appointment object the reads return. */
export type AppointmentDetail = AppointmentView;
/** A new booking: the appointment and, for a hold, what to pay (null when nothing is due, or Stripe was unreachable). */
export type BookedAppointment = AppointmentDetail & { payment: PaymentHandle | null };

export function appointmentDetail(r: AppointmentRecord): AppointmentDetail {
  return {
    id: r.id,
    shop_id: r.shop_id,
    barber_id: r.barber_id,
    client_id: r.client_id,
    service_id: r.service_id,
    start_time: wireInstant(r.start_ms),
    end_time: wireInstant(r.end_ms),
    status: r.status,
    hold_expires_at: r.hold_expires_ms === null ? null : wireInstant(r.hold_expires_ms),
    price_cents: r.price_cents,
    deposit_cents: r.deposit_cents,
    currency: r.currency,
    notes: r.notes,
    source: r.source,
    arrived_at: r.arrived_ms === null ? null : wireInstant(r.arrived_ms),
    cancelled_at: r.cancelled_ms === null ? null : wireInstant(r.cancelled_ms),
    cancel_reason: r.cancel_reason,
    settlement: r.settlement,
    fee_cents: r.fee_cents,
    refund_due_cents: r.refund_due_cents,
    paid_cents: r.paid_cents,
    refunded_cents: r.refunded_cents,
    owed_cents: owedCents({ status: r.status, priceCents: r.price_cents, paidCents: r.paid_cents, refundedCents: r.refunded_cents, feeCents: r.fee_cents }),
    created_at: wireInstant(r.created_ms),
    timezone: r.timezone,
    service_name: r.service_name,
    barber_name: r.barber_name,
  };
}

/** Adds what the object spent to the request's Neon count (Server-Timing), then unwraps. */
function unwrap<R extends { ok: boolean; neon: number }>(result: R): Extract<R, { ok: true }> {
  const metrics = currentMetrics();
  if (metrics) metrics.neonRequests += result.neon;
  if (!result.ok) throw scheduleError((result as unknown as { error: ScheduleError }).error);
  return result as Extract<R, { ok: true }>;
}

function scheduleError(error: ScheduleError): ApiError {
  if (error.code === 'slot_unavailable') telemetry().count('booking_conflicts_total', { reason: error.reason ?? 'taken' });
  const errors = error.reason ? [{ path: 'json.start_time', message: error.detail, code: error.reason }] : undefined;
  const headers: Record<string, string> = error.code === 'dependency_unavailable' ? { 'Retry-After': '1' } : {};
  return new ApiError(error.code, error.detail, { ...(errors ? { errors } : {}), ...(error.reason ? { reason: error.reason } : {}), headers });
}

/**
 * An exception out of the barber's object (reset or evicted mid-call, overloaded) says nothing
 * about whether its write happened — expected outcomes come back as values. Like a database
 * answer lost on the way, that is a retryable 503: the statement was all or nothing, and the
 * object rebuilds its snapshot from Postgres when it starts again.
 */
async function viaObject<P extends PromiseLike<unknown>>(services: Services, call: () => P): Promise<Awaited<P>> {
  try {
    return await call();
  } catch (err) {
    services.logger.error('the barber’s schedule object failed mid-call', { err });
    throw new ApiError('dependency_unavailable', 'The barber’s schedule did not answer; please retry', { reason: 'busy', headers: { 'Retry-After': '1' } });
  }
}

export interface NewClientFields {
  email?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
}

export interface CreateAppointmentInput {
  barberId: string | 'any';
  shopId?: string;
  serviceId: string;
  startMs: number;
  notes: string | null;
  /** Staff booking for someone else: an existing client of the shop, or one by e-mail. */
  clientId?: string;
  client?: NewClientFields;
  source?: 'staff' | 'walk_in';
  appointmentId?: string;
}

/**
 * Books a slot. A client books for themself (one Neon request: the object's write). Staff book for
 * a client by id or e-mail, creating the client if new (one more statement that also checks the
 * caller is staff of the shop). `barberId: 'any'` tries the shop's free barbers, least booked
 * that day first, each through their own object, until one takes it.
 */
export async function createAppointment(services: Services, actorId: string, input: CreateAppointmentInput): Promise<BookedAppointment> {
  const forSomeoneElse = input.clientId !== undefined || input.client !== undefined;
  if ((forSomeoneElse || input.barberId === 'any') && !input.shopId) {
    throw new ApiError('validation_failed', 'shop_id is required for this booking', {
      errors: [{ path: 'json.shop_id', message: forSomeoneElse ? 'Required when booking for a client' : 'Required when barber_id is "any"' }],
    });
  }
  let clientId = actorId;
  if (forSomeoneElse) clientId = await staffClient(services, actorId, input.shopId!, input);
  const book: BookInput = {
    clientId,
    serviceId: input.serviceId,
    startMs: input.startMs,
    notes: input.notes,
    source: forSomeoneElse ? (input.source ?? 'staff') : 'online',
    actorId,
    enforceClientLimit: !forSomeoneElse,
    ...(input.appointmentId ? { appointmentId: input.appointmentId } : {}),
    ...(input.shopId ? { shopId: input.shopId } : {}),
  };
  const booked =
    input.barberId !== 'any'
      ? unwrap(await viaObject(services, () => services.barberSchedule(input.barberId).book(input.barberId, book)))
      : await bookAnyBarber(services, input.shopId!, book);
  const payment = await upfrontForNewHold(services, booked.appointment, booked.plan);
  return { ...appointmentDetail(booked.appointment), payment };
}

async function staffClient(services: Services, actorId: string, shopId: string, input: CreateAppointmentInput): Promise<string> {
  const client = input.client;
  let clientId = input.clientId;
  if (clientId === undefined && !client?.email) {
    // By phone only: an existing client of the shop with exactly this number (one more statement:
    // only the last four digits are stored in the clear, so candidates are decrypted and compared).
    const digits = client?.phone ? normalizePhone(client.phone) : '';
    if (digits.length < 4) {
      throw new ApiError('validation_failed', 'Name the client by client_id, e-mail or phone', {
        errors: [{ path: 'json.client', message: 'Give client_id, or client.email (a new client), or client.phone (an existing one)' }],
      });
    }
    clientId = (await shopClientByPhone(services, shopId, digits)) ?? undefined;
    if (clientId === undefined && (!client?.first_name?.trim() || !plausiblePhone(digits))) {
      // Only staff learn whether the number is known (error path only: one more statement).
      const probe = await resolveStaffClient(services.db, { shopId, actorId, clientId: '00000000-0000-0000-0000-000000000000' });
      if (!probe.staff) throw new ApiError('forbidden', 'Only the shop’s barbers and owners book for clients');
    }
    if (clientId === undefined && !client?.first_name?.trim()) {
      // New to the shop by phone alone: created from first name + phone (no e-mail, no password).
      throw new ApiError('unprocessable', 'No client of this shop has that phone number; add their first name to create them', {
        errors: [{ path: 'json.client.first_name', message: 'Required for a client who is new to the shop' }],
      });
    }
    if (clientId === undefined && !plausiblePhone(digits)) {
      throw new ApiError('unprocessable', 'That is not a phone number a text can reach', {
        errors: [{ path: 'json.client.phone', message: 'Enter the full mobile number, with the area code' }],
      });
    }
  }
  const phone = client?.phone && clientId === undefined ? await encryptPhone(client.phone, services.config.FIELD_ENCRYPTION_KEYS) : null;
  const resolved = await resolveStaffClient(services.db, {
    shopId,
    actorId,
    ...(clientId !== undefined
      ? { clientId }
      : {
          email: client!.email ?? null,
          firstName: client!.first_name ?? '',
          lastName: client!.last_name ?? '',
          phoneEnc: phone?.phoneEnc ?? null,
          phoneLast4: phone?.phoneLast4 ?? null,
        }),
  });
  if (!resolved.staff) throw new ApiError('forbidden', 'Only the shop’s barbers and owners book for clients');
  if (!resolved.clientId) {
    throw new ApiError('not_found', 'No such client at this shop', { errors: [{ path: 'json.client_id', message: 'Not a client of this shop' }] });
  }
  return resolved.clientId;
}

const sameLocalDay = (a: number, b: number, tz: string) => formatPlainDate(localDate(new Date(a), tz)) === formatPlainDate(localDate(new Date(b), tz));

/** A whole number a text can reach: 7 to 15 digits (E.164 allows at most 15). */
export function plausiblePhone(digits: string): boolean {
  return digits.length >= 7 && digits.length <= 15;
}

/**
 * The client of the shop with exactly this phone number, or null (one statement: only the last
 * four digits are stored in the clear, so candidates are decrypted and compared here).
 */
export async function shopClientByPhone(services: Services, shopId: string, digits: string): Promise<string | null> {
  const candidates = await shopClientsByPhoneLast4(services.db, shopId, digits.slice(-4));
  for (const c of candidates) {
    const stored = c.phoneEnc ? await decryptPhone(c.phoneEnc, services.config.FIELD_ENCRYPTION_KEYS, services.logger) : null;
    if (stored && samePhone(stored, digits)) return c.id;
  }
  return null;
}

/** The least booked barbers first (booked minutes on the slot's local day), among those free for it. */
export function rankForAnyBarber(snapshots: ScheduleSnapshot[], serviceId: string, startMs: number, now: number): ScheduleSnapshot[] {
  const booked = (s: ScheduleSnapshot) => {
    const day = formatPlainDate(localDate(new Date(startMs), s.timezone));
    return s.busy
      .filter((b) => formatPlainDate(localDate(new Date(b.start), s.timezone)) === day)
      .reduce((sum, b) => sum + (b.end - b.start), 0);
  };
  return snapshots
    .filter((s) => checkBooking(s, serviceId, startMs, now).ok)
    .map((s) => ({ s, minutes: booked(s) }))
    .sort((a, b) => a.minutes - b.minutes || a.s.barber_id.localeCompare(b.s.barber_id))
    .map((x) => x.s);
}

async function bookAnyBarber(services: Services, shopId: string, book: BookInput): Promise<{ appointment: AppointmentRecord; plan: UpfrontPlan | null }> {
  const snapshots = (await loadShopSnapshots(services.db, shopId, book.serviceId)).map((r) => normaliseSnapshot(r) as ScheduleSnapshot);
  if (snapshots.length === 0) throw new ApiError('not_found', 'No barber of this shop offers this service');
  const now = Date.now();
  const ranked = rankForAnyBarber(snapshots, book.serviceId, book.startMs, now);
  let lastError: ScheduleError | null = null;
  for (const snap of ranked) {
    const result = await viaObject(services, () => services.barberSchedule(snap.barber_id).book(snap.barber_id, book));
    const metrics = currentMetrics();
    if (metrics) metrics.neonRequests += result.neon;
    if (result.ok) return result;
    lastError = (result as unknown as { error: ScheduleError }).error;
    // Lost a race for this barber: try the next. Anything else (limit, outage) is the answer.
    if (lastError.code !== 'slot_unavailable') break;
  }
  if (lastError) throw scheduleError(lastError);
  // Nobody was free on the snapshots: say why for the first barber, the way a single booking would.
  const first = snapshots[0]!;
  const check = checkBooking(first, book.serviceId, book.startMs, now);
  throw scheduleError({ code: 'slot_unavailable', reason: check.ok ? 'taken' : check.reason, detail: 'No barber is free at this time' });
}

/**
 * The client hears what moved: a refund that went through, a fee charged or one that could not be
 * (queue messages, keyed by the movement, so a retried settle tells them once). A refund still
 * processing at Stripe is not announced (its later webhook updates the row only).
 */
async function tellClientOfMoney(services: Services, a: AppointmentRecord, movements: Movement[], sent: Map<string, MovementOutcome>): Promise<void> {
  const events: AppointmentEvent[] = [];
  for (const m of movements) {
    const status = sent.get(m.id)?.status ?? m.status;
    if (m.kind === 'refund' && status === 'succeeded') events.push({ kind: 'payment_refunded', appointment: a, refund: { id: m.id, amount_cents: m.amount_cents, reason: m.reason } });
    if (m.kind === 'fee' && (status === 'succeeded' || status === 'failed')) {
      events.push({
        kind: status === 'succeeded' ? 'fee_charged' : 'fee_failed',
        appointment: a,
        fee: { id: m.id, amount_cents: m.amount_cents, reason: m.reason, failure: sent.get(m.id)?.failureReason ?? m.failure_reason },
      });
    }
  }
  const results = await Promise.allSettled(events.flatMap((e) => appointmentEvents(e)).map((msg) => services.notify(msg)));
  for (const r of results) if (r.status === 'rejected') services.logger.error('telling the client of a money movement failed', { err: r.reason });
}

/** Finds an appointment and how the caller relates to it; strangers get the same 404 as a bad id. */
async function locate(services: Services, actorId: string, appointmentId: string): Promise<AppointmentLocator> {
  const found = await locateAppointment(services.db, appointmentId, actorId);
  if (!found || found.relation === 'none') throw new ApiError('not_found', 'No such appointment');
  return found;
}

const isShop = (relation: AppointmentLocator['relation']) => relation === 'barber' || relation === 'owner' || relation === 'admin';

export interface RescheduleInput {
  startMs: number;
  /** Move to another barber of the same shop (staff, or a client within policy). */
  barberId?: string;
}

export async function rescheduleAppointment(services: Services, actorId: string, appointmentId: string, input: RescheduleInput): Promise<AppointmentDetail> {
  const found = await locate(services, actorId, appointmentId);
  if (!['held', 'pending_payment', 'confirmed'].includes(found.status)) {
    throw new ApiError('conflict', `A ${found.status} appointment cannot be rescheduled`, { reason: 'status' });
  }
  const targetBarber = input.barberId ?? found.barber_id;
  const result = unwrap(
    await viaObject(services, () => services.barberSchedule(targetBarber).reschedule(targetBarber, {
      appointmentId,
      fromBarberId: found.barber_id,
      fromStartMs: found.start_ms,
      serviceId: found.service_id,
      startMs: input.startMs,
      actorId,
      shopId: found.shop_id,
      by: isShop(found.relation) ? 'shop' : 'client',
    })),
  );
  return appointmentDetail(result.appointment);
}

/** How long before its start a client may be checked in (they come early; the day sheet shows it). */
export const CHECK_IN_EARLY_MINUTES = 120;

/** Marks the client of a confirmed appointment arrived (the shop's side only); repeating it is harmless. */
export async function checkIn(services: Services, actorId: string, appointmentId: string): Promise<AppointmentDetail> {
  const { found, appointment } = await markArrived(services.db, appointmentId, actorId, CHECK_IN_EARLY_MINUTES);
  if (!found || found.relation === 'none') throw new ApiError('not_found', 'No such appointment');
  if (!isShop(found.relation)) throw new ApiError('forbidden', 'Only the shop checks clients in');
  if (appointment) return appointmentDetail(appointment);
  if (found.status !== 'confirmed') {
    throw new ApiError('conflict', `A ${found.status.replace('_', ' ')} appointment cannot be checked in`, { reason: 'status' });
  }
  throw new ApiError('conflict', `Check-in opens ${CHECK_IN_EARLY_MINUTES / 60} hours before the appointment`, { reason: 'too_early' });
}

export interface SettleResult {
  appointment: AppointmentDetail;
  /** The money decision recorded with a cancellation or no-show. */
  settlement: { outcome: CancelDecision['outcome']; late: boolean; fee_cents: number; refund_cents: number; charge_cents: number; currency: string } | null;
  /** The refund and fee the decision moved, as Stripe answered (a declined fee says why). */
  movements: { id: string; kind: 'refund' | 'fee'; status: string; amount_cents: number; failure_reason: string | null }[];
}

export async function settle(
  services: Services,
  actorId: string,
  appointmentId: string,
  kind: SettleKind,
  reason: string | null = null,
): Promise<SettleResult> {
  const found = await locate(services, actorId, appointmentId);
  const shopSide = isShop(found.relation);
  if ((kind === 'complete' || kind === 'no_show') && !shopSide) throw new ApiError('forbidden', 'Only the shop marks appointments completed or no-show');
  if (kind === 'confirm' && found.relation !== 'client' && !shopSide) throw new ApiError('forbidden', 'Not your appointment');
  if (kind === 'no_show' && found.arrived_ms !== null) {
    throw new ApiError('conflict', 'The client checked in; they were not a no-show', { reason: 'arrived' });
  }
  // A client who checked in early may be seen early; otherwise nothing is settled before it starts.
  if ((kind === 'complete' || kind === 'no_show') && Date.now() < found.start_ms && !(kind === 'complete' && found.arrived_ms !== null)) {
    throw new ApiError('conflict', 'The appointment has not started yet', { reason: 'not_started' });
  }
  const result = unwrap(
    await viaObject(services, () => services.barberSchedule(found.barber_id).settle(found.barber_id, {
      appointmentId,
      kind,
      actorId,
      by: shopSide ? 'shop' : 'client',
      reason,
    })),
  );
  const d = result.decision;
  const sent = new Map<string, MovementOutcome>((await executeMovements(services, result.movements)).map((o) => [o.id, o]));
  const movements = result.movements.map((m) => {
    const o = sent.get(m.id);
    const status = o ? (o.status === 'retry' ? m.status : o.status) : m.status;
    return { id: m.id, kind: m.kind, status, amount_cents: m.amount_cents, failure_reason: o?.failureReason ?? m.failure_reason };
  });
  const moved = movements.reduce(
    (acc, m) => (m.status === 'succeeded' ? (m.kind === 'refund' ? { ...acc, refunded: acc.refunded + m.amount_cents } : { ...acc, paid: acc.paid + m.amount_cents }) : acc),
    { paid: 0, refunded: 0 },
  );
  const a = result.appointment;
  const after = { ...a, paid_cents: a.paid_cents + moved.paid, refunded_cents: a.refunded_cents + moved.refunded };
  await tellClientOfMoney(services, after, result.movements, sent);
  // Today's chair changed: walk-ins may move earlier (finished early) and someone may be next.
  if (kind !== 'confirm' && sameLocalDay(a.start_ms, Date.now(), a.timezone)) await walkInFollowUp(services, a.shop_id, a.barber_id, kind);
  return {
    movements,
    appointment: appointmentDetail(after),
    settlement: d
      ? { outcome: d.outcome, late: d.late, fee_cents: d.feeCents, refund_cents: d.refundCents, charge_cents: d.chargeCents, currency: result.appointment.currency }
      : null,
  };
}
