/**
 * Google Calendar sync (issue #12). Three jobs:
 *
 * - Connecting: the OAuth authorization code flow with PKCE. The `state` is bound to the
 *   signed-in user and the barber (kept in Redis for 10 minutes, single use) and to the browser
 *   that started it (a nonce cookie, integrations/google/state.ts); the callback checks
 *   that user may still act for that barber, exchanges the code and stores both tokens
 *   AES-256-GCM encrypted (FIELD_ENCRYPTION_KEYS), with the key id.
 * - Appointments → events: a queue message (channel 'calendar', template 'calendar.sync') names an
 *   appointment; the job reads its CURRENT state and makes the barber's calendar match it —
 *   events.insert, events.patch on a change, events.delete on cancellation or when it moved to
 *   another barber. calendar_events keeps the ics_sequence written, so an older message arriving
 *   late writes nothing. Inserts carry our own event id, so a retried insert is a 409, never a twin.
 * - Busy times → time off: with block_busy on, freeBusy for the next 30 days replaces the barber's
 *   `source = 'google'` time_off rows in one statement; the barber's object and the availability
 *   cache read time_off, so those times stop being bookable (epochs bumped after the write). The
 *   barber's own appointments are cut out of what Google reports busy: they are events we wrote.
 *
 * An expired access token is refreshed once; a second 401 (or a refused refresh) is recorded as the
 * connection's sync_error. Sync failures never block a booking: they are recorded on the
 * connection and the job settles or retries; nothing here is on the booking path.
 */
import type { CalendarConnection } from '../db/schema';
import {
  barbersDueBusySync,
  busySyncTarget,
  calendarSyncTarget,
  forgetCalendarEvent,
  recordCalendarEvent,
  recordSyncOutcome,
  removeCalendarConnection,
  replaceBusyBlocks,
  saveCalendarConnection,
  setBlockBusy,
  storeRefreshedTokens,
  type CalendarSyncTarget,
  type ConnectionState,
  type Interval,
  type SyncConnection,
} from '../db/queries/calendar-sync';
import { deleteEvent, insertEvent, patchEvent, queryFreeBusy, type CalendarEventBody } from '../integrations/google/calendar';
import type { Fetcher, GoogleResult } from '../integrations/google/http';
import { consentUrl, exchangeCode, googleClient, newState, pkcePair, refreshAccessToken, revokeToken, type GoogleClient } from '../integrations/google/oauth';
import { nonceHash, saveOAuthState, takeOAuthState } from '../integrations/google/state';
import { decryptField, encryptField, FieldCryptoError } from '../lib/crypto';
import { availabilityChanged } from './availability-cache';
import type { Services } from './container';
import { z } from 'zod';

/** What the sync uses of the request's (or the consumer's) capabilities. `fetch` only in tests. */
export type CalendarDeps = Pick<Services, 'db' | 'config' | 'logger' | 'redis'> & { fetch?: Fetcher };

export const BUSY_WINDOW_DAYS = 30;
/** An access token this close to expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 60_000;
/** Appointment states written to the calendar; a cancellation deletes the event. */
const ON_CALENDAR = new Set(['confirmed', 'completed', 'no_show']);
const DAY_MS = 86_400_000;

export const REAUTHORIZE = 'google_reauthorization_required';

const client = (deps: CalendarDeps) => googleClient(deps.config, deps.fetch);

export function googleEnabled(deps: Pick<Services, 'config'>): boolean {
  return googleClient(deps.config) !== null;
}

// ---- connecting ------------------------------------------------------------------------------

/**
 * The consent URL for `barberId`, its state stored for the user who asked and bound to the
 * browser by `nonce` (the caller sets it as the state cookie; only its hash is stored). Null
 * when the integration is off.
 */
