/**
 * Public availability: a barber's bookable slots for a service, and the shop-wide "any barber"
 * view. Served from the Upstash cache when every requested day is there under the barber's
 * current epoch (zero Neon requests); otherwise one Neon statement loads the schedule(s), the
 * pure engine computes the days, and the cache is refilled.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import type { Db } from '../db/client';
import { loadShopSnapshots, loadSnapshot } from '../db/queries/booking';
import type { Interval } from '../domain/availability';
import { normaliseSnapshot, offeringOf, slotsFor, type ScheduleSnapshot } from '../domain/schedule';
import { addDays, formatPlainDate, localDate, type PlainDate } from '../domain/time';
import { ApiError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { readDays, rosterKey, writeDays, type CacheRead } from './availability-cache';
import type { Services } from './container';

/** The longest range one request may ask for (a month view plus a little). */
export const MAX_RANGE_DAYS = 42;

export interface AvailabilityDeps {
  db: Db;
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  now?: number;
}

/** The capabilities a request's availability read uses (both views). */
export function availabilityDeps(services: Pick<Services, 'db' | 'redis' | 'config' | 'logger'>): AvailabilityDeps & { roster: RosterCache } {
  const prefix = services.config.REDIS_PREFIX;
  return { db: services.db, redis: services.redis, redisPrefix: prefix, logger: services.logger, roster: redisRoster(services.redis, prefix, services.logger) };
}

export function datesBetween(from: PlainDate, to: PlainDate): string[] {
  const out: string[] = [];
  for (let d = from; formatPlainDate(d) <= formatPlainDate(to); d = addDays(d, 1)) out.push(formatPlainDate(d));
  return out;
}

function groupByLocalDate(slots: Interval[], timeZone: string): Map<string, Interval[]> {
  const byDate = new Map<string, Interval[]>();
  for (const s of slots) {
    const key = formatPlainDate(localDate(new Date(s.start), timeZone));
    const list = byDate.get(key);
    if (list) list.push(s);
    else byDate.set(key, [s]);
  }
  return byDate;
}

/** Cache entries hold slots before the notice cut-off; each read applies it at its own "now". */
function afterNotice(slots: Iterable<Interval>, noticeMin: number, now: number): Interval[] {
  const earliest = now + noticeMin * 60_000;
  return [...slots].filter((s) => s.start >= earliest);
}

async function safeRead(deps: AvailabilityDeps, barberId: string, serviceId: string, dates: string[]): Promise<CacheRead | null> {
  try {
    return await readDays(deps.redis, deps.redisPrefix, barberId, serviceId, dates);
  } catch (err) {
    // The cache is an optimisation: without Redis every read is a miss, never an error.
    deps.logger.warn('availability cache unavailable', { err });
    return null;
  }
}

/** Computes the days for one snapshot (notice ignored) and stores them under `epoch`. */
async function computeAndStore(
  deps: AvailabilityDeps,
  snapshot: ScheduleSnapshot,
  serviceId: string,
  from: PlainDate,
  to: PlainDate,
  dates: string[],
  epochs: { epoch: number; serviceEpoch: number } | null,
  now: number,
): Promise<Interval[]> {
  const unnoticed = { ...snapshot, policy: { ...snapshot.policy, min_notice_min: 0 } };
  const slots = slotsFor(unnoticed, serviceId, now, from, to);
  if (epochs !== null) {
    const byDate = groupByLocalDate(slots, snapshot.timezone);
    const days = dates.map((date) => ({ date, tz: snapshot.timezone, slots: byDate.get(date) ?? [], notice: snapshot.policy.min_notice_min }));
    try {
      await writeDays(deps.redis, deps.redisPrefix, snapshot.barber_id, serviceId, epochs, days);
    } catch (err) {
      deps.logger.warn('availability cache not written', { err });
    }
  }
  return afterNotice(slots, snapshot.policy.min_notice_min, now);
}

export interface BarberAvailability {
  timezone: string;
  barber_id: string;
  service_id: string;
  slots: Interval[];
  /** Whether this answer came from the cache (Server-Timing shows the Neon side). */
  cached: boolean;
}

export async function barberAvailability(
  deps: AvailabilityDeps,
  barberId: string,
  serviceId: string,
  from: PlainDate,
  to: PlainDate,
): Promise<BarberAvailability> {
  const now = deps.now ?? Date.now();
  const dates = datesBetween(from, to);
  const cached = await safeRead(deps, barberId, serviceId, dates);
  if (cached && cached.days.every((d) => d !== null)) {
    const days = cached.days as NonNullable<CacheRead['days'][number]>[];
    const slots = days.flatMap((d) => d.s.map(([start, end]) => ({ start, end })));
    return { timezone: days[0]!.tz, barber_id: barberId, service_id: serviceId, slots: afterNotice(slots, days[0]!.n, now), cached: true };
  }
  const record = await loadSnapshot(deps.db, barberId);
  const snapshot = record ? (normaliseSnapshot(record) as ScheduleSnapshot) : null;
  if (!snapshot || !snapshot.active || !snapshot.shop_active) throw new ApiError('not_found', 'No such barber');
  if (!offeringOf(snapshot, serviceId)) {
    throw new ApiError('unprocessable', 'The barber does not offer this service', {
      errors: [{ path: 'query.service_id', message: 'Not offered by this barber' }],
    });
  }
  const slots = await computeAndStore(deps, snapshot, serviceId, from, to, dates, cached ?? null, now);
  return { timezone: snapshot.timezone, barber_id: barberId, service_id: serviceId, slots, cached: false };
}

