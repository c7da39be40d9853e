/**
 * Authorisation for the management API, against the shop the resource belongs to.
 *
 * Why not `requireShopRole` everywhere: for `/barbers/{id}/…` and `/services/{id}` it would cost
 * two Neon round trips (find the shop, then the caller's roles) before the write's own. Each
 * loader (db/queries/access.ts) is ONE statement that finds the resource, its shop's settings the
 * handler needs (time zone, currency, policy) and the caller's standing in that shop, so a write
 * is "access 1 + write batch 1". The decision rule is the same as requireShopRole's: no resource
 * → 404, a role the route does not accept → 403, platform staff always pass.
 */
import type { Db } from '../../db/client';
import {
  barberWithStanding,
  clientRecordStanding,
  serviceWithStanding,
  shopStanding,
  shopWithStanding,
  type ShopServiceSummary,
  type Standing,
} from '../../db/queries/access';
import type { barbers, MembershipRole, services, ShopPolicy, shops } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import { jsonValue } from '../../lib/json';

export type { ShopServiceSummary };

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

function decide(shopId: string, { roles, isAdmin }: Standing, permit: Permit, isSelf: boolean): ShopAccess {
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
  return decide(shopId, await shopStanding(db, userId, shopId), permit, false);
}

export interface ShopContext {
  access: ShopAccess;
  shop: typeof shops.$inferSelect;
  cheapestPriceCents: number | null;
}

/** A shop by id plus the caller's access (and the cheapest price, for policy checks). */
export async function authorizeShop(db: Db, userId: string, shopId: string, permit: Permit): Promise<ShopContext> {
  const found = await shopWithStanding(db, userId, shopId);
  if (!found) throw new ApiError('not_found', 'No such shop');
  return { access: decide(shopId, found.standing, permit, false), shop: found.shop, cheapestPriceCents: found.cheapestPriceCents };
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
  const found = await barberWithStanding(db, userId, barberId, opts);
  if (!found) throw new ApiError('not_found', 'No such barber');
  const access = decide(found.barber.shopId, found.standing, permit, found.barber.userId === userId);
  return { access, barber: found.barber, shop: found.shop, shopServices: jsonValue(found.catalogue) };
}

export interface ServiceContext {
  access: ShopAccess;
  service: typeof services.$inferSelect;
  shop: { id: string; currency: string; policy: ShopPolicy };
}

/** A catalogue service plus its shop's currency and policy and the caller's access. */
export async function authorizeService(db: Db, userId: string, serviceId: string, permit: Permit): Promise<ServiceContext> {
  const found = await serviceWithStanding(db, userId, serviceId);
  if (!found) throw new ApiError('not_found', 'No such service');
  return { access: decide(found.service.shopId, found.standing, permit, false), service: found.service, shop: found.shop };
}

/**
 * Staff access to a shop plus whether `clientId` is a client there (isClientOfShopSql): client
 * records of other shops do not exist from this shop's view.
 */
export async function authorizeClientRecord(
  db: Db,
  userId: string,
  shopId: string,
  clientId: string,
): Promise<{ access: ShopAccess; isClient: boolean }> {
  const found = await clientRecordStanding(db, userId, shopId, clientId);
  return { access: decide(shopId, found.standing, 'staff', false), isClient: found.isClient };
}