export async function startGoogleConnection(
  deps: CalendarDeps,
  p: { userId: string; barberId: string; nonce: string },
): Promise<string | null> {
  const google = client(deps);
  if (!google) return null;
  const state = newState();
  const { verifier, challenge } = await pkcePair();
  await saveOAuthState(deps.redis, deps.config.REDIS_PREFIX, state, {
    user_id: p.userId,
    barber_id: p.barberId,
    code_verifier: verifier,
    nonce_hash: await nonceHash(p.nonce),
  });
  return consentUrl(google, { state, challenge });
}

/** Who started the connection the state names (taken: it works once), or null. */
export function takeGoogleState(deps: CalendarDeps, state: string) {
  return takeOAuthState(deps.redis, deps.config.REDIS_PREFIX, state);
}

export type ConnectOutcome = { ok: true; connectionId: string } | { ok: false; reason: 'not_configured' | 'exchange_failed' | 'no_refresh_token' | 'barber_gone' };

/** Exchanges the code (with the state's verifier) and stores the tokens encrypted. */
export async function completeGoogleConnection(
  deps: CalendarDeps,
  p: { code: string; verifier: string; barberId: string; shopId: string; actorId: string; nowMs: number },
): Promise<ConnectOutcome> {
  const google = client(deps);
  if (!google) return { ok: false, reason: 'not_configured' };
  const exchanged = await exchangeCode(google, { code: p.code, verifier: p.verifier });
  if (!exchanged.ok) {
    deps.logger.warn('google code exchange failed', { barber_id: p.barberId, error: exchanged.error });
    return { ok: false, reason: 'exchange_failed' };
  }
  const tokens = exchanged.data;
  const keyring = deps.config.FIELD_ENCRYPTION_KEYS;
  const connectionId = await saveCalendarConnection(deps.db, {
    barberId: p.barberId,
    shopId: p.shopId,
    actorId: p.actorId,
    calendarId: 'primary',
    accessTokenEnc: await encryptField(tokens.access_token, keyring),
    refreshTokenEnc: tokens.refresh_token ? await encryptField(tokens.refresh_token, keyring) : null,
    keyId: keyring.currentKid,
    expiresAt: new Date(p.nowMs + tokens.expires_in * 1000),
  });
  if (!connectionId) return { ok: false, reason: 'barber_gone' };
  return { ok: true, connectionId };
}

/**
 * Disconnects: the connection, its event records and its busy blocks go in one statement; then
 * the grant is revoked at Google (best effort: a failure is logged, the tokens are already gone
 * here). Events already written stay in the barber's calendar. Returns whether there was one.
 */
export async function disconnectGoogle(deps: CalendarDeps, t: { barberId: string; shopId: string; actorId: string }): Promise<boolean> {
  const removed = await removeCalendarConnection(deps.db, t);
  if (!removed) return false;
  if (removed.blocksRemoved > 0) await availabilityChanged(cacheDeps(deps), { barberIds: [t.barberId] });
  const google = client(deps);
  if (google) {
    try {
      const token = await decryptField(removed.refreshTokenEnc ?? removed.accessTokenEnc, deps.config.FIELD_ENCRYPTION_KEYS);
      const revoked = await revokeToken(google, token);
      if (!revoked.ok) deps.logger.warn('google grant not revoked', { barber_id: t.barberId, error: revoked.error });
    } catch (err) {
      deps.logger.warn('google grant not revoked', { barber_id: t.barberId, err });
    }
  }
  return true;
}

/**
 * Turns busy blocking on (and syncs busy times now: the barber sees the result, or the error)
 * or off (the blocks go in the same statement). Null when there is no connection.
 */
export async function updateGoogleSettings(
  deps: CalendarDeps,
  t: { barberId: string; shopId: string; actorId: string; blockBusy: boolean; nowMs: number },
): Promise<ConnectionState | null> {
  const updated = await setBlockBusy(deps.db, t);
  if (!updated) return null;
  if (updated.blocksRemoved > 0) await availabilityChanged(cacheDeps(deps), { barberIds: [t.barberId] });
  if (!t.blockBusy) return updated.state;
  const synced = await syncBusyTimes(deps, t.barberId, t.nowMs);
  return {
    ...updated.state,
    sync_error: synced.ok ? null : synced.error,
    synced_ms: synced.ok ? t.nowMs : updated.state.synced_ms,
  };
}

