/**
 * Google Calendar sync (issue #12): the barber's connection (encrypted tokens, sync state), the
 * events appointments became, and the busy blocks read from the calendar — each write ONE
 * statement, audited where a person made it.
 */
import { and, eq, sql } from 'drizzle-orm';
import { calendarConnections, type CalendarConnection } from '../schema';
import { jsonValue } from '../../lib/json';
import type { AnyDb } from './types';
import { epochMs as ms, pgBool as truthy } from './sql';

export const GOOGLE = 'google';

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const numberOrNull = (v: unknown) => (v == null ? null : Number(v));

/** The barber's Google connection, as stored (tokens still encrypted). */
export async function calendarConnectionOf(db: AnyDb, barberId: string): Promise<CalendarConnection | null> {
  const [row] = await db
    .select()
    .from(calendarConnections)
    .where(and(eq(calendarConnections.barberId, barberId), eq(calendarConnections.provider, GOOGLE)));
  return row ?? null;
}

export interface StoredTokens {
  accessTokenEnc: string;
  /** null keeps the refresh token already stored (Google sends one only on consent). */
  refreshTokenEnc: string | null;
  keyId: string;
  expiresAt: Date;
}

/**
 * Creates or replaces the barber's Google connection with freshly granted tokens, clears its sync
 * error, and writes the audit row — one statement. block_busy and the events written so far stay
 * (a reconnect is the same calendar). Returns the connection id, or null if the barber is gone.
 */
export async function saveCalendarConnection(
  db: AnyDb,
  c: { barberId: string; shopId: string; actorId: string; calendarId: string } & StoredTokens,
): Promise<string | null> {
  const result = await db.execute(sql`
    with saved as (
      insert into calendar_connections (barber_id, provider, calendar_id, access_token_enc, refresh_token_enc, key_id, expires_at)
      select b.id, ${GOOGLE}, ${c.calendarId}, ${c.accessTokenEnc}, ${c.refreshTokenEnc}, ${c.keyId}, ${c.expiresAt.toISOString()}::timestamptz
        from barbers b where b.id = ${c.barberId} and b.shop_id = ${c.shopId}
      on conflict (barber_id, provider) do update set
        calendar_id = excluded.calendar_id,
        access_token_enc = excluded.access_token_enc,
        refresh_token_enc = coalesce(excluded.refresh_token_enc, calendar_connections.refresh_token_enc),
        key_id = excluded.key_id,
        expires_at = excluded.expires_at,
        sync_error = null,
        updated_at = now()
      returning id
    ), audited as (
      insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
      select ${c.shopId}::uuid, ${c.actorId}::uuid, 'barber.google_calendar_connected', 'barber', ${c.barberId}::text, null from saved
    )
    select id from saved`);
  return rowsOf<{ id: string }>(result)[0]?.id ?? null;
}

/**
 * A refreshed access token. Only if the connection still holds the tokens the refresh started
 * from (`previousAccessTokenEnc`): a reconnect meanwhile wins. Returns whether it was stored.
 */
export async function storeRefreshedTokens(db: AnyDb, connectionId: string, previousAccessTokenEnc: string, t: StoredTokens): Promise<boolean> {
  const rows = await db
    .update(calendarConnections)
    .set({
      accessTokenEnc: t.accessTokenEnc,
      ...(t.refreshTokenEnc ? { refreshTokenEnc: t.refreshTokenEnc } : {}),
      keyId: t.keyId,
      expiresAt: t.expiresAt,
      updatedAt: sql`now()`,
    })
    .where(and(eq(calendarConnections.id, connectionId), eq(calendarConnections.accessTokenEnc, previousAccessTokenEnc)))
    .returning({ id: calendarConnections.id });
  return rows.length > 0;
}

/** The outcome of a sync on the connection: an error to show the barber, or null (and synced now). */
export async function recordSyncOutcome(db: AnyDb, connectionId: string, error: string | null): Promise<void> {
  await db
    .update(calendarConnections)
    .set(error === null ? { syncError: null, syncedAt: sql`now()`, updatedAt: sql`now()` } : { syncError: error, updatedAt: sql`now()` })
    .where(eq(calendarConnections.id, connectionId));
}

