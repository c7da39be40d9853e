import { data } from '@remix-run/cloudflare';
import type { Services } from '../../worker/services/container';
import { searchShopClients } from '../../worker/services/management/clients';
import { office, refused, refusalOf } from './manage._index.server';

/** Ranked search answers in one page: the best matches; more words narrow it. */
export const SEARCH_LIMIT = 20;

export interface ClientHit {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
}

export interface ClientsPage {
  shopId: string;
  shopName: string;
  q: string;
  hits: ClientHit[];
  /** The search in words ("2 clients match “jo”"), or why there is none. */
  summary: string;
  more: boolean;
}

/** Only the last four digits of a phone are ever shown (the number itself is kept encrypted). */
export const maskedPhone = (last4: string | null) => (last4 ? `Phone ending ${last4}` : null);

export async function loadClients(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return refused(o);
  const q = (new URL(request.url).searchParams.get('q') ?? '').trim();
  const page: ClientsPage = { shopId: o.shop.id, shopName: o.shop.name, q, hits: [], summary: 'Type a name, an e-mail or the last digits of a phone number.', more: false };
  if (q.length > 100) {
    return data({ page: { ...page, summary: 'Search for at most 100 characters.' }, problem: null, status: 422 }, { status: 422, headers: o.headers });
  }
  if (!q) return data({ page, problem: null, status: 200 }, { headers: o.headers });
  try {
    const found = await searchShopClients(services.db, o.shop.id, q, SEARCH_LIMIT);
    const hits = found.map((h) => ({
      id: h.id,
      name: `${h.firstName} ${h.lastName}`.trim() || h.email || 'Client',
      email: h.email,
      phone: maskedPhone(h.phoneLast4),
    }));
    const summary =
      hits.length === 0
        ? `No client matches “${q}”.`
        : hits.length >= SEARCH_LIMIT
          ? `The best ${hits.length} matches for “${q}”. Type more to narrow them.`
          : `${hits.length} ${hits.length === 1 ? 'client matches' : 'clients match'} “${q}”.`;
    return data({ page: { ...page, hits, summary, more: hits.length >= SEARCH_LIMIT }, problem: null, status: 200 }, { headers: o.headers });
  } catch (err) {
    const r = refusalOf(err);
    return data({ page: null, problem: r.problem, status: r.status }, { status: r.status, headers: o.headers });
  }
}