// ---- tokens ----------------------------------------------------------------------------------

type Authorized<T> = GoogleResult<T> | { ok: false; status: 0; unauthorized: true; retryable: boolean; error: string };

const cacheDeps = (deps: CalendarDeps) => ({ redis: deps.redis, prefix: deps.config.REDIS_PREFIX, logger: deps.logger });

/** A new access token, stored encrypted; the refusal as an error otherwise. */
async function refreshed(deps: CalendarDeps, google: GoogleClient, conn: SyncConnection): Promise<{ token: string } | { error: string; retryable: boolean }> {
  if (!conn.refresh_token_enc) return { error: REAUTHORIZE, retryable: false };
  const keyring = deps.config.FIELD_ENCRYPTION_KEYS;
  const refreshToken = await decryptField(conn.refresh_token_enc, keyring);
  const result = await refreshAccessToken(google, refreshToken);
  if (!result.ok) {
    // 400 invalid_grant: revoked or expired grant, only the barber reconnecting helps.
    return { error: result.retryable ? result.error : REAUTHORIZE, retryable: result.retryable };
  }
  const tokens = result.data;
  const accessTokenEnc = await encryptField(tokens.access_token, keyring);
  const stored = await storeRefreshedTokens(deps.db, conn.id, conn.access_token_enc, {
    accessTokenEnc,
    // Both under the newest key, so key_id names them both.
    refreshTokenEnc: await encryptField(tokens.refresh_token ?? refreshToken, keyring),
    keyId: keyring.currentKid,
    expiresAt: new Date(Date.now() + tokens.expires_in * 1000),
  });
  if (stored) {
    conn.access_token_enc = accessTokenEnc;
    conn.expires_ms = Date.now() + tokens.expires_in * 1000;
  }
  return { token: tokens.access_token };
}

/**
 * Runs `call` with the connection's access token: refreshed first when it is (about to be)
 * expired, or after a 401 — once. A second 401 is the connection's sync_error.
 */
async function authorized<T>(
  deps: CalendarDeps,
  google: GoogleClient,
  conn: SyncConnection,
  call: (token: string) => Promise<GoogleResult<T>>,
): Promise<Authorized<T>> {
  try {
    return await authorizedCall(deps, google, conn, call);
  } catch (err) {
    if (!(err instanceof FieldCryptoError)) throw err;
    // A token under a key no longer in the ring (or damaged): only reconnecting helps.
    deps.logger.error('google tokens unreadable', { connection_id: conn.id, code: err.code });
    return { ok: false, status: 0, unauthorized: true, retryable: false, error: REAUTHORIZE };
  }
}

async function authorizedCall<T>(
  deps: CalendarDeps,
  google: GoogleClient,
  conn: SyncConnection,
  call: (token: string) => Promise<GoogleResult<T>>,
): Promise<Authorized<T>> {
  let didRefresh = false;
  let token: string;
  const refresh = async (): Promise<Authorized<T> | null> => {
    didRefresh = true;
    const next = await refreshed(deps, google, conn);
    if ('error' in next) return { ok: false, status: 0, unauthorized: true, retryable: next.retryable, error: next.error };
    token = next.token;
    return null;
  };
  if (conn.expires_ms !== null && conn.expires_ms - Date.now() < EXPIRY_MARGIN_MS) {
    const failed = await refresh();
    if (failed) return failed;
  } else {
    token = await decryptField(conn.access_token_enc, deps.config.FIELD_ENCRYPTION_KEYS);
  }
  let result = await call(token!);
  if (!result.ok && result.unauthorized && !didRefresh) {
    const failed = await refresh();
    if (failed) return failed;
    result = await call(token!);
  }
  if (!result.ok && result.unauthorized) return { ...result, retryable: false, error: REAUTHORIZE };
  return result;
}

// ---- appointments → events ---------------------------------------------------------------------

