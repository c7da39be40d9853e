/** Client records as a shop's staff sees them: only that shop's clients, visits and notes. */
import type { Db } from '../../db/client';
import { clientRecordQueries, searchClients, type ClientSearchHit } from '../../db/queries/clients';
import { clientNotes, type ClientNote } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import { wireInstant } from '../../lib/wire';
import { auditQuery } from '../audit';
import { authorizeClientRecord } from './access';

export type { ClientSearchHit };

export function searchShopClients(db: Db, shopId: string, q: string, limit: number): Promise<ClientSearchHit[]> {
  return searchClients(db, shopId, q, { limit });
}

export interface ClientVisit {
  id: string;
  barber_id: string;
  barber_name: string;
  service_id: string;
  service_name: string;
  start_time: string;
  end_time: string;
  status: string;
  price_cents: number;
  currency: string;
}

export interface ClientNoteView {
  id: string;
  body: string;
  author_id: string | null;
  created_at: string;
}

export interface ClientDetail {
  id: string;
  email: string | null;
  first_name: string;
  last_name: string;
  phone_last4: string | null;
  /** Completed appointments at this shop. */
  visit_count: number;
  no_show_count: number;
  /** Cancelled inside the policy window (deposit kept or a late-cancel fee). */
  late_cancel_count: number;
  visits: ClientVisit[];
  notes: ClientNoteView[];
}

/** How much history one detail response carries; older visits are for a future paged endpoint. */
const HISTORY_LIMIT = 100;

/**
 * One Neon request: the client (only if a client of this shop — a client membership or any
 * appointment there), their appointments at THIS shop, the no-show count and this shop's notes.
 */
export async function clientDetail(db: Db, shopId: string, clientId: string): Promise<ClientDetail> {
  const q = clientRecordQueries(db, shopId, clientId, HISTORY_LIMIT);
  const [[client], visits, notes] = await db.batch([q.client, q.visits, q.notes]);
  if (!client) throw new ApiError('not_found', 'No such client at this shop');
  return {
    id: client.id,
    email: client.email,
    first_name: client.firstName,
    last_name: client.lastName,
    phone_last4: client.phoneLast4,
    visit_count: client.visitCount,
    no_show_count: client.noShowCount,
    late_cancel_count: client.lateCancelCount,
    visits: visits.map((v) => ({
      id: v.id,
      barber_id: v.barberId,
      barber_name: v.barberName,
      service_id: v.serviceId,
      service_name: v.serviceName,
      start_time: wireInstant(v.startTime),
      end_time: wireInstant(v.endTime),
      status: v.status,
      price_cents: v.priceCents,
      currency: v.currency,
    })),
    notes: notes.map((n) => ({ id: n.id, body: n.body, author_id: n.authorId, created_at: wireInstant(n.createdAt) })),
  };
}

/**
 * A note on a client record by a member of the shop's staff: refused unless the caller is staff
 * there (403) and the user a client of the shop (404, as for a record of another shop).
 */
export async function addShopClientNote(db: Db, actorId: string, shopId: string, clientId: string, body: string): Promise<ClientNote> {
  const { isClient } = await authorizeClientRecord(db, actorId, shopId, clientId);
  if (!isClient) throw new ApiError('not_found', 'No such client at this shop');
  return addClientNote(db, actorId, { shopId, clientId }, body);
}

/** A private staff note; the audit row records that a note was added, not what it says. */
export async function addClientNote(
  db: Db,
  actorId: string,
  target: { shopId: string; clientId: string },
  body: string,
): Promise<ClientNote> {
  const id = crypto.randomUUID();
  const [created] = await db.batch([
    db.insert(clientNotes).values({ id, shopId: target.shopId, clientId: target.clientId, authorId: actorId, body }).returning(),
    auditQuery(db, { shopId: target.shopId, actorId, action: 'client_note.created', entity: 'client_note', entityId: id, data: { client_id: target.clientId } }),
  ]);
  return created[0]!;
}