/**
 * Disconnects: deletes the connection (its calendar_events go with it) and the busy blocks it
 * brought, and writes the audit row — one statement. Returns the tokens to revoke, or null when
 * there was no connection.
 */
export async function removeCalendarConnection(
  db: AnyDb,
  t: { barberId: string; shopId: string; actorId: string },
): Promise<{ accessTokenEnc: string; refreshTokenEnc: string | null; blocksRemoved: number } | null> {
  const result = await db.execute(sql`
    with gone as (
      delete from calendar_connections where barber_id = ${t.barberId} and provider = ${GOOGLE}
        and barber_id in (select id from barbers where shop_id = ${t.shopId})
      returning access_token_enc, refresh_token_enc
    ), blocks as (
      delete from time_off where barber_id = ${t.barberId} and source = 'google' and exists (select 1 from gone)
      returning id
    ), audited as (
      insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
      select ${t.shopId}::uuid, ${t.actorId}::uuid, 'barber.google_calendar_disconnected', 'barber', ${t.barberId}::text, null from gone
    )
    select access_token_enc, refresh_token_enc, (select count(*) from blocks)::int as removed from gone`);
  const row = rowsOf<{ access_token_enc: string; refresh_token_enc: string | null; removed: unknown }>(result)[0];
  return row ? { accessTokenEnc: row.access_token_enc, refreshTokenEnc: row.refresh_token_enc, blocksRemoved: Number(row.removed) } : null;
}

export interface ConnectionState {
  calendar_id: string | null;
  block_busy: boolean;
  sync_error: string | null;
  synced_ms: number | null;
}


function connectionState(row: Record<string, unknown>): ConnectionState {
  return {
    calendar_id: (row.calendar_id as string | null) ?? null,
    block_busy: truthy(row.block_busy),
    sync_error: (row.sync_error as string | null) ?? null,
    synced_ms: numberOrNull(row.synced_ms),
  };
}

/**
 * Turns busy blocking on or off (audited); turning it off also deletes the busy blocks it brought,
 * in the same statement. Null when the barber has no Google connection.
 */
export async function setBlockBusy(
  db: AnyDb,
  t: { barberId: string; shopId: string; actorId: string; blockBusy: boolean },
): Promise<{ state: ConnectionState; blocksRemoved: number } | null> {
  const result = await db.execute(sql`
    with changed as (
      update calendar_connections set block_busy = ${t.blockBusy}::boolean, updated_at = now()
       where barber_id = ${t.barberId} and provider = ${GOOGLE}
         and barber_id in (select id from barbers where shop_id = ${t.shopId})
      returning calendar_id, block_busy, sync_error, ${ms(sql`synced_at`)} as synced_ms
    ), blocks as (
      delete from time_off where barber_id = ${t.barberId} and source = 'google' and not ${t.blockBusy}::boolean
         and exists (select 1 from changed)
      returning id
    ), audited as (
      insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
      select ${t.shopId}::uuid, ${t.actorId}::uuid, 'barber.google_calendar_updated', 'barber', ${t.barberId}::text,
             jsonb_build_object('block_busy', ${t.blockBusy}::boolean) from changed
    )
    select changed.*, (select count(*) from blocks)::int as removed from changed`);
  const row = rowsOf<Record<string, unknown>>(result)[0];
  return row ? { state: connectionState(row), blocksRemoved: Number(row.removed) } : null;
}

/** The connection's state as the barber sees it. */
export async function connectionStateOf(db: AnyDb, barberId: string): Promise<ConnectionState | null> {
  const row = await calendarConnectionOf(db, barberId);
  return row
    ? { calendar_id: row.calendarId, block_busy: row.blockBusy, sync_error: row.syncError, synced_ms: row.syncedAt ? row.syncedAt.getTime() : null }
    : null;
}

export interface Interval {
  start: number;
  end: number;
}