/** Our id for the appointment's event: base32hex (Google's alphabet for ids), stable per appointment. */
export const eventIdFor = (appointmentId: string) => `bb${appointmentId.replace(/-/g, '').toLowerCase()}`;

function eventBody(a: CalendarSyncTarget): CalendarEventBody {
  const who = a.client_first_name ? ` — ${a.client_first_name}` : '';
  return {
    summary: `${a.service_name}${who}`,
    description: `Booked with BookedBarber at ${a.shop_name}.`,
    start: { dateTime: new Date(a.start_ms).toISOString(), timeZone: a.timezone },
    end: { dateTime: new Date(a.end_ms).toISOString(), timeZone: a.timezone },
    status: 'confirmed',
    transparency: 'opaque',
    extendedProperties: { private: { bookedbarber_appointment_id: a.id } },
    reminders: { useDefault: true },
  };
}

export const calendarMessageSchema = z.object({
  channel: z.literal('calendar'),
  template: z.enum(['calendar.sync', 'calendar.busy']),
  to: z.string().optional(),
  dedupe_key: z.string().optional(),
  data: z.object({ appointment_id: z.uuid().optional(), barber_id: z.uuid().optional() }).loose().default({}),
});

export type CalendarMessage = z.input<typeof calendarMessageSchema>;
export type CalendarOutcome = 'done' | 'retry' | 'skip';

type Step = { outcome: CalendarOutcome; error?: string };

async function settle(deps: CalendarDeps, conn: SyncConnection, result: { ok: false; retryable: boolean; error: string }, context: Record<string, unknown>): Promise<Step> {
  await recordSyncOutcome(deps.db, conn.id, result.error);
  deps.logger.warn('google calendar sync failed', { ...context, connection_id: conn.id, error: result.error, retryable: result.retryable });
  return { outcome: result.retryable ? 'retry' : 'skip', error: result.error };
}

/** Removes the appointment's event from a calendar it should no longer be on. */
async function removeEvent(deps: CalendarDeps, google: GoogleClient, a: CalendarSyncTarget, e: CalendarSyncTarget['events'][number]): Promise<Step> {
  const conn = e.connection;
  const result = await authorized(deps, google, conn, (token) => deleteEvent(google, token, conn.calendar_id ?? 'primary', e.external_id));
  if (!result.ok) return settle(deps, conn, result, { appointment_id: a.id, op: 'delete' });
  await forgetCalendarEvent(deps.db, { appointmentId: a.id, connectionId: conn.id });
  return { outcome: 'done' };
}

/** Writes the appointment to its barber's calendar: insert, or patch what was written before. */
async function writeEvent(deps: CalendarDeps, google: GoogleClient, a: CalendarSyncTarget, conn: SyncConnection, existing?: CalendarSyncTarget['events'][number]): Promise<Step> {
  const calendarId = conn.calendar_id ?? 'primary';
  const body = eventBody(a);
  let externalId = existing?.external_id ?? eventIdFor(a.id);
  let result: Authorized<{ id: string }>;
  if (existing) {
    result = await authorized(deps, google, conn, (token) => patchEvent(google, token, calendarId, externalId, body));
    if (!result.ok && (result.status === 404 || result.status === 410)) {
      // Gone from the calendar under us: write it again, under an id Google picks.
      result = await authorized(deps, google, conn, (token) => insertEvent(google, token, calendarId, body));
    }
  } else {
    result = await authorized(deps, google, conn, (token) => insertEvent(google, token, calendarId, { id: externalId, ...body }));
    if (!result.ok && result.status === 409) {
      // Our id exists already: an insert whose answer was lost, or an event cancelled before. Make it this.
      result = await authorized(deps, google, conn, (token) => patchEvent(google, token, calendarId, externalId, body));
    }
  }
  if (!result.ok) return settle(deps, conn, result, { appointment_id: a.id, op: existing ? 'patch' : 'insert' });
  externalId = result.data.id;
  await recordCalendarEvent(deps.db, { appointmentId: a.id, connectionId: conn.id, externalId, sequence: a.sequence });
  return { outcome: 'done' };
}

