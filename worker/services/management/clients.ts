/** Client records as a shop's staff sees them: only that shop's clients, visits and notes. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { searchClients, type ClientSearchHit } from '../../db/queries/clients';
import { clientNotes, type ClientNote } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import { auditQuery } from '../audit';

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
  email: string;
  first_name: string;
  last_name: string;
  phone_last4: string | null;
  no_show_count: number;
  visits: ClientVisit[];
  notes: ClientNoteView[];
}

/** How much history one detail response carries; older visits are for a future paged endpoint. */
const HISTORY_LIMIT = 100;

/**
 * One statement: the client (only if they are a client of this shop: a client membership or any
 * appointment there), their appointments at THIS shop, the no-show count and this shop's notes.
 */
export async function clientDetail(db: Db, shopId: string, clientId: string): Promise<ClientDetail> {
  const result = await db.execute<Omit<ClientDetail, 'visits' | 'notes' | 'no_show_count'> & {
    no_show_count: number | string;
    visits: ClientVisit[] | string;
    notes: ClientNoteView[] | string;
  }>(sql`
    select u.id, u.email, u.first_name, u.last_name, u.phone_last4,
      (select count(*) from appointments a where a.client_id = u.id and a.shop_id = ${shopId} and a.status = 'no_show') as no_show_count,
      coalesce((select json_agg(v order by v.start_time desc) from (
          select a.id, a.barber_id, b.display_name as barber_name, a.service_id, sv.name as service_name,
                 a.start_time, a.end_time, a.status, a.price_cents, a.currency
            from appointments a
            join barbers b on b.id = a.barber_id
            join services sv on sv.id = a.service_id
           where a.client_id = u.id and a.shop_id = ${shopId}
           order by a.start_time desc limit ${HISTORY_LIMIT}) v), '[]'::json) as visits,
      coalesce((select json_agg(n order by n.created_at desc) from (
          select cn.id, cn.body, cn.author_id, cn.created_at from client_notes cn
           where cn.client_id = u.id and cn.shop_id = ${shopId}
           order by cn.created_at desc limit ${HISTORY_LIMIT}) n), '[]'::json) as notes
    from users u
    where u.id = ${clientId}
      and (exists (select 1 from memberships m where m.user_id = u.id and m.shop_id = ${shopId} and m.role = 'client')
           or exists (select 1 from appointments a where a.client_id = u.id and a.shop_id = ${shopId}))`);
  const row = result.rows[0];
  if (!row) throw new ApiError('not_found', 'No such client at this shop');
  const visits = parseJson(row.visits).map((v) => ({ ...v, start_time: iso(v.start_time), end_time: iso(v.end_time) }));
  const notes = parseJson(row.notes).map((n) => ({ ...n, created_at: iso(n.created_at) }));
  return { ...row, no_show_count: Number(row.no_show_count), visits, notes };
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

// json_agg renders timestamptz as "2030-01-07T15:00:00+00:00"; the API speaks ISO with Z.
function iso(value: string): string {
  return new Date(value).toISOString();
}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