/** What a busy sync needs: the connection and the barber's own appointments in the window (ours, not the calendar's). */
export async function busySyncTarget(
  db: AnyDb,
  barberId: string,
  range: { from: number; to: number },
): Promise<{ connection: CalendarConnection; appointments: Interval[] } | null> {
  const connection = await calendarConnectionOf(db, barberId);
  if (!connection) return null;
  const result = await db.execute(sql`
    select ${ms(sql`start_time`)} as start, ${ms(sql`end_time`)} as "end" from appointments
     where barber_id = ${barberId} and status in ('held', 'pending_payment', 'confirmed')
       and end_time > ${new Date(range.from).toISOString()}::timestamptz and start_time < ${new Date(range.to).toISOString()}::timestamptz`);
  const appointments = rowsOf<{ start: unknown; end: unknown }>(result).map((r) => ({ start: Number(r.start), end: Number(r.end) }));
  return { connection, appointments };
}

/**
 * Replaces the barber's Google busy blocks with `blocks` in ONE statement (delete + insert), only
 * while the connection still has block_busy on, and only if the set differs (an unchanged
 * calendar moves neither the schedule version nor the cache). Marks the connection synced.
 * `changed`: the blocks were rewritten.
 */
export async function replaceBusyBlocks(
  db: AnyDb,
  t: { barberId: string; connectionId: string; blocks: (Interval & { externalId: string })[] },
): Promise<{ applied: boolean; changed: boolean }> {
  const wanted = JSON.stringify(
    t.blocks.map((b) => ({ s: new Date(b.start).toISOString(), e: new Date(b.end).toISOString(), x: b.externalId })),
  );
  const result = await db.execute(sql`
    with conn as (
      select id from calendar_connections where id = ${t.connectionId} and barber_id = ${t.barberId} and block_busy
    ), wanted as (
      select w.s, w.e, w.x from json_to_recordset(${wanted}::json) as w(s timestamptz, e timestamptz, x text)
    ), current_blocks as (
      select starts_at as s, ends_at as e from time_off where barber_id = ${t.barberId} and source = 'google'
    ), differs as (
      select exists (select 1 from conn) and (
        exists (select s, e from wanted except select s, e from current_blocks)
        or exists (select s, e from current_blocks except select s, e from wanted)
      ) as d
    ), gone as (
      delete from time_off where barber_id = ${t.barberId} and source = 'google' and (select d from differs)
      returning id
    ), added as (
      insert into time_off (barber_id, starts_at, ends_at, reason, source, external_id)
      select ${t.barberId}::uuid, w.s, w.e, 'Busy in Google Calendar', 'google', w.x from wanted w where (select d from differs)
      returning id
    ), synced as (
      update calendar_connections set synced_at = now(), sync_error = null, updated_at = now()
       where id in (select id from conn)
      returning id
    )
    select (select count(*) from synced)::int as applied, (select d from differs) as changed,
           (select count(*) from gone)::int as removed, (select count(*) from added)::int as added`);
  const row = rowsOf<{ applied: unknown; changed: unknown }>(result)[0]!;
  return { applied: Number(row.applied) > 0, changed: truthy(row.changed) };
}

/** Barbers whose busy blocks are due a refresh (block_busy on, not synced since `before`), oldest first. */
export async function barbersDueBusySync(db: AnyDb, before: Date, limit: number): Promise<string[]> {
  const result = await db.execute(sql`
    select barber_id from calendar_connections
     where provider = ${GOOGLE} and block_busy and (synced_at is null or synced_at < ${before.toISOString()}::timestamptz)
     order by synced_at nulls first limit ${limit}::int`);
  return rowsOf<{ barber_id: string }>(result).map((r) => r.barber_id);
}

export interface SyncConnection {
  id: string;
  barber_id: string;
  calendar_id: string | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_ms: number | null;
}

export interface SyncEvent {
  external_id: string;
  sequence: number;
  connection: SyncConnection;
}

export interface CalendarSyncTarget {
  id: string;
  barber_id: string;
  status: string;
  start_ms: number;
  end_ms: number;
  sequence: number;
  timezone: string;
  shop_name: string;
  service_name: string;
  client_first_name: string | null;
  /** The Google connection of the barber the appointment is with now. */
  connection: SyncConnection | null;
  /** The events already written for it, on whichever barber's calendar. */
  events: SyncEvent[];
}

