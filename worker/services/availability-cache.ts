/**
 * The availability cache in Upstash, per barber, service and local day.
 *
 * Validity is an epoch per barber in Redis (`av:epoch:<barber>`), moved by every write that
 * changes the barber's availability AFTER it commits: the barber's Durable Object after each
 * booking-side write, the management services after hours, time off, offering, service and
 * policy changes. A reader reads the epoch BEFORE it reads Postgres and stores what it computed
 * under that epoch; so whichever way a read and a write interleave, an entry computed from
 * pre-write data carries an epoch the write has since moved past, and is never served. A hit is
 * one Upstash request and zero Neon requests.
 *
 * The Postgres `schedule_version` (see barbers.scheduleVersion) is the separate guard for the
 * object's own snapshot; the two never need to agree on numbers, only to both move.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import type { Interval } from '../domain/availability';
import type { Logger } from '../lib/logger';
import type { Services } from './container';

/** Entries also expire, so a lost epoch bump (Redis down at the wrong moment) heals by itself. */
export const ENTRY_TTL_SECONDS = 300;

export interface CachedDay {
  /** The barber's and the service's epochs when the data behind this entry was read. */
  e: number;
  se: number;
  tz: string;
  /** Bookable [start, end] pairs (epoch ms) of that local day, before the notice cut-off. */
  s: [number, number][];
  /** The shop's minimum notice, applied again at read time (slots go stale as time passes). */
  n: number;
}

export const epochKey = (prefix: string, barberId: string) => `${prefix}av:epoch:${barberId}`;
/** A service's own epoch: a change to the service (duration, price, retired) touches every barber offering it. */
export const serviceEpochKey = (prefix: string, serviceId: string) => `${prefix}av:sepoch:${serviceId}`;
export const dayKey = (prefix: string, barberId: string, serviceId: string, date: string) =>
  `${prefix}av:${barberId}:${serviceId}:${date}`;

export async function bumpAvailabilityEpochs(redis: Redis, prefix: string, barberIds: readonly string[]): Promise<void> {
  const unique = [...new Set(barberIds)];
  if (unique.length === 0) return;
  const p = redis.pipeline();
  for (const id of unique) p.incr(epochKey(prefix, id));
  await p.exec();
}

export interface CacheRead {
  epoch: number;
  serviceEpoch: number;
  /** One entry per requested date, null where missing or computed under an older epoch. */
  days: (CachedDay | null)[];
}

export async function readDays(redis: Redis, prefix: string, barberId: string, serviceId: string, dates: readonly string[]): Promise<CacheRead> {
  const p = redis.pipeline();
  p.get<number | string>(epochKey(prefix, barberId));
  p.get<number | string>(serviceEpochKey(prefix, serviceId));
  for (const d of dates) p.get<CachedDay>(dayKey(prefix, barberId, serviceId, d));
  const [rawEpoch, rawServiceEpoch, ...entries] = (await p.exec()) as [number | string | null, number | string | null, ...(CachedDay | null)[]];
  const epoch = rawEpoch == null ? 0 : Number(rawEpoch);
  const serviceEpoch = rawServiceEpoch == null ? 0 : Number(rawServiceEpoch);
  return { epoch, serviceEpoch, days: entries.map((e) => (e && e.e === epoch && e.se === serviceEpoch ? e : null)) };
}

export async function writeDays(
  redis: Redis,
  prefix: string,
  barberId: string,
  serviceId: string,
  epochs: { epoch: number; serviceEpoch: number },
  days: { date: string; tz: string; slots: Interval[]; notice: number }[],
): Promise<void> {
  if (days.length === 0) return;
  const p = redis.pipeline();
  for (const d of days) {
    const entry: CachedDay = { e: epochs.epoch, se: epochs.serviceEpoch, tz: d.tz, s: d.slots.map((x) => [x.start, x.end]), n: d.notice };
    p.set(dayKey(prefix, barberId, serviceId, d.date), entry, { ex: ENTRY_TTL_SECONDS });
  }
  await p.exec();
}

export const rosterKey = (prefix: string, shopId: string, serviceId: string) => `${prefix}av:roster:${shopId}:${serviceId}`;

/**
 * After a management write that changes what barbers can be booked for — hours, time off (one
 * barber), offerings, services, policy, zone, activation (the whole shop) — and only after it
 * committed. Postgres already moved schedule_version (triggers); this moves the cache. A failure
 * is logged, not raised: the write stands, and entries expire within ENTRY_TTL_SECONDS anyway.
 */
export type ChangeScope =
  /** Hours, time off, activation: that barber's days. */
  | { barberIds: readonly string[] }
  /** A service's duration, price or retirement: every barber's days for it, and its rosters. */
  | { serviceId: string; shopId: string }
  /** Who offers what, or the shop's policy or zone, changed: these barbers' days and the shop's rosters. */
  | { barberIds: readonly string[]; shopId: string; serviceIds: readonly string[] };

export async function availabilityChanged(deps: { redis: Redis; prefix: string; logger: Logger }, scope: ChangeScope): Promise<void> {
  try {
    const p = deps.redis.pipeline();
    let n = 0;
    const incr = (key: string) => (p.incr(key), n++);
    const dropRoster = (shopId: string, serviceId: string) => (p.del(rosterKey(deps.prefix, shopId, serviceId)), n++);
    if ('serviceId' in scope) {
      incr(serviceEpochKey(deps.prefix, scope.serviceId));
      dropRoster(scope.shopId, scope.serviceId);
    } else {
      for (const id of scope.barberIds) incr(epochKey(deps.prefix, id));
      if ('serviceIds' in scope) for (const id of scope.serviceIds) dropRoster(scope.shopId, id);
    }
    if (n > 0) await p.exec();
  } catch (err) {
    deps.logger.error('availability cache not invalidated', { err, scope });
  }
}

/** availabilityChanged with the request's capabilities. */
export function availabilityChangedIn(services: Services, scope: ChangeScope): Promise<void> {
  return availabilityChanged({ redis: services.redis, prefix: services.config.REDIS_PREFIX, logger: services.logger }, scope);
}
