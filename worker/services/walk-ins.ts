/**
 * The walk-in queue. A walk-in is an appointment (`source = 'walk_in'`) written through the
 * barber's Durable Object like any booking (the object re-checks `taken` under its lock, one Neon
 * write, the exclusion constraint behind it), so a walk-in and an online booking can never hold
 * the same time. Placement and estimates are pure (domain/walk-ins.ts); this layer reads the
 * shop's board in one statement, authorises, and turns the results into tickets.
 *
 * Neon round trips: quote 1 (the board); join 3 for a returning client (board, phone lookup, the
 * object's write) and 4 for a new one (+ the client insert), plus one per barber that lost a race
 * (409 → next); queue 1; status 1; leave 2 (board + the object's cancel).
 */
import { walkInBoard, walkInBoardOfAppointment, ensureWalkInClient, shopsWithWaitingWalkIns, type WalkInBoard, type WalkInDayRow } from '../db/queries/walk-ins';
import { normaliseSnapshot, offeringOf, type ScheduleSnapshot } from '../domain/schedule';
import {
  bookedMinutesToday,
  earliestWalkInStart,
  earlierPlacements,
  estimatedStarts,
  placeWalkIn,
  walkInState,
  type DayAppointment,
  type WalkInState,
} from '../domain/walk-ins';
import { encryptPhone, normalizePhone } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { currentMetrics } from '../lib/metrics';
import { telemetry } from '../lib/telemetry';
import { wireInstant } from '../lib/wire';
import { checkLimit } from '../middleware/rate-limit';
import { signManageToken, verifyManageToken } from '../notifications/manage-links';
import { smsRecipient } from '../queue/messages';
import { plausiblePhone, shopClientByPhone } from './booking';
import type { Services } from './container';

export interface WalkInTicket {
  id: string /* the appointment id */;
  shop_id: string;
  barber: { id: string; name: string };
  service: { id: string; name: string };
  client_name: string;
  start_time: string;
  end_time: string;
  wait_minutes: number;
  position: number /* 1 = next; 0 once in the chair, done or left */;
  status: WalkInState;
  status_url: string /* signed, no login */;
}

export interface WalkInQuote {
  barber: { id: string; name: string };
  start_time: string;
  wait_minutes: number;
}

export interface WalkInQueue {
  shop: { id: string; name: string; timezone: string };
  now: string;
  entries: WalkInTicket[];
  barbers: { id: string; name: string; next_free: string | null; booked_minutes: number }[];
}

export interface JoinWalkInInput {
  serviceId: string;
  barberId: string | 'any';
  firstName: string;
  lastName?: string;
  phone: string;
  /** Public joins: the caller's address, for the rate limit (the route passes it). */
  ip?: string;
}

/** Public joins per address per 10 minutes. */
export const WALK_IN_JOINS_PER_WINDOW = 10;
/** A status link lives until this long after the walk-in's end. */
const STATUS_LINK_GRACE_MS = 12 * 3_600_000;
const MINUTE = 60_000;

const snapshotsOf = (b: WalkInBoard): ScheduleSnapshot[] => b.snapshots.map((r) => normaliseSnapshot(r) as ScheduleSnapshot);

async function loadBoard(services: Services, shopId: string, callerUserId: string | null): Promise<WalkInBoard> {
  const board = await walkInBoard(services.db, shopId, callerUserId);
  if (!board) throw new ApiError('not_found', 'No such shop');
  return board;
}

/** The status link: a manage-link token with its own purpose (it can only see and leave). */
export async function walkInStatusToken(services: Services, appointmentId: string, endMs: number): Promise<string> {
  return signManageToken(services.config.SESSION_SECRET, { appointmentId, purpose: 'walk_in', expiresMs: endMs + STATUS_LINK_GRACE_MS });
}

export function walkInStatusUrl(services: Services, shopSlug: string, token: string): string {
  return new URL(`/s/${shopSlug}/walk-in/${token}`, services.config.APP_ORIGIN).toString();
}