function syncConnection(v: Record<string, unknown> | null): SyncConnection | null {
  if (!v) return null;
  return {
    id: v.id as string,
    barber_id: v.barber_id as string,
    calendar_id: (v.calendar_id as string | null) ?? null,
    access_token_enc: v.access_token_enc as string,
    refresh_token_enc: (v.refresh_token_enc as string | null) ?? null,
    expires_ms: numberOrNull(v.expires_ms),
  };
}

const connectionJson = (c: string) => sql.raw(`json_build_object('id', ${c}.id, 'barber_id', ${c}.barber_id, 'calendar_id', ${c}.calendar_id,
  'access_token_enc', ${c}.access_token_enc, 'refresh_token_enc', ${c}.refresh_token_enc,
  'expires_ms', (extract(epoch from ${c}.expires_at) * 1000)::float8)`);

/** The appointment as the sync writes it, its barber's connection and the events written so far — one statement. */
export async function calendarSyncTarget(db: AnyDb, appointmentId: string): Promise<CalendarSyncTarget | null> {
  const result = await db.execute(sql`
    select a.id, a.barber_id, a.status, ${ms(sql`a.start_time`)} as start_ms, ${ms(sql`a.end_time`)} as end_ms,
           a.ics_sequence as sequence, s.timezone, s.name as shop_name, sv.name as service_name, u.first_name as client_first_name,
           (select ${connectionJson('c')} from calendar_connections c where c.barber_id = a.barber_id and c.provider = ${GOOGLE}) as connection,
           coalesce((select json_agg(json_build_object('external_id', e.external_id, 'sequence', e.sequence, 'connection', ${connectionJson('ec')}))
                       from calendar_events e join calendar_connections ec on ec.id = e.connection_id
                      where e.appointment_id = a.id), '[]'::json) as events
      from appointments a
      join shops s on s.id = a.shop_id
      join services sv on sv.id = a.service_id
      left join users u on u.id = a.client_id
     where a.id = ${appointmentId}`);
  const row = rowsOf<Record<string, unknown>>(result)[0];
  if (!row) return null;
  const connection = row.connection == null ? null : jsonValue(row.connection as object | string);
  const events = jsonValue(row.events as object[] | string) as { external_id: string; sequence: number; connection: Record<string, unknown> }[];
  return {
    id: row.id as string,
    barber_id: row.barber_id as string,
    status: row.status as string,
    start_ms: Number(row.start_ms),
    end_ms: Number(row.end_ms),
    sequence: Number(row.sequence),
    timezone: row.timezone as string,
    shop_name: row.shop_name as string,
    service_name: row.service_name as string,
    client_first_name: (row.client_first_name as string | null) ?? null,
    connection: syncConnection(connection as Record<string, unknown> | null),
    events: events.map((e) => ({ external_id: e.external_id, sequence: Number(e.sequence), connection: syncConnection(e.connection)! })),
  };
}

/**
 * Records the event an appointment became at `sequence` and marks the connection synced — one
 * statement. An older sequence never overwrites a newer one.
 */
export async function recordCalendarEvent(
  db: AnyDb,
  e: { appointmentId: string; connectionId: string; externalId: string; sequence: number },
): Promise<void> {
  await db.execute(sql`
    with written as (
      insert into calendar_events (appointment_id, connection_id, external_id, sequence)
      values (${e.appointmentId}::uuid, ${e.connectionId}::uuid, ${e.externalId}, ${e.sequence}::int)
      on conflict (appointment_id, connection_id) do update set
        external_id = excluded.external_id, sequence = excluded.sequence, updated_at = now()
        where calendar_events.sequence <= excluded.sequence
      returning connection_id
    )
    update calendar_connections set synced_at = now(), sync_error = null, updated_at = now()
     where id = ${e.connectionId}`);
}

/** Forgets an event deleted from its calendar, and marks the connection synced — one statement. */
export async function forgetCalendarEvent(db: AnyDb, e: { appointmentId: string; connectionId: string }): Promise<void> {
  await db.execute(sql`
    with gone as (
      delete from calendar_events where appointment_id = ${e.appointmentId} and connection_id = ${e.connectionId} returning 1
    )
    update calendar_connections set synced_at = now(), sync_error = null, updated_at = now()
     where id = ${e.connectionId}`);
}
