/** Onboarding and the shop profile: create (caller becomes owner), update, public page. */
import { eq } from 'drizzle-orm';
import { base64url } from 'jose';
import type { Db } from '../../db/client';
import { getShopBySlug, type ShopPage } from '../../db/queries/shops';
import { barbers, memberships, services, shops, type Shop, type ShopAddress, type ShopPolicy, DEFAULT_SHOP_POLICY, withPolicyDefaults } from '../../db/schema';
import { validatePolicy } from '../../domain/policy';
import { canonicalTimeZone } from '../../domain/timezone';
import { ApiError, type FieldError } from '../../lib/errors';
import { auditQuery } from '../audit';
import { authorizeShop, authorizeShopRoles, type ShopContext } from './access';
import { conflictOn, unprocessable } from './errors';

export interface NewShopInput {
  name: string;
  slug: string;
  timezone: string;
  currency: string;
  address?: ShopAddress | null;
  policy?: Partial<ShopPolicy>;
}

export interface ShopPatch {
  name?: string;
  timezone?: string;
  address?: ShopAddress | null;
  policy?: Partial<ShopPolicy>;
}

/** `patch` over `base`, ignoring keys present but undefined (they mean "unchanged"). */
function mergePolicy(base: ShopPolicy, patch: Partial<ShopPolicy> | undefined): ShopPolicy {
  const defined = Object.entries(patch ?? {}).filter(([, v]) => v !== undefined);
  return { ...base, ...Object.fromEntries(defined) };
}

function zoneOrFail(input: string): string {
  const zone = canonicalTimeZone(input);
  if (!zone) {
    throw unprocessable('Unknown time zone', [{ path: 'json.timezone', message: 'Must be an IANA time zone such as "America/New_York"' }]);
  }
  return zone;
}

function policyOrFail(policy: ShopPolicy, cheapestPriceCents: number | null): ShopPolicy {
  const violations = validatePolicy(policy, cheapestPriceCents);
  if (violations.length > 0) {
    const errors: FieldError[] = violations.map((v) => ({ path: `json.policy.${v.path}`, message: v.message }));
    throw unprocessable('The policy breaks a shop rule', errors);
  }
  return policy;
}

/**
 * Creates the shop and makes the caller its owner in one batch (one Neon round trip, one
 * transaction): there is never a shop without an owner. The id is minted here so the
 * membership and audit rows can reference it inside the same batch.
 */
export async function createShop(db: Db, actorId: string, input: NewShopInput): Promise<Shop> {
  const id = crypto.randomUUID();
  const values = {
    id,
    slug: input.slug,
    name: input.name,
    timezone: zoneOrFail(input.timezone),
    currency: input.currency,
    address: input.address ?? null,
    policy: policyOrFail(mergePolicy(DEFAULT_SHOP_POLICY, input.policy), null),
  };
  const [created] = await conflictOn('shops_slug_unique', 'json.slug', 'That slug is taken', () =>
    db.batch([
      db.insert(shops).values(values).returning(),
      db.insert(memberships).values({ userId: actorId, shopId: id, role: 'owner' }),
      auditQuery(db, { shopId: id, actorId, action: 'shop.created', entity: 'shop', entityId: id, data: { slug: input.slug } }),
    ]),
  );
  return created[0]!;
}

/**
 * Profile and policy changes; the policy patch is merged over the current policy, then checked
 * whole. The same batch names the shop's barbers and services, so the caller can invalidate
 * their availability without another round trip.
 */
export async function updateShop(
  db: Db,
  actorId: string,
  current: Shop,
  cheapestPriceCents: number | null,
  patch: ShopPatch,
): Promise<{ shop: Shop; barberIds: string[]; serviceIds: string[] }> {
  const changes: Partial<typeof shops.$inferInsert> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.timezone !== undefined) changes.timezone = zoneOrFail(patch.timezone);
  if (patch.address !== undefined) changes.address = patch.address;
  if (patch.policy !== undefined) changes.policy = policyOrFail(mergePolicy(withPolicyDefaults(current.policy), patch.policy), cheapestPriceCents);
  const [updated, , shopBarbers, shopServices] = await db.batch([
    db.update(shops).set(changes).where(eq(shops.id, current.id)).returning(),
    auditQuery(db, {
      shopId: current.id,
      actorId,
      action: 'shop.updated',
      entity: 'shop',
      entityId: current.id,
      data: { fields: Object.keys(changes), ...(changes.policy ? { policy: changes.policy } : {}) },
    }),
    db.select({ id: barbers.id }).from(barbers).where(eq(barbers.shopId, current.id)),
    db.select({ id: services.id }).from(services).where(eq(services.shopId, current.id)),
  ]);
  return { shop: updated[0] ?? current, barberIds: shopBarbers.map((b) => b.id), serviceIds: shopServices.map((x) => x.id) };
}

/**
 * The owner's back office of one shop: its owners and platform staff pass (authorizeShop); a
 * barber of the shop is told it is for owners (403); to anyone else the shop's back office does
 * not exist (404), so an owner of another shop learns nothing about this one.
 */
export async function authorizeShopOffice(db: Db, userId: string, shopId: string): Promise<ShopContext> {
  try {
    return await authorizeShop(db, userId, shopId, 'owner');
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'forbidden') throw err;
    const staff = await authorizeShopRoles(db, userId, shopId, 'staff').then(
      () => true,
      () => false,
    );
    if (staff) throw new ApiError('forbidden', "Only the shop's owners run this part of the shop");
    throw new ApiError('not_found', 'No such shop');
  }
}

export interface PublicShopPage {
  body: string;
  etag: string;
}

/**
 * The public shop page as serialised JSON plus a strong ETag over exactly those bytes, so a
 * revalidation (If-None-Match) matches only when the page is byte-identical. One statement.
 */
export async function publicShopPage(db: Db, slug: string): Promise<PublicShopPage | null> {
  const page: ShopPage | null = await getShopBySlug(db, slug);
  if (!page) return null;
  const body = JSON.stringify(page);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  return { body, etag: `"${base64url.encode(digest)}"` };
}

/** RFC 9110 §13.1.2: If-None-Match uses weak comparison and may list several tags or `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === opaque);
}