/** Where a new walk-in would go now: the domain's first choice, or null when nothing fits today. */
export async function quoteWalkIn(services: Services, shopId: string, input: { serviceId: string; barberId: string | 'any' }): Promise<WalkInQuote | null> {
  const board = await loadBoard(services, shopId, null);
  return quoteOn(board, input, Date.now());
}

function quoteOn(board: WalkInBoard, input: { serviceId: string; barberId: string | 'any' }, now: number): WalkInQuote | null {
  const snaps = snapshotsOf(board).filter((s) => input.barberId === 'any' || s.barber_id === input.barberId);
  if (snaps.length === 0 || !snaps.some((s) => offeringOf(s, input.serviceId))) {
    throw new ApiError('not_found', input.barberId === 'any' ? 'No barber of this shop offers this service' : 'This barber does not offer this service here');
  }
  const best = placeWalkIn(snaps, input.serviceId, now)[0];
  if (!best) return null;
  return { barber: { id: best.barber_id, name: best.barber_name }, start_time: wireInstant(best.start), wait_minutes: waitMinutes(best.start, now) };
}

const waitMinutes = (startMs: number, now: number) => Math.max(0, Math.ceil((startMs - now) / MINUTE));

function validateJoin(input: JoinWalkInInput): { firstName: string; lastName: string; digits: string } {
  const firstName = input.firstName.trim();
  const lastName = (input.lastName ?? '').trim();
  const digits = normalizePhone(input.phone);
  const errors = [];
  if (firstName.length === 0 || firstName.length > 100) errors.push({ path: 'json.first_name', message: 'Enter your first name' });
  if (lastName.length > 100) errors.push({ path: 'json.last_name', message: 'At most 100 characters' });
  if (!/^[+()\d\s.-]*$/.test(input.phone) || !plausiblePhone(digits)) {
    errors.push({ path: 'json.phone', message: 'Enter your mobile number with the area code' });
  }
  if (errors.length > 0) throw new ApiError('validation_failed', 'Check the name and phone number', { errors });
  return { firstName, lastName, digits };
}

/**
 * Joins the queue: placed in the first gap that fits today (named barber, or "any": the domain's
 * order, falling to the next barber when the object answers 409 taken). `callerUserId` null is a
 * public / kiosk join (rate-limited per address); staff of the shop may join for a client.
 */
export async function joinWalkIn(services: Services, callerUserId: string | null, shopId: string, input: JoinWalkInInput): Promise<WalkInTicket> {
  if (callerUserId === null) {
    await checkLimit(services, { name: 'walk_in_join', limit: WALK_IN_JOINS_PER_WINDOW, window: '10 m', identifier: `${shopId}|${input.ip ?? 'unknown'}` });
  }
  const { firstName, lastName, digits } = validateJoin(input);
  const board = await loadBoard(services, shopId, callerUserId);
  if (callerUserId !== null && !board.staff) {
    // Signed in but not staff here: a client joins like anyone else (rate-limited, no acting for others).
    await checkLimit(services, { name: 'walk_in_join', limit: WALK_IN_JOINS_PER_WINDOW, window: '10 m', identifier: `${shopId}|${input.ip ?? 'unknown'}` });
    callerUserId = null;
  }
  const now = Date.now();
  const snaps = snapshotsOf(board).filter((s) => input.barberId === 'any' || s.barber_id === input.barberId);
  if (!snaps.some((s) => offeringOf(s, input.serviceId))) throw new ApiError('not_found', 'No barber here offers this service');
  const order = placeWalkIn(snaps, input.serviceId, now);
  if (order.length === 0) throw noGap();

  let clientId = await shopClientByPhone(services, shopId, digits);
  if (!clientId) {
    const phone = await encryptPhone(digits, services.config.FIELD_ENCRYPTION_KEYS);
    clientId = await ensureWalkInClient(services.db, { shopId, clientId: null, firstName, lastName, phoneEnc: phone.phoneEnc!, phoneLast4: phone.phoneLast4! });
  }
  const actorId = callerUserId ?? clientId;
  let lastError: unknown = null;
  for (const place of order) {
    // Taken meanwhile (409 from the object's re-check under its lock): the next barber in order.
    {
      const booked = await services.barberSchedule(place.barber_id).book(place.barber_id, {
        clientId,
        serviceId: input.serviceId,
        startMs: place.start,
        notes: null,
        source: 'walk_in',
        actorId,
        enforceClientLimit: false,
        shopId,
        walkIn: true,
      });
      const metrics = currentMetrics();
      if (metrics) metrics.neonRequests += booked.neon;
      if (!booked.ok) {
        lastError = booked.error;
        if (booked.error.reason === 'taken' || booked.error.reason === 'outside_hours' || booked.error.reason === 'time_off') continue;
        throw new ApiError(booked.error.code, booked.error.detail, booked.error.reason ? { reason: booked.error.reason } : {});
      }
      const a = booked.appointment;
      const row: WalkInDayRow = {
        id: a.id,
        barber_id: a.barber_id,
        client_id: a.client_id,
        service_id: a.service_id,
        service_name: a.service_name,
        start: a.start_ms,
        end: a.end_ms,
        status: a.status,
        source: 'walk_in',
        client_first_name: firstName,
        client_last_name: lastName,
        created: a.created_ms,
        cancelled: null,
      };
      const ticket = (await ticketsOf(services, { ...board, day: [...board.day, row] }, now, [a.id]))[0]!;
      await sendJoinConfirmation(services, board, ticket, a.client_id);
      telemetry().count('walk_ins_joined_total', {});
      return ticket;
    }
  }
  services.logger.info('walk-in lost every gap', { shop_id: shopId, last: lastError });
  throw noGap();
}

