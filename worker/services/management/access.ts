/**
 * Authorisation for the management API, against the shop the resource belongs to.
 *
 * Why not `requireShopRole` everywhere: for `/barbers/{id}/…` and `/services/{id}` it would cost
 * two Neon round trips (find the shop, then the caller's roles) before the write's own. Each
 * loader here is ONE statement that finds the resource, its shop's settings the handler needs
 * (time zone, currency, policy) and the caller's roles in that shop, so a write is
 * "access 1 + write batch 1". The decision rule is the same as requireShopRole's: no resource →
 * 404, a role the route does not accept → 403, platform admins always pass.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { barbers, services, shops, type MembershipRole, type ShopPolicy } from '../../db/schema';
import { ApiError } from '../../lib/errors';

export interface ShopAccess {
  shopId: string;
  roles: MembershipRole[];
  isAdmin: boolean;
}

/**
 * Who may act: `owner` — owners of the shop; `staff` — its barbers and owners; `self_or_owner` —
 * the barber the resource belongs to, or an owner.
 */
export type Permit = 'owner' | 'staff' | 'self_or_owner';

const qualified = (table: string, column: string) => sql`${sql.identifier(table)}.${sql.identifier(column)}`;

/** The caller's roles in the shop whose id is `shopId` (an SQL expression), comma-separated. */
function rolesIn(userId: string, shopId: SQL): SQL<string> {
  return sql<string>`(select coalesce(string_agg(distinct m.role::text, ','), '') from memberships m
    where m.user_id = ${userId} and (m.shop_id = ${shopId} or m.role = 'admin'))`;
}

/**
 * The lowest price a client can be charged at the shop: active services and the per-barber
 * overrides of active barbers. Fixed fees and deposits may not exceed it (domain/policy.ts).
 */
function cheapestPriceIn(shopId: SQL): SQL<number | null> {
  return sql<number | null>`(select min(p) from (
      select sv.price_cents as p from services sv where sv.shop_id = ${shopId} and sv.active
      union all
      select bs.price_cents from barber_services bs
        join services sv on sv.id = bs.service_id
        join barbers b on b.id = bs.barber_id
       where sv.shop_id = ${shopId} and sv.active and b.active and bs.price_cents is not null
    ) prices)`.mapWith((v: unknown) => (v === null ? null : Number(v)));
}

function parseRoles(value: string | null): MembershipRole[] {
  return (value ?? '').split(',').filter((r): r is MembershipRole => r.length > 0);
}

function decide(shopId: string, roles: MembershipRole[], permit: Permit, isSelf: boolean): ShopAccess {
  const isAdmin = roles.includes('admin');
  const allowed =
    isAdmin ||
    roles.includes('owner') ||
    (permit === 'staff' && roles.includes('barber')) ||
    (permit === 'self_or_owner' && isSelf && roles.includes('barber'));
  if (!allowed) {
    const needs = { owner: 'the owner role', staff: 'a staff role', self_or_owner: 'to be this barber or an owner' }[permit];
    throw new ApiError('forbidden', `This requires ${needs} in the shop`);
  }
  return { shopId, roles, isAdmin };
}

/**
 * The caller's access to a shop when nothing else about the shop is needed (reads of client
 * records, staff appointment lists): one statement, the same decision rule as the loaders below.
 */
export async function authorizeShopRoles(db: Db, userId: string, shopId: string, permit: Permit): Promise<ShopAccess> {
  const rows = await db.execute<{ roles: string | null }>(sql`select ${rolesIn(userId, sql`${shopId}::uuid`)} as roles`);
  return decide(shopId, parseRoles(rows.rows[0]?.roles ?? null), permit, false);
}

export interface ShopContext {
  access: ShopAccess;
  shop: typeof shops.$inferSelect;
  cheapestPriceCents: number | null;
}

/** A shop by id plus the caller's access (and the cheapest price, for policy checks). */
export async function authorizeShop(db: Db, userId: string, shopId: string, permit: Permit): Promise<ShopContext> {
  const id = qualified('shops', 'id');
  const [row] = await db
    .select({ shop: shops, roles: rolesIn(userId, id), cheapest: cheapestPriceIn(id) })
    .from(shops)
    .where(eq(shops.id, shopId));
  if (!row) throw new ApiError('not_found', 'No such shop');
  return { access: decide(shopId, parseRoles(row.roles), permit, false), shop: row.shop, cheapestPriceCents: row.cheapest };
}

export interface ShopServiceSummary {
  id: string;
  name: string;
  price_cents: number;
  duration_min: number;
  currency: string;
  active: boolean;
}

export interface BarberContext {
  access: ShopAccess;
  barber: typeof barbers.$inferSelect;
  shop: { id: string; name: string; timezone: string; currency: string; policy: ShopPolicy };
  /** Only loaded with `withServices`: the shop's whole catalogue. */
  shopServices: ShopServiceSummary[];
}

/** A barber plus their shop's settings and the caller's access to it, in one statement. */
export async function authorizeBarber(
  db: Db,
  userId: string,
  barberId: string,
  permit: Permit,
  opts: { withServices?: boolean } = {},
): Promise<BarberContext> {
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
      roles: rolesIn(userId, shopId),
      catalogue,
    })
    .from(barbers)
    .innerJoin(shops, eq(shops.id, barbers.shopId))
    .where(eq(barbers.id, barberId));
  if (!row) throw new ApiError('not_found', 'No such barber');
  const access = decide(row.barber.shopId, parseRoles(row.roles), permit, row.barber.userId === userId);
  return { access, barber: row.barber, shop: row.shop, shopServices: parseJson(row.catalogue) };
}

export interface ServiceContext {
  access: ShopAccess;
  service: typeof services.$inferSelect;
  shop: { id: string; currency: string; policy: ShopPolicy };
}

/** A catalogue service plus its shop's currency and policy and the caller's access. */
export async function authorizeService(db: Db, userId: string, serviceId: string, permit: Permit): Promise<ServiceContext> {
  const [row] = await db
    .select({
      service: services,
      shop: { id: shops.id, currency: shops.currency, policy: shops.policy },
      roles: rolesIn(userId, qualified('services', 'shop_id')),
    })
    .from(services)
    .innerJoin(shops, eq(shops.id, services.shopId))
    .where(eq(services.id, serviceId));
  if (!row) throw new ApiError('not_found', 'No such service');
  return { access: decide(row.service.shopId, parseRoles(row.roles), permit, false), service: row.service, shop: row.shop };
}

/**
 * Staff access to a shop plus whether `clientId` is a client there (a client membership or any
 * appointment at the shop): client records of other shops do not exist from this shop's view.
 */
export async function authorizeClientRecord(
  db: Db,
  userId: string,
  shopId: string,
  clientId: string,
): Promise<{ access: ShopAccess; isClient: boolean }> {
  const rows = await db.execute<{ roles: string | null; is_client: boolean | string }>(sql`
    select ${rolesIn(userId, sql`${shopId}::uuid`)} as roles,
           (exists (select 1 from memberships m where m.user_id = ${clientId} and m.shop_id = ${shopId} and m.role = 'client')
             or exists (select 1 from appointments a where a.client_id = ${clientId} and a.shop_id = ${shopId})) as is_client`);
  const row = rows.rows[0];
  const access = decide(shopId, parseRoles(row?.roles ?? null), 'staff', false);
  return { access, isClient: row?.is_client === true || row?.is_client === 't' };
}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
