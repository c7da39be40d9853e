/**
 * iCalendar (RFC 5545) for appointments: the barber's subscribable feed and the `.ics` attached
 * to confirmations. Pure. Instants are written in UTC (`DTSTART:20261207T150000Z`), which every
 * client (Google, Apple, Outlook) places on the right instant whatever DST does; the shop's zone
 * travels as X-WR-TIMEZONE for display. Lines are CRLF-terminated and folded at 75 octets.
 */

export interface IcsEvent {
  /** Stable per appointment: the same event is updated, never duplicated. */
  uid: string;
  /** Grows with every change a client would see (appointments.ics_sequence). */
  sequence: number;
  startMs: number;
  endMs: number;
  summary: string;
  description?: string;
  location?: string;
  status: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  url?: string;
  /** When this version of the event was written (DTSTAMP); default now. */
  stampMs?: number;
}

export interface IcsCalendarOptions {
  name?: string;
  /** IANA zone shown by clients that honour X-WR-TIMEZONE. */
  timeZone?: string;
  /** PUBLISH for feeds and attachments; REQUEST/CANCEL for invitations. */
  method?: 'PUBLISH' | 'REQUEST' | 'CANCEL';
  /** How often subscribers should fetch the feed again (REFRESH-INTERVAL), in minutes. */
  refreshMinutes?: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 20261207T150000Z */
export function icsUtc(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`Not an instant: ${ms}`);
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline. Other control
 * characters (everything below U+0020 but HTAB, and DEL) are not allowed in TEXT and are dropped.
 */
export function icsText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** A URI value: not TEXT, so no escaping, but nothing that could end or corrupt the line either. */
function icsRaw(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, '');
}

const encoder = new TextEncoder();

/** Folds a content line at 75 octets (continuations start with one space), never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    const limit = parts.length === 0 ? 75 : 74; // continuation lines carry the leading space
    if (size + n > limit) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function eventLines(e: IcsEvent, now: number): string[] {
  if (!(e.endMs > e.startMs)) throw new RangeError(`Event ${e.uid} ends before it starts`);
  const lines = [
    'BEGIN:VEVENT',
    `UID:${icsText(e.uid)}`,
    `SEQUENCE:${Number.isFinite(e.sequence) ? Math.max(0, Math.trunc(e.sequence)) : 0}`,
    `DTSTAMP:${icsUtc(e.stampMs ?? now)}`,
    `DTSTART:${icsUtc(e.startMs)}`,
    `DTEND:${icsUtc(e.endMs)}`,
    `SUMMARY:${icsText(e.summary)}`,
    `STATUS:${e.status}`,
  ];
  if (e.description) lines.push(`DESCRIPTION:${icsText(e.description)}`);
  if (e.location) lines.push(`LOCATION:${icsText(e.location)}`);
  if (e.url) lines.push(`URL:${icsRaw(e.url)}`);
  lines.push('END:VEVENT');
  return lines;
}

/** A whole VCALENDAR with these events. */
export function icsCalendar(events: readonly IcsEvent[], opts: IcsCalendarOptions = {}, now = Date.now()): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//BookedBarber//Appointments//EN', 'CALSCALE:GREGORIAN', `METHOD:${opts.method ?? 'PUBLISH'}`];
  if (opts.name) lines.push(`X-WR-CALNAME:${icsText(opts.name)}`);
  if (opts.timeZone) lines.push(`X-WR-TIMEZONE:${icsText(opts.timeZone)}`);
  if (opts.refreshMinutes) {
    // RFC 7986 REFRESH-INTERVAL, and the older X-PUBLISHED-TTL Outlook and Apple read.
    const minutes = Math.max(1, Math.trunc(opts.refreshMinutes));
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${minutes}M`, `X-PUBLISHED-TTL:PT${minutes}M`);
  }
  for (const e of events) lines.push(...eventLines(e, now));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