const noGap = () => new ApiError('no_gap_today', 'Nobody can fit this in today any more', { reason: 'no_gap_today' });

/** The shop's live queue (staff of the shop only; others 404, a client of the shop 403). */
export async function walkInQueue(services: Services, callerUserId: string, shopId: string): Promise<WalkInQueue> {
  const board = await walkInBoard(services.db, shopId, callerUserId);
  if (!board) throw new ApiError('not_found', 'No such shop');
  if (!board.staff) {
    // A client of the shop learns only that this is for staff; anyone else that there is nothing here.
    throw board.member ? new ApiError('forbidden', 'The queue is for the shop’s staff') : new ApiError('not_found', 'No such shop');
  }
  const now = Date.now();
  const entries = await ticketsOf(services, board, now, null);
  const snaps = snapshotsOf(board);
  return {
    shop: { id: board.shop.id, name: board.shop.name, timezone: board.shop.timezone },
    now: wireInstant(now),
    entries,
    barbers: snaps.map((s) => {
      const shortest = s.offerings.filter((o) => o.active).sort((a, b) => a.duration_min - b.duration_min)[0];
      const free = shortest ? earliestWalkInStart(s, shortest.service_id, now) : null;
      return { id: s.barber_id, name: s.barber_name, next_free: free ? wireInstant(free.start) : null, booked_minutes: bookedMinutesToday(s, now) };
    }),
  };
}

/** A walk-in's own ticket by its signed status link (no login). */
export async function walkInStatus(services: Services, token: string): Promise<WalkInTicket> {
  const appointmentId = await verifiedStatus(services, token);
  const board = await walkInBoardOfAppointment(services.db, appointmentId);
  const ticket = board ? (await ticketsOf(services, board, Date.now(), [appointmentId], token))[0] : undefined;
  if (!ticket) throw new ApiError('not_found', 'No such walk-in');
  return ticket;
}

/** Leaves the queue: the walk-in appointment is cancelled through its barber's object, freeing the gap. */
export async function leaveWalkIn(services: Services, token: string): Promise<void> {
  const appointmentId = await verifiedStatus(services, token);
  const board = await walkInBoardOfAppointment(services.db, appointmentId);
  const row = board?.day.find((d) => d.id === appointmentId && d.source === 'walk_in');
  if (!row) throw new ApiError('not_found', 'No such walk-in');
  if (row.status === 'cancelled') return; // already left: leaving twice is fine
  if (row.status !== 'confirmed' && row.status !== 'held') throw new ApiError('conflict', 'This visit is over', { reason: 'status' });
  const result = await services.barberSchedule(row.barber_id).settle(row.barber_id, {
    appointmentId,
    kind: 'cancel',
    actorId: row.client_id,
    // The shop's side of the money rules: a walk-in who leaves owes nothing.
    by: 'shop',
    reason: 'walk_in_left',
  });
  const metrics = currentMetrics();
  if (metrics) metrics.neonRequests += result.neon;
  if (!result.ok && result.error.reason !== 'status') throw new ApiError(result.error.code, result.error.detail);
}

