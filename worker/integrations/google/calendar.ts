/**
 * The slice of the Google Calendar API v3 the sync uses, over fetch: events.insert, events.patch,
 * events.delete and freeBusy.query. Every call takes the access token; refreshing it is the
 * caller's (services/calendar-sync.ts).
 */
import { z } from 'zod';
import type { GoogleClient } from './oauth';
import { googleCall, type GoogleResult } from './http';

export interface EventTime {
  dateTime: string;
  timeZone: string;
}

/** What we write into an event; `id` only on insert (our stable id, so a retried insert is a 409, not a duplicate). */
export interface CalendarEventBody {
  id?: string;
  summary: string;
  description?: string;
  location?: string;
  start: EventTime;
  end: EventTime;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  /** Opaque: the barber is busy then. */
  transparency?: 'opaque' | 'transparent';
  extendedProperties?: { private: Record<string, string> };
  reminders?: { useDefault: boolean };
}

const eventResponse = z.object({ id: z.string().min(1) }).loose();
export type CalendarEventResult = z.infer<typeof eventResponse>;

const busyResponse = z.object({
  calendars: z.record(
    z.string(),
    z.object({
      busy: z.array(z.object({ start: z.string(), end: z.string() })).default([]),
      errors: z.array(z.object({ domain: z.string().optional(), reason: z.string().optional() })).optional(),
    }),
  ),
});

export interface BusyInterval {
  start: number;
  end: number;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });
const eventsUrl = (client: GoogleClient, calendarId: string) =>
  `${client.apiUrl}/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;

export function insertEvent(client: GoogleClient, token: string, calendarId: string, event: CalendarEventBody): Promise<GoogleResult<CalendarEventResult>> {
  return googleCall(
    client.fetch,
    `${eventsUrl(client, calendarId)}?sendUpdates=none`,
    { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(event) },
    (body) => eventResponse.parse(body),
  );
}

export function patchEvent(
  client: GoogleClient,
  token: string,
  calendarId: string,
  eventId: string,
  patch: Partial<CalendarEventBody>,
): Promise<GoogleResult<CalendarEventResult>> {
  return googleCall(
    client.fetch,
    `${eventsUrl(client, calendarId)}/${encodeURIComponent(eventId)}?sendUpdates=none`,
    { method: 'PATCH', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(patch) },
    (body) => eventResponse.parse(body),
  );
}

/** Deletes the event; one already gone (404, 410) counts as deleted. */
export async function deleteEvent(client: GoogleClient, token: string, calendarId: string, eventId: string): Promise<GoogleResult<null>> {
  const result = await googleCall(
    client.fetch,
    `${eventsUrl(client, calendarId)}/${encodeURIComponent(eventId)}?sendUpdates=none`,
    { method: 'DELETE', headers: bearer(token) },
    () => null,
  );
  if (!result.ok && (result.status === 404 || result.status === 410)) return { ok: true, status: result.status, data: null };
  return result;
}

/** The calendar's busy intervals in [from, to) (epoch ms). A calendar Google reports errors for is a failure. */
export async function queryFreeBusy(
  client: GoogleClient,
  token: string,
  calendarId: string,
  range: { from: number; to: number },
): Promise<GoogleResult<BusyInterval[]>> {
  const result = await googleCall(
    client.fetch,
    `${client.apiUrl}/calendar/v3/freeBusy`,
    {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ timeMin: new Date(range.from).toISOString(), timeMax: new Date(range.to).toISOString(), items: [{ id: calendarId }] }),
    },
    (body) => busyResponse.parse(body),
  );
  if (!result.ok) return result;
  const calendar = result.data.calendars[calendarId];
  if (!calendar || calendar.errors?.length) {
    const reason = calendar?.errors?.[0]?.reason ?? 'calendar_missing';
    return { ok: false, status: result.status, unauthorized: false, retryable: reason === 'backendError', error: `google_freebusy_${reason}` };
  }
  const busy: BusyInterval[] = [];
  for (const b of calendar.busy) {
    const start = Date.parse(b.start);
    const end = Date.parse(b.end);
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) busy.push({ start, end });
  }
  return { ok: true, status: result.status, data: busy };
}
