/**
 * The waitlist, the service: joining (one statement that checks the service, the barber and the
 * per-shop limit), the client's entries with names, and leaving. POST/GET/DELETE /api/v1/waitlist
 * and the web app's /account/waitlist go through here, so both refuse the same things the same way.
 */
import type { Db } from '../db/client';
import { namedWaitlistQuery, type NamedWaitlistRow } from '../db/queries/client-pages';
import { createWaitlistEntry, leaveWaitlist as leaveQuery, MAX_OPEN_ENTRIES, type NewWaitlistEntry, type WaitlistRow } from '../db/queries/waitlist';
import { ApiError } from '../lib/errors';

export async function joinWaitlist(db: Db, entry: NewWaitlistEntry): Promise<WaitlistRow> {
  const outcome = await createWaitlistEntry(db, entry);
  if (outcome.ok) return outcome.entry;
  if (outcome.reason === 'no_service') throw new ApiError('not_found', 'No such service at this shop');
  if (outcome.reason === 'no_barber') {
    throw new ApiError('unprocessable', 'That barber does not offer this service here', {
      errors: [{ path: 'json.barber_id', message: 'Not a barber of this shop offering the service' }],
    });
  }
  throw new ApiError('conflict', `At most ${MAX_OPEN_ENTRIES} open waitlist entries per shop`, { reason: 'waitlist_limit' });
}

/** The client's own entries with shop, service and barber names; open ones first. */
export function myWaitlist(db: Db, clientId: string): Promise<NamedWaitlistRow[]> {
  return namedWaitlistQuery(db, clientId);
}

/** Leaves an open entry of the caller's; anyone else's (or a closed one) is the same 404. */
export async function leaveWaitlist(db: Db, clientId: string, entryId: string): Promise<void> {
  if (!(await leaveQuery(db, clientId, entryId))) throw new ApiError('not_found', 'No such open waitlist entry of yours');
}