async function verifiedStatus(services: Services, token: string): Promise<string> {
  const v = await verifyManageToken(services.config.SESSION_SECRET, token, 'walk_in');
  if (!v.ok) throw new ApiError('not_found', 'No such walk-in');
  return v.claims.appointmentId;
}

/**
 * Tickets for the board's walk-ins (all, or only `ids`), with estimates that follow lateness and
 * positions across the shop (1 = the next walk-in to be seen).
 */
async function ticketsOf(services: Services, board: WalkInBoard, now: number, ids: string[] | null, knownToken?: string): Promise<WalkInTicket[]> {
  const names = new Map(board.snapshots.map((s) => [s.barber_id, s.barber_name]));
  const gaps = new Map(snapshotsOf(board).map((s) => [s.barber_id, (s.policy.buffer_before_min + s.policy.buffer_after_min) * MINUTE]));
  const byBarber = new Map<string, DayAppointment[]>();
  for (const d of board.day) {
    // Cancelled before this walk-in existed or not: kept — the state rule reads the one just before.
    const list = byBarber.get(d.barber_id) ?? [];
    list.push({ id: d.id, start: d.start, end: d.end, status: d.status, source: d.source });
    byBarber.set(d.barber_id, list);
  }
  const estimates = new Map<string, number>();
  for (const [barberId, list] of byBarber) for (const [id, est] of estimatedStarts(list, now, gaps.get(barberId) ?? 0)) estimates.set(id, est);

  const walkIns = board.day.filter((d) => d.source === 'walk_in');
  const states = walkIns.map((d) => {
    const day = (byBarber.get(d.barber_id) ?? []).filter((x) => !(x.status === 'cancelled' && d.created > 0 && (board.day.find((r) => r.id === x.id)?.cancelled ?? 0) < d.created));
    const est = estimates.get(d.id) ?? d.start;
    const self: DayAppointment = { id: d.id, start: d.start, end: d.end, status: d.status, source: d.source };
    return { d, est, state: walkInState(self, day, est, now) };
  });
  const queued = states
    .filter((s) => s.state === 'waiting' || s.state === 'next')
    .sort((a, b) => a.est - b.est || a.d.created - b.d.created || a.d.id.localeCompare(b.d.id));
  const position = new Map(queued.map((s, i) => [s.d.id, i + 1]));
  const wanted = ids ? states.filter((s) => ids.includes(s.d.id)) : states.filter((s) => s.state !== 'left');
  return Promise.all(
    wanted
      .sort((a, b) => a.est - b.est || a.d.id.localeCompare(b.d.id))
      .map(async ({ d, est, state }) => {
        const token = knownToken ?? (await walkInStatusToken(services, d.id, d.end));
        return {
          id: d.id,
          shop_id: board.shop.id,
          barber: { id: d.barber_id, name: names.get(d.barber_id) ?? '' },
          service: { id: d.service_id, name: d.service_name },
          client_name: `${d.client_first_name} ${d.client_last_name}`.trim(),
          start_time: wireInstant(Math.max(est, d.start)),
          end_time: wireInstant(Math.max(est, d.start) + (d.end - d.start)),
          wait_minutes: state === 'waiting' || state === 'next' ? waitMinutes(est, now) : 0,
          position: position.get(d.id) ?? 0,
          status: state,
          status_url: walkInStatusUrl(services, board.shop.slug, token),
        };
      }),
  );
}

