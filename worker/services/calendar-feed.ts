/**
 * The barber's subscribable calendar feed (issue #11). The URL carries a 256-bit secret; only its
 * SHA-256 is stored (barbers.ics_token_hash), so the feed is checked by hashing what is presented
 * and a database leak yields no working URL. Rotating overwrites the hash (old URLs die at once);
 * revoking clears it. A wrong, missing or revoked token and an unknown barber look the same: null.
 */
import type { Db } from '../db/client';
import { calendarFeed, setCalendarTokenHash, type CalendarFeedRow } from '../db/queries/calendar-feed';
import type { AppointmentStatus, ShopAddress } from '../db/schema';
import { hashToken, newOpaqueToken, OPAQUE_TOKEN_PATTERN } from '../auth/tokens';
import { icsCalendar, type IcsEvent } from '../domain/ics';
import { jsonValue } from '../lib/json';

const DAY_MS = 86_400_000;

/** What the feed covers, around now: a month back (cancellations included) and half a year ahead. */
export const FEED_WINDOW = { pastDays: 30, futureDays: 180 } as const;

/** How long subscribers (and any private cache) may keep a copy, in seconds. */
export const FEED_MAX_AGE_S = 300;

export const ICS_UID_DOMAIN = 'bookedbarber.app';

export interface IssuedFeed {
  /** Shown once: the only place the secret ever appears. */
  url: string;
  /** The same feed for calendar apps that subscribe through webcal:. */
  webcalUrl: string;
}

/** The feed's URL for a barber and secret. */
export function feedUrl(origin: string, barberId: string, token: string): string {
  const url = new URL(`/api/v1/barbers/${barberId}/calendar.ics`, origin);
  url.searchParams.set('token', token);
  return url.toString();
}

/** A new secret for the barber's feed; whatever URL existed before stops working. */
export async function rotateCalendarToken(
  db: Db,
  origin: string,
  actorId: string,
  barber: { id: string; shopId: string },
): Promise<IssuedFeed | null> {
  const token = newOpaqueToken();
  const found = await setCalendarTokenHash(db, { barberId: barber.id, shopId: barber.shopId, actorId, tokenHash: await hashToken(token) });
  if (!found) return null;
  const url = feedUrl(origin, barber.id, token);
  return { url, webcalUrl: url.replace(/^https?:/, 'webcal:') };
}

/** No feed any more; true when the barber existed. */
export function revokeCalendarToken(db: Db, actorId: string, barber: { id: string; shopId: string }): Promise<boolean> {
  return setCalendarTokenHash(db, { barberId: barber.id, shopId: barber.shopId, actorId, tokenHash: null });
}

const STATUS: Record<AppointmentStatus, IcsEvent['status']> = {
  held: 'TENTATIVE',
  pending_payment: 'TENTATIVE',
  confirmed: 'CONFIRMED',
  // They happened (or the time was kept for them): the calendar keeps the block.
  completed: 'CONFIRMED',
  no_show: 'CONFIRMED',
  cancelled: 'CANCELLED',
};

const NOTE: Partial<Record<AppointmentStatus, string>> = {
  held: 'Held — awaiting confirmation',
  pending_payment: 'Awaiting payment',
  completed: 'Completed',
  no_show: 'No-show',
  cancelled: 'Cancelled',
};

/** "1 Main St, Suite 2, Brooklyn, NY 11201, US" */
export function addressLine(address: ShopAddress | null): string | undefined {
  if (!address) return undefined;
  const regionPostal = [address.region, address.postal_code].filter(Boolean).join(' ');
  const line = [address.line1, address.line2, address.city, regionPostal, address.country].filter((p) => p && p.trim()).join(', ');
  return line || undefined;
}

export function feedEvent(row: CalendarFeedRow, location: string | undefined): IcsEvent {
  const note = NOTE[row.status];
  return {
    uid: `${row.id}@${ICS_UID_DOMAIN}`,
    sequence: row.sequence,
    startMs: row.start_ms,
    endMs: row.end_ms,
    stampMs: row.stamp_ms,
    summary: `${row.service} — ${row.client_first_name}`.trim(),
    status: STATUS[row.status],
    ...(note ? { description: note } : {}),
    ...(location ? { location } : {}),
  };
}

/**
 * The feed as iCalendar text, or null when the token does not open it. One Neon request (token
 * check and rows together); a token that cannot be one of ours costs none.
 */
export async function renderCalendarFeed(db: Db, barberId: string, token: string | undefined, now = Date.now()): Promise<string | null> {
  if (!token || !OPAQUE_TOKEN_PATTERN.test(token)) return null;
  const feed = await calendarFeed(db, {
    barberId,
    tokenHash: await hashToken(token),
    from: new Date(now - FEED_WINDOW.pastDays * DAY_MS),
    to: new Date(now + FEED_WINDOW.futureDays * DAY_MS),
    cancelledSince: new Date(now - FEED_WINDOW.pastDays * DAY_MS),
  });
  if (!feed) return null;
  const address = feed.address === null ? null : jsonValue<ShopAddress>(feed.address);
  const location = addressLine(address);
  const events = jsonValue(feed.events).map((row) => feedEvent(row, location));
  return icsCalendar(events, { name: `${feed.barberName} · ${feed.shopName}`, timeZone: feed.timezone, method: 'PUBLISH', refreshMinutes: FEED_MAX_AGE_S / 60 }, now);
}
