import { and, asc, eq, gt, ilike, or, sql } from 'drizzle-orm';
import { barberServices, barbers, services, shops, workingHours } from '../schema';
import { jsonValue } from '../../lib/json';
import { decodeCursor, encodeCursor } from './cursor';
import type { AnyDb, Page } from './types';

export interface OfferedService {
  service_id: string;
  name: string;
  currency: string;
  /** Effective values: the barber's override when set, else the service's own. */
  price_cents: number;
  duration_min: number;
}

/** A weekly interval in the shop's time zone, as wall-clock "HH:MM" (end exclusive; "24:00" = midnight). */
export interface PublicWorkingHours {
  weekday: number;
  start: string;
  end: string;
}

export interface PublicBarber {
  id: string;
  display_name: string;
  bio: string;
  services: OfferedService[];
  working_hours: PublicWorkingHours[];
}

export interface PublicService {
  id: string;
  name: string;
  description: string;
  price_cents: number;
  currency: string;
  duration_min: number;
}

/**
 * A shop page in ONE statement: the shop row plus, as JSON, its active barbers (each with the
 * active services they offer at effective price/duration, and their weekly hours) and its
 * active services.
 * Correlated json_agg subqueries keep it one round trip on Neon HTTP.
 */
export function shopBySlugQuery(db: AnyDb, slug: string) {
  // Spelled out: drizzle renders columns in a single-table select list unqualified, and a bare
  // "id" inside the correlated subqueries would bind to the inner table instead of shops.
  const shopId = sql`${sql.identifier('shops')}.${sql.identifier('id')}`;
  const barbersJson = sql<PublicBarber[]>`coalesce((
    select json_agg(json_build_object(
      'id', b.id,
      'display_name', b.display_name,
      'bio', b.bio,
      'services', coalesce((
        select json_agg(json_build_object(
          'service_id', sv.id,
          'name', sv.name,
          'currency', sv.currency,
          'price_cents', coalesce(bs.price_cents, sv.price_cents),
          'duration_min', coalesce(bs.duration_min, sv.duration_min)
        ) order by sv.name, sv.id)
        from ${barberServices} bs
        join ${services} sv on sv.id = bs.service_id
        where bs.barber_id = b.id and sv.active
      ), '[]'::json),
      'working_hours', coalesce((
        select json_agg(json_build_object(
          'weekday', wh.weekday,
          'start', lpad((wh.start_minute / 60)::text, 2, '0') || ':' || lpad((wh.start_minute % 60)::text, 2, '0'),
          'end', lpad((wh.end_minute / 60)::text, 2, '0') || ':' || lpad((wh.end_minute % 60)::text, 2, '0')
        ) order by wh.weekday, wh.start_minute)
        from ${workingHours} wh
        where wh.barber_id = b.id
      ), '[]'::json)
    ) order by b.display_name, b.id)
    from ${barbers} b
    where b.shop_id = ${shopId} and b.active
  ), '[]'::json)`;
  const servicesJson = sql<PublicService[]>`coalesce((
    select json_agg(json_build_object(
      'id', sv.id,
      'name', sv.name,
      'description', sv.description,
      'price_cents', sv.price_cents,
      'currency', sv.currency,
      'duration_min', sv.duration_min
    ) order by sv.name, sv.id)
    from ${services} sv
    where sv.shop_id = ${shopId} and sv.active
  ), '[]'::json)`;
  return db
    .select({
      id: shops.id,
      slug: shops.slug,
      name: shops.name,
      timezone: shops.timezone,
      currency: shops.currency,
      address: shops.address,
      policy: shops.policy,
      barbers: barbersJson,
      services: servicesJson,
    })
    .from(shops)
    .where(and(eq(shops.slug, slug), eq(shops.active, true)))
    .limit(1);
}

export type ShopPage = Awaited<ReturnType<typeof shopBySlugQuery>>[number];

export async function getShopBySlug(db: AnyDb, slug: string): Promise<ShopPage | null> {
  const [row] = await shopBySlugQuery(db, slug);
  if (!row) return null;
  // Some drivers hand json back as text; normalise so callers always get arrays.
  return {
    ...row,
    barbers: jsonValue(row.barbers),
    services: jsonValue(row.services),
  };
}

export interface ShopListItem {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
}

/** Escapes LIKE wildcards so user input is matched literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Active shops ordered by (name, id), optional case-insensitive name search, keyset cursor. */
export async function listActiveShops(
  db: AnyDb,
  opts: { q?: string; cursor?: string | null; limit?: number } = {},
): Promise<Page<ShopListItem>> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
  const after = opts.cursor ? decodeCursor(opts.cursor, 2) : null;
  const q = opts.q?.trim();
  const rows = await db
    .select({
      id: shops.id,
      slug: shops.slug,
      name: shops.name,
      timezone: shops.timezone,
      currency: shops.currency,
    })
    .from(shops)
    .where(
      and(
        eq(shops.active, true),
        q ? ilike(shops.name, `%${escapeLike(q)}%`) : undefined,
        after
          ? or(
              gt(shops.name, String(after[0])),
              and(eq(shops.name, String(after[0])), gt(shops.id, String(after[1]))),
            )
          : undefined,
      ),
    )
    .orderBy(asc(shops.name), asc(shops.id))
    .limit(limit + 1);
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data,
    nextCursor: rows.length > limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}
