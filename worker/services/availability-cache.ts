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

/** Entries also expire, so a lost epoch bump (Redis down at the wrong moment) heals by itself. */
export const ENTRY_TTL_SECONDS = 300;

export interface CachedDay {
  /** The barber's epoch when the data behind this entry was read. */
  e: number;
  tz: string;
  /** Bookable [start, end] pairs (epoch ms) of that local day, before the notice cut-off. */
  s: [number, number][];
  /** The shop's minimum notice, applied again at read time (slots go stale as time passes). */
  n: number;
}

export const epochKey = (prefix: string, barberId: string) => `${prefix}av:epoch:${barberId}`;
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
  /** One entry per requested date, null where missing or computed under an older epoch. */
  days: (CachedDay | null)[];
}

export async function readDays(redis: Redis, prefix: string, barberId: string, serviceId: string, dates: readonly string[]): Promise<CacheRead> {
  const p = redis.pipeline();
  p.get<number | string>(epochKey(prefix, barberId));
  for (const d of dates) p.get<CachedDay>(dayKey(prefix, barberId, serviceId, d));
  const [rawEpoch, ...entries] = (await p.exec()) as [number | string | null, ...(CachedDay | null)[]];
  const epoch = rawEpoch == null ? 0 : Number(rawEpoch);
  return { epoch, days: entries.map((e) => (e && e.e === epoch ? e : null)) };
}

export async function writeDays(
  redis: Redis,
  prefix: string,
  barberId: string,
  serviceId: string,
  epoch: number,
  days: { date: string; tz: string; slots: Interval[]; notice: number }[],
): Promise<void> {
  if (days.length === 0) return;
  const p = redis.pipeline();
  for (const d of days) {
    const entry: CachedDay = { e: epoch, tz: d.tz, s: d.slots.map((x) => [x.start, x.end]), n: d.notice };
    p.set(dayKey(prefix, barberId, serviceId, d.date), entry, { ex: ENTRY_TTL_SECONDS });
  }
  await p.exec();
}