export interface ShopSlot extends Interval {
  barber_ids: string[];
}

export interface ShopAvailability {
  timezone: string;
  service_id: string;
  slots: ShopSlot[];
  /** The first opening of each local day that has one. */
  earliest_by_day: { date: string; start: number; end: number; barber_ids: string[] }[];
  cached: boolean;
}

/**
 * "Any barber": every slot with the barbers free for it. Which barbers offer the service is
 * known only to Postgres, so a cold read is one statement for all of them; the barbers' days are
 * then cached like the single-barber view, and the roster with them.
 */
export async function shopAvailability(
  deps: AvailabilityDeps & { roster: RosterCache },
  shopId: string,
  serviceId: string,
  from: PlainDate,
  to: PlainDate,
): Promise<ShopAvailability> {
  const now = deps.now ?? Date.now();
  const dates = datesBetween(from, to);
  const roster = await deps.roster.get(shopId, serviceId);
  let perBarber: { barberId: string; slots: Interval[] }[] | null = null;
  let timezone: string | null = roster?.timezone ?? null;
  let cachedAll = false;
  // Epochs are read before Postgres (see availability-cache.ts for why this order is safe); a
  // barber the cached roster does not name yet gets no cache entry this time.
  const epochs = new Map<string, CacheRead>();
  if (roster) {
    const reads = await Promise.all(roster.barberIds.map((id) => safeRead(deps, id, serviceId, dates)));
    roster.barberIds.forEach((id, i) => {
      if (reads[i]) epochs.set(id, reads[i]!);
    });
    if (roster.barberIds.length > 0 && reads.every((r) => r && r.days.every((d) => d !== null))) {
      cachedAll = true;
      perBarber = roster.barberIds.map((barberId, i) => {
        const days = reads[i]!.days as NonNullable<CacheRead['days'][number]>[];
        return { barberId, slots: afterNotice(days.flatMap((d) => d.s.map(([start, end]) => ({ start, end }))), days[0]?.n ?? 0, now) };
      });
    }
  }
  if (!perBarber) {
    const snapshots = (await loadShopSnapshots(deps.db, shopId, serviceId)).map((r) => normaliseSnapshot(r) as ScheduleSnapshot);
    if (snapshots.length === 0) throw new ApiError('not_found', 'No barber of this shop offers this service');
    timezone = snapshots[0]!.timezone;
    perBarber = await Promise.all(
      snapshots.map(async (snap) => ({
        barberId: snap.barber_id,
        slots: await computeAndStore(deps, snap, serviceId, from, to, dates, epochs.get(snap.barber_id) ?? null, now),
      })),
    );
    await deps.roster.put(shopId, serviceId, { barberIds: snapshots.map((s) => s.barber_id), timezone });
  }
  if (!timezone) throw new ApiError('not_found', 'No barber of this shop offers this service');

  const merged = new Map<string, ShopSlot>();
  for (const { barberId, slots } of perBarber) {
    for (const s of slots) {
      const key = `${s.start}:${s.end}`;
      const slot = merged.get(key);
      if (slot) slot.barber_ids.push(barberId);
      else merged.set(key, { start: s.start, end: s.end, barber_ids: [barberId] });
    }
  }
  const slots = [...merged.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const s of slots) s.barber_ids.sort();
  const earliest = new Map<string, ShopSlot>();
  for (const s of slots) {
    const date = formatPlainDate(localDate(new Date(s.start), timezone));
    if (!earliest.has(date)) earliest.set(date, s);
  }
  return {
    timezone,
    service_id: serviceId,
    slots,
    earliest_by_day: [...earliest.entries()].map(([date, s]) => ({ date, start: s.start, end: s.end, barber_ids: s.barber_ids })),
    cached: cachedAll,
  };
}

/** Which barbers of a shop offer a service — cached briefly, dropped by roster changes. */
export interface RosterCache {
  get(shopId: string, serviceId: string): Promise<{ barberIds: string[]; timezone: string } | null>;
  put(shopId: string, serviceId: string, roster: { barberIds: string[]; timezone: string }): Promise<void>;
}

export const ROSTER_TTL_SECONDS = 60;

export function redisRoster(redis: Redis, prefix: string, logger: Logger): RosterCache {
  return {
    async get(shopId, serviceId) {
      try {
        return await redis.get<{ barberIds: string[]; timezone: string }>(rosterKey(prefix, shopId, serviceId));
      } catch (err) {
        logger.warn('roster cache unavailable', { err });
        return null;
      }
    },
    async put(shopId, serviceId, roster) {
      try {
        await redis.set(rosterKey(prefix, shopId, serviceId), roster, { ex: ROSTER_TTL_SECONDS });
      } catch (err) {
        logger.warn('roster cache not written', { err });
      }
    },
  };
}
