/**
 * The guard every page of the owner's back office starts with: a signed-in user (else /login),
 * a well-formed shop id, and the services' decision on who may run that shop — owners and
 * platform staff pass, a barber of the shop reads a 403 in words, anyone else a 404. A refusal
 * is thrown as the page's own response, so loaders and actions stay linear.
 */
import { data } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { authorizeShopOffice } from '../../worker/services/management/shops';
import { signedIn } from '../routes/account.server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s);

/** A refusal as the page shows it: the words and the status. */
export function refusal(err: unknown, headers?: Headers): never {
  if (err instanceof ApiError) throw data({ problem: err.message }, { status: err.status, ...(headers ? { headers } : {}) });
  throw err;
}

export async function shopOffice(services: Services, request: Request, shopIdParam: string | undefined) {
  const { userId, headers } = await signedIn(services, request);
  if (!isUuid(shopIdParam)) refusal(new ApiError('not_found', 'No such shop'), headers);
  try {
    const ctx = await authorizeShopOffice(services.db, userId, shopIdParam);
    return { userId, headers, ...ctx };
  } catch (err) {
    return refusal(err, headers);
  }
}
