/**
 * Google as the calendar sync tests see it: the capture server (dev/capture.ts) scripted as
 * Google's token endpoint and Calendar API (the worker's GOOGLE_* URLs point at it, see
 * vitest.config.ts), plus a connected barber written straight to the database — tokens
 * encrypted as the callback stores them, and a calendar id of its own so each test's requests
 * are told apart by it.
 */
import { env } from 'cloudflare:test';
import { calendarConnections } from '../../worker/db/schema';
import { loadConfig } from '../../worker/env';
import { encryptField } from '../../worker/lib/crypto';
import { createLogger } from '../../worker/lib/logger';
import { redisClient } from '../../worker/lib/redis';
import type { CalendarDeps } from '../../worker/services/calendar-sync';
import { testDb } from './harness';

export const captureUrl = (env as unknown as { BB_CAPTURE_URL: string }).BB_CAPTURE_URL;

export interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Scripted {
  status: number;
  body?: unknown;
}

/** The next answers to requests mentioning `match` (path, body or form values), in order. */
export async function script(match: string, responses: Scripted[]): Promise<void> {
  const res = await fetch(`${captureUrl}/_capture/script`, { method: 'POST', body: JSON.stringify({ match, responses }) });
  if (res.status !== 204) throw new Error(`capture script refused: ${res.status}`);
}

export async function captured(match: string): Promise<Captured[]> {
  return (await (await fetch(`${captureUrl}/_capture/requests?match=${encodeURIComponent(match)}`)).json()) as Captured[];
}

/**
 * The `name=value` a browser sends back from a response's Set-Cookie (the connect step's state
 * cookie; the test origin is http://127.0.0.1, so it is the unprefixed name).
 */
export function browserCookie(res: Response): string {
  const set = res.headers.get('set-cookie');
  if (!set) throw new Error('no Set-Cookie on the connect answer');
  return set.split(';')[0]!;
}

/** The calendar sync's capabilities, built the way the Worker builds them. */
export function calendarDeps(): CalendarDeps {
  const config = loadConfig(env);
  return { db: testDb(), config, logger: createLogger('error'), redis: redisClient(config) };
}

export interface Connected {
  connectionId: string;
  calendarId: string;
  /** What every Calendar API request for this calendar mentions (its id is URL-encoded in paths). */
  match: string;
  accessToken: string;
  refreshToken: string;
}

/** A barber with a Google connection, as a finished OAuth callback leaves it. */
export async function connectBarber(
  barberId: string,
  opts: { blockBusy?: boolean; expiresAt?: Date } = {},
): Promise<Connected> {
  const tag = crypto.randomUUID();
  const keys = loadConfig(env).FIELD_ENCRYPTION_KEYS;
  const accessToken = `ya29.access-${tag}`;
  const refreshToken = `1//refresh-${tag}`;
  const calendarId = `cal-${tag}@group.calendar.google.com`;
  const [row] = await testDb()
    .insert(calendarConnections)
    .values({
      barberId,
      provider: 'google',
      calendarId,
      accessTokenEnc: await encryptField(accessToken, keys),
      refreshTokenEnc: await encryptField(refreshToken, keys),
      keyId: keys.currentKid,
      expiresAt: opts.expiresAt ?? new Date(Date.now() + 3_600_000),
      blockBusy: opts.blockBusy ?? false,
    })
    .returning();
  return { connectionId: row!.id, calendarId, match: `cal-${tag}`, accessToken, refreshToken };
}

/** An event as Google's events.insert / events.patch answer it. */
export const eventAnswer = (id: string): Scripted => ({ status: 200, body: { kind: 'calendar#event', id, status: 'confirmed' } });

/** freeBusy.query's answer for one calendar. */
export const busyAnswer = (calendarId: string, busy: { start: Date; end: Date }[]): Scripted => ({
  status: 200,
  body: {
    kind: 'calendar#freeBusy',
    calendars: { [calendarId]: { busy: busy.map((b) => ({ start: b.start.toISOString(), end: b.end.toISOString() })) } },
  },
});

export const tokenAnswer = (accessToken: string, extra: Record<string, unknown> = {}): Scripted => ({
  status: 200,
  body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/calendar.events.owned', ...extra },
});

export const unauthorizedAnswer: Scripted = {
  status: 401,
  body: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } },
};