function smsData(board: WalkInBoard, t: WalkInTicket, clientId: string, firstName: string): Record<string, unknown> {
  return {
    appointment_id: t.id,
    shop_id: board.shop.id,
    shop_name: board.shop.name,
    client_id: clientId,
    client_first_name: firstName,
    barber_name: t.barber.name,
    service_name: t.service.name,
    start_time: t.start_time,
    end_time: t.end_time,
    timezone: board.shop.timezone,
  };
}

/** The join text with the status link (once per walk-in: keyed by the appointment). */
async function sendJoinConfirmation(services: Services, board: WalkInBoard, ticket: WalkInTicket, clientId: string): Promise<void> {
  const first = ticket.client_name.split(' ')[0] ?? '';
  await services.notify({
    dedupe_key: `walk_in:${ticket.id}:joined`,
    channel: 'sms',
    to: smsRecipient(clientId),
    template: 'walk_in.joined',
    data: smsData(board, ticket, clientId, first),
    secrets: { link: ticket.status_url },
  });
}

/**
 * "You're next" texts for every walk-in of the board that is next now. The key
 * `walk_in:<appointment id>:next` makes it one text per walk-in however many triggers fire
 * (settle, cancel, the cron): the consumer sends a key once.
 */
export async function notifyNextWalkIns(services: Services, board: WalkInBoard, now = Date.now()): Promise<number> {
  const tickets = await ticketsOf(services, board, now, null);
  let sent = 0;
  for (const t of tickets) {
    if (t.status !== 'next') continue;
    const row = board.day.find((d) => d.id === t.id);
    if (!row) continue;
    await services.notify({
      dedupe_key: `walk_in:${t.id}:next`,
      channel: 'sms',
      to: smsRecipient(row.client_id),
      template: 'walk_in.next',
      data: smsData(board, t, row.client_id, row.client_first_name),
      secrets: { link: t.status_url },
    });
    sent++;
  }
  return sent;
}

/**
 * After an appointment of today was settled (services/booking.ts `settle`, after the write):
 * finishing early (completed before its end) moves that barber's waiting walk-ins earlier, each
 * through the barber's object like a reschedule (walk-in rules); then anyone now next is texted.
 * Never throws: the settle it follows has already happened.
 */
export async function walkInFollowUp(services: Services, shopId: string, barberId: string, kind: string): Promise<void> {
  try {
    let board = await walkInBoard(services.db, shopId, null);
    if (!board || !board.day.some((d) => d.source === 'walk_in' && d.status === 'confirmed')) return;
    const now = Date.now();
    if (kind === 'complete' || kind === 'cancel' || kind === 'no_show') {
      const snap = snapshotsOf(board).find((s) => s.barber_id === barberId);
      const waiting = board.day.filter((d) => d.barber_id === barberId && d.source === 'walk_in' && d.status === 'confirmed' && d.start > now);
      const moves = snap ? earlierPlacements(snap, waiting.map((d) => ({ id: d.id, service_id: d.service_id, start: d.start })), now) : [];
      for (const m of moves) {
        const from = waiting.find((d) => d.id === m.id)!;
        const moved = await services.barberSchedule(barberId).reschedule(barberId, {
          appointmentId: m.id,
          shopId,
          by: 'shop',
          fromBarberId: barberId,
          fromStartMs: from.start,
          serviceId: from.service_id,
          startMs: m.start,
          actorId: from.client_id,
          walkIn: true,
        });
        if (!moved.ok) services.logger.info('walk-in not moved earlier', { appointment_id: m.id, reason: moved.error.reason });
      }
      if (moves.length > 0) board = (await walkInBoard(services.db, shopId, null)) ?? board;
    }
    await notifyNextWalkIns(services, board, now);
  } catch (err) {
    services.logger.warn('walk-in follow-up failed', { shop_id: shopId, err });
  }
}

/** The cron's safety net: "you're next" texts for every shop with walk-ins waiting (start within 10 minutes). */
export async function sweepWalkIns(services: Services): Promise<number> {
  let sent = 0;
  for (const shopId of await shopsWithWaitingWalkIns(services.db)) {
    const board = await walkInBoard(services.db, shopId, null);
    if (board) sent += await notifyNextWalkIns(services, board);
  }
  return sent;
}