/** Passes of syncAppointment before it leaves an appointment that keeps changing to a retry. */
const SYNC_PASSES = 3;

/**
 * Makes the connected calendars match the appointment as it is now. What was written is what was
 * read at its sequence; if the appointment changed while the write was on its way, a job for the
 * newer state may already have written (and recorded) it, and ours just overwrote it at Google
 * with the older time — or re-created an event a cancellation had deleted. So after writing, the
 * appointment is read again: changed since → the current state is written again, whatever the
 * record says. The barber's calendar thus never ends on an older time than the appointment's.
 */
export async function syncAppointment(deps: CalendarDeps, appointmentId: string): Promise<CalendarOutcome> {
  const google = client(deps);
  if (!google) return 'skip';
  let a = await calendarSyncTarget(deps.db, appointmentId);
  let outcome: CalendarOutcome = 'skip';
  for (let pass = 0; a && pass < SYNC_PASSES; pass++) {
    const steps = await syncSteps(deps, google, a, pass > 0);
    if (steps.some((s) => s.outcome === 'retry')) return 'retry';
    if (!steps.some((s) => s.outcome === 'done')) return outcome;
    outcome = 'done';
    const after = await calendarSyncTarget(deps.db, appointmentId);
    if (!after || after.sequence === a.sequence) return outcome;
    a = after;
  }
  // Still changing under us: the next delivery looks again.
  return a ? 'retry' : outcome;
}

/** One pass: off the calendars it no longer belongs on, written to the one it does (`force`: even if recorded as written). */
async function syncSteps(deps: CalendarDeps, google: GoogleClient, a: CalendarSyncTarget, force: boolean): Promise<Step[]> {
  const wanted = ON_CALENDAR.has(a.status) ? a.connection : null;
  const steps: Step[] = [];
  for (const e of a.events) {
    if (wanted && e.connection.id === wanted.id) continue;
    // Cancelled, or now with another barber: off this calendar.
    steps.push(await removeEvent(deps, google, a, e));
  }
  if (wanted) {
    const existing = a.events.find((e) => e.connection.id === wanted.id);
    // Already written at this sequence (or a newer one): a late or repeated message.
    if (force || !existing || existing.sequence < a.sequence) steps.push(await writeEvent(deps, google, a, wanted, existing));
  }
  return steps;
}

/**
 * THE entry point for the notifications queue consumer, for messages of channel 'calendar':
 *   template 'calendar.sync', data.appointment_id — make the barber's calendar match the appointment;
 *   template 'calendar.busy', data.barber_id      — refresh the barber's busy blocks.
 * 'done': written; 'skip': nothing to do or a permanent failure (recorded on the connection) —
 * acknowledge both; 'retry': a transient failure, retry with backoff. The message names what
 * changed, never how: the current state is read here, so order and duplicates do not matter.
 */
export async function handleCalendarMessage(services: CalendarDeps, message: unknown): Promise<CalendarOutcome> {
  const parsed = calendarMessageSchema.safeParse(message);
  if (!parsed.success) {
    services.logger.error('calendar message unreadable, dropped', { issues: parsed.error.issues.map((i) => i.path.join('.')) });
    return 'skip';
  }
  const { template, data } = parsed.data;
  if (template === 'calendar.sync') {
    if (!data.appointment_id) return 'skip';
    return syncAppointment(services, data.appointment_id);
  }
  if (!data.barber_id) return 'skip';
  const result = await syncBusyTimes(services, data.barber_id, Date.now());
  return result.ok ? (result.skipped ? 'skip' : 'done') : result.retryable ? 'retry' : 'skip';
}

// ---- busy times → time off -----------------------------------------------------------------------

