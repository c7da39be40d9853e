/**
 * The authorisation rules as SQL, each written once: who holds which role in a shop, who is a
 * client of a shop, who is a party to an appointment — and the one-statement loaders that read a
 * resource together with the caller's standing in its shop (services/management/access.ts
 * decides on the result). Platform staff come from users.platform_admin (isPlatformAdminSql).
 */
import { eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { barbers, services, shops, type MembershipRole } from '../schema';
import { isPlatformAdminSql } from './platform';
import type { AnyDb } from './types';

type Ref = SQLWrapper | string;

const qualified = (table: string, column: string) => sql`${sql.identifier(table)}.${sql.identifier(column)}`;

/** The user's roles in the shop, comma-separated ('' for none). */
function shopRolesSql(userId: Ref, shopId: Ref): SQL<string> {
  return sql<string>`(select coalesce(string_agg(distinct m.role::text, ','), '') from memberships m
    where m.user_id = ${userId} and m.shop_id = ${shopId})`;
}

/**
 * THE "client of this shop" rule: a client membership there, or any appointment there (staff
 * book walk-ins and phone clients who never joined). Client search, client records and notes
 * all use it, so a client is either visible everywhere in the shop or nowhere.
 */
export function isClientOfShopSql(userId: Ref, shopId: Ref): SQL<boolean> {
  return sql<boolean>`(exists (select 1 from memberships cm
      where cm.user_id = ${userId} and cm.shop_id = ${shopId} and cm.role = 'client')
    or exists (select 1 from appointments ca where ca.client_id = ${userId} and ca.shop_id = ${shopId}))`;
}

/**
 * THE appointment-party rule: its client, the barber in its chair, an owner of its shop, or
 * platform staff. Takes the appointment's columns (and its barber's user) from the caller's FROM.
 */
export function isAppointmentPartySql(
  userId: string,
  a: { clientId: SQLWrapper; shopId: SQLWrapper; barberUserId: SQLWrapper },
): SQL<boolean> {
  return sql<boolean>`(${a.clientId} = ${userId}
    or ${a.barberUserId} = ${userId}
    or exists (select 1 from memberships om where om.user_id = ${userId} and om.shop_id = ${a.shopId} and om.role = 'owner')
    or ${isPlatformAdminSql(userId)})`;
}

/**
 * The lowest price a client can be charged at the shop: active services and the per-barber
 * overrides of active barbers. Fixed fees and deposits may not exceed it (domain/policy.ts).
 */
function cheapestPriceSql(shopId: SQL): SQL<number | null> {
  return sql<number | null>`(select min(p) from (
      select sv.price_cents as p from services sv where sv.shop_id = ${shopId} and sv.active
      union all
      select bs.price_cents from barber_services bs
        join services sv on sv.id = bs.service_id
        join barbers b on b.id = bs.barber_id
       where sv.shop_id = ${shopId} and sv.active and b.active and bs.price_cents is not null
    ) prices)`.mapWith((v: unknown) => (v === null ? null : Number(v)));
}

/** What every loader returns about the caller: roles in the shop, and platform staff or not. */
export interface Standing {
  roles: MembershipRole[];
  isAdmin: boolean;
}

function standing(roles: string | null, admin: unknown): Standing {
  return {
    roles: (roles ?? '').split(',').filter((r): r is MembershipRole => r.length > 0),
    isAdmin: admin === true || admin === 't',
  };
}

const adminColumn = (userId: string) => isPlatformAdminSql(userId).mapWith((v: unknown) => v === true || v === 't');

/** The caller's standing in a shop, when nothing else about the shop is needed. */
export async function shopStanding(db: AnyDb, userId: string, shopId: string): Promise<Standing> {
  const result = await db.execute(sql`select ${shopRolesSql(userId, sql`${shopId}::uuid`)} as roles, ${isPlatformAdminSql(userId)} as admin`);
  const row = (result as unknown as { rows: { roles: string | null; admin: unknown }[] }).rows[0];
  return standing(row?.roles ?? null, row?.admin);
}

/** A shop by id, the cheapest price there (for policy checks) and the caller's standing. */
export async function shopWithStanding(db: AnyDb, userId: string, shopId: string) {
  const id = qualified('shops', 'id');
  const [row] = await db
    .select({ shop: shops, roles: shopRolesSql(userId, id), admin: adminColumn(userId), cheapest: cheapestPriceSql(id) })
    .from(shops)
    .where(eq(shops.id, shopId));
  return row ? { shop: row.shop, cheapestPriceCents: row.cheapest, standing: standing(row.roles, row.admin) } : null;
}

export interface ShopServiceSummary {
  id: string;
  name: string;
  price_cents: number;
  duration_min: number;
  currency: string;
  active: boolean;
}

/** A barber, their shop's settings (and optionally its whole catalogue) and the caller's standing. */
export async function barberWithStanding(db: AnyDb, userId: string, barberId: string, opts: { withServices?: boolean } = {}) {
  const shopId = qualified('barbers', 'shop_id');
  const catalogue = opts.withServices
    ? sql<ShopServiceSummary[] | string>`(select coalesce(json_agg(json_build_object(
          'id', sv.id, 'name', sv.name, 'price_cents', sv.price_cents, 'duration_min', sv.duration_min,
          'currency', sv.currency, 'active', sv.active) order by sv.name), '[]'::json)
        from services sv where sv.shop_id = ${shopId})`
    : sql<string>`'[]'`;
  const [row] = await db
    .select({
      barber: barbers,
      shop: { id: shops.id, name: shops.name, timezone: shops.timezone, currency: shops.currency, policy: shops.policy },
      roles: shopRolesSql(userId, shopId),
      admin: adminColumn(userId),
      catalogue,
    })
    .from(barbers)
    .innerJoin(shops, eq(shops.id, barbers.shopId))
    .where(eq(barbers.id, barberId));
  return row ? { barber: row.barber, shop: row.shop, catalogue: row.catalogue, standing: standing(row.roles, row.admin) } : null;
}

/** A catalogue service, its shop's currency and policy, and the caller's standing. */
export async function serviceWithStanding(db: AnyDb, userId: string, serviceId: string) {
  const [row] = await db
    .select({
      service: services,
      shop: { id: shops.id, currency: shops.currency, policy: shops.policy },
      roles: shopRolesSql(userId, qualified('services', 'shop_id')),
      admin: adminColumn(userId),
    })
    .from(services)
    .innerJoin(shops, eq(shops.id, services.shopId))
    .where(eq(services.id, serviceId));
  return row ? { service: row.service, shop: row.shop, standing: standing(row.roles, row.admin) } : null;
}

/** The caller's standing in a shop and whether `clientId` is a client there, in one statement. */
export async function clientRecordStanding(db: AnyDb, userId: string, shopId: string, clientId: string) {
  const shop = sql`${shopId}::uuid`;
  const result = await db.execute(sql`
    select ${shopRolesSql(userId, shop)} as roles, ${isPlatformAdminSql(userId)} as admin,
           ${isClientOfShopSql(sql`${clientId}::uuid`, shop)} as is_client`);
  const row = (result as unknown as { rows: { roles: string | null; admin: unknown; is_client: unknown }[] }).rows[0];
  return { standing: standing(row?.roles ?? null, row?.admin), isClient: row?.is_client === true || row?.is_client === 't' };
}
