import { data, redirect } from '@remix-run/cloudflare';
import type { shops } from '../../worker/db/schema';
import { ApiError } from '../../worker/lib/errors';
import { me } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import { authorizeShopOffice } from '../../worker/services/management/shops';
import { signedIn } from './account.server';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A page of the owner's area that cannot be shown, in words, with the status it carries. */
export interface Refusal {
  status: number;
  problem: string;
}

export type Office =
  | { ok: true; userId: string; headers: Headers; shop: typeof shops.$inferSelect }
  | ({ ok: false; userId: string; headers: Headers } & Refusal);

/** An ApiError as words on the page: the service's own detail, with its status. */
export function refusalOf(err: unknown): Refusal {
  if (!(err instanceof ApiError)) throw err;
  return { status: err.status, problem: err.message };
}

/**
 * The signed-in caller (signed out → /login) and their standing in the shop of `/manage/:shopId`,
 * as the services decide it (authorizeShopOffice): owners and platform staff pass; a barber of
 * the shop is told in words that it is for owners (403); to anyone else it does not exist (404).
 */
export async function office(services: Services, request: Request, shopId: string | undefined): Promise<Office> {
  const { userId, headers } = await signedIn(services, request);
  if (!shopId || !UUID.test(shopId)) return { ok: false, userId, headers, status: 404, problem: 'No such shop' };
  try {
    const { shop } = await authorizeShopOffice(services.db, userId, shopId);
    return { ok: true, userId, headers, shop };
  } catch (err) {
    return { ok: false, userId, headers, ...refusalOf(err) };
  }
}

/** The loader answer of a refused page: the words and the status, nothing of the shop. */
export function refused(o: Refusal & { headers: Headers }) {
  return data({ page: null, problem: o.problem, status: o.status }, { status: o.status, headers: o.headers });
}

export interface OwnedShop {
  id: string;
  name: string;
}

/** `/manage`: the shops the caller owns; exactly one → straight to it; none → 403 in words. */
export async function loadOwnedShops(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const user = await me(services, userId);
  if (!user) throw redirect('/login');
  const seen = new Set<string>();
  const owned: OwnedShop[] = [];
  for (const m of user.memberships) {
    if (m.role !== 'owner' || seen.has(m.shop_id)) continue;
    seen.add(m.shop_id);
    owned.push({ id: m.shop_id, name: m.shop_name });
  }
  if (owned.length === 1) throw redirect(`/manage/${owned[0]!.id}`, { headers });
  if (owned.length === 0) {
    return data({ shops: owned, problem: 'You do not own a shop on BookedBarber, so there is nothing to run here.' }, { status: 403, headers });
  }
  owned.sort((a, b) => a.name.localeCompare(b.name));
  return data({ shops: owned, problem: null }, { headers });
}