/** `busy` minus `ours`, merged and sorted. */
export function subtractIntervals(busy: readonly Interval[], ours: readonly Interval[]): Interval[] {
  const sorted = [...busy].sort((x, y) => x.start - y.start);
  const merged: Interval[] = [];
  for (const b of sorted) {
    const last = merged[merged.length - 1];
    if (last && b.start <= last.end) last.end = Math.max(last.end, b.end);
    else merged.push({ ...b });
  }
  const cuts = [...ours].sort((x, y) => x.start - y.start);
  const out: Interval[] = [];
  for (const m of merged) {
    let pieces: Interval[] = [m];
    for (const c of cuts) {
      if (c.end <= m.start || c.start >= m.end) continue;
      pieces = pieces.flatMap((p) =>
        c.end <= p.start || c.start >= p.end
          ? [p]
          : [
              ...(c.start > p.start ? [{ start: p.start, end: c.start }] : []),
              ...(c.end < p.end ? [{ start: c.end, end: p.end }] : []),
            ],
      );
    }
    out.push(...pieces);
  }
  return out;
}

export type BusySyncResult =
  | { ok: true; skipped: boolean; blocks: number; changed: boolean }
  | { ok: false; retryable: boolean; error: string };

/**
 * Reads the barber's busy times for [now, now + 30 days) and replaces their Google time_off rows
 * with them (one statement), then moves the availability epochs. Does nothing without a
 * connection or with block_busy off. Failures are recorded on the connection, never thrown.
 */
export async function syncBusyTimes(services: CalendarDeps, barberId: string, nowMs: number): Promise<BusySyncResult> {
  const google = client(services);
  if (!google) return { ok: true, skipped: true, blocks: 0, changed: false };
  const range = { from: nowMs, to: nowMs + BUSY_WINDOW_DAYS * DAY_MS };
  const target = await busySyncTarget(services.db, barberId, range);
  if (!target || !target.connection.blockBusy) return { ok: true, skipped: true, blocks: 0, changed: false };
  const conn = syncConnectionOf(target.connection);
  const calendarId = conn.calendar_id ?? 'primary';
  const result = await authorized(services, google, conn, (token) => queryFreeBusy(google, token, calendarId, range));
  if (!result.ok) {
    await recordSyncOutcome(services.db, conn.id, result.error);
    services.logger.warn('google busy sync failed', { barber_id: barberId, error: result.error, retryable: result.retryable });
    return { ok: false, retryable: result.retryable, error: result.error };
  }
  const blocks = subtractIntervals(
    result.data.map((b) => ({ start: Math.max(b.start, range.from), end: Math.min(b.end, range.to) })).filter((b) => b.end > b.start),
    target.appointments,
  ).map((b) => ({ ...b, externalId: `freebusy:${new Date(b.start).toISOString()}/${new Date(b.end).toISOString()}` }));
  const written = await replaceBusyBlocks(services.db, { barberId, connectionId: conn.id, blocks });
  if (written.changed) await availabilityChanged(cacheDeps(services), { barberIds: [barberId] });
  return { ok: true, skipped: !written.applied, blocks: blocks.length, changed: written.changed };
}

/** For the cron: refreshes busy blocks of up to `limit` barbers not synced in the last `maxAgeMs`. */
export async function syncDueBusyTimes(services: CalendarDeps, nowMs: number, opts: { maxAgeMs?: number; limit?: number } = {}): Promise<{ synced: number; failed: number }> {
  if (!client(services)) return { synced: 0, failed: 0 };
  const due = await barbersDueBusySync(services.db, new Date(nowMs - (opts.maxAgeMs ?? 15 * 60_000)), opts.limit ?? 50);
  let failed = 0;
  for (const barberId of due) {
    const r = await syncBusyTimes(services, barberId, nowMs).catch((err: unknown) => {
      services.logger.error('google busy sync failed', { barber_id: barberId, err });
      return { ok: false } as const;
    });
    if (!r.ok) failed++;
  }
  return { synced: due.length - failed, failed };
}

function syncConnectionOf(c: CalendarConnection): SyncConnection {
  return {
    id: c.id,
    barber_id: c.barberId,
    calendar_id: c.calendarId,
    access_token_enc: c.accessTokenEnc,
    refresh_token_enc: c.refreshTokenEnc,
    expires_ms: c.expiresAt ? c.expiresAt.getTime() : null,
  };
}
